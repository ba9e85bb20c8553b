"""Play a scenario through the deployed-locally stack on a virtual clock.

Mentions and staff replies appear on the simulated X at their `at` times; EventBridge schedules
fire on the virtual clock; DynamoDB stream records reach the acknowledge function after every
invocation; what was sent is read back from moto's SES and SNS.
"""

import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import IO

import boto3

from ..stack import DEFAULT_TEMPLATE, REGION, LocalStack, StackOptions, local_stack
from . import world
from .report import summarize
from .scenario import Account, BrandPost, BrandReply, End, Mention, unknown_references

MAX_VIRTUAL_DURATION = timedelta(days=7)


@dataclass(frozen=True)
class ReplayProgress:
    """Where a replay stands, for a progress display: virtual time covered and events played."""

    start: datetime
    now: datetime
    end: datetime | None  # the scenario's `end` line, else its last event
    events_played: int
    events_total: int
    mentions_played: int
    mentions_total: int


@dataclass
class ReplayOptions:
    config_path: Path | None = None
    template_path: Path = DEFAULT_TEMPLATE
    post_limit: int = 100  # X's POST /2/tweets limit per 15 minutes per user
    read_limit: int = 450
    lambda_log: IO[str] | None = None  # where the handlers' JSON logs and metrics go
    validate_spec: bool = True
    # Called after every minute of virtual time; tests inject faults through it.
    on_tick: Callable[[LocalStack], None] | None = None
    log_level: str = "WARNING"
    # Called as the replay advances (at least once per virtual step); a progress bar listens here.
    on_progress: Callable[[ReplayProgress], None] | None = None


def _floor_minute(moment: datetime) -> datetime:
    return moment.replace(second=0, microsecond=0)


def _publish(stack: LocalStack, event: Mention | BrandPost | BrandReply) -> None:
    """On the event's network, for the brand account it names, else the channel's first one."""
    brands = [a.id for a in stack.accounts if a.channel == event.channel]
    brand = event.account or (brands[0] if brands else None)
    if brand is None or brand not in brands:
        raise ValueError(
            f"{event.type} {event.id}: no brand account {event.account or ''} on {event.channel}"
        )
    stack.networks[event.channel].publish(event.channel, event, brand)


def replay(events: list, options: ReplayOptions | None = None) -> dict:
    """Run the scenario; returns the report (tickets, emails, sms, summary)."""
    options = options or ReplayOptions()
    accounts = [e for e in events if isinstance(e, Account)]
    timed = [e for e in events if not isinstance(e, Account)]
    config = world.config_text(accounts, options.config_path)
    start = _floor_minute(timed[0].at) if timed else _floor_minute(datetime.now(UTC))
    wall = time.perf_counter()
    stack_options = StackOptions(
        config_text=config,
        template_path=options.template_path,
        post_limit=options.post_limit,
        read_limit=options.read_limit,
        validate_spec=options.validate_spec,
        log=options.lambda_log,
        log_level=options.log_level,
    )
    with local_stack(accounts, start, stack_options) as stack:
        _drive(stack, timed, options)
        report = _report(stack, events)
    report["summary"]["wall_seconds"] = round(time.perf_counter() - wall, 2)
    return report


def _drive(run: LocalStack, timed: list, options: ReplayOptions) -> None:
    pending = list(timed)
    end = next((e.at for e in timed if isinstance(e, End)), None)
    limit = run.clock.now() + MAX_VIRTUAL_DURATION
    start = run.clock.now()
    mentions_total = sum(isinstance(e, Mention) for e in timed)
    last_at = end or (timed[-1].at if timed else None)

    def progress() -> None:
        if options.on_progress is not None:
            played = len(timed) - len(pending)
            mentions = mentions_total - sum(isinstance(e, Mention) for e in pending)
            options.on_progress(
                ReplayProgress(start, run.clock.now(), last_at, played, len(timed), mentions, mentions_total)
            )

    while True:
        progress()
        fire_at = run.scheduler.next_fire_time()
        while pending and pending[0].at <= fire_at:
            event = pending.pop(0)
            if not isinstance(event, End):
                run.clock.set(max(run.clock.now(), event.at))
                _publish(run, event)
                run.settle()  # its webhooks are handled at its time, as Meta delivers within a second
        if end is not None and fire_at > end:
            break
        run.clock.set(fire_at)
        run.scheduler.run_due()
        run.pump.pump()
        run.sent.collect(run.clock.now())
        if options.on_tick is not None:
            options.on_tick(run)
        if end is None and not pending and _settled(run):
            break
        if fire_at >= limit:
            break


def _settled(run: LocalStack) -> bool:
    """No ticket has an escalation step or an acknowledgement ahead of it."""
    dynamodb = boto3.client("dynamodb", region_name=REGION)
    table = run.deployment.table_name("TicketsTable")
    for index, _bucket in (("awaiting_reply", "esc_bucket"), ("pending_ack", "ack_bucket")):
        answer = dynamodb.scan(TableName=table, IndexName=index, Limit=1, Select="COUNT")
        if answer["Count"] or answer.get("LastEvaluatedKey"):
            return False
    return True


def _report(run: LocalStack, events: list) -> dict:
    tickets = run.tickets()
    replies = run.replies()
    summary = summarize(tickets, run.sent.emails, run.sent.sms, replies)
    summary.update(
        virtual_minutes=int((run.clock.now() - _floor_minute(run.scheduler.runs[0].at)).total_seconds() // 60)
        if run.scheduler.runs
        else 0,
        invocations=dict(run.deployment.invocations),
        scheduled_failures=run.scheduler.failure_count,
        queue_messages_failed=sum(len(batch.failed) for batch in run.scheduler.queues.batches),
        stream_records_discarded=len(run.pump.discarded),
        spec_violations=run.spec_violations(),
        spec_not_checked=run.spec_not_checked(),
        lines_naming_unknown_posts=[asdict(reference) for reference in unknown_references(events)],
        dynamodb_requests=sum(
            n for (service, _), n in run.deployment.request_counts().items() if service == "dynamodb"
        ),
    )
    for ticket in tickets:
        ticket.pop("ack_state", None)
    return {"tickets": tickets, "emails": run.sent.emails, "sms": run.sent.sms, "summary": summary}
