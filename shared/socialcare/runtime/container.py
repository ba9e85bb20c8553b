"""Wiring, done once per cold start: settings, configuration, tables, adapters, idempotency (of
alerts; an acknowledgement's idempotency is its ticket's own state).

A bad environment variable or configuration field raises here, before any event is handled,
with a message naming it.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.metrics import MetricUnit

from ..channels.base import AuthenticationFailed, ChannelAdapter, PermanentError
from ..channels.registry import network, webhook_class
from ..config.loader import load_config
from ..domain.tickets import AlertRequest
from . import metric_names
from .logging import build_metrics
from .settings import Settings, SettingsError, load_settings

# Imported where used: each function's cold start pays only for what its invocations need (the
# fan-out reads no table, so it never loads PynamoDB; only acknowledge builds an Acknowledger).
if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.idempotency import DynamoDBPersistenceLayer, IdempotencyConfig
    from pynamodb.connection import Connection

    from ..channels.webhook import Webhook
    from ..config import AccountConfig, Config
    from ..persistence.tickets import TicketStore
    from ..services.acknowledging import Acknowledger
    from ..services.escalating import Escalator
    from ..services.polling import Poller
    from ..services.receiving import Receiver
    from .poll_queue import PollQueue

logger = Logger(child=True)

IDEMPOTENCY_DAYS = 7


@dataclass
class Container:
    settings: Settings
    config: Config
    _adapters: dict[str, ChannelAdapter] = field(default_factory=dict)

    @cached_property
    def dynamodb(self) -> tuple[Connection, Any]:
        """(the store's Connection, the one DynamoDB client every table user shares): built on
        first use, as each extra client would cost a cold start about 0.2 s."""
        from .dynamodb import share_dynamodb_client

        return share_dynamodb_client()

    @cached_property
    def store(self) -> TicketStore:
        from ..persistence.tickets import TicketStore

        return TicketStore(connection=self.dynamodb[0])

    @cached_property
    def idempotency(self) -> DynamoDBPersistenceLayer:
        from aws_lambda_powertools.utilities.idempotency import DynamoDBPersistenceLayer

        return DynamoDBPersistenceLayer(
            table_name=self.settings.idempotency_table, boto3_client=self.dynamodb[1]
        )

    def idempotency_config(self) -> IdempotencyConfig:
        from aws_lambda_powertools.utilities.idempotency import IdempotencyConfig

        return IdempotencyConfig(
            event_key_jmespath="key",
            raise_on_no_idempotency_key=True,
            expires_after_seconds=IDEMPOTENCY_DAYS * 24 * 3600,
        )

    def adapter_for(self, account: AccountConfig) -> ChannelAdapter:
        """One adapter per account per container; credentials come from Secrets Manager, and are
        read again (cache bypassed) when the network refuses them."""
        if account.key not in self._adapters:
            from .refreshing import RefreshingAdapter
            from .secrets import SecretError, channel_credentials

            rules = network(account.channel)
            base_url = (
                account.base_url or self.settings.api_base_urls.get(rules.name) or rules.default_base_url
            )

            def read_credentials(fresh: bool) -> dict[str, str]:
                try:
                    return channel_credentials(
                        account.credentials_secret, self.settings.secrets_prefix, fresh=fresh
                    )
                except SecretError as error:
                    raise AuthenticationFailed(str(error)) from None

            def build(credentials: dict[str, str]) -> ChannelAdapter:
                cls = rules.adapter_class()
                options: dict[str, Any] = {}
                if getattr(cls, "keeps_session", False):  # logins are scarce: the session outlives us
                    from ..persistence.sessions import DynamoSessionStore

                    _ = self.dynamodb  # the session model shares the one client
                    options["session_store"] = DynamoSessionStore()
                try:
                    return cls(
                        account,
                        credentials,
                        base_url=base_url,
                        timeout=self.settings.http_timeout_seconds,
                        **options,
                    )
                except PermanentError as error:  # incomplete credentials: fixed in the secret, not here
                    raise AuthenticationFailed(str(error)) from None

            self._adapters[account.key] = RefreshingAdapter(
                account.key, read_credentials, build, self._count_credentials_refresh
            )
        return self._adapters[account.key]

    @staticmethod
    def _count(metric: str) -> None:
        build_metrics().add_metric(metric, MetricUnit.Count, 1)  # flushed by the handler's metrics

    @staticmethod
    def _count_credentials_refresh() -> None:
        # Powertools metrics are shared by every Metrics instance: the handler's flush emits it.
        build_metrics().add_metric(metric_names.CREDENTIALS_REFRESHED, MetricUnit.Count, 1)

    def poller(self, remaining_ms) -> Poller:
        from ..channels.retry import Budget
        from ..persistence.quarantine import quarantine_post
        from ..persistence.state import AccountState
        from ..services.polling import Poller

        return Poller(
            self.config,
            self.store,
            self.adapter_for,
            Budget(remaining_ms),
            account_states=AccountState,
            quarantine=quarantine_post,
            retry_base_delay=self.settings.retry_base_delay_seconds,
            call_timeout=self.settings.http_timeout_seconds,
        )

    def poll_queue(self) -> PollQueue:
        """Only the fan-out function has POLL_QUEUE_URL (the only one allowed to send to it)."""
        url = os.environ.get("POLL_QUEUE_URL", "")
        if not url.startswith("https://"):
            raise SettingsError(f"invalid environment:\n  POLL_QUEUE_URL: not a queue URL ({url!r})")
        from . import aws_clients
        from .poll_queue import PollQueue

        return PollQueue(aws_clients.client("sqs"), url)

    @cached_property
    def receiver(self) -> Receiver:
        from ..services.receiving import Receiver

        return Receiver(self.config, self.store, self.adapter_for)

    def webhook(self, name: str) -> Webhook:
        """The named webhook with its secret (webhooks/<name> under the prefix; cached a few
        minutes, so a rotated secret takes effect within them). Raises SecretError or ValueError."""
        from .secrets import channel_credentials

        cls = webhook_class(name)
        return cls(channel_credentials(f"webhooks/{name}", self.settings.secrets_prefix))

    @cached_property
    def acknowledger(self) -> Acknowledger:
        from ..persistence import ceilings
        from ..services.acknowledging import Acknowledger

        _ = self.dynamodb  # the ceilings' models share the one client
        return Acknowledger(
            self.config, self.store, self.adapter_for, record_held=ceilings.record_held, count=self._count
        )

    @cached_property
    def _alert_config(self) -> IdempotencyConfig:
        return self.idempotency_config()

    @cached_property
    def escalator(self) -> Escalator:
        from aws_lambda_powertools.utilities.idempotency import idempotent_function

        from ..domain.alerts import Email
        from ..notify.senders import EmailSender, SmsSender
        from ..persistence import ceilings, escalations
        from ..services.escalating import Escalator

        _ = self.dynamodb  # the escalation queue's and ceilings' models share the one client
        email = EmailSender(ClientOnFirstCall("sesv2"), self.settings.sender_email)
        sms = SmsSender(ClientOnFirstCall("sns"), self.settings.sms_sender_id)

        sent: dict[str, dict] = {}

        @idempotent_function(
            data_keyword_argument="request", persistence_store=self.idempotency, config=self._alert_config
        )
        def send_once(request: AlertRequest) -> dict:
            if request.via == "email":
                message_id = email.send(request.to, Email(request.subject, request.text, request.html))
            else:
                message_id = sms.send(request.to, request.text)
            sent[request.key] = {"message_id": message_id}
            return sent[request.key]

        return Escalator(
            self.config,
            _sent_even_if_unrecorded(send_once, sent),
            queue=escalations,
            ceilings=ceilings,
        )

    @cached_property
    def incidents(self):
        """The incidents job (services/incidents.py) over DynamoDB, SES and SNS; each alert sent
        once per (incident, level, via, recipient) by the same idempotency as the escalator's."""
        from html import escape

        from aws_lambda_powertools.utilities.idempotency import idempotent_function

        from ..domain.alerts import Email
        from ..notify.senders import EmailSender, SmsSender
        from ..persistence.incidents import IncidentStore
        from ..services.incidents import IncidentService
        from ..services.status_posts import ChannelStatusPoster
        from .claim_keys import claim_url

        _ = self.dynamodb
        email = EmailSender(ClientOnFirstCall("sesv2"), self.settings.sender_email)
        sms = SmsSender(ClientOnFirstCall("sns"), self.settings.sms_sender_id)

        @idempotent_function(
            data_keyword_argument="request", persistence_store=self.idempotency, config=self._alert_config
        )
        def send_once(request: AlertRequest) -> dict:
            if request.via == "email":
                html = f"<pre>{escape(request.text)}</pre>"
                return {"message_id": email.send(request.to, Email(request.subject, request.text, html))}
            return {"message_id": sms.send(request.to, request.text)}

        class Alerting:
            def email(self, to, message, key):
                send_once(request=AlertRequest(key, "email", to, message.text, message.subject))

            def sms(self, to, text, key):
                send_once(request=AlertRequest(key, "sms", to, text))

        return IncidentService(
            self.config,
            IncidentStore(),
            Alerting(),
            ChannelStatusPoster(self.adapter_for),
            count=lambda metric, n: build_metrics().add_metric(metric, MetricUnit.Count, n),
            links=lambda incident_id, recipient, now: (
                claim_url("incident", incident_id, recipient, now) or None
            ),
        )

    @cached_property
    def incident_endings(self):
        """The end step of ended incidents (services/incident_endings.py): follow-ups through the
        acknowledgements' adapters, tickets back on their ladders, the last status post."""
        from ..persistence.incident_endings import IncidentEndings
        from ..services.incident_endings import ChannelFollowUps, IncidentEnder
        from ..services.status_posts import ChannelStatusPoster

        _ = self.dynamodb
        return IncidentEnder(
            self.config,
            IncidentEndings(),
            ChannelFollowUps(self.adapter_for),
            ChannelStatusPoster(self.adapter_for),
            count=lambda metric, n: build_metrics().add_metric(metric, MetricUnit.Count, n),
        )

    def register_context(self, context) -> None:
        """Lets idempotency expire in-progress records when this invocation would have timed out."""
        self._alert_config.register_lambda_context(context)


class ClientOnFirstCall:
    """A boto3 client built by its first call: most escalation sweeps send nothing, and building a
    client (reading and parsing its service's model) costs a cold start about 50 ms."""

    def __init__(self, service: str):
        self.service = service
        self._client: Any = None

    def __getattr__(self, name: str) -> Any:  # send_email, publish...
        if self._client is None:
            from . import aws_clients

            self._client = aws_clients.client(self.service)
        return getattr(self._client, name)


def _sent_even_if_unrecorded(send_once: Callable[..., dict], sent: dict[str, dict]) -> Callable[..., dict]:
    """An alert that went out but whose idempotency record could not be completed (the table
    throttled) counts as sent, and its level is recorded on the ticket as usual: retrying it on the
    next sweep would alert the same person twice."""
    from aws_lambda_powertools.utilities.idempotency.exceptions import IdempotencyPersistenceLayerError

    def send(request: AlertRequest) -> dict:
        sent.pop(request.key, None)
        try:
            return send_once(request=request)
        except IdempotencyPersistenceLayerError:
            if request.key not in sent:
                raise  # nothing went out: the next sweep retries
            logger.exception("alert sent, its idempotency record failed", via=request.via)
            return sent.pop(request.key)

    return send


def build_container(*, tables: bool = True) -> Container:
    """tables=False for a function that reads and writes no table (PynamoDB is not even imported)."""
    settings = load_settings()
    if tables:
        from ..persistence.models import bind_tables

        bind_tables(tickets_table=settings.tickets_table, state_table=settings.state_table)
    config = load_config(parameter_name=settings.config_parameter, path=settings.config_file)
    return Container(settings=settings, config=config)
