"""A SAM function's Events: ScheduleV2/Schedule become Schedules, DynamoDB becomes StreamSources,
SQS becomes QueueSources."""

import json
import re
from dataclasses import dataclass, field
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from .intrinsics import CfnError

if TYPE_CHECKING:
    from .cfn import LocalTemplate


@dataclass(frozen=True)
class Schedule:
    name: str  # the event's key under Events
    every: timedelta
    input_template: str | None  # JSON; may contain <aws.scheduler.scheduled-time>
    kind: str = "ScheduleV2"  # or "Schedule" (EventBridge rule)
    max_retries: int = 185  # RetryPolicy: Scheduler's retries of a failed *delivery*
    dead_letter_queue: str | None = None  # queue logical id, for failed deliveries (see scheduler.py)
    # cron(M H * * ? *): once a day at this local "HH:MM" of `timezone` (every is then one day).
    daily_at: str | None = None
    timezone: str = "UTC"


@dataclass(frozen=True)
class StreamSource:
    name: str
    table_logical_id: str
    batch_size: int = 100
    bisect: bool = False
    max_retries: int = -1  # -1: retry until it succeeds, as in AWS
    report_batch_item_failures: bool = False
    on_failure_queue: str | None = None  # queue logical id
    filter_patterns: list[dict[str, Any]] = field(default_factory=list)
    starting_position: str = "TRIM_HORIZON"
    max_record_age_seconds: int = -1


@dataclass(frozen=True)
class QueueSource:
    name: str
    queue_logical_id: str
    batch_size: int = 10
    report_batch_item_failures: bool = False
    maximum_concurrency: int | None = None  # locally messages are delivered one batch at a time


_RATE = re.compile(r"^rate\(\s*(\d+)\s+(minute|minutes|hour|hours|day|days)\s*\)$")


def parse_rate(expression: str) -> timedelta:
    match = _RATE.match(expression.strip())
    if not match or int(match.group(1)) < 1:
        raise CfnError(
            f"unsupported schedule {expression!r}: the local runtime runs rate(N minutes|hours|days)"
        )
    unit = match.group(2).rstrip("s") + "s"
    return timedelta(**{unit: int(match.group(1))})


_DAILY_CRON = re.compile(r"^cron\(\s*(\d{1,2})\s+(\d{1,2})\s+\*\s+\*\s+\?\s+\*\s*\)$")


def parse_daily_cron(expression: str) -> str | None:
    """ "HH:MM" of a daily cron(M H * * ? *); None for any other expression."""
    match = _DAILY_CRON.match(expression.strip())
    if not match or int(match.group(1)) > 59 or int(match.group(2)) > 23:
        return None
    return f"{int(match.group(2)):02d}:{int(match.group(1)):02d}"


def schedules_of(template: "LocalTemplate", function_id: str, events: dict[str, Any]) -> list["Schedule"]:
    schedules = []
    for name, event in events.items():
        if event.get("Type") not in ("ScheduleV2", "Schedule"):
            continue
        props = template.resolver.resolve(event.get("Properties") or {})
        if str(props.get("State", "ENABLED")).upper() == "DISABLED" or props.get("Enabled") is False:
            continue
        expression = props.get("ScheduleExpression") or props.get("Schedule") or ""
        raw_props = event.get("Properties") or {}
        daily_at = parse_daily_cron(expression)
        schedules.append(
            Schedule(
                name=name,
                every=timedelta(days=1) if daily_at else parse_rate(expression),
                daily_at=daily_at,
                timezone=props.get("ScheduleExpressionTimezone") or "UTC",
                input_template=props.get("Input"),
                kind=event["Type"],
                # Scheduler's RetryPolicy and DLQ cover failures to *invoke* the function (missing
                # function, permissions), which cannot happen locally; kept for completeness.
                max_retries=int((props.get("RetryPolicy") or {}).get("MaximumRetryAttempts", 185)),
                dead_letter_queue=_dead_letter_queue(
                    template, function_id, name, raw_props.get("DeadLetterConfig")
                ),
            )
        )
    return schedules


def streams_of(template: "LocalTemplate", function_id: str, events: dict[str, Any]) -> list["StreamSource"]:
    sources = []
    for name, event in events.items():
        if event.get("Type") != "DynamoDB":
            continue
        raw = event.get("Properties") or {}
        props = template.resolver.resolve(
            {k: v for k, v in raw.items() if k not in ("Stream", "DestinationConfig")}
        )
        if props.get("Enabled") is False:
            continue
        where = f"{function_id}.Events.{name}"
        on_failure = ((raw.get("DestinationConfig") or {}).get("OnFailure") or {}).get("Destination")
        sources.append(
            StreamSource(
                name=name,
                table_logical_id=logical_id_of(raw.get("Stream"), "StreamArn", where),
                batch_size=int(props.get("BatchSize", 100)),
                bisect=_true(props.get("BisectBatchOnFunctionError", False)),
                max_retries=int(props.get("MaximumRetryAttempts", -1)),
                report_batch_item_failures="ReportBatchItemFailures"
                in (props.get("FunctionResponseTypes") or []),
                on_failure_queue=_queue(template, on_failure, where) if on_failure else None,
                filter_patterns=[
                    _pattern(f.get("Pattern")) for f in (props.get("FilterCriteria") or {}).get("Filters", [])
                ],
                starting_position=str(props.get("StartingPosition", "TRIM_HORIZON")),
                max_record_age_seconds=int(props.get("MaximumRecordAgeInSeconds", -1)),
            )
        )
    return sources


def queues_of(template: "LocalTemplate", function_id: str, events: dict[str, Any]) -> list["QueueSource"]:
    sources = []
    for name, event in events.items():
        if event.get("Type") != "SQS":
            continue
        raw = event.get("Properties") or {}
        props = template.resolver.resolve({k: v for k, v in raw.items() if k != "Queue"})
        if props.get("Enabled") is False:
            continue
        where = f"{function_id}.Events.{name}"
        concurrency = (props.get("ScalingConfig") or {}).get("MaximumConcurrency")
        sources.append(
            QueueSource(
                name=name,
                queue_logical_id=_queue(template, raw.get("Queue"), where),
                batch_size=int(props.get("BatchSize", 10)),
                report_batch_item_failures="ReportBatchItemFailures"
                in (props.get("FunctionResponseTypes") or []),
                maximum_concurrency=int(concurrency) if concurrency is not None else None,
            )
        )
    return sources


def async_settings(template: "LocalTemplate", function_id: str, merged: dict[str, Any]) -> dict[str, Any]:
    """EventInvokeConfig and DeadLetterQueue: what Lambda does when an asynchronous invocation
    (a schedule's) raises. Only SQS destinations are wired locally."""
    config = merged.get("EventInvokeConfig") or {}
    retries = int(template.resolver.resolve(config.get("MaximumRetryAttempts", 2)))
    on_failure = ((config.get("DestinationConfig") or {}).get("OnFailure") or {}).get("Destination")
    dead_letter = (merged.get("DeadLetterQueue") or {}).get("TargetArn")
    where = f"{function_id}.EventInvokeConfig"
    return {
        "async_max_retries": retries,
        "async_on_failure_queue": _queue(template, on_failure, where) if on_failure else None,
        "dead_letter_queue": _queue(template, dead_letter, f"{function_id}.DeadLetterQueue")
        if dead_letter
        else None,
    }


def _queue(template: "LocalTemplate", value: Any, where: str) -> str:
    logical_id = logical_id_of(value, "Arn", where)
    if logical_id not in template.queues:
        raise CfnError(
            f"{where}: the local runtime delivers only to SQS queues of the template ({logical_id})"
        )
    return logical_id


def logical_id_of(value: Any, attribute: str, where: str) -> str:
    """The resource behind `!GetAtt X.<attribute>` (or `!Ref X`): locally we wire by logical id."""
    if isinstance(value, dict) and "Fn::GetAtt" in value:
        target = value["Fn::GetAtt"]
        logical_id, attr = target if isinstance(target, list) else target.split(".", 1)
        if attr == attribute:
            return logical_id
    if isinstance(value, dict) and isinstance(value.get("Ref"), str):
        return value["Ref"]
    raise CfnError(
        f"{where}: write !GetAtt <LogicalId>.{attribute} so the local runtime can wire it (got {value!r})"
    )


def _dead_letter_queue(template: "LocalTemplate", function_id: str, event: str, config: Any) -> str | None:
    if not config:
        return None
    if config.get("Arn") is not None:
        return logical_id_of(config["Arn"], "Arn", f"{function_id}.Events.{event}.DeadLetterConfig")
    # Type: SQS makes SAM create a queue named <Function><Event>Queue; the deployment creates it too.
    queue_id = str(config.get("QueueLogicalId") or f"{function_id}{event}Queue")
    if queue_id not in template.queues:
        from .cfn import QueueSpec

        template.queues[queue_id] = QueueSpec(queue_id, {})
    return queue_id


def _pattern(pattern: Any) -> dict[str, Any]:
    if isinstance(pattern, dict):
        return pattern
    try:
        parsed = json.loads(pattern)
    except (TypeError, ValueError) as error:
        raise CfnError(f"a FilterCriteria pattern is not JSON: {pattern!r}") from error
    if not isinstance(parsed, dict):
        raise CfnError(f"a FilterCriteria pattern must be a JSON object: {pattern!r}")
    return parsed


def _true(value: Any) -> bool:
    return value is True or str(value).lower() == "true"
