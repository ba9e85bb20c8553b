"""What the configuration's objects do, apart from what they hold: plain classes, no pydantic.

Each model of the schema (schema.py and its neighbours) inherits its behaviour from here, and so does
each object the cold start reads from the compiled form (light.py), without validation libraries.
The methods read only fields, so both kinds of object answer alike. No annotations at class level:
pydantic would take them for fields of the models."""

from dataclasses import dataclass
from datetime import timedelta
from functools import cached_property
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from ..domain.business_hours import (
    BusinessCalendar,
    Closure,
    HolidayTable,
    ResponsePolicy,
    Target,
    parse_weekly,
)
from ..domain.business_hours.policy import DEFAULT_PRIORITY, PRIORITIES
from ..domain.ladder import Alert, Ladder, Level

if TYPE_CHECKING:
    from ..domain.incidents import SpikeSettings
    from ..domain.triage import LanguageRules, TriageRules

PHRASE_LISTS = ("urgent", "complaint", "question", "praise", "closing", "sentiment")
STATUS_TIME = "{time}"  # HH:MM UTC of the post: a repeated status post is never the same text
DEFAULT_REPLY = [
    "We know {brand} is having trouble right now and we're on it (ref {ref}). We'll post updates here.",
    "Thanks for telling us: we know about the problem and are on it (ref {ref}). Updates soon from {brand}.",
]
DEFAULT_REPLY_WITH_PAGE = [
    "We know {brand} is having trouble right now and we're working on it (ref {ref}). Updates: {status_page}",
    "Thanks for letting us know: we're aware of the problem and on it (ref {ref}). Updates: {status_page}",
]


class Behaviour:
    """Marks the classes whose methods the compiled form's objects get (named in
    generated/config_shapes.json)."""

    # Per-object caches, not fields: a pydantic model declares each as a PrivateAttr, a light object
    # gets a fresh one. Name -> factory. (No annotation: pydantic would read it as a field.)
    CACHES = {}  # noqa: RUF012 - read only


@dataclass(frozen=True)
class LevelNames:
    """A level of the incident's ladder when the configuration names none (the first escalation's)."""

    after_minutes: int
    email: list[str]
    sms: list[str]


class AccountBehaviour(Behaviour):
    @property
    def key(self) -> str:
        return f"{self.channel}#{self.id}"


class AcknowledgementsBehaviour(Behaviour):
    def variants(self, kind: str) -> list[str]:
        """The templates of one kind of reply (`acknowledgement`, `thanks`, `offline`, `after_hours`)."""
        return self.templates if kind == "acknowledgement" else getattr(self, kind)


class HolidaysBehaviour(Behaviour):
    def table(self) -> HolidayTable:
        return HolidayTable(self.country, self.subdivision, frozenset(self.dates))


class BusinessHoursBehaviour(Behaviour):
    CACHES = {"_calendar": lambda: None}  # noqa: RUF012 - built once, shared by the accounts

    def calendar(self) -> BusinessCalendar:
        if self._calendar is None:
            self._calendar = self._build()
        return self._calendar

    def _build(self) -> BusinessCalendar:
        return BusinessCalendar(
            timezone=ZoneInfo(self.timezone),
            weekly=parse_weekly(self.weekly),
            holidays=self.holidays.table() if self.holidays else frozenset(),
            closures=tuple(Closure(c.start, c.end) for c in self.closures),
        )


def response_policy(hours: Any, layers: list[Any], default_minutes: int) -> ResponsePolicy:
    """The policy from the calendar and the targets, the first layer that sets a priority winning
    (account, then its network, then the global targets). A priority none sets takes normal's, and
    normal without one takes `default_minutes` (target_minutes)."""
    targets: dict[str, Target] = {}
    for priority in PRIORITIES:
        found = next(
            (getattr(layer, priority) for layer in layers if layer and getattr(layer, priority)), None
        )
        if found is not None:
            targets[priority] = Target(found.minutes, found.around_the_clock)
    targets.setdefault(DEFAULT_PRIORITY, Target(default_minutes))
    calendar = hours.calendar() if hours else BusinessCalendar.always_open()
    return ResponsePolicy(calendar, targets)


class SpikeDetectionBehaviour(Behaviour):
    def settings(self) -> "SpikeSettings":
        from ..domain.incidents import SpikeSettings  # here: only the incidents job detects

        return SpikeSettings(
            p_value=self.p_value,
            windows_minutes=tuple(sorted(self.windows_minutes)),
            min_volume=self.min_volume,
            min_ratio=self.min_ratio,
            unknown_hour_extra_ratio=self.unknown_hour_extra_ratio,
            persistence_needed=self.persistence.needed,
            persistence_of=self.persistence.of,
            end_after_calm_minutes=self.end_after_calm_minutes,
            end_ratio=self.end_ratio,
            end_p_value=self.end_p_value,
            cooldown_minutes=self.cooldown_minutes,
            warmup_minutes=self.warmup_minutes,
            level_half_life_minutes=self.level_half_life_minutes,
            incident_half_life_minutes=self.incident_half_life_minutes,
            seasonal_half_life_weeks=self.seasonal_half_life_weeks,
            seasonal_trust_weeks=self.seasonal_trust_weeks,
        )


class StatusPostsBehaviour(Behaviour):
    def render(self, text: str, at_hh_mm: str, repeat: bool) -> str:
        if STATUS_TIME in text:
            return text.replace(STATUS_TIME, at_hh_mm)
        return f"{text} ({at_hh_mm} UTC)" if repeat else text


class IncidentsBehaviour(Behaviour):
    def reply_variants(self) -> list[str]:
        if self.reply:
            return list(self.reply)
        return list(DEFAULT_REPLY_WITH_PAGE if self.status_page else DEFAULT_REPLY)

    def levels(self, first_escalation: tuple[list[str], list[str]]) -> list[Any]:
        """The incident's ladder; by default the first escalation level's (email, sms) names, at once."""
        if self.ladder:
            return list(self.ladder)
        email, sms = first_escalation
        return [LevelNames(after_minutes=0, email=email, sms=sms)] if email or sms else []


class TriageBehaviour(Behaviour):
    @cached_property
    def compiled(self) -> "TriageRules":
        """The rules, built once per configuration (a cold start)."""
        return self.rules()

    def rules(self) -> "TriageRules":
        """The domain's rules: the defaults, with this configuration's changes."""
        from ..domain.triage import TriageRules
        from .phrases import default_phrases

        merged = {code: dict(lists) for code, lists in default_phrases().items()}
        for code, given in self.languages.items():
            lists = merged.setdefault(code, {})
            for name in PHRASE_LISTS:
                value = getattr(given, name)
                if value is not None:
                    lists[name] = value
                extra = getattr(given.add, name) if given.add else None
                if extra:
                    base = lists.get(name) or ({} if name == "sentiment" else [])
                    lists[name] = {**base, **extra} if name == "sentiment" else [*base, *extra]
        return TriageRules(
            languages={code: _language_rules(lists) for code, lists in merged.items()},
            personal_data_categories=frozenset(self.personal_data_categories),
            praise_above=self.praise_above,
            complaint_below=self.complaint_below,
            closing_max_words=self.closing_max_words,
        )


def _language_rules(lists: dict) -> "LanguageRules":
    from ..domain.triage import LanguageRules

    return LanguageRules(
        **{name: tuple(lists.get(name) or ()) for name in PHRASE_LISTS if name != "sentiment"},
        sentiment=dict(lists.get("sentiment") or {}),
    )


class ConfigBehaviour(Behaviour):
    CACHES = {"_policies": dict}  # noqa: RUF012 - per account key, built once per cold start

    def incident_ladder(self) -> list[tuple[int, list[tuple[str, str, str]]]]:
        """(after_minutes, [(via, name, address)]) per level of the incident's own ladder."""
        first = self.escalation[0] if self.escalation else None
        levels = self.incidents.levels((list(first.email), list(first.sms)) if first else ([], []))
        ladder = []
        for level in levels:
            alerts = [("email", name, str(self.recipients[name].email)) for name in level.email]
            alerts += [("sms", name, str(self.recipients[name].sms)) for name in level.sms]
            ladder.append((level.after_minutes, alerts))
        return ladder

    def acknowledgements_for(self, account: Any) -> Any:
        return account.acknowledgements or self.acknowledgements

    def target_for(self, account: Any) -> timedelta:
        """The normal priority's target (business time when the account keeps business hours)."""
        return self.response_policy(account).target(None).duration

    def response_policy(self, account: Any) -> ResponsePolicy:
        """The account's calendar and targets, built once per account per cold start."""
        policy = self._policies.get(account.key)
        if policy is None:
            policy = response_policy(
                account.business_hours or self.business_hours,
                [account.targets, self.targets_by_channel.get(account.channel), self.targets],
                account.target_minutes or self.target_minutes,
            )
            self._policies[account.key] = policy
        return policy

    def default_response_policy(self) -> ResponsePolicy:
        """For a ticket whose account is no longer configured: the global calendar and targets."""
        return response_policy(self.business_hours, [self.targets], self.target_minutes)

    def summary_recipients(self) -> list[str]:
        """E-mail addresses that hear what a ceiling held back."""
        names = self.limits.summary_to or (self.escalation[0].email if self.escalation else [])
        return [str(self.recipients[name].email) for name in names if self.recipients[name].email]

    def ladder(self) -> Ladder:
        levels = []
        for number, level in enumerate(self.escalation, start=1):
            alerts = [Alert("email", name, str(self.recipients[name].email)) for name in level.email]
            alerts += [Alert("sms", name, str(self.recipients[name].sms)) for name in level.sms]
            levels.append(Level(number=number, at_percent=level.at_percent, alerts=tuple(alerts)))
        return Ladder(tuple(levels))

    def account(self, channel: str, account_id: str) -> Any:
        return next((a for a in self.accounts if a.channel == channel and a.id == account_id), None)
