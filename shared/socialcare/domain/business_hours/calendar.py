"""When a care team is at work: a time zone, weekly windows, holidays and one-off closures, and
arithmetic in business time (the response clock stops while the team is closed).

Every moment given and returned is timezone-aware; results are in UTC. Windows are local wall
times, so they follow the zone's DST changes: "09:00-18:00" is 9 hours on any day, and a window
that spans a change lasts what the clocks say (an hour more or less). A local time that does not
exist (skipped by a spring change) counts as the offset before the change, an ambiguous one (a
fall change) as its first occurrence, as zoneinfo does. A holiday or an explicit date closes that
whole local date, including the part after midnight of a window begun the evening before.

The arithmetic walks open intervals day by day, never minute by minute, and gives up with a
CalendarError after HORIZON_DAYS of closed time (a calendar that never opens is a configuration
error, refused when the configuration is read).

`BusinessCalendar.always_open()` never closes: every operation is plain wall-clock arithmetic.
"""

from collections.abc import Callable, Container, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

MINUTES_A_DAY = 24 * 60
HORIZON_DAYS = 3 * 366  # the longest closed stretch the arithmetic walks through before giving up
_CACHED_DAYS = 4096

Window = tuple[int, int]  # minutes after local midnight: start < end <= 1440


class CalendarError(ValueError):
    """The calendar cannot answer: no open time within HORIZON_DAYS, or a naive datetime."""


@dataclass(frozen=True)
class Closure:
    """A one-off closure, e.g. a team day: closed from `start` (inclusive) to `end` (exclusive)."""

    start: datetime
    end: datetime


@dataclass(frozen=True, eq=False)
class BusinessCalendar:
    """`weekly[d]` holds day d's windows (0 = Monday), sorted, not overlapping, none crossing
    midnight (parse_weekly splits "22:00-02:00" in two). `holidays` holds closed local dates (a
    set, or a lazy holiday table); `closures` closed stretches of time."""

    timezone: ZoneInfo | None  # None: always open
    weekly: tuple[tuple[Window, ...], ...] = ((),) * 7
    holidays: Container[date] = frozenset()
    closures: tuple[Closure, ...] = ()
    _days: dict[date, tuple[tuple[datetime, datetime], ...]] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )

    @classmethod
    def always_open(cls) -> "BusinessCalendar":
        return cls(timezone=None)

    def __post_init__(self) -> None:
        if len(self.weekly) != 7:
            raise ValueError("weekly needs the windows of 7 days, Monday first")
        for day in self.weekly:
            for number, (start, end) in enumerate(day):
                following = day[number + 1] if number + 1 < len(day) else None
                if not 0 <= start < end <= MINUTES_A_DAY or (following and following[0] < end):
                    raise ValueError(f"windows must be ordered, within a day, not overlapping: {day}")
        if self.timezone is not None and not any(self.weekly):
            raise ValueError("a calendar with a time zone must be open at some time of the week")

    @property
    def never_closes(self) -> bool:
        return self.timezone is None

    # -- questions ----------------------------------------------------------------------------------

    def is_open(self, moment: datetime) -> bool:
        return self.next_open(moment) is None

    def next_open(self, moment: datetime) -> datetime | None:
        """When the team next opens, or None while it is open."""
        _aware(moment)
        if self.never_closes:
            return None
        start, _ = next(self._intervals_from(moment))
        return None if start <= moment else start

    def closes_at(self, moment: datetime) -> datetime | None:
        """When the open stretch around `moment` ends (None while closed, or never closing)."""
        _aware(moment)
        if self.never_closes:
            return None
        end = None
        for start, stop in self._intervals_from(moment):
            if start > (end or moment):
                break
            end = stop
        return end

    def local(self, moment: datetime) -> datetime:
        """`moment` on the team's wall clock (UTC for a calendar that never closes)."""
        return moment.astimezone(self.timezone or UTC)

    # -- arithmetic ---------------------------------------------------------------------------------

    def add(self, start: datetime, business: timedelta) -> datetime:
        """The moment `business` of open time after `start`. Counting starts at the next opening
        when `start` is closed, and a duration that ends exactly at closing time ends there."""
        _aware(start)
        if business < timedelta(0):
            raise ValueError("add needs a duration of zero or more")
        if self.never_closes:
            return start + business
        if not business:
            return start.astimezone(UTC)
        left = business
        for open_at, close_at in self._intervals_from(start):
            begin = max(open_at, start)
            if begin + left <= close_at:
                return begin + left
            left -= close_at - begin
        raise AssertionError("unreachable: _intervals_from never ends without raising")

    def between(self, earlier: datetime, later: datetime) -> timedelta:
        """Open time from `earlier` to `later`; negative when `later` comes first."""
        _aware(earlier)
        _aware(later)
        if self.never_closes:
            return later - earlier
        if later < earlier:
            return -self.between(later, earlier)
        total = timedelta(0)
        for open_at, close_at in self._intervals_from(earlier, until=later):
            if open_at >= later:
                break
            total += min(close_at, later) - max(open_at, earlier)
        return total

    def subtract(self, end: datetime, business: timedelta) -> datetime:
        """The latest moment from which `business` of open time reaches `end` (add's inverse, up
        to closed time: add(subtract(t, d), d) is t when t is open)."""
        _aware(end)
        if business < timedelta(0):
            raise ValueError("subtract needs a duration of zero or more")
        if self.never_closes:
            return end - business
        if not business:
            return end.astimezone(UTC)
        left = business
        for open_at, close_at in self._intervals_back_from(end):
            finish = min(close_at, end)
            if finish - left >= open_at:
                return finish - left
            left -= finish - open_at
        raise AssertionError("unreachable: _intervals_back_from never ends without raising")

    # -- open intervals -----------------------------------------------------------------------------

    def _intervals_from(
        self, moment: datetime, until: datetime | None = None
    ) -> Iterator[tuple[datetime, datetime]]:
        """Open intervals in UTC, in order, from the one holding `moment` (or the next). Gives up
        after HORIZON_DAYS without one, unless `until` comes first."""
        day = self.local(moment).date() - timedelta(days=1)  # a DST change may shift a day's edge
        last_end = None
        quiet = 0
        while True:
            found = False
            for open_at, close_at in self._open_on(day):
                if last_end is not None and open_at < last_end:  # a zone whose midnight moved
                    open_at = last_end
                if close_at <= max(open_at, moment):
                    continue
                found = True
                last_end = close_at
                yield open_at, close_at
            quiet = 0 if found else quiet + 1
            if until is not None and _midnight(day, self.timezone) > until:
                return
            if quiet > HORIZON_DAYS:
                raise CalendarError(f"no open time within {HORIZON_DAYS} days after {moment.isoformat()}")
            day += timedelta(days=1)

    def _intervals_back_from(self, moment: datetime) -> Iterator[tuple[datetime, datetime]]:
        """Open intervals in UTC that start before `moment`, latest first. Gives up after
        HORIZON_DAYS without one."""
        day = self.local(moment).date() + timedelta(days=1)
        quiet = 0
        while True:
            found = False
            for open_at, close_at in reversed(self._open_on(day)):
                if open_at >= moment:
                    continue
                found = True
                yield open_at, close_at
            quiet = 0 if found else quiet + 1
            if quiet > HORIZON_DAYS:
                raise CalendarError(f"no open time within {HORIZON_DAYS} days before {moment.isoformat()}")
            day -= timedelta(days=1)

    def _open_on(self, day: date) -> tuple[tuple[datetime, datetime], ...]:
        found = self._days.get(day)
        if found is None:
            found = self._compute_day(day)
            if len(self._days) >= _CACHED_DAYS:
                self._days.clear()
            self._days[day] = found
        return found

    def _compute_day(self, day: date) -> tuple[tuple[datetime, datetime], ...]:
        if day in self.holidays:
            return ()
        intervals = []
        for start, end in self.weekly[day.weekday()]:
            open_at = _at(day, start, self.timezone)
            close_at = _at(day, end, self.timezone)
            if open_at < close_at:
                intervals.extend(_minus_closures(open_at, close_at, self.closures))
        return tuple(intervals)


def _at(day: date, minutes: int, zone: ZoneInfo | None) -> datetime:
    if minutes == MINUTES_A_DAY:
        return _midnight(day + timedelta(days=1), zone)
    wall = datetime.combine(day, time(minutes // 60, minutes % 60), tzinfo=zone)
    return wall.astimezone(UTC)


def _midnight(day: date, zone: ZoneInfo | None) -> datetime:
    return datetime.combine(day, time(0), tzinfo=zone).astimezone(UTC)


def _minus_closures(
    open_at: datetime, close_at: datetime, closures: tuple[Closure, ...]
) -> list[tuple[datetime, datetime]]:
    pieces = [(open_at, close_at)]
    for closure in closures:
        if closure.end <= open_at or closure.start >= close_at:
            continue
        cut = []
        for start, end in pieces:
            if start < closure.start:
                cut.append((start, min(end, closure.start)))
            if end > closure.end:
                cut.append((max(start, closure.end), end))
        pieces = [(start, end) for start, end in cut if start < end]
    return pieces


def _aware(moment: datetime) -> None:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise CalendarError(f"a moment without a time zone: {moment.isoformat()}")


# -- the text form of windows ------------------------------------------------------------------------

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def parse_clock(text: str) -> int:
    """'09:30' -> 570; '24:00' is the end of the day."""
    hours, sep, minutes = text.strip().partition(":")
    if not (sep and hours.isdigit() and minutes.isdigit() and len(minutes) == 2 and 1 <= len(hours) <= 2):
        raise ValueError(f"{text!r} is not a time like 09:30")
    value = int(hours) * 60 + int(minutes)
    if int(minutes) > 59 or value > MINUTES_A_DAY:
        raise ValueError(f"{text!r} is not a time of day (00:00 to 24:00)")
    return value


def parse_weekly(days: dict[str, list[str]], on_error: Callable[[str, str], Exception] | None = None):
    """{"mon": ["09:00-12:30", "22:00-02:00"], ...} -> the 7 days' windows, Monday first. A window
    whose end is not after its start crosses midnight: its tail opens the next day. Overlaps (a
    tail included) are refused, naming the day."""

    def fail(where: str, message: str) -> Exception:
        return on_error(where, message) if on_error else ValueError(f"{where}: {message}")

    week: list[list[tuple[Window, str]]] = [[] for _ in DAYS]
    for name, windows in days.items():
        if name not in DAYS:
            raise fail(name, f"not a day (one of {', '.join(DAYS)})")
        index = DAYS.index(name)
        for number, text in enumerate(windows):
            where = f"{name}.{number}"
            first, dash, second = text.partition("-")
            if not dash:
                raise fail(where, f"{text!r} is not a window like 09:00-18:00")
            try:
                start, end = parse_clock(first), parse_clock(second)
            except ValueError as error:
                raise fail(where, str(error)) from None
            if start in (MINUTES_A_DAY, end):
                raise fail(where, f"{text!r} is an empty window")
            if start < end:
                week[index].append(((start, end), where))
            else:  # crosses midnight
                week[index].append(((start, MINUTES_A_DAY), where))
                if end:
                    week[(index + 1) % 7].append(((0, end), where))
    result = []
    for windows in week:
        windows.sort()
        for ((_, end), _where), ((start, _), where) in zip(windows, windows[1:], strict=False):
            if start < end:
                raise fail(where, "overlaps another window")
        result.append(tuple(window for window, _ in windows))
    return tuple(result)
