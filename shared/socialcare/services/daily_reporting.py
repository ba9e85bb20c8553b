"""The daily report: once a day, yesterday's figures (the team's local day) go by e-mail to
`reports.daily.to` and to CloudWatch as metrics. Sent at most once per day: the send is keyed
"daily#<date>" (idempotent), so a retried or doubled invocation sends nothing twice."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from typing import TYPE_CHECKING, Protocol
from zoneinfo import ZoneInfo

from ..domain.alerts import Email
from ..domain.daily_report import DailyFigures, ReportDay, daily_figures
from ..domain.daily_report_email import render
from ..domain.tickets import Ticket
from ..runtime import metric_names

if TYPE_CHECKING:
    from ..config import Config


class Incidents(Protocol):
    def incidents_between(self, starts_at: datetime, ends_at: datetime) -> list[dict]:
        """Dicts with incident_id, account, started_at, resolved_at (None: open), mentions."""
        ...


@dataclass
class IncidentsInMemory:
    """Until the incident store is wired: the incidents given (none by default)."""

    incidents: list[dict] | None = None

    def incidents_between(self, starts_at: datetime, ends_at: datetime) -> list[dict]:
        return [
            each
            for each in self.incidents or []
            if each["started_at"] < ends_at and (each.get("resolved_at") or ends_at) >= starts_at
        ]


@dataclass(frozen=True)
class DailyOutcome:
    day: str  # YYYY-MM-DD, local
    sent: bool
    why_not: str | None = None
    figures: DailyFigures | None = None

    @property
    def key(self) -> str:
        return idempotency_key(self.day)


def idempotency_key(day: str) -> str:
    return f"daily#{day}"


def team_zone(config: Config) -> tuple[tzinfo, str]:
    """The business-hours time zone if configured, else UTC."""
    if config.business_hours is not None:
        return ZoneInfo(config.business_hours.timezone), config.business_hours.timezone
    return UTC, "UTC"


class DailyReporter:
    def __init__(
        self,
        config: Config,
        tickets_created_between: Callable[[datetime, datetime], Iterable[Ticket]],
        incidents: Incidents,
        send_once: Callable[[str, list[str], Email], object],
    ):
        """send_once(key, to, email): sends unless `key` was sent already (idempotent)."""
        self.config = config
        self.tickets_created_between = tickets_created_between
        self.incidents = incidents
        self.send_once = send_once

    def day_before(self, now: datetime) -> ReportDay:
        zone, name = team_zone(self.config)
        return ReportDay.before(now, zone, name)

    def figures(self, day: ReportDay, now: datetime) -> DailyFigures:
        tickets = list(self.tickets_created_between(day.starts_at, day.ends_at))
        incidents = self.incidents.incidents_between(day.starts_at, day.ends_at)
        return daily_figures(day, tickets, incidents, now)

    def run(self, now: datetime, day: ReportDay | None = None) -> DailyOutcome:
        day = day or self.day_before(now)
        to = [str(each) for each in self.config.reports.daily.to]
        if not to:
            return DailyOutcome(day.day.isoformat(), False, "reports.daily.to is empty")
        figures = self.figures(day, now)
        self.send_once(idempotency_key(day.day.isoformat()), to, render(figures))
        return DailyOutcome(day.day.isoformat(), True, None, figures)


def daily_metrics(figures: DailyFigures) -> list[tuple[str, float, dict[str, str]]]:
    """(name, value, dimensions): the figures as metrics, per network where a network applies."""
    total = figures.target_total
    rows: list[tuple[str, float, dict[str, str]]] = [
        (metric_names.DAILY_TICKETS, figures.tickets, {}),
        (metric_names.DAILY_TARGET_MET, total.met, {}),
        (metric_names.DAILY_TARGET_BREACHED, total.breached, {}),
        (metric_names.DAILY_INCIDENTS, len(figures.incidents), {}),
        (metric_names.DAILY_CLAIMS, len(figures.claims), {}),
    ]
    if figures.first_response_median is not None:
        rows.append((metric_names.DAILY_FIRST_RESPONSE_MEDIAN, figures.first_response_median, {}))
    if figures.first_response_p90 is not None:
        rows.append((metric_names.DAILY_FIRST_RESPONSE_P90, figures.first_response_p90, {}))
    rows += [
        (metric_names.DAILY_TICKETS, count, {"network": network})
        for network, count in figures.per_network.items()
    ]
    return rows
