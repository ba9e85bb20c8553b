"""Play a scenario through the deployed-locally stack on a virtual clock.

Mentions and staff replies appear on the simulated X at their `at` times; EventBridge schedules
fire on the virtual clock; DynamoDB stream records reach the acknowledge function after every
invocation; what was sent is read back from moto's SES and SNS.
"""

import contextlib
import os
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import IO, Any

import boto3

from ..clock import VirtualClock
from ..deployment import LocalDeployment, local_aws
from ..moto_transactions import fast_transactions
from ..scheduler import Scheduler
from ..streams import StreamPump
from ..xsim import XSimulator, find_x_spec
from . import world
from .report import SentMessages, read_tickets, summarize
from .scenario import Account, BrandReply, End, Mention

REPO_ROOT = Path(__file__).resolve().parents[3]
DEFAULT_TEMPLATE = REPO_ROOT / "template.yaml"
REGION = "us-east-1"
MAX_VIRTUAL_DURATION = timedelta(days=7)

# The functions' settings for a local run: short network back-off, quiet logs.
LOCAL_ENVIRONMENT = {
    "RETRY_BASE_DELAY_SECONDS": "0.01",
    "HTTP_TIMEOUT_SECONDS": "2",
}


@dataclass
class ReplayOptions:
    config_path: Path | None = None
    template_path: Path = DEFAULT_TEMPLATE
    post_limit: int = 100  # X's POST /2/tweets limit per 15 minutes per user
    read_limit: int = 450
    lambda_log: IO[str] | None = None  # where the handlers' JSON logs and metrics go
    validate_spec: bool = True
    # Called after every minute of virtual time; tests inject faults through it.
    on_tick: Callable[["ReplayRun"], None] | None = None
    log_level: str = "WARNING"


@dataclass
class ReplayRun:
    """The live pieces of a replay, for hooks and tests."""

    clock: VirtualClock
    sim: XSimulator
    deployment: LocalDeployment
    scheduler: Scheduler
    pump: StreamPump
    sent: SentMessages
    accounts: list[Account]
    stats: dict[str, Any] = field(default_factory=dict)


def _floor_minute(moment: datetime) -> datetime:
    return moment.replace(second=0, microsecond=0)


def _publish(sim: XSimulator, event: Mention | BrandReply, accounts: list[Account]) -> None:
    same_channel = [a for a in accounts if a.channel == event.channel]
    if isinstance(event, Mention):
        named = [a.id for a in same_channel if f"@{a.handle.lower()}" in event.text.lower()]
        if event.author_handle:
            sim.add_user(event.author_id, event.author_handle)
        sim.publish(
            post_id=event.id,
            author_id=event.author_id,
            text=event.text,
            created_at=event.at,
            conversation_id=event.conversation_id,
            in_reply_to_id=event.in_reply_to_id,
            lang=event.lang,
            mentions=named or [same_channel[0].id],
        )
    else:
        sim.publish(
            post_id=event.id,
            author_id=same_channel[0].id,
            text=event.text,
            created_at=event.at,
            in_reply_to_id=event.in_reply_to_id,
        )


@contextlib.contextmanager
def _environment(values: dict[str, str]) -> Iterator[None]:
    saved = {key: os.environ.get(key) for key in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def replay(events: list, options: ReplayOptions | None = None) -> dict:
    """Run the scenario; returns the report (tickets, emails, sms, summary)."""
    options = options or ReplayOptions()
    accounts = [e for e in events if isinstance(e, Account)]
    timed = [e for e in events if not isinstance(e, Account)]
    config = world.config_text(accounts, options.config_path)
    start = _floor_minute(timed[0].at) if timed else _floor_minute(datetime.now().astimezone())
    clock = VirtualClock(start)
    log = options.lambda_log or open(os.devnull, "w")  # noqa: SIM115 - closed below when ours
    wall = time.perf_counter()
    sim = XSimulator(
        clock.now,
        post_limit=options.post_limit,
        read_limit=options.read_limit,
        spec_path=find_x_spec() if options.validate_spec else None,
        access_token="sim-default-token",  # noqa: S106 - the simulator's own, not a secret
        access_token_secret="sim-default-secret",  # noqa: S106
        **world.SIM_APP,
    )
    sim.start()
    try:
        with (
            local_aws(REGION),
            fast_transactions(),
            _environment(LOCAL_ENVIRONMENT),
            contextlib.redirect_stdout(log),
        ):
            parameters = {
                "SenderEmail": world.SENDER_EMAIL,
                "AlarmEmail": world.ALARM_EMAIL,
                "ConfigParameterName": world.CONFIG_PARAMETER,
                "XApiBaseUrl": sim.base_url,
                "LogLevel": options.log_level,
            }
            world.build_world(sim, config, accounts, REGION)
            with LocalDeployment(
                options.template_path, clock=clock, parameters=parameters, region=REGION
            ) as stack:
                run = ReplayRun(
                    clock,
                    sim,
                    stack,
                    Scheduler(stack, clock),
                    StreamPump(stack),
                    SentMessages(REGION),
                    accounts,
                )
                _drive(run, timed, options)
                report = _report(run)
    finally:
        sim.stop()
        if options.lambda_log is None:
            log.close()
    report["summary"]["wall_seconds"] = round(time.perf_counter() - wall, 2)
    return report


def _drive(run: ReplayRun, timed: list, options: ReplayOptions) -> None:
    pending = list(timed)
    end = next((e.at for e in timed if isinstance(e, End)), None)
    limit = run.clock.now() + MAX_VIRTUAL_DURATION
    while True:
        fire_at = run.scheduler.next_fire_time()
        while pending and pending[0].at <= fire_at:
            event = pending.pop(0)
            if not isinstance(event, End):
                run.clock.set(max(run.clock.now(), event.at))
                _publish(run.sim, event, run.accounts)
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
    run.stats["virtual_end"] = run.clock.now()


def _settled(run: ReplayRun) -> bool:
    """No ticket has an escalation step or an acknowledgement ahead of it."""
    dynamodb = boto3.client("dynamodb", region_name=REGION)
    table = run.deployment.table_name("TicketsTable")
    for index, _bucket in (("awaiting_reply", "esc_bucket"), ("pending_ack", "ack_bucket")):
        answer = dynamodb.scan(TableName=table, IndexName=index, Limit=1, Select="COUNT")
        if answer["Count"] or answer.get("LastEvaluatedKey"):
            return False
    return True


def _report(run: ReplayRun) -> dict:
    tickets = read_tickets(run.deployment.table_name("TicketsTable"), REGION)
    replies = run.sim.created_posts()
    summary = summarize(tickets, run.sent.emails, run.sent.sms, replies)
    summary.update(
        virtual_minutes=int((run.clock.now() - _floor_minute(run.scheduler.runs[0].at)).total_seconds() // 60)
        if run.scheduler.runs
        else 0,
        invocations=dict(run.deployment.invocations),
        scheduled_failures=run.scheduler.failure_count,
        stream_records_discarded=len(run.pump.discarded),
        x_spec_violations=len(run.sim.spec_violations),
        dynamodb_requests=sum(
            n for (service, _), n in run.deployment.request_counts().items() if service == "dynamodb"
        ),
    )
    for ticket in tickets:
        ticket.pop("ack_state", None)
    return {"tickets": tickets, "emails": run.sent.emails, "sms": run.sent.sms, "summary": summary}
