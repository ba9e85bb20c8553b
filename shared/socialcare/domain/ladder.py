"""The escalation ladder: when each level of alerts is due for a ticket nobody has answered."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

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

    def step_time(self, created_at: datetime, target: timedelta, number: int) -> datetime:
        """When level `number` is due for a post made at `created_at`."""
        seconds = target.total_seconds() * self.level(number).at_percent / 100
        return created_at + timedelta(seconds=round(seconds))

    def next_step(
        self, created_at: datetime, target: timedelta, after: int = 0
    ) -> tuple[int, datetime] | None:
        """The level after level `after` (0 = none sent yet) and when it is due, or None at the top."""
        number = after + 1
        if number > len(self.levels):
            return None
        return number, self.step_time(created_at, target, number)


def due_at(created_at: datetime, target: timedelta) -> datetime:
    """The response-time deadline: the clock starts when the customer posted, not when we noticed."""
    return created_at + target


def time_left(due: datetime, now: datetime) -> timedelta:
    return due - now


def describe_time_left(due: datetime, now: datetime) -> str:
    """'12 min left', 'due now' or '5 min overdue': what a person on call needs at a glance."""
    minutes = round((due - now).total_seconds() / 60)
    if minutes > 0:
        return f"{minutes} min left"
    if minutes == 0:
        return "due now"
    return f"{-minutes} min overdue"
