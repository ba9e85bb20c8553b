"""The whole system on one machine: template.yaml deployed onto moto, the real handlers, one
simulator per network (Meta's webhooks reach the webhook function's local URL), schedules and
streams on a virtual clock. The replay and the tests both drive it."""

import contextlib
import json
import os
import secrets
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import IO, Any

import boto3

from .clock import VirtualClock
from .deployment import LocalDeployment, local_aws
from .function_urls import FunctionUrlServer
from .moto_env import environ
from .moto_transactions import fast_transactions
from .networks.base import SimulatedNetwork
from .networks.meta import MetaSimulator
from .networks.registry import simulators
from .networks.x import XSimulator
from .networks.x.world import XNetwork
from .replay import world
from .replay.report import SentMessages, read_tickets
from .replay.scenario import Account
from .scheduler import Scheduler
from .streams import StreamPump

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_TEMPLATE = REPO_ROOT / "template.yaml"
REGION = "us-east-1"

# The functions' settings for a local run: short network back-off and timeouts.
LOCAL_ENVIRONMENT = {"RETRY_BASE_DELAY_SECONDS": "0.01", "HTTP_TIMEOUT_SECONDS": "2"}

FUNCTIONS = {
    "poll": "PollFanOutFunction",
    "acknowledge": "AcknowledgeFunction",
    "escalate": "EscalateFunction",
    "webhook": "WebhookFunction",
    "claim": "ClaimFunction",
    "daily_report": "DailyReportFunction",
    "incidents": "IncidentsFunction",
}
# A simulator answers, then sends the webhook its call triggered: that follows well within this.
SETTLE_SECONDS = 0.05


@dataclass
class StackOptions:
    config_text: str | None = None  # None: the bundled example with the given accounts
    template_path: Path = DEFAULT_TEMPLATE
    post_limit: int = 100  # X's POST /2/tweets limit per 15 minutes per user
    read_limit: int = 450
    validate_spec: bool = True
    log: IO[str] | None = None  # the handlers' JSON logs and metrics; None discards them
    log_level: str = "WARNING"


class LocalStack:
    def __init__(
        self,
        clock: VirtualClock,
        networks: dict[str, SimulatedNetwork],
        deployment: LocalDeployment,
        accounts: list[Account],
    ):
        self.clock = clock
        self.networks = networks  # by scenario channel
        self.x: XNetwork = networks["x"]
        self.sim: XSimulator = self.x.sim  # the tests' handle on X: faults, requests
        self.meta: MetaSimulator = networks["facebook"].sim  # Facebook and Instagram
        self.deployment = deployment
        self.accounts = accounts
        self.scheduler = Scheduler(deployment, clock)
        self.pump = StreamPump(deployment)
        self.sent = SentMessages(REGION)
        # The webhook function's URL; each request is followed by the stream, as in AWS.
        self.function_url = FunctionUrlServer(deployment, FUNCTIONS["webhook"], after=self.pump.pump)
        self._settled = 0  # requests the function URL had received when it was last quiet
        self.claim_page = FunctionUrlServer(deployment, FUNCTIONS["claim"])

    def serve_claim_page(self) -> None:
        """The claim function's URL, served, with its signing key in Secrets Manager (the template
        generates one): the escalator's alerts then carry links a test can follow."""
        secret = self.deployment.environment(FUNCTIONS["claim"])["CLAIM_KEY_SECRET"]
        boto3.client("secretsmanager", region_name=REGION).create_secret(
            Name=secret, SecretString=secrets.token_urlsafe(48)
        )
        url = self.claim_page.start()
        self.deployment.template = self.deployment.template.with_known(
            {("ClaimFunctionUrl", "FunctionUrl"): url}
        )

    def bind_models(self) -> None:
        """Point the PynamoDB models at this stack's tables, as a cold start does, so that a test or
        tool using a store directly (before any handler ran) reaches these tables, not a previous
        stack's."""
        from socialcare.persistence.models import bind_tables

        env = self.deployment.environment(FUNCTIONS["escalate"])
        bind_tables(tickets_table=env["TICKETS_TABLE"], state_table=env["STATE_TABLE"])

    def subscribe_webhooks(self) -> None:
        """What an operator does for each network that pushes and has an account configured:
        register the webhook function's URL (<url>/<webhook name>) with the network."""
        hooks = world.pushing_webhooks(self.networks, {a.channel for a in self.accounts})
        if hooks:
            self.function_url.start()
        for hook in hooks:
            hook.subscribe(self.function_url.url + hook.name)

    def settle(self) -> None:
        """Wait until every webhook delivered so far is handled and its tickets acknowledged,
        including the deliveries those acknowledgements trigger (Meta announces the page's own
        comments too): quiet for a moment, and no request arrived meanwhile. Free when no webhook
        arrived since the last time."""
        if not self.function_url.url:
            return
        while True:
            self.function_url.wait_idle()
            received = self.function_url.received
            if received == self._settled:
                return
            time.sleep(SETTLE_SECONDS)
            if self.function_url.received == received and self.function_url.idle:
                self._settled = received
                return

    # -- running the functions -------------------------------------------------------------------

    def invoke_scheduled(self, name: str) -> Any:
        """Invoke a function with the exact event its schedule sends (Input from the template)."""
        fn = self.deployment.function(FUNCTIONS[name])
        template = fn.schedules[0].input_template or "{}"
        now = self.clock.now().strftime("%Y-%m-%dT%H:%M:%SZ")
        event = json.loads(template.replace("<aws.scheduler.scheduled-time>", now))
        return self.deployment.invoke(fn.logical_id, event)

    def poll(self) -> dict[str, Any]:
        """One minute's polling: the fan-out's messages delivered to the poll function at once.
        accounts: what each account's poll did, in configuration order; retried: the accounts whose
        message failed (SQS delivers it again after the visibility timeout)."""
        fanout = self.invoke_scheduled("poll")
        batches = self.scheduler.queues.pump()
        polls = [poll for batch in batches for poll in (batch.response or {}).get("accounts", [])]
        keys = [f"{account.channel}#{account.id}" for account in self.accounts]
        polls.sort(key=lambda poll: keys.index(poll["account"]) if poll["account"] in keys else len(keys))
        errors = [batch.error for batch in batches if batch.error]
        if errors:  # the poll function itself failed: as loud as a failed invocation
            raise RuntimeError("poll function failed: " + " | ".join(errors))
        retried = [
            poll["account"]
            for batch in batches
            if batch.failed
            for poll in (batch.response or {}).get("accounts", [])
            if poll["broken"]
        ]
        return {"minute": fanout["minute"], "accounts": polls, "retried": retried}

    def escalate(self) -> Any:
        return self.invoke_scheduled("escalate")

    def retry_acknowledgements(self) -> Any:
        return self.invoke_scheduled("acknowledge")

    def deliver_stream(self) -> int:
        """Hand pending DynamoDB stream records to the acknowledge function, as Lambda would."""
        return self.pump.pump()

    def minute(self) -> None:
        """One minute of the deployed system: every schedule due, then the stream."""
        self.settle()
        self.clock.advance(timedelta(minutes=1))
        self.scheduler.run_due()
        self.pump.pump()
        self.sent.collect(self.clock.now())

    def run_until(self, moment: datetime) -> None:
        while (at := self.scheduler.next_fire_time()) is not None and at <= moment:
            self.clock.set(at)
            self.scheduler.run_due()
            self.pump.pump()
            self.sent.collect(self.clock.now())

    # -- the outside world -----------------------------------------------------------------------

    def mention(
        self,
        post_id: str,
        author_id: str,
        text: str,
        *,
        at: datetime | None = None,
        handle: str | None = None,
        in_reply_to_id: str | None = None,
        conversation_id: str | None = None,
        lang: str | None = None,
    ) -> None:
        """A public post on X; it mentions the brand accounts it names (@handle), else the first."""
        self.x.mention(
            post_id,
            author_id,
            text,
            at=at or self.clock.now(),
            handle=handle,
            in_reply_to_id=in_reply_to_id,
            conversation_id=conversation_id,
            lang=lang,
        )

    def staff_reply(
        self, post_id: str, in_reply_to_id: str, text: str, *, at: datetime | None = None
    ) -> None:
        self.sim.publish(
            post_id=post_id,
            author_id=self.accounts[0].id,
            text=text,
            created_at=at or self.clock.now(),
            in_reply_to_id=in_reply_to_id,
        )

    # -- what happened ---------------------------------------------------------------------------

    def tickets(self) -> list[dict]:
        return read_tickets(self.deployment.table_name("TicketsTable"), REGION)

    def ticket(self, post_id: str) -> dict:
        return next(t for t in self.tickets() if post_id in t["post_ids"])

    def replies(self) -> list[dict]:
        """Everything socialcare posted, on every network."""
        return [reply for network in dict.fromkeys(self.networks.values()) for reply in network.replies()]

    def replies_to(self, post_id: str) -> list[dict]:
        """Replies socialcare posted to `post_id`."""
        return [p for p in self.replies() if p["in_reply_to_id"] == post_id]

    def spec_violations(self) -> dict[str, int | None]:
        """Off-spec answers per network; None where nothing was checked (see spec_not_checked)."""
        return {
            "/".join(n.channels): None if n.spec_unchecked else len(n.spec_violations)
            for n in dict.fromkeys(self.networks.values())
        }

    def spec_not_checked(self) -> dict[str, str]:
        """Why a network's answers were not checked against its spec, for those not checked."""
        return {
            "/".join(n.channels): n.spec_unchecked
            for n in dict.fromkeys(self.networks.values())
            if n.spec_unchecked
        }

    def emails(self) -> list[dict]:
        self.sent.collect(self.clock.now())
        return self.sent.emails

    def sms(self) -> list[dict]:
        self.sent.collect(self.clock.now())
        return self.sent.sms


@contextlib.contextmanager
def local_stack(
    accounts: list[Account], start: datetime, options: StackOptions | None = None
) -> Iterator[LocalStack]:
    options = options or StackOptions()
    text = options.config_text or world.config_text(accounts, None)
    clock = VirtualClock(start)
    networks = simulators(clock.now, options)
    for network in dict.fromkeys(networks.values()):
        network.start()
    log = options.log or open(os.devnull, "w")  # noqa: SIM115 - closed below when ours
    try:
        with (
            local_aws(REGION),
            fast_transactions(),
            environ(LOCAL_ENVIRONMENT),
            contextlib.redirect_stdout(log),
        ):
            world.build_world(networks, text, accounts, REGION)
            parameters = {
                "SenderEmail": world.SENDER_EMAIL,
                "AlarmEmail": world.ALARM_EMAIL,
                "ConfigParameterName": world.CONFIG_PARAMETER,
                "ApiBaseUrls": ",".join(f"{channel}={n.base_url}" for channel, n in networks.items()),
                "LogLevel": options.log_level,
            }
            with LocalDeployment(
                options.template_path, clock=clock, parameters=parameters, region=REGION
            ) as stack:
                local = LocalStack(clock, networks, stack, accounts)
                local.subscribe_webhooks()
                local.serve_claim_page()
                local.bind_models()
                try:
                    yield local
                finally:
                    local.function_url.stop()
                    local.claim_page.stop()
    finally:
        for network in dict.fromkeys(networks.values()):
            network.stop()
        if options.log is None:
            log.close()
