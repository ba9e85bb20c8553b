"""`make bench`, sections 2 and 5: a mention that staff answer, all-in, and the monthly cost model.

Runs tick the stack minute by minute (every schedule every minute, as in AWS), so an idle run of the
same span subtracts exactly what AWS would run anyway. From the runs: DynamoDB requests and request
units (capacity.py), Lambda invocations and in-handler wall time, SQS, Secrets Manager and other
requests, e-mails, SMS, log bytes and the custom metrics written.
"""

import io
import json
import math
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

from . import prices
from .capacity import Usage, total
from .cost import MINUTES_PER_MONTH, Activity, Standing, cost_by_service, month, table
from .replay.scenario import Account
from .stack import DEFAULT_TEMPLATE, LocalStack, StackOptions, local_stack

# Stated, not measured (the local runtime has no Lambda service around the handlers):
PLATFORM_LOG_BYTES = 300  # START, END and REPORT lines Lambda writes per invocation
SQS_IDLE_RECEIVES_PER_MINUTE = 15  # Lambda's SQS poller: 5 long polls of 20 s, empty or not
SQS_REQUESTS_PER_BATCH = 2  # the event source's ReceiveMessage and DeleteMessageBatch per batch


class LogMeter(io.TextIOBase):
    """The handlers' stdout: bytes written, and the custom metrics their EMF lines declare."""

    def __init__(self) -> None:
        self.bytes = 0
        self.metrics: set[tuple] = set()
        self._partial = ""

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        self.bytes += len(text.encode("utf-8"))
        *lines, self._partial = (self._partial + text).split("\n")
        for line in lines:
            if '"_aws"' in line:
                self._metrics_of(line)
        return len(text)

    def _metrics_of(self, line: str) -> None:
        try:
            record = json.loads(line)
        except ValueError:
            return
        for directive in record.get("_aws", {}).get("CloudWatchMetrics", []):
            for dimensions in directive.get("Dimensions", [[]]):
                values = tuple((name, record.get(name)) for name in dimensions)
                for metric in directive.get("Metrics", []):
                    self.metrics.add((directive.get("Namespace"), metric.get("Name"), values))


def sms_parts(text: str) -> int:
    """Parts an SMS is sent in: 160 GSM characters (153 a part when split), 70 others (67)."""
    gsm = all(ord(c) < 128 for c in text)
    single, multi = (160, 153) if gsm else (70, 67)
    return 1 if len(text) <= single else math.ceil(len(text) / multi)


@dataclass
class Run:
    """What one measured span of a stack did."""

    minutes: int = 0
    requests: Counter = field(default_factory=Counter)  # (service, operation)
    usage: Usage = Usage()
    invocations: Counter = field(default_factory=Counter)
    seconds: Counter = field(default_factory=Counter)
    emails: int = 0
    sms_parts: int = 0
    log_bytes: int = 0
    scheduled: int = 0  # invocations EventBridge Scheduler made

    def dynamodb_requests(self) -> int:
        return sum(n for (service, _), n in self.requests.items() if service == "dynamodb")

    def minus(self, other: "Run") -> "Run":
        return Run(
            self.minutes - other.minutes,
            self.requests - other.requests,
            self.usage - other.usage,
            self.invocations - other.invocations,
            self.seconds - other.seconds,
            self.emails - other.emails,
            self.sms_parts - other.sms_parts,
            self.log_bytes - other.log_bytes,
            self.scheduled - other.scheduled,
        )

    def activity(self, memory_mb: dict[str, int], per: float) -> Activity:
        """This run's activity divided by `per` (mentions, or minutes)."""
        invocations = sum(self.invocations.values())
        sqs = sum(n for (service, _), n in self.requests.items() if service == "sqs")
        batches = self.invocations.get("PollMentionsFunction", 0)
        return Activity(
            read_units=self.usage.read_units,
            write_units=self.usage.all_write_units,
            lambda_invocations=invocations,
            lambda_gb_seconds=sum(s * memory_mb[name] / 1024 for name, s in self.seconds.items()),
            sqs_requests=sqs + SQS_REQUESTS_PER_BATCH * batches,
            scheduler_invocations=self.scheduled,
            emails=self.emails,
            sms_parts=self.sms_parts,
            secrets_calls=sum(n for (service, _), n in self.requests.items() if service == "secretsmanager"),
            log_bytes=self.log_bytes + PLATFORM_LOG_BYTES * invocations,
            traces=invocations,  # Tracing: Active, default sampling keeps the first request each second
        ).scaled(1 / per)


def _snapshot(stack: LocalStack, log: LogMeter, minutes: int) -> Run:
    deployment = stack.deployment
    return Run(
        minutes=minutes,
        requests=Counter(deployment.request_counts()),
        usage=total(deployment.capacity_used()),
        invocations=Counter(deployment.invocations),
        seconds=Counter(deployment.invocation_seconds),
        emails=sum(len(e["to"].split(",")) for e in stack.emails()),
        sms_parts=sum(sms_parts(s["text"]) for s in stack.sms()),
        log_bytes=log.bytes,
        scheduled=len(stack.scheduler.runs),
    )


def measure(
    accounts: list[Account], start: datetime, minutes: int, events=None
) -> tuple[Run, LogMeter, dict[str, int]]:
    """Tick `minutes` minutes after a warm-up minute; events(stack, minute) publishes what is due."""
    log = LogMeter()
    options = StackOptions(validate_spec=False, log=log, log_level="INFO")  # the template's default level
    with local_stack(accounts, start, options) as stack:
        stack.minute()  # cold starts and the first, empty polls
        stack.deployment.reset_request_counts()
        before = _snapshot(stack, log, 0)
        for minute in range(minutes):
            if events is not None:
                events(stack, minute)
            stack.minute()
        run = _snapshot(stack, log, minutes).minus(before)
        memory = {name: fn.memory_mb for name, fn in stack.deployment.functions.items()}
    return run, log, memory


def answered_mentions(count: int, reply_after: int = 5, tail: int = 10):
    """`count` X mentions, one a minute, each answered by staff `reply_after` minutes later."""

    def events(stack: LocalStack, minute: int) -> None:
        if minute < count:
            stack.mention(str(1_000_000 + minute), str(500_000 + minute), f"@AcmeCare question {minute}")
        if 0 <= minute - reply_after < count:
            asked = minute - reply_after
            stack.staff_reply(str(2_000_000 + asked), str(1_000_000 + asked), "Sorry about that, DM us")

    return events, count + reply_after + tail


def answered_all_in(brand: Account, start: datetime, count: int) -> tuple[Run, Run, LogMeter, dict[str, int]]:
    events, minutes = answered_mentions(count)
    busy, log, memory = measure([brand], start, minutes, events)
    idle, _, _ = measure([brand], start, minutes)
    return busy, idle, log, memory


def print_answered(busy: Run, idle: Run, count: int) -> None:
    extra = busy.minus(idle)
    per = extra.usage / count
    print(
        f"2. A mention that staff answer, all-in: {count} X mentions, one a minute, each answered 5 minutes"
        f" later, over {busy.minutes} minutes, minus the same span idle"
    )
    print(
        f"   busy {busy.dynamodb_requests()} DynamoDB requests, idle {idle.dynamodb_requests()}"
        f" => per mention {extra.dynamodb_requests() / count:.1f} requests,"
        f" {per.read_units:.1f} read units, {per.all_write_units:.1f} write units"
        f" ({per.write_units:.1f} table + {per.index_write_units:.1f} index)"
    )
    by_op = Counter({op: n for (service, op), n in extra.requests.items() if service == "dynamodb"})
    print("   " + ", ".join(f"{op} {n / count:.2f}" for op, n in sorted(by_op.items())) + " per mention")
    print(
        "   Lambda invocations per mention: "
        + ", ".join(f"{name} {n / count:.2f}" for name, n in sorted(extra.invocations.items()) if n)
    )


def print_cost(
    accounts: list[Account],
    start: datetime,
    busy: Run,
    idle: Run,
    log: LogMeter,
    memory,
    count: int,
    alerts: tuple[float, float] | None,
) -> None:
    """accounts: the brand of the busy run and a second one, to tell each account's idle cost apart.
    alerts: e-mails and SMS parts per mention in the dense replay (some mentions wait for staff and
    escalate there; in the all-in run staff answer every one in five minutes)."""
    two_idle, _, _ = measure(accounts, start, idle.minutes)
    per_mention = busy.minus(idle).activity(memory, count)
    if alerts is not None:
        emails, sms = alerts
        per_mention = per_mention + Activity(
            emails=emails - per_mention.emails, sms_parts=sms - per_mention.sms_parts
        )
    one = idle.activity(memory, idle.minutes)
    per_account = two_idle.activity(memory, idle.minutes) - one
    per_stack = one - per_account + Activity(sqs_requests=SQS_IDLE_RECEIVES_PER_MINUTE)
    alarms = alarms_in_template()
    standing = Standing(
        secrets=2,  # the account's credentials and Meta's webhook secret; one more per account
        alarms=alarms,
        custom_metrics=len(log.metrics),
        kms_keys=1,  # AlarmTopicKey; the tables use the AWS managed key aws/dynamodb (no monthly fee)
    )
    print("5. Monthly cost at us-east-1 list prices (prices.py, free tiers ignored)")
    source = (
        "the dense replay, where 30% are never answered: they follow the ladder's staff answer rate"
        if alerts is not None
        else "the all-in run"
    )
    print(
        f"   per mention (e-mails and SMS from {source}): {per_mention.read_units:.1f} read units,"
        f" {per_mention.write_units:.1f} write units,"
        f" {per_mention.lambda_invocations:.2f} invocations, {per_mention.lambda_gb_seconds:.3f} GB-s,"
        f" {per_mention.sqs_requests:.2f} SQS requests, {per_mention.emails:.3f} e-mails,"
        f" {per_mention.sms_parts:.3f} SMS parts, {per_mention.log_bytes:.0f} log bytes"
    )
    print(
        f"   idle, per minute: stack {per_stack.lambda_invocations:.2f} invocations,"
        f" {per_stack.read_units:.1f} read units;"
        f" each account {per_account.lambda_invocations:.2f} invocations,"
        f" {per_account.read_units:.1f} read units, {per_account.sqs_requests:.1f} SQS requests"
    )
    means = ", ".join(
        f"{name.removesuffix('Function')} {busy.seconds[name] / n * 1000:.0f} ms"
        for name, n in sorted(busy.invocations.items())
        if n
    )
    print(
        f"   durations: the handlers' wall time measured here, a mean per invocation ({means});"
        " an upper bound on a loaded machine (moto runs in-process, the simulators on loopback);"
        f" memory from template.yaml. Custom metrics seen: {len(log.metrics)}; alarms: {alarms}"
    )
    bills = {
        mentions: month(
            mentions=mentions,
            per_mention=per_mention,
            accounts=1,
            per_account_minute=per_account,
            per_stack_minute=per_stack,
            standing=standing,
        )
        for mentions in (10_000, 1_000_000)
    }
    columns = {
        "fixed, 1 account": bills[10_000].fixed,
        "10,000 mentions": bills[10_000].mentions,
        "1,000,000 ment.": bills[1_000_000].mentions,
        "all, 10,000": bills[10_000].total,
        "all, 1,000,000": bills[1_000_000].total,
    }
    print(table(columns))
    more = sum(cost_by_service(per_account.scaled(MINUTES_PER_MONTH), Standing(secrets=1)).values())
    print(
        f"   fixed: {MINUTES_PER_MONTH:,} minutes a month of polling one account and of the sweeps;"
        f" each further account adds ${more:.2f} a month (its polls and its secret)."
        " mentions: per-mention activity times the count."
        f" SMS at ${prices.SNS_SMS_PART.usd} a part ({prices.SNS_SMS_PART.note})."
    )
    print(
        "   Not measured here, stated: Lambda's platform log lines, its SQS poller's idle receives, one X-Ray"
        " trace per invocation; DynamoDB streams read by Lambda are free; storage and backups not included."
    )


def alarms_in_template() -> int:
    return DEFAULT_TEMPLATE.read_text().count("Type: AWS::CloudWatch::Alarm")
