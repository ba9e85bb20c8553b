"""Business-time arithmetic: examples a care team would check on a calendar, then properties over
random calendars, time zones with DST changes, windows crossing midnight, holidays and leap days."""

import subprocess
import sys
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from socialcare.domain.business_hours import (
    BusinessCalendar,
    CalendarError,
    Closure,
    HolidayTable,
    ResponsePolicy,
    Target,
    parse_weekly,
)
from socialcare.domain.ladder import describe_time_left

LONDON = ZoneInfo("Europe/London")
NEW_YORK = ZoneInfo("America/New_York")
OFFICE = {day: ["09:00-18:00"] for day in ("mon", "tue", "wed", "thu", "fri")}
MINUTE = timedelta(minutes=1)


def calendar(zone=LONDON, weekly=None, holidays=frozenset(), closures=()) -> BusinessCalendar:
    return BusinessCalendar(zone, parse_weekly(OFFICE if weekly is None else weekly), holidays, closures)


def utc(*parts) -> datetime:
    return datetime(*parts, tzinfo=UTC)


def london(*parts) -> datetime:
    return datetime(*parts, tzinfo=LONDON)


# -- examples ---------------------------------------------------------------------------------------


def test_a_mention_at_2355_is_due_an_hour_after_opening_the_next_morning():
    office = calendar()
    posted = london(2026, 11, 23, 23, 55)  # a Monday, GMT
    assert not office.is_open(posted)
    assert office.next_open(posted) == london(2026, 11, 24, 9, 0)
    assert office.add(posted, timedelta(minutes=60)) == london(2026, 11, 24, 10, 0)


def test_the_clock_stops_at_closing_time_and_over_the_weekend():
    office = calendar()
    friday = london(2026, 11, 27, 17, 30)
    assert office.add(friday, timedelta(minutes=30)) == london(2026, 11, 27, 18, 0), "ends at closing"
    assert office.add(friday, timedelta(minutes=60)) == london(2026, 11, 30, 9, 30)
    assert office.between(friday, london(2026, 11, 30, 9, 30)) == timedelta(minutes=60)
    assert office.between(london(2026, 11, 30, 9, 30), friday) == -timedelta(minutes=60)


def test_a_lunch_break_is_not_business_time():
    office = calendar(weekly={"mon": ["09:00-12:30", "13:30-18:00"]})
    assert office.add(london(2026, 11, 23, 12, 0), timedelta(minutes=60)) == london(2026, 11, 23, 14, 0)
    assert office.closes_at(london(2026, 11, 23, 12, 0)) == london(2026, 11, 23, 12, 30)


def test_a_night_shift_window_crosses_midnight_into_the_next_day():
    nights = calendar(weekly={"fri": ["22:00-02:00"]})
    assert nights.is_open(london(2026, 11, 28, 1, 59)), "Saturday 01:59 belongs to Friday's shift"
    assert not nights.is_open(london(2026, 11, 28, 2, 0))
    assert nights.closes_at(london(2026, 11, 27, 23, 0)) == london(2026, 11, 28, 2, 0)
    assert nights.add(london(2026, 11, 27, 23, 30), timedelta(hours=3)) == london(2026, 12, 4, 22, 30)


def test_holidays_close_whole_days_including_substitutes_for_a_weekend_holiday():
    gb = HolidayTable("GB", "ENG", frozenset({date(2027, 12, 24)}))
    office = calendar(holidays=gb)
    # Christmas 2027 is a Saturday and Boxing Day a Sunday: England closes Monday 27 and Tuesday 28.
    thursday = london(2027, 12, 23, 17, 0)
    assert office.add(thursday, timedelta(hours=2)) == london(2027, 12, 29, 10, 0)
    assert not office.is_open(london(2027, 12, 27, 11, 0))
    assert office.next_open(london(2027, 12, 25, 12, 0)) == london(2027, 12, 29, 9, 0)


def test_a_one_off_closure_stops_the_clock_for_its_span():
    team_day = Closure(london(2026, 11, 24, 12, 0), london(2026, 11, 25, 12, 0))
    office = calendar(closures=(team_day,))
    assert office.add(london(2026, 11, 24, 11, 0), timedelta(hours=2)) == london(2026, 11, 25, 13, 0)


def test_the_london_clock_changes_do_not_move_the_office_day():
    office = calendar()
    # Spring: Friday 27 March 2026 17:00 GMT + 2 h -> Monday 30 March 10:00 BST (09:00 UTC).
    assert office.add(london(2026, 3, 27, 17, 0), timedelta(hours=2)) == utc(2026, 3, 30, 9, 0)
    # Autumn: Friday 23 October 17:00 BST + 2 h -> Monday 26 October 10:00 GMT.
    assert office.add(london(2026, 10, 23, 17, 0), timedelta(hours=2)) == utc(2026, 10, 26, 10, 0)


def test_a_window_spanning_a_clock_change_lasts_what_the_clocks_say():
    early = calendar(weekly={"sun": ["00:00-03:00"]})
    assert early.between(utc(2026, 3, 28), utc(2026, 3, 30)) == timedelta(hours=2), "spring: an hour lost"
    assert early.between(utc(2026, 10, 24), utc(2026, 10, 26)) == timedelta(hours=4), "autumn: one gained"
    overnight = calendar(NEW_YORK, weekly={"sat": ["22:00-06:00"]})
    assert overnight.between(utc(2026, 3, 7), utc(2026, 3, 9)) == timedelta(hours=7)
    assert overnight.between(utc(2026, 10, 31), utc(2026, 11, 2)) == timedelta(hours=9)


def test_the_leap_day_is_an_ordinary_tuesday_unless_closed():
    office = calendar()
    monday = london(2028, 2, 28, 17, 0)
    assert office.add(monday, timedelta(hours=2)) == london(2028, 2, 29, 10, 0)
    closed = calendar(holidays=HolidayTable(dates=frozenset({date(2028, 2, 29)})))
    assert closed.add(monday, timedelta(hours=2)) == london(2028, 3, 1, 10, 0)


def test_a_week_of_business_time_on_an_hour_a_day_is_walked_day_by_day():
    thin = calendar(weekly={day: ["10:00-11:00"] for day in OFFICE})
    start = london(2026, 1, 5, 0, 0)
    week = timedelta(days=7)
    end = thin.add(start, week)  # 168 open hours: 168 weekdays
    assert thin.between(start, end) == week
    assert thin.local(end).date() == date(2026, 8, 26)


def test_a_calendar_closed_for_years_fails_clearly_instead_of_looping():
    start = utc(2026, 1, 1)
    closures = tuple(
        Closure(start + timedelta(days=366 * n), start + timedelta(days=366 * (n + 1))) for n in range(4)
    )
    shut = calendar(closures=closures)
    with pytest.raises(CalendarError, match="no open time"):
        shut.add(start, timedelta(minutes=1))


def test_a_moment_without_a_time_zone_is_refused():
    with pytest.raises(CalendarError, match="time zone"):
        calendar().is_open(datetime(2026, 11, 23, 10, 0))


def test_overlapping_windows_and_a_week_without_an_open_hour_are_refused():
    with pytest.raises(ValueError, match="mon.1: overlaps"):
        parse_weekly({"mon": ["09:00-12:00", "11:00-13:00"]})
    with pytest.raises(ValueError, match="tue.0: overlaps"):
        parse_weekly({"mon": ["22:00-03:00"], "tue": ["02:00-09:00"]})
    with pytest.raises(ValueError, match="open at some time"):
        BusinessCalendar(LONDON, parse_weekly({}))


# -- the response policy -----------------------------------------------------------------------------


def office_policy() -> ResponsePolicy:
    targets = {"urgent": Target(15, around_the_clock=True), "normal": Target(60), "low": Target(480)}
    return ResponsePolicy(calendar(), targets)


def test_urgent_runs_around_the_clock_while_normal_and_low_wait_for_opening():
    policy, posted = office_policy(), london(2026, 11, 23, 23, 55)
    assert policy.due_at(posted, "urgent") == london(2026, 11, 24, 0, 10)
    assert policy.due_at(posted, "normal") == london(2026, 11, 24, 10, 0)
    assert policy.due_at(posted, "low") == london(2026, 11, 24, 17, 0)
    assert policy.due_at(posted, None) == policy.due_at(posted, "normal")
    assert policy.step_at(posted, "normal", 50) == london(2026, 11, 24, 9, 30)
    assert policy.pages_around_the_clock("urgent") and not policy.pages_around_the_clock("low")
    assert policy.opens_at(posted) == london(2026, 11, 24, 9, 0)
    assert policy.opens_at(london(2026, 11, 24, 9, 0)) is None


def test_the_promise_is_the_target_unless_closing_time_comes_first():
    policy = office_policy()
    assert policy.promise_minutes(london(2026, 11, 24, 10, 0), "normal") == 60
    assert policy.promise_minutes(london(2026, 11, 24, 17, 30), "normal") == 16 * 60  # 09:30 tomorrow
    assert policy.promise_minutes(london(2026, 11, 24, 23, 0), "urgent") == 15


def test_oldest_still_due_reaches_back_over_the_weekend():
    policy = office_policy()
    monday_morning = london(2026, 11, 30, 9, 10)
    oldest = policy.oldest_still_due(monday_morning)
    assert oldest == london(2026, 11, 27, 10, 10), "low's 8 business hours reach back to Friday 10:10"


def test_time_left_says_when_the_ticket_falls_due_and_when_the_team_opens():
    policy, posted = office_policy(), london(2026, 11, 23, 23, 55)
    due = policy.due_at(posted, "normal")
    assert describe_time_left(due, london(2026, 11, 24, 0, 43), policy, "normal") == (
        "due 10:00 Tue GMT, team opens 09:00 Tue"
    )
    assert describe_time_left(due, london(2026, 11, 24, 9, 45), policy, "normal") == "15 min left"
    late = policy.due_at(london(2026, 11, 24, 17, 30), "normal")
    assert describe_time_left(late, london(2026, 11, 24, 17, 40), policy, "normal") == (
        "50 min left (due 09:30 Wed GMT)"
    )
    assert describe_time_left(late, london(2026, 11, 25, 19, 0), policy, "normal") == (
        "510 min overdue, team opens 09:00 Thu"
    )
    urgent = policy.due_at(posted, "urgent")
    assert describe_time_left(urgent, london(2026, 11, 24, 0, 5), policy, "urgent") == "5 min left"


# -- properties ------------------------------------------------------------------------------------------

ZONES = [ZoneInfo(name) for name in ("UTC", "Europe/London", "America/New_York", "Australia/Lord_Howe")]
DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


@st.composite
def weeklies(draw):
    """Random weeks: up to three windows a day, some crossing midnight; overlapping ones discarded."""
    week: dict[str, list[str]] = {}
    for name in draw(st.lists(st.sampled_from(DAY_NAMES), min_size=1, max_size=7, unique=True)):
        windows = []
        for _ in range(draw(st.integers(1, 3))):
            start = draw(st.integers(0, 95)) * 15
            length = draw(st.integers(2, 48)) * 15
            end = (start + length) % 1440
            windows.append(f"{start // 60:02d}:{start % 60:02d}-{end // 60:02d}:{end % 60:02d}")
        week[name] = windows
    try:
        return parse_weekly(week)
    except ValueError:
        assume(False)


@st.composite
def calendars(draw):
    closed = draw(st.lists(st.dates(date(2026, 1, 1), date(2029, 1, 1)), max_size=5))
    return BusinessCalendar(draw(st.sampled_from(ZONES)), draw(weeklies()), frozenset(closed))


def moments(start=datetime(2026, 1, 1), end=datetime(2028, 12, 1)):
    return st.datetimes(start, end, timezones=st.just(UTC))


# Instants near the clock changes of 2026 (London 29 Mar and 25 Oct, New York 8 Mar and 1 Nov) and
# the leap day of 2028.
NEAR_CHANGES = st.one_of(
    *(
        moments(around - timedelta(days=3), around + timedelta(days=3))
        for around in (
            datetime(2026, 3, 29),
            datetime(2026, 10, 25),
            datetime(2026, 3, 8),
            datetime(2026, 11, 1),
            datetime(2028, 2, 29),
        )
    )
)
ANY_MOMENT = st.one_of(moments(), NEAR_CHANGES)
DURATIONS = st.timedeltas(timedelta(0), timedelta(days=2))


@settings(max_examples=200, deadline=None)
@given(cal=calendars(), start=ANY_MOMENT, business=DURATIONS)
def test_between_start_and_add_is_the_business_time_added(cal, start, business):
    end = cal.add(start, business)
    assert end >= start
    assert cal.between(start, end) == business
    if business:
        assert cal.is_open(end - timedelta(microseconds=1)), "the last instant counted was open"


@settings(max_examples=200, deadline=None)
@given(cal=calendars(), start=ANY_MOMENT, first=DURATIONS, second=DURATIONS)
def test_add_is_monotonic_and_composes(cal, start, first, second):
    shorter, longer = sorted((first, second))
    assert cal.add(start, shorter) <= cal.add(start, longer)
    assert cal.add(cal.add(start, first), second) == cal.add(start, first + second) or not second


@settings(max_examples=100, deadline=None)
@given(cal=calendars(), a=ANY_MOMENT, b=ANY_MOMENT, c=ANY_MOMENT)
def test_between_is_additive_and_never_more_than_the_wall_clock(cal, a, b, c):
    assert cal.between(a, b) + cal.between(b, c) == cal.between(a, c)
    a, b = sorted((a, b))
    assert timedelta(0) <= cal.between(a, b) <= b - a


@settings(max_examples=200, deadline=None)
@given(cal=calendars(), end=ANY_MOMENT, business=DURATIONS)
def test_subtract_reaches_back_exactly_the_business_time(cal, end, business):
    start = cal.subtract(end, business)
    assert start <= end
    assert cal.between(start, end) == business
    assert cal.add(start, business) <= end


@settings(max_examples=100, deadline=None)
@given(cal=calendars(), moment=ANY_MOMENT)
def test_next_open_is_open_and_nothing_before_it_is(cal, moment):
    opens = cal.next_open(moment)
    if opens is None:
        assert cal.is_open(moment)
    else:
        assert opens > moment and cal.is_open(opens)
        assert cal.between(moment, opens) == timedelta(0)


@given(start=ANY_MOMENT, business=DURATIONS, later=ANY_MOMENT)
def test_a_calendar_that_never_closes_is_the_wall_clock(start, business, later):
    always = BusinessCalendar.always_open()
    assert always.add(start, business) == start + business
    assert always.between(start, later) == later - start
    assert always.is_open(start) and always.next_open(start) is None
    policy = ResponsePolicy.around_the_clock(timedelta(minutes=60))
    assert policy.due_at(start, "urgent") == start + timedelta(minutes=60)
    assert policy.step_at(start, "normal", 80) == start + timedelta(minutes=48)


def test_a_holiday_table_loads_only_its_own_country_and_agrees_with_the_package():
    """In a fresh process: the package of every country (about 150 ms of a cold start) stays unloaded."""
    code = (
        "import sys, datetime\n"
        "from socialcare.domain.business_hours import HolidayTable\n"
        "table = HolidayTable('US', 'CA')\n"
        "year = [datetime.date(2027, 1, 1) + datetime.timedelta(n) for n in range(365)]\n"
        "days = {d for d in year if d in table}\n"
        "print('holidays.countries' in sys.modules, 'holidays' in sys.modules)\n"
        "import holidays\n"
        "print(days == set(holidays.country_holidays('US', subdiv='CA', years=2027)))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["False", "True", "True"]


def test_an_alert_sent_while_the_team_is_closed_says_when_it_is_due_and_when_the_team_opens():
    from socialcare.domain.alerts import AlertSubject, render_email, render_sms

    policy, posted = office_policy(), london(2026, 11, 23, 23, 55)
    subject = AlertSubject(
        ref="6F98X",
        channel_name="X",
        author_handle="jane",
        text="my order never came",
        post_url="https://x.com/jane/status/1001",
        created_at=posted,
        due_at=policy.due_at(posted, "normal"),
        level=1,
        level_count=3,
        breached=False,
        response=policy,
        priority="normal",
    )
    night = london(2026, 11, 24, 6, 0)
    assert "due 10:00 Tue GMT, team opens 09:00 Tue" in render_sms(subject, night)
    assert "(due 10:00 Tue GMT, team opens 09:00 Tue)" in render_email(subject, night).text


def test_the_after_hours_phrase_names_the_reopening_in_the_teams_zone():
    policy = office_policy()
    assert policy.opens_phrase(london(2026, 11, 27, 18, 30)) == "on Monday 30 November at 09:00 GMT"
    assert policy.opens_phrase(london(2026, 7, 3, 18, 30)) == "on Monday 6 July at 09:00 BST"
    assert policy.opens_phrase(london(2026, 11, 27, 10, 0)) is None
    assert policy.clock_resumes_at(london(2026, 11, 27, 18, 30), "normal") == london(2026, 11, 30, 9, 0)
    assert policy.clock_resumes_at(london(2026, 11, 27, 18, 30), "urgent") is None, "urgent runs at night"
