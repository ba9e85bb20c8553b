"""One account's response policy: the response-time target of each priority, counted in business
time on its calendar (or around the clock where a priority says so). Every deadline, ladder step,
"time left" and promise comes from here, never from `created_at + timedelta`."""

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from .calendar import BusinessCalendar

PRIORITIES = ("urgent", "normal", "low")
DEFAULT_PRIORITY = "normal"
# The longest promise an acknowledgement makes: templates are checked against it (templates.py).
LONGEST_PROMISE_MINUTES = 7 * 24 * 60 - 1


@dataclass(frozen=True)
class Target:
    minutes: int
    # The clock runs while the team is closed too (urgent tickets page at night).
    around_the_clock: bool = False

    @property
    def duration(self) -> timedelta:
        return timedelta(minutes=self.minutes)


@dataclass(frozen=True)
class ResponsePolicy:
    calendar: BusinessCalendar
    targets: Mapping[str, Target]  # by priority; one missing takes normal's
    _always: BusinessCalendar = field(default_factory=BusinessCalendar.always_open, init=False, repr=False)

    def __post_init__(self) -> None:
        if DEFAULT_PRIORITY not in self.targets:
            raise ValueError("a response policy needs a target for normal priority")

    @classmethod
    def around_the_clock(cls, target: timedelta) -> "ResponsePolicy":
        """Today's behaviour: one wall-clock target for every priority."""
        minutes = max(1, round(target.total_seconds() / 60))
        return cls(BusinessCalendar.always_open(), {DEFAULT_PRIORITY: Target(minutes)})

    def target(self, priority: str | None) -> Target:
        return self.targets.get(priority or DEFAULT_PRIORITY) or self.targets[DEFAULT_PRIORITY]

    def pages_around_the_clock(self, priority: str | None) -> bool:
        """Whether this priority's alerts go out while the team is closed."""
        return self.calendar.never_closes or self.target(priority).around_the_clock

    def clock(self, priority: str | None) -> BusinessCalendar:
        """The calendar this priority's clock runs on."""
        return self._always if self.pages_around_the_clock(priority) else self.calendar

    def due_at(self, created_at: datetime, priority: str | None) -> datetime:
        """The deadline: the target in business time, counted from when the customer posted."""
        return self.clock(priority).add(created_at, self.target(priority).duration)

    def step_at(self, created_at: datetime, priority: str | None, at_percent: float) -> datetime:
        """When a ladder level set at `at_percent` of the target falls due (to the second)."""
        seconds = round(self.target(priority).duration.total_seconds() * at_percent / 100)
        return self.clock(priority).add(created_at, timedelta(seconds=seconds))

    def time_left(self, due: datetime, now: datetime, priority: str | None) -> timedelta:
        """Business time from `now` to `due`, negative once overdue."""
        return self.clock(priority).between(now, due)

    def oldest_still_due(self, now: datetime) -> datetime:
        """The earliest moment a post could have been made and still not be past its deadline
        at `now`, whatever its priority."""
        return min(
            self.clock(priority).subtract(now, self.target(priority).duration) for priority in PRIORITIES
        )

    def opens_at(self, now: datetime) -> datetime | None:
        """When the team reopens (for an after-hours reply), or None while it is open."""
        return self.calendar.next_open(now)

    def clock_resumes_at(self, now: datetime, priority: str | None) -> datetime | None:
        """When this priority's clock starts again if it is stopped at `now` (for an after-hours
        reply); None while it runs (the team is open, or the priority runs around the clock)."""
        return None if self.pages_around_the_clock(priority) else self.opens_at(now)

    def opens_phrase(self, now: datetime) -> str | None:
        """When the team reopens, as an after-hours reply says it ("on Tuesday 24 November at 09:00
        GMT", in the team's zone, at most as long as templates.py's LONGEST_OPENS), or None while
        it is open."""
        opens = self.opens_at(now)
        if opens is None:
            return None
        local = self.calendar.local(opens)
        return f"on {local:%A} {local.day} {local:%B} at {local:%H:%M %Z}"

    def is_open(self, now: datetime) -> bool:
        return self.calendar.is_open(now)

    def promise_minutes(self, created_at: datetime, priority: str | None) -> int:
        """What an acknowledgement promises, in minutes from the post (templates.py's
        response_time and minutes): the target when the clock runs through to the deadline, else
        the wall-clock wait to it in whole hours (a post at 17:30 with an hour's target and closing
        at 18:00 is answered "within 16 hours"). Capped at what templates are checked against."""
        target = self.target(priority)
        wait = self.due_at(created_at, priority) - created_at
        if wait <= target.duration:
            return target.minutes
        hours = math.ceil(wait.total_seconds() / 3600)
        return min(hours * 60, LONGEST_PROMISE_MINUTES)

    def local(self, moment: datetime) -> datetime:
        return self.calendar.local(moment)
