"""The configuration's shape and rules. A bad value fails at cold start, naming the field."""

from typing import Annotated, Union

from pydantic import Field, PrivateAttr, field_validator, model_validator

from ..channels.registry import NETWORKS, network
from ..domain.business_hours import ResponsePolicy
from ..domain.templates import ACK_KINDS, FOLLOW_UP, INCIDENT, TemplateError, check_template
from .account import Acknowledgements
from .account import Strict as _Strict
from .behaviour import ConfigBehaviour
from .business_hours import BusinessHours, Targets
from .email_address import EmailAddress
from .incidents import Incidents
from .triage import TriageConfig

# An account of any registered network, told apart by its `channel`.
_ACCOUNT_MODELS = tuple(each.account_model() for each in NETWORKS.values())
AnyAccount = (
    Annotated[Union[_ACCOUNT_MODELS], Field(discriminator="channel")]  # noqa: UP007 (a runtime tuple)
    if len(_ACCOUNT_MODELS) > 1
    else _ACCOUNT_MODELS[0]
)


class Polling(_Strict):
    # A stream of an account (mentions, own posts...) failing to be read for this long, counted from
    # its first failed poll, raises PollStalled, whatever the cause: errors, a long rate-limit pause,
    # a refused account.
    stall_alarm_minutes: int = Field(default=10, ge=2, le=24 * 60)


class Limits(_Strict):
    """Caps against abuse and cost: one hostile author never costs more than one ladder."""

    # At most one public acknowledgement per author within this window, across conversations.
    author_ack_window_minutes: int = Field(default=60, ge=0, le=7 * 24 * 60)
    # While an author has an open ticket on an account, their further mentions join it.
    one_open_ticket_per_author: bool = True
    # Per account and clock hour: a guard against runaway cost, above a busy morning with an outage
    # (acknowledgements stay under X's 400 replies an hour). The excess is recorded on the ticket and
    # summarised to staff.
    account_acks_per_hour: int = Field(default=300, ge=0, le=100_000)
    account_alerts_per_hour: int = Field(default=200, ge=0, le=100_000)
    # Who gets the summary of what a ceiling held back (recipient names with an e-mail address);
    # empty: the e-mail recipients of the first escalation level.
    summary_to: list[str] = Field(default_factory=list)
    # SMS per recipient and clock hour; beyond it their alerts go by e-mail only and the next SMS says
    # how many were folded. 0: no SMS at all.
    sms_per_recipient_per_hour: int = Field(default=6, ge=0, le=10_000)


class DailyReport(_Strict):
    # Who gets the daily report (e-mail addresses); empty: no report is made (logged once).
    to: list[EmailAddress] = Field(default_factory=list)


class Reports(_Strict):
    daily: DailyReport = Field(default_factory=DailyReport)


class Recipient(_Strict):
    email: EmailAddress | None = None
    sms: str | None = Field(default=None, description="E.164 phone number, e.g. +14155550123")

    @field_validator("sms")
    @classmethod
    def _e164(cls, value: str | None) -> str | None:
        if value is None:
            return None
        import phonenumbers  # here: about 0.05 s of a cold start, paid only with SMS recipients

        try:
            number = phonenumbers.parse(value, None)
        except phonenumbers.NumberParseException as error:
            raise ValueError(f"not an E.164 phone number ({error})") from None
        formatted = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
        if not phonenumbers.is_valid_number(number) or formatted != value:
            raise ValueError(f"not a valid E.164 phone number (expected like {formatted})")
        return value


class EscalationLevel(_Strict):
    at_percent: float = Field(gt=0, le=1000, description="of the response-time target")
    email: list[str] = Field(default_factory=list, description="recipient names")
    sms: list[str] = Field(default_factory=list, description="recipient names")

    @model_validator(mode="after")
    def _someone(self) -> "EscalationLevel":
        if not self.email and not self.sms:
            raise ValueError("a level must alert someone by email or sms")
        return self


def _default_ladder() -> list[EscalationLevel]:
    return [
        EscalationLevel(at_percent=50, email=["care_team"]),
        EscalationLevel(at_percent=80, sms=["on_call"]),
        EscalationLevel(at_percent=100, email=["manager"], sms=["manager"]),
    ]


class Config(ConfigBehaviour, _Strict):
    target_minutes: int = Field(default=60, ge=1, le=7 * 24 * 60)
    # Business hours and targets per priority (config/business_hours.py); accounts may override.
    business_hours: BusinessHours | None = None
    targets: Targets | None = None
    targets_by_channel: dict[str, Targets] = Field(default_factory=dict)
    retention_days: int = Field(default=90, ge=1, le=3650)
    acknowledgements: Acknowledgements = Field(default_factory=Acknowledgements)
    accounts: list[AnyAccount] = Field(min_length=1)
    recipients: dict[str, Recipient] = Field(default_factory=dict)
    escalation: list[EscalationLevel] = Field(default_factory=_default_ladder)
    polling: Polling = Field(default_factory=Polling)
    limits: Limits = Field(default_factory=Limits)
    triage: TriageConfig = Field(default_factory=TriageConfig)
    reports: Reports = Field(default_factory=Reports)
    incidents: Incidents = Field(default_factory=Incidents)
    _policies: dict[str, ResponsePolicy] = PrivateAttr(default_factory=dict)  # per account key

    @field_validator("targets_by_channel")
    @classmethod
    def _networks(cls, by_channel: dict[str, Targets]) -> dict[str, Targets]:
        for channel in by_channel:
            if channel not in NETWORKS:
                raise ValueError(f"{channel!r} is not a network (one of {', '.join(sorted(NETWORKS))})")
        return by_channel

    @model_validator(mode="after")
    def _consistent(self) -> "Config":
        keys = [account.key for account in self.accounts]
        if len(set(keys)) != len(keys):
            raise ValueError("accounts: the same channel account is listed twice")
        percents = [level.at_percent for level in self.escalation]
        if percents != sorted(set(percents)):
            raise ValueError("escalation: levels must be in strictly increasing order of at_percent")
        for index, level in enumerate(self.escalation):
            for via in ("email", "sms"):
                for name in getattr(level, via):
                    recipient = self.recipients.get(name)
                    if recipient is None:
                        raise ValueError(f"escalation.{index}.{via}: unknown recipient {name!r}")
                    if getattr(recipient, via) is None:
                        raise ValueError(f"escalation.{index}.{via}: recipient {name!r} has no {via}")
        for name in self.limits.summary_to:
            recipient = self.recipients.get(name)
            if recipient is None or recipient.email is None:
                raise ValueError(f"limits.summary_to: {name!r} is not a recipient with an email")
        for index, account in enumerate(self.accounts):
            rules = network(account.channel)
            where = f"accounts.{index}.acknowledgements" if account.acknowledgements else "acknowledgements"
            settings = self.acknowledgements_for(account)
            for kind in ACK_KINDS:
                field = "templates" if kind == "acknowledgement" else kind
                for number, template in enumerate(settings.variants(kind)):
                    try:
                        check_template(
                            template,
                            rules.reply_limit,
                            rules.reply_length,
                            kind=kind,
                            contact=settings.private_contact,
                        )
                    except TemplateError as error:
                        raise ValueError(f"{where}.{field}.{number}: {error}") from None
        self._check_incidents()
        return self

    def _check_incidents(self) -> None:
        incidents = self.incidents
        for index, level in enumerate(incidents.ladder):
            for via in ("email", "sms"):
                for name in getattr(level, via):
                    recipient = self.recipients.get(name)
                    if recipient is None or getattr(recipient, via) is None:
                        raise ValueError(
                            f"incidents.ladder.{index}.{via}: {name!r} is not a recipient with {via}"
                        )
        for number, template in enumerate(incidents.reply_variants()):
            if "{status_page}" in template and not incidents.status_page:
                raise ValueError(
                    f"incidents.reply.{number}: uses {{status_page}} but incidents.status_page is not set"
                )
            for account in self.accounts:
                rules = network(account.channel)
                try:
                    check_template(
                        template,
                        rules.reply_limit,
                        rules.reply_length,
                        kind=INCIDENT,
                        status_page=incidents.status_page or "",
                    )
                except TemplateError as error:
                    raise ValueError(f"incidents.reply.{number}: {error}") from None
        for account in self.accounts:
            rules = network(account.channel)
            try:
                check_template(
                    incidents.follow_up,
                    rules.reply_limit,
                    rules.reply_length,
                    kind=FOLLOW_UP,
                    status_page=incidents.status_page or "",
                )
            except TemplateError as error:
                raise ValueError(f"incidents.follow_up: {error}") from None
