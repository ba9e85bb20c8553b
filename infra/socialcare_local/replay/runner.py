"""Play a scenario through the deployed-locally stack on a virtual clock.

Mentions and staff replies appear on the simulated networks at their `at` times; EventBridge
schedules fire on the virtual clock; DynamoDB stream records reach the acknowledge function after
every invocation; what was sent is read back from moto's SES and SNS.

Every event is played, however long the scenario. The clock runs minute by minute while things
happen; after a minute in which nothing did (see fixed_point.py) it jumps to the next moment
something can, and the schedule invocations it skipped are counted in the summary. The report is
the same as ticking every minute (`ReplayOptions(jump=False)`), timings and counters aside.
"""

import time
from collections import Counter, deque
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import IO

import boto3

from ..fixed_point import WakeTimes, activity, was_idle
from ..networks.base import run_due
from ..stack import DEFAULT_TEMPLATE, REGION, LocalStack, StackOptions, local_stack
from . import world
from .report import read_incidents, summarize
from .scenario import Account, BrandPost, BrandReply, End, Mention, unknown_references

# After the last event, open tickets settle (their ladders end, acknowledgement retries run out)
# within hours; a replay still waiting after this long would report a history that has not ended.
SETTLE_LIMIT = timedelta(days=30)


class ReplayIncomplete(ValueError):
    """The replay stopped before every event was played and every open ticket settled; the message
    is one line saying how many events were left and why."""


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
    # Called after every minute the replay runs (not the minutes a jump skips); tests inject faults here.
    on_tick: Callable[[LocalStack], None] | None = None
    log_level: str = "WARNING"
    # Called as the replay advances (at least once per virtual step); a progress bar listens here.
    on_progress: Callable[[ReplayProgress], None] | None = None
    # Jump the clock over minutes where nothing can happen; False runs every schedule every minute.
    jump: bool = True
    # A bound on the whole replay's virtual time (None: none); reaching it with events left is an error.
    max_virtual_duration: timedelta | None = None
    settle_limit: timedelta = SETTLE_LIMIT  # after the last event, see SETTLE_LIMIT


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
    pending = deque(timed)
    end = next((e.at for e in timed if isinstance(e, End)), None)
    start = run.clock.now()
    mentions_total = sum(isinstance(e, Mention) for e in timed)
    last_at = end or (timed[-1].at if timed else None)
    settle_by = max((e.at for e in timed if not isinstance(e, End)), default=start) + options.settle_limit
    bound = start + options.max_virtual_duration if options.max_virtual_duration is not None else None
    wake = WakeTimes(run) if options.jump else None
    networks = list(dict.fromkeys(run.networks.values()))

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
        if bound is not None and fire_at > bound:
            if any(not isinstance(e, End) for e in pending) or not _settled(run):
                why = f"max_virtual_duration ({options.max_virtual_duration}) ended it at {_iso(bound)}"
                raise ReplayIncomplete(_stopped_early(run, pending, timed, why))
            break  # nothing left to play or to settle before the scenario's end line
        before = activity(run)
        arrived = False
        while pending and pending[0].at <= fire_at:
            event = pending.popleft()
            if not isinstance(event, End):
                arrived = True
                run.clock.set(max(run.clock.now(), event.at))
                _publish(run, event)
                run.settle()  # its webhooks are handled at its time, as Meta delivers within a second
        if end is not None and fire_at > end:
            break
        run.clock.set(fire_at)
        for network in networks:
            run_due(network)  # e.g. Meta retrying a failed webhook delivery
        run.settle()
        runs = run.scheduler.run_due()
        run.pump.pump()
        run.sent.collect(run.clock.now())
        if options.on_tick is not None:
            options.on_tick(run)
        if end is None and not pending:
            if _settled(run):
                break
            if fire_at >= settle_by:
                why = f"{options.settle_limit} after the last event (settle_limit), at {_iso(fire_at)}"
                raise ReplayIncomplete(_stopped_early(run, pending, timed, why))
        if wake is not None and not arrived and was_idle(before, activity(run), runs):
            run.scheduler.record_idle(runs)
            candidates = [wake.next_wake(), pending[0].at if pending else None, end, bound]
            if end is None and not pending:
                candidates.append(settle_by)
            _jump(run, min((c for c in candidates if c is not None), default=None))
    if pending:
        why = f"they come after the scenario's end line ({_iso(end)})"
        raise ReplayIncomplete(_stopped_early(run, pending, timed, why))


def _jump(run: LocalStack, wake: datetime | None) -> None:
    """Skip the schedules' fire times before the first one at or after `wake`: nothing can happen
    there. The clock stops at the last fire time skipped, where ticking would have left it."""
    if wake is None:
        return
    target = run.scheduler.first_fire_at_or_after(wake)
    last_skipped = run.scheduler.skip_before(target) if target is not None else None
    if last_skipped is not None and last_skipped > run.clock.now():
        run.clock.set(last_skipped)


def _stopped_early(run: LocalStack, pending: deque, timed: list, why: str) -> str:
    """One line: how many events were left unplayed, of which kinds, and why."""
    left = [e for e in pending if not isinstance(e, End)]
    total = sum(not isinstance(e, End) for e in timed)
    if left:
        kinds = ", ".join(f"{kind} {n}" for kind, n in sorted(Counter(e.type for e in left).items()))
        return f"replay incomplete: {len(left)} of {total} events were not played ({kinds}): {why}"
    return (
        f"replay incomplete: all {total} events were played, but {_unsettled(run)} ticket(s) still had "
        f"an escalation step or an acknowledgement ahead when the replay stopped: {why}"
    )


def _iso(moment: datetime | None) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ") if moment else "-"


def _settled(run: LocalStack) -> bool:
    """No ticket has an escalation step or an acknowledgement ahead of it."""
    dynamodb = boto3.client("dynamodb", region_name=REGION)
    table = run.deployment.table_name("TicketsTable")
    for index in ("awaiting_reply", "pending_ack"):
        answer = dynamodb.scan(TableName=table, IndexName=index, Limit=1, Select="COUNT")
        if answer["Count"] or answer.get("LastEvaluatedKey"):
            return False
    return True


def _unsettled(run: LocalStack) -> int:
    """Tickets with an escalation step or an acknowledgement still ahead of them."""
    dynamodb = boto3.client("dynamodb", region_name=REGION)
    table = run.deployment.table_name("TicketsTable")
    keys = set()
    for index in ("awaiting_reply", "pending_ack"):
        for page in dynamodb.get_paginator("scan").paginate(TableName=table, IndexName=index):
            keys.update(item["pk"]["S"] for item in page["Items"])
    return len(keys)


def _report(run: LocalStack, events: list) -> dict:
    tickets = run.tickets()
    replies = run.replies()
    # As the network posted it (Mastodon's visibility); null where the network has no such notion.
    visibility = {(r["channel"], r["id"]): r.get("visibility") for r in replies}
    for ticket in tickets:
        ticket["ack_visibility"] = visibility.get((ticket["channel"], ticket["ack_post_id"]))
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
        # Schedule invocations (and the queue batches they feed) a deployment would have made in the
        # minutes the replay jumped over, by function: they only looked and found nothing to do.
        idle_invocations_skipped=dict(run.scheduler.skipped_invocations),
        dynamodb_requests=sum(
            n for (service, _), n in run.deployment.request_counts().items() if service == "dynamodb"
        ),
    )
    for ticket in tickets:
        ticket.pop("ack_state", None)
    incidents = read_incidents(run.deployment.table_name("TicketsTable"), REGION)
    return {
        "tickets": tickets,
        "incidents": incidents,
        "emails": run.sent.emails,
        "sms": run.sent.sms,
        "summary": summary,
    }
