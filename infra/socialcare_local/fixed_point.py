"""When the local runtime may jump its virtual clock, and to when.

A minute in which the handlers changed nothing (no DynamoDB write, no e-mail or SMS, no post on a
network), nothing failed, nothing but the schedules invoked a function and no scenario event arrived
is a fixed point: the minutes after it are the same idle minute again, until something that is kept
with a time comes due. `next_wake` reads those times where they are kept, through boto3 and the
simulators, never through the handlers (their requests are what `activity` counts).
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

import boto3

from socialcare.config.loader import parse_stored
from socialcare.domain.timefmt import from_iso

from .networks.base import next_wake
from .replay import world

if TYPE_CHECKING:
    from .scheduler import ScheduledRun
    from .stack import LocalStack

# Handler requests that only look: every other DynamoDB request may change an item (a conditional
# write that fails counts too: someone tried), and any request to SES or SNS sends something.
DYNAMODB_READS = frozenset(
    {"GetItem", "BatchGetItem", "Query", "Scan", "TransactGetItems", "DescribeTable", "DescribeTimeToLive"}
)
SENDING_SERVICES = frozenset({"ses", "sesv2", "sns"})
# What the handlers' answers say when they did or tried something (see functions/*/app.py).
_WORK_COUNTS = ("due", "retried")
_PROBLEMS = ("errors", "failures")


@dataclass(frozen=True)
class Activity:
    """Counters that only grow; two equal snapshots around a step mean the step changed nothing."""

    changing_requests: int  # DynamoDB writes, e-mails and SMS, by handler code
    invocations: int  # every function, whatever invoked it
    replies: int  # what socialcare posted on the networks
    webhook_requests: int  # what reached the webhook function's URL
    spec_violations: int
    failures: int  # scheduled runs that failed, queue batches not fully handled, stream records lost


def activity(stack: "LocalStack") -> Activity:
    requests = stack.deployment.request_counts()
    changing = sum(
        count
        for (service, operation), count in requests.items()
        if (service == "dynamodb" and operation not in DYNAMODB_READS) or service in SENDING_SERVICES
    )
    networks = list(dict.fromkeys(stack.networks.values()))
    return Activity(
        changing_requests=changing,
        invocations=sum(stack.deployment.invocations.values()),
        replies=sum(len(network.replies()) for network in networks),
        webhook_requests=stack.function_url.received,
        spec_violations=sum(len(network.spec_violations) for network in networks),
        failures=stack.scheduler.failure_count
        + sum(1 for batch in stack.scheduler.queues.batches if batch.outcome != "ok")
        + len(stack.pump.discarded),
    )


def was_idle(before: Activity, after: Activity, runs: "Iterable[ScheduledRun]") -> bool:
    """True when the step between the two snapshots ran its schedules and did nothing else."""
    runs = list(runs)
    invoked_by_schedules = sum(1 + len(run.deliveries) for run in runs)
    if after.invocations - before.invocations != invoked_by_schedules:
        return False  # a stream record or a webhook invoked something: that is news
    if after != _with_invocations(before, after.invocations):
        return False
    answers = [run.result for run in runs] + [batch.response for run in runs for batch in run.deliveries]
    return not any(_reports_work(answer) for answer in answers)


def _with_invocations(activity_: Activity, invocations: int) -> Activity:
    return Activity(
        activity_.changing_requests,
        invocations,
        activity_.replies,
        activity_.webhook_requests,
        activity_.spec_violations,
        activity_.failures,
    )


def _reports_work(answer: Any) -> bool:
    """A handler's answer that says it found something to do, or that something went wrong."""
    if not isinstance(answer, dict):
        return False
    if any(answer.get(name) for name in _PROBLEMS) or any(answer.get(name) for name in _WORK_COUNTS):
        return True
    accounts = answer.get("accounts") or []  # the poll function: one entry per account polled
    return any(
        isinstance(poll, dict) and (poll.get("errors") or poll.get("failed") or poll.get("broken"))
        for poll in accounts
    )


class WakeTimes:
    """The earliest moment at which something kept with a time comes due; None when nothing is."""

    def __init__(self, stack: "LocalStack") -> None:
        self._stack = stack
        self._dynamodb = boto3.client("dynamodb", region_name=stack.deployment.region)
        self._sqs = boto3.client("sqs", region_name=stack.deployment.region)
        self._tickets = stack.deployment.table_name("TicketsTable")
        self._state = stack.deployment.table_name("StateTable")
        self._queues = stack.scheduler.queues.queue_urls
        text = boto3.client("ssm", region_name=stack.deployment.region).get_parameter(
            Name=world.CONFIG_PARAMETER
        )["Parameter"]["Value"]
        self._stall_after = timedelta(
            minutes=parse_stored(text, "replay configuration").polling.stall_alarm_minutes
        )

    def next_wake(self) -> datetime | None:
        now = self._stack.clock.now()
        if self._queue_messages_in_flight():
            return now  # a message comes back after its visibility timeout: look every minute
        times = [
            *self._index_times("awaiting_reply", "next_step_at"),  # escalation steps, alert retries
            *self._index_times("pending_ack", "ack_retry_at"),  # acknowledgement retries, leases
            *self._stream_state_times(now),
            *self._ceiling_summary_times(),
            *self._network_times(),
        ]
        return min(times, default=None)

    def _index_times(self, index: str, attribute: str) -> list[datetime]:
        return [from_iso(item[attribute]["S"]) for item in self._scan(self._tickets, IndexName=index)]

    def _stream_state_times(self, now: datetime) -> list[datetime]:
        """The end of a rate-limit pause; the moment a failing stream counts as stalled (alarmed)."""
        times = []
        for item in self._scan(self._state):
            paused = item.get("paused_until", {}).get("S")
            if paused and from_iso(paused) > now:
                times.append(from_iso(paused))
            failing = item.get("failing_since", {}).get("S")
            if failing and from_iso(failing) + self._stall_after > now:
                times.append(from_iso(failing) + self._stall_after)
        return times

    def _ceiling_summary_times(self) -> list[datetime]:
        """What an hourly ceiling held back is summarised once its clock hour is over."""
        held = self._scan(
            self._tickets,
            FilterExpression="begins_with(pk, :ceiling) AND held > :none"
            " AND attribute_not_exists(summarised_at)",
            ExpressionAttributeValues={":ceiling": {"S": "CEILING#"}, ":none": {"N": "0"}},
        )
        hours = {item["sk"]["S"].split("#", 1)[1] for item in held}  # "<kind>#YYYY-MM-DDTHH"
        return [from_iso(hour + ":00:00Z") + timedelta(hours=1) for hour in hours]

    def _network_times(self) -> list[datetime]:
        """A simulator's own pending work, e.g. Meta retrying a webhook delivery."""
        times = [next_wake(network) for network in dict.fromkeys(self._stack.networks.values())]
        return [at for at in times if at is not None]

    def _queue_messages_in_flight(self) -> bool:
        for url in self._queues:
            counts = self._sqs.get_queue_attributes(
                QueueUrl=url,
                AttributeNames=[
                    "ApproximateNumberOfMessagesNotVisible",
                    "ApproximateNumberOfMessagesDelayed",
                ],
            )["Attributes"]
            if any(int(value) for value in counts.values()):
                return True
        return False

    def _scan(self, table: str, **query: Any) -> list[dict]:
        items = []
        for page in self._dynamodb.get_paginator("scan").paginate(TableName=table, **query):
            items += page["Items"]
        return items
