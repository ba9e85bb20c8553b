from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from socialcare.domain.business_hours import ResponsePolicy
from socialcare.domain.ladder import Alert, Ladder, Level, describe_time_left

POSTED = datetime(2026, 11, 23, 14, 0, 5, tzinfo=UTC)
HOUR = timedelta(hours=1)
WALL_CLOCK_HOUR = ResponsePolicy.around_the_clock(HOUR)


def ladder(*percents: float) -> Ladder:
    return Ladder(
        tuple(Level(n, p, (Alert("email", "team", "t@example.com"),)) for n, p in enumerate(percents, 1))
    )


def test_default_shape_steps_fall_at_50_80_and_100_percent_of_the_target_from_the_post():
    steps = ladder(50, 80, 100)
    assert steps.step_time(POSTED, WALL_CLOCK_HOUR, None, 1) == POSTED + timedelta(minutes=30)
    assert steps.step_time(POSTED, WALL_CLOCK_HOUR, None, 2) == POSTED + timedelta(minutes=48)
    assert steps.step_time(POSTED, WALL_CLOCK_HOUR, None, 3) == POSTED + HOUR


def test_next_step_walks_the_levels_in_order_and_ends_after_the_last():
    steps = ladder(50, 100)
    assert steps.next_step(POSTED, WALL_CLOCK_HOUR, None, 0) == (1, POSTED + timedelta(minutes=30))
    assert steps.next_step(POSTED, WALL_CLOCK_HOUR, None, 1) == (2, POSTED + HOUR)
    assert steps.next_step(POSTED, WALL_CLOCK_HOUR, None, 2) is None


def test_levels_out_of_order_are_refused():
    with pytest.raises(ValueError, match="increasing"):
        ladder(80, 50)


@given(
    percents=st.lists(st.integers(1, 300), min_size=1, max_size=6, unique=True).map(sorted),
    minutes=st.integers(1, 24 * 60),
)
def test_every_level_is_due_after_the_previous_one(percents, minutes):
    steps = ladder(*percents)
    target = ResponsePolicy.around_the_clock(timedelta(minutes=minutes))
    times = [steps.step_time(POSTED, target, None, n) for n in range(1, len(percents) + 1)]
    assert times == sorted(times)
    assert all(t > POSTED for t in times)


@pytest.mark.parametrize(
    ("minutes_before_due", "expected"),
    [(12, "12 min left"), (0, "due now"), (-5, "5 min overdue")],
)
def test_time_left_reads_at_a_glance(minutes_before_due, expected):
    due = POSTED + HOUR
    assert describe_time_left(due, due - timedelta(minutes=minutes_before_due)) == expected
