"""The escalation ladder: when each level of alerts is due for a ticket nobody has answered."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from .business_hours.policy import ResponsePolicy

Via = Literal["email", "sms"]


@dataclass(frozen=True)
class Alert:
    via: Via
    recipient: str  # the configured name, e.g. "on_call"
    address: str  # an e-mail address or an E.164 number


@dataclass(frozen=True)
class Level:
    number: int  # 1-based, as staff and reports speak of it
    at_percent: float  # of the response-time target, counted from when the customer posted
    alerts: tuple[Alert, ...]


@dataclass(frozen=True)
class Ladder:
    levels: tuple[Level, ...]

    def __post_init__(self) -> None:
        percents = [level.at_percent for level in self.levels]
        if percents != sorted(percents) or len(set(percents)) != len(percents):
            raise ValueError("ladder levels must be in strictly increasing order of at_percent")

    def level(self, number: int) -> Level:
        return self.levels[number - 1]

    def step_time(
        self, created_at: datetime, response: ResponsePolicy, priority: str | None, number: int
    ) -> datetime:
        """When level `number` is due for a post made at `created_at`, in the ticket's business time."""
        return response.step_at(created_at, priority, self.level(number).at_percent)

    def next_step(
        self, created_at: datetime, response: ResponsePolicy, priority: str | None, after: int = 0
    ) -> tuple[int, datetime] | None:
        """The level after level `after` (0 = none sent yet) and when it is due, or None at the top."""
        number = after + 1
        if number > len(self.levels):
            return None
        return number, self.step_time(created_at, response, priority, number)


def describe_time_left(
    due: datetime, now: datetime, response: ResponsePolicy | None = None, priority: str | None = None
) -> str:
    """'12 min left', 'due now' or '5 min overdue': what a person on call needs at a glance, in
    business time. While the team is closed it says when the ticket falls due and when the team
    opens ('due 09:15 Mon GMT, team opens 09:00 Mon'); when the deadline lies beyond closing time,
    when it falls."""
    if response is None or response.pages_around_the_clock(priority):
        return _minutes_left(due - now)
    left = response.time_left(due, now, priority)
    opens = response.opens_at(now)
    if opens is None:
        text = _minutes_left(left)
        if due - now > left + timedelta(minutes=1):  # the team closes before the deadline
            text += f" (due {_wall(response.local(due))})"
        return text
    opening = f"team opens {_wall(response.local(opens), zone=False)}"
    if left > timedelta(0):
        return f"due {_wall(response.local(due))}, {opening}"
    return f"{_minutes_left(left)}, {opening}"


def _minutes_left(left: timedelta) -> str:
    minutes = round(left.total_seconds() / 60)
    if minutes > 0:
        return f"{minutes} min left"
    if minutes == 0:
        return "due now"
    return f"{-minutes} min overdue"


def _wall(moment: datetime, zone: bool = True) -> str:
    return f"{moment:%H:%M %a}" + (f" {moment:%Z}" if zone else "")
