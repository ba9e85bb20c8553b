"""EventBridge schedules on the virtual clock: moto stores schedules but never fires them.

Each schedule first fires at the first whole minute at or after the scheduler's start, then every
`every`. Missed fire times are all run, in order, each with its own scheduled time. What a run
sends to a queue with a function behind it is delivered right after the run, within its minute.
A replay may skip fire times where nothing can happen (`skip_before`): they are counted, with the
invocations an idle run of the same schedule set off, so the replay never passes for what Lambda did.
"""

import json
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

import boto3

from .cfn import Schedule
from .clock import VirtualClock
from .queues import QueueBatch, QueuePump

if TYPE_CHECKING:
    from .deployment import LocalDeployment


@dataclass(frozen=True)
class Firing:
    function_id: str
    schedule: Schedule
    at: datetime


@dataclass
class ScheduledRun:
    function_id: str
    schedule_name: str
    at: datetime
    event: Any
    result: Any = None
    error: str | None = None  # repr of the last exception when every attempt failed
    error_type: str | None = None
    error_message: str | None = None
    attempts: int = 1
    deliveries: list[QueueBatch] = field(default_factory=list)  # queue batches this run set off


class Scheduler:
    """Fires the template's ScheduleV2/Schedule events on the virtual clock, as asynchronous invocations."""

    def __init__(self, deployment: "LocalDeployment", clock: VirtualClock | None = None) -> None:
        self.deployment = deployment
        self.clock = clock or deployment.clock
        self.queues = QueuePump(deployment)
        first = _ceil_minute(self.clock.now())
        self._schedules = {(fid, s.name): s for fid, fn in deployment.functions.items() for s in fn.schedules}
        self._next = {key: _first_fire(schedule, first) for key, schedule in self._schedules.items()}
        self.runs: list[ScheduledRun] = []
        self.failures: list[ScheduledRun] = []
        # Per schedule: the invocations its last idle run set off (itself and the queue batches it fed).
        self._idle_cost: dict[tuple[str, str], Counter[str]] = {}
        self.skipped_invocations: Counter[str] = Counter()  # by function: what skipped fire times cost

    @property
    def failure_count(self) -> int:
        return len(self.failures)

    def next_fire_time(self) -> datetime | None:
        return min(self._next.values(), default=None)

    def due(self, now: datetime) -> list[Firing]:
        """Every fire time at or before `now`, oldest first; nothing is run or marked."""
        firings = []
        for key, schedule in self._schedules.items():
            at = self._next[key]
            while at <= now:
                firings.append(Firing(key[0], schedule, at))
                at += schedule.every
        return sorted(firings, key=lambda f: (f.at, f.function_id, f.schedule.name))

    def run_due(self) -> list[ScheduledRun]:
        """Run what is due at clock.now(); a failing run is recorded (and sent on, as Lambda's
        asynchronous invocation would), never raised."""
        runs = []
        for firing in self.due(self.clock.now()):
            self._next[(firing.function_id, firing.schedule.name)] = following_fire_time(
                firing.schedule, firing.at
            )
            run = self._run(firing)
            run.deliveries = self.queues.pump()
            runs.append(run)
        return runs

    def first_fire_at_or_after(self, moment: datetime) -> datetime | None:
        """The earliest fire time of any schedule at or after `moment`, on each schedule's own grid."""
        times = []
        for key, schedule in self._schedules.items():
            at = self._next[key]
            # A daily (calendar) schedule is never skipped: its fire time bounds the jump.
            if at < moment and not schedule.daily_at:
                at += schedule.every * -(-(moment - at) // schedule.every)  # whole periods, rounded up
            times.append(at)
        return min(times, default=None)

    def record_idle(self, runs: list[ScheduledRun]) -> None:
        """These runs did nothing but look: what each cost is what a skipped firing of it costs."""
        for run in runs:
            cost = Counter({run.function_id: 1})
            cost.update(batch.function_id for batch in run.deliveries)
            self._idle_cost[(run.function_id, run.schedule_name)] = cost

    def skip_before(self, moment: datetime) -> datetime | None:
        """Mark every fire time before `moment` as skipped (not run), counting what each would have
        invoked; returns the last fire time skipped (None: none was)."""
        last = None
        for key, schedule in self._schedules.items():
            at = self._next[key]
            if at >= moment:
                continue
            count = -(-(moment - at) // schedule.every)  # fire times in [at, moment)
            self._next[key] = at + schedule.every * count
            cost = self._idle_cost.get(key, Counter({key[0]: 1}))
            self.skipped_invocations.update({fid: n * count for fid, n in cost.items()})
            last = max(filter(None, (last, self._next[key] - schedule.every)))
        return last

    def run_until(self, until: datetime, *, between: Callable[[], Any] | None = None) -> list[ScheduledRun]:
        """Move the clock to each fire time up to `until` and run it there (then call `between`,
        e.g. a StreamPump's pump); the clock ends at `until`."""
        runs = []
        while (at := self.next_fire_time()) is not None and at <= until:
            if at > self.clock.now():
                self.clock.set(at)
            runs += self.run_due()
            if between is not None:
                between()
        if until > self.clock.now():
            self.clock.set(until)
        return runs

    def tick(self, step: timedelta = timedelta(minutes=1)) -> list[ScheduledRun]:
        return self.run_until(self.clock.now() + step)

    # -- one run -----------------------------------------------------------------------------------

    def _run(self, firing: Firing) -> ScheduledRun:
        # Scheduler invokes Lambda asynchronously: once the invocation is accepted, a function error
        # is Lambda's to retry (EventInvokeConfig, default 2) and then to hand to the function's
        # on-failure destination or DeadLetterQueue. The schedule's own DeadLetterConfig only gets
        # events Scheduler could not deliver at all, which cannot happen in-process.
        fn = self.deployment.function(firing.function_id)
        run = ScheduledRun(firing.function_id, firing.schedule.name, firing.at, None)
        execution_id = str(uuid.uuid4())
        run.event = self._event(firing, execution_id)
        for attempt in range(1, fn.async_max_retries + 2):  # AWS waits 1 and 2 minutes; here at once
            run.attempts = attempt
            try:
                run.result = self.deployment.invoke(firing.function_id, run.event)
                run.error = run.error_type = run.error_message = None
                break
            except Exception as exc:  # noqa: BLE001 - recorded, as Lambda would log it
                run.error, run.error_type, run.error_message = repr(exc), type(exc).__name__, str(exc)
        self.runs.append(run)
        if run.error is not None:
            self.failures.append(run)
            self._async_failure(fn.logical_id, run)
        return run

    def _event(self, firing: Firing, execution_id: str) -> Any:
        schedule, at = firing.schedule, _iso(firing.at)
        if schedule.input_template is None and schedule.kind == "Schedule":
            # An EventBridge rule without Input sends the "Scheduled Event" envelope.
            return {
                "version": "0",
                "id": execution_id,
                "detail-type": "Scheduled Event",
                "source": "aws.events",
                "account": self.deployment.template.account_id,
                "time": at,
                "region": self.deployment.region,
                "resources": [self._schedule_arn(firing)],
                "detail": {},
            }
        text = schedule.input_template or "{}"
        for name, value in (
            ("scheduled-time", at),
            ("schedule-arn", self._schedule_arn(firing)),
            ("execution-id", execution_id),
            ("attempt-number", "1"),
        ):
            text = text.replace(f"<aws.scheduler.{name}>", value)
        return json.loads(text)

    def _schedule_arn(self, firing: Firing) -> str:
        template = self.deployment.template
        return (
            f"arn:aws:scheduler:{template.region}:{template.account_id}:schedule/default/"
            f"{firing.function_id}{firing.schedule.name}"
        )

    def _async_failure(self, function_id: str, run: ScheduledRun) -> None:
        fn = self.deployment.function(function_id)
        sqs = boto3.client("sqs", region_name=self.deployment.region)
        function_arn = f"{self.deployment.template.get_att(function_id, 'Arn')}:$LATEST"
        if fn.async_on_failure_queue:  # Lambda's invocation record
            record = {
                "version": "1.0",
                "timestamp": _iso(self.clock.now()),
                "requestContext": {
                    "requestId": str(uuid.uuid4()),
                    "functionArn": function_arn,
                    "condition": "RetriesExhausted",
                    "approximateInvokeCount": run.attempts,
                },
                "requestPayload": run.event,
                "responseContext": {
                    "statusCode": 200,
                    "executedVersion": "$LATEST",
                    "functionError": "Unhandled",
                },
                "responsePayload": {"errorMessage": run.error_message, "errorType": run.error_type},
            }
            sqs.send_message(
                QueueUrl=self.deployment.queue_url(fn.async_on_failure_queue), MessageBody=json.dumps(record)
            )
        elif fn.dead_letter_queue:  # the event itself, with the error in message attributes
            attributes = {
                "RequestID": str(uuid.uuid4()),
                "ErrorCode": "200",
                "ErrorMessage": run.error_message or "-",
            }
            sqs.send_message(
                QueueUrl=self.deployment.queue_url(fn.dead_letter_queue),
                MessageBody=json.dumps(run.event),
                MessageAttributes={
                    k: {"DataType": "String", "StringValue": v[:1000]} for k, v in attributes.items()
                },
            )


def _first_fire(schedule: Schedule, first: datetime) -> datetime:
    """A rate schedule's first fire is `first`; a daily one's, its local time at or after it."""
    if not schedule.daily_at:
        return first
    return following_fire_time(schedule, first - timedelta(seconds=1))


def following_fire_time(schedule: Schedule, after: datetime) -> datetime:
    """The fire time after `after`: a period later, or a daily schedule's next local HH:MM (which
    stays at that local time across daylight-saving changes, as EventBridge Scheduler does)."""
    if not schedule.daily_at:
        return after + schedule.every
    zone = ZoneInfo(schedule.timezone)
    hour, minute = (int(part) for part in schedule.daily_at.split(":"))
    local = after.astimezone(zone)
    at = datetime.combine(local.date(), time(hour, minute), tzinfo=zone)
    if at <= local:
        at = datetime.combine(local.date() + timedelta(days=1), time(hour, minute), tzinfo=zone)
    return at.astimezone(UTC)


def _ceil_minute(moment: datetime) -> datetime:
    floor = moment.replace(second=0, microsecond=0)
    return floor if floor == moment else floor + timedelta(minutes=1)


def _iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")
