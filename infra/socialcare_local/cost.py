"""The monthly AWS bill, from what the system was measured doing, at the list prices of prices.py.

Activity is what the system does: per mention (a replay minus the same span idle), per minute of the
stack (the schedules' sweeps), per minute of each polled account. Standing resources (secrets,
alarms, custom metrics, keys) are billed by the month whatever happens. Free tiers are ignored.
"""

from dataclasses import dataclass, fields

from . import prices

MINUTES_PER_MONTH = 730 * 60  # AWS bills a month as 730 hours


@dataclass(frozen=True)
class Activity:
    read_units: float = 0.0  # DynamoDB read request units
    write_units: float = 0.0  # DynamoDB write request units, index writes included
    lambda_invocations: float = 0.0
    lambda_gb_seconds: float = 0.0
    sqs_requests: float = 0.0
    scheduler_invocations: float = 0.0
    emails: float = 0.0
    sms_parts: float = 0.0
    secrets_calls: float = 0.0
    log_bytes: float = 0.0
    traces: float = 0.0
    kms_requests: float = 0.0

    def __add__(self, other: "Activity") -> "Activity":
        return Activity(*(getattr(self, f.name) + getattr(other, f.name) for f in fields(self)))

    def __sub__(self, other: "Activity") -> "Activity":
        return Activity(*(getattr(self, f.name) - getattr(other, f.name) for f in fields(self)))

    def scaled(self, factor: float) -> "Activity":
        return Activity(*(getattr(self, f.name) * factor for f in fields(self)))


@dataclass(frozen=True)
class Standing:
    """Billed per month whatever the traffic."""

    secrets: int = 0
    alarms: int = 0
    custom_metrics: int = 0
    kms_keys: int = 0


SERVICES = (
    "DynamoDB",
    "Lambda",
    "SQS",
    "EventBridge Scheduler",
    "SES",
    "SNS SMS",
    "Secrets Manager",
    "CloudWatch",
    "X-Ray",
    "KMS",
)


def cost_by_service(activity: Activity, standing: Standing = Standing()) -> dict[str, float]:
    """US dollars per service for this activity plus one month of the standing resources."""
    return {
        "DynamoDB": prices.DYNAMODB_READ_UNIT.of(activity.read_units)
        + prices.DYNAMODB_WRITE_UNIT.of(activity.write_units),
        "Lambda": prices.LAMBDA_REQUEST.of(activity.lambda_invocations)
        + prices.LAMBDA_ARM_GB_SECOND.of(activity.lambda_gb_seconds),
        "SQS": prices.SQS_REQUEST.of(activity.sqs_requests),
        "EventBridge Scheduler": prices.SCHEDULER_INVOCATION.of(activity.scheduler_invocations),
        "SES": prices.SES_EMAIL.of(activity.emails),
        "SNS SMS": prices.SNS_SMS_PART.of(activity.sms_parts),
        "Secrets Manager": prices.SECRET.of(standing.secrets)
        + prices.SECRETS_API_CALL.of(activity.secrets_calls),
        "CloudWatch": prices.LOG_INGESTION.of(activity.log_bytes)
        + prices.CUSTOM_METRIC.of(standing.custom_metrics)
        + prices.ALARM.of(standing.alarms),
        "X-Ray": prices.XRAY_TRACE.of(activity.traces),
        "KMS": prices.KMS_KEY.of(standing.kms_keys) + prices.KMS_REQUEST.of(activity.kms_requests),
    }


def gb_seconds(
    invocations: dict[str, float], seconds_each: dict[str, float], memory_mb: dict[str, int]
) -> float:
    """Lambda's billed duration: invocations x duration x configured memory, per function."""
    return sum(count * seconds_each[name] * memory_mb[name] / 1024 for name, count in invocations.items())


@dataclass(frozen=True)
class Month:
    """One month's bill: the fixed part (accounts polled, sweeps, standing resources) and the mentions'."""

    fixed: dict[str, float]
    mentions: dict[str, float]

    @property
    def total(self) -> dict[str, float]:
        return {service: self.fixed[service] + self.mentions[service] for service in SERVICES}


def month(
    *,
    mentions: int,
    per_mention: Activity,
    accounts: int,
    per_account_minute: Activity,
    per_stack_minute: Activity,
    standing: Standing,
) -> Month:
    idle = per_stack_minute.scaled(MINUTES_PER_MONTH) + per_account_minute.scaled(
        MINUTES_PER_MONTH * accounts
    )
    return Month(
        fixed=cost_by_service(idle, standing), mentions=cost_by_service(per_mention.scaled(mentions))
    )


def table(columns: dict[str, dict[str, float]]) -> str:
    """Services down, one column per heading, dollars a month, and the totals."""
    width = max(14, *(len(heading) + 2 for heading in columns))
    lines = [f"   {'US$ a month':<22}" + "".join(f"{heading:>{width}}" for heading in columns)]
    for service in SERVICES:
        lines.append(
            f"   {service:<22}" + "".join(f"{column[service]:>{width}.2f}" for column in columns.values())
        )
    lines.append(
        f"   {'total':<22}" + "".join(f"{sum(column.values()):>{width}.2f}" for column in columns.values())
    )
    return "\n".join(lines)
