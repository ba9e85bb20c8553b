"""The daily report's figures: yesterday's tickets counted per network, intent and priority, the
human first response (staff's first reply minus the customer's first post; our automated
acknowledgement is not a response), targets met or breached, incidents and claims.

"Yesterday" is the team's local day (the business-hours time zone, else UTC): from local midnight to
the next, so a day is 23 or 25 hours long when the clocks change.
"""

import math
import statistics
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, tzinfo

from .tickets import Ticket, TicketStatus


@dataclass(frozen=True)
class ReportDay:
    day: date
    zone: tzinfo
    zone_name: str = "UTC"

    @property
    def starts_at(self) -> datetime:
        return datetime.combine(self.day, time(0), tzinfo=self.zone).astimezone(UTC)

    @property
    def ends_at(self) -> datetime:
        return datetime.combine(self.day + timedelta(days=1), time(0), tzinfo=self.zone).astimezone(UTC)

    def holds(self, moment: datetime) -> bool:
        return self.starts_at <= moment < self.ends_at

    def local_hour(self, moment: datetime) -> int:
        return moment.astimezone(self.zone).hour

    def local_time(self, moment: datetime) -> str:
        return moment.astimezone(self.zone).strftime("%H:%M")

    @classmethod
    def before(cls, now: datetime, zone: tzinfo, zone_name: str = "UTC") -> "ReportDay":
        """The local day before the one `now` falls in."""
        return cls(now.astimezone(zone).date() - timedelta(days=1), zone, zone_name)


@dataclass(frozen=True)
class IncidentLine:
    incident_id: str
    account: str
    started_at: datetime
    resolved_at: datetime | None
    mentions: int

    def duration(self, until: datetime) -> timedelta:
        return (self.resolved_at or until) - self.started_at


@dataclass(frozen=True)
class Claim:
    ref: str
    claimed_by: str
    claimed_at: datetime


@dataclass(frozen=True)
class TargetCounts:
    met: int = 0
    breached: int = 0
    still_open: int = 0  # no reply yet, not yet due when the report was made

    @property
    def decided(self) -> int:
        return self.met + self.breached


@dataclass(frozen=True)
class DailyFigures:
    day: ReportDay
    tickets: int
    per_network: dict[str, int]
    per_intent: dict[str, int]
    per_hour: list[int]  # local hours 0..23 (a 25-hour day adds its repeated hour to the same bar)
    first_response_median: float | None  # seconds; None: nobody replied to that day's tickets
    first_response_p90: float | None
    responses: int
    targets: dict[str, TargetCounts]  # per priority
    incidents: list[IncidentLine] = field(default_factory=list)
    claims: list[Claim] = field(default_factory=list)

    @property
    def target_total(self) -> TargetCounts:
        return TargetCounts(
            sum(each.met for each in self.targets.values()),
            sum(each.breached for each in self.targets.values()),
            sum(each.still_open for each in self.targets.values()),
        )

    @property
    def within_target_percent(self) -> int | None:
        """Of the tickets whose outcome is known (met or breached); None when none is."""
        total = self.target_total
        return round(100 * total.met / total.decided) if total.decided else None

    @property
    def longest_incident(self) -> IncidentLine | None:
        until = self.day.ends_at
        return max(self.incidents, key=lambda each: each.duration(until), default=None)

    @property
    def incident_mentions(self) -> int:
        return sum(each.mentions for each in self.incidents)

    def claims_per_person(self) -> dict[str, int]:
        return dict(Counter(each.claimed_by for each in self.claims).most_common())


def nearest_rank(values: list[float], percent: float) -> float | None:
    """The nearest-rank percentile: always one of the values (with 3 values, p90 is the largest)."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(1, math.ceil(percent / 100 * len(ordered))) - 1]


def target_outcome(ticket: Ticket, now: datetime) -> str:
    if ticket.human_replied_at is not None:
        return "met" if ticket.human_replied_at <= ticket.due_at else "breached"
    return "breached" if now > ticket.due_at else "still_open"


def _counted(counter: Counter) -> dict[str, int]:
    return dict(sorted(counter.items(), key=lambda item: (-item[1], item[0])))


def daily_figures(
    day: ReportDay, tickets: list[Ticket], incidents: list[dict], now: datetime
) -> DailyFigures:
    """`tickets`: any tickets (those created outside the day, and the brand's own posts, are left
    out); `incidents`: dicts with incident_id, account, started_at, resolved_at, mentions, of which
    those that overlap the day count."""
    theirs = [each for each in tickets if day.holds(each.created_at) and each.status != TicketStatus.INTERNAL]
    per_hour = [0] * 24
    for each in theirs:
        per_hour[day.local_hour(each.created_at)] += 1
    waits = [
        (each.human_replied_at - each.created_at).total_seconds()
        for each in theirs
        if each.human_replied_at is not None
    ]
    outcomes: dict[str, Counter] = {}
    for each in theirs:
        outcomes.setdefault(each.priority, Counter())[target_outcome(each, now)] += 1
    claims = sorted(
        (
            Claim(each.ref, each.claimed_by, each.claimed_at)
            for each in tickets
            if each.claimed_by and each.claimed_at and day.holds(each.claimed_at)
        ),
        key=lambda claim: claim.claimed_at,
    )
    return DailyFigures(
        day=day,
        tickets=len(theirs),
        per_network=_counted(Counter(each.channel for each in theirs)),
        per_intent=_counted(Counter(each.intent or "untriaged" for each in theirs)),
        per_hour=per_hour,
        first_response_median=statistics.median(waits) if waits else None,
        first_response_p90=nearest_rank(waits, 90),
        responses=len(waits),
        targets={
            priority: TargetCounts(counts["met"], counts["breached"], counts["still_open"])
            for priority, counts in sorted(outcomes.items())
        },
        incidents=_incidents_of(day, incidents),
        claims=claims,
    )


def _incidents_of(day: ReportDay, incidents: list[dict]) -> list[IncidentLine]:
    lines = [
        IncidentLine(
            incident_id=str(each["incident_id"]),
            account=str(each["account"]),
            started_at=each["started_at"],
            resolved_at=each.get("resolved_at"),
            mentions=int(each.get("mentions") or 0),
        )
        for each in incidents
    ]
    return sorted(
        (
            line
            for line in lines
            if line.started_at < day.ends_at and (line.resolved_at or day.ends_at) >= day.starts_at
        ),
        key=lambda line: line.started_at,
    )
