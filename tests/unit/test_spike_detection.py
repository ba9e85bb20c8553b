"""Spike detection: the Poisson tail, calm weeks, outages, the baseline, cool-down, the stored state."""

import json
import math
import random
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from socialcare.config.incidents import Incidents
from socialcare.domain.incidents import (
    IncidentEnded,
    IncidentOngoing,
    IncidentStarted,
    SpikeDetector,
    SpikeSettings,
    SpikeState,
    upper_tail,
)
from socialcare_local.traffic import (
    FIRST_MINUTE,
    MINUTES_PER_DAY,
    MINUTES_PER_WEEK,
    OUTAGES,
    add_outage,
    calm_counts,
)

BURST, SLOW_BUILD, SMALL = OUTAGES


def replay(detector: SpikeDetector, counts: list[int], first: int = FIRST_MINUTE) -> list:
    return [detector.observe(first + index, count) for index, count in enumerate(counts)]


def starts(events: list) -> list[int]:
    return [index for index, event in enumerate(events) if isinstance(event, IncidentStarted)]


# -- the Poisson tail ------------------------------------------------------------------------------


def test_the_poisson_tail_matches_hand_computed_values():
    e = math.exp(-1)
    assert upper_tail(1, 1.0) == pytest.approx(1 - e, rel=1e-14)
    assert upper_tail(3, 1.0) == pytest.approx(1 - e * (1 + 1 + 1 / 2), rel=1e-14)
    # P(X >= 10 | 2) = 1 - e^-2 (1 + 2 + 2 + 4/3 + 2/3 + 4/15 + 4/45 + 8/315 + 2/315 + 4/2835)
    below = math.exp(-2) * (1 + 2 + 2 + 4 / 3 + 2 / 3 + 4 / 15 + 4 / 45 + 8 / 315 + 2 / 315 + 4 / 2835)
    assert upper_tail(10, 2.0) == pytest.approx(1 - below, rel=1e-9)
    assert upper_tail(10, 2.0) == pytest.approx(4.6498e-5, rel=1e-4)
    assert upper_tail(0, 5.0) == 1.0 and upper_tail(1, 0.0) == 0.0


def test_tiny_tails_keep_their_precision_and_large_rates_do_not_overflow():
    # P(X >= 20 | 0.001) is dominated by its first term, 0.001^20 e^-0.001 / 20!
    first_term = 0.001**20 * math.exp(-0.001) / math.factorial(20)
    assert upper_tail(20, 0.001) == pytest.approx(first_term, rel=1e-6)
    # The median of a large Poisson: P(X >= lam) = 1/2 + 1 / (3 sqrt(2 pi lam)) + O(1/lam)
    lam = 100_000.0
    assert upper_tail(100_000, lam) == pytest.approx(0.5 + 1 / (3 * math.sqrt(2 * math.pi * lam)), abs=1e-5)


@settings(max_examples=200, deadline=None)
@given(st.integers(min_value=0, max_value=60), st.floats(min_value=0.01, max_value=40))
def test_the_tail_is_one_minus_the_sum_of_the_probabilities_below_it(n, lam):
    below = math.fsum(math.exp(k * math.log(lam) - lam - math.lgamma(k + 1)) for k in range(n))
    assert upper_tail(n, lam) == pytest.approx(1 - below, abs=1e-12)
    assert upper_tail(n + 1, lam) <= upper_tail(n, lam)
    assert upper_tail(n, lam * 1.1) >= upper_tail(n, lam) - 1e-15


# -- calm traffic and outages ----------------------------------------------------------------------


@pytest.mark.parametrize("volume", [2_000, 20_000, 200_000])
def test_calm_weeks_with_daily_and_weekly_cycles_raise_no_incident(volume):
    # Three seeds of three weeks each, the first one learnt from nothing: quiet nights, busy lunchtimes,
    # weekends, traffic burstier than Poisson. The benchmark measures under 0.2 false incidents a week,
    # so nine weeks allow one.
    false_incidents = []
    for seed in range(3):
        events = replay(SpikeDetector(), calm_counts(volume, 3, seed))
        false_incidents += [(seed, index / MINUTES_PER_DAY) for index in starts(events)]
    assert len(false_incidents) <= 1, false_incidents


def learned_week(volume: int, seed: int) -> tuple[SpikeDetector, list[int]]:
    """A detector that has learnt two weeks, and a third week's calm counts."""
    counts = calm_counts(volume, 3, seed)
    detector = SpikeDetector()
    replay(detector, counts[: 2 * MINUTES_PER_WEEK])
    return detector, counts[2 * MINUTES_PER_WEEK :]


def detection_delay(volume: int, seed: int, shape, at_minute_of_week: int) -> int | None:
    detector, week = learned_week(volume, seed)
    add_outage(week, at_minute_of_week, shape, volume, random.Random(seed))
    events = replay(detector, week, FIRST_MINUTE + 2 * MINUTES_PER_WEEK)
    late = [index for index in starts(events) if index >= at_minute_of_week]
    return late[0] - at_minute_of_week + 1 if late else None


TUESDAY_1100 = MINUTES_PER_DAY + 11 * 60
WEDNESDAY_0300 = 2 * MINUTES_PER_DAY + 3 * 60


@pytest.mark.parametrize("seed", [1, 2])
def test_150_mentions_in_ten_minutes_are_an_incident_within_three_minutes(seed):
    for minute in (TUESDAY_1100, WEDNESDAY_0300):
        delay = detection_delay(20_000, seed, BURST, minute)
        assert delay is not None and delay <= 3, (minute, delay)


def test_a_slow_build_and_a_small_spike_are_found_while_they_last():
    assert (detection_delay(20_000, 3, SLOW_BUILD, TUESDAY_1100) or 99) <= 20
    # Three times the usual rate for 20 minutes, at lunchtime on a 20,000-a-week account
    assert (detection_delay(20_000, 4, SMALL, TUESDAY_1100) or 99) <= 15


def test_the_baseline_does_not_absorb_an_outage():
    detector, week = learned_week(20_000, 5)
    calm = SpikeDetector(state=SpikeState.from_dict(detector.state.to_dict()))
    stormy = SpikeDetector(state=SpikeState.from_dict(detector.state.to_dict()))
    storm = list(week[: TUESDAY_1100 + 90])
    for offset in range(60):  # an hour at five times the usual rate
        storm[TUESDAY_1100 + offset] += 4 * week[TUESDAY_1100 + offset] + 5
    first = FIRST_MINUTE + 2 * MINUTES_PER_WEEK
    replay(calm, week[: TUESDAY_1100 + 90], first)
    events = replay(stormy, storm, first)
    assert any(isinstance(event, IncidentStarted) for event in events[TUESDAY_1100:])
    after = first + TUESDAY_1100 + 90
    assert stormy.baseline.expected(after) < 1.2 * calm.baseline.expected(after)


def test_a_daylight_saving_change_raises_no_incident_when_the_local_offset_is_given():
    # The team's day follows local time: after the clocks go forward, every hour comes 60 minutes
    # earlier in UTC. Buckets kept in UTC would expect the quiet hour before each ramp.
    local = calm_counts(20_000, 4.01, 0)
    switch = 3 * MINUTES_PER_WEEK
    utc = local[:switch] + local[switch + 60 : 4 * MINUTES_PER_WEEK + 60]
    false_incidents = {}
    for aware in (True, False):
        detector = SpikeDetector()
        events = [
            detector.observe(FIRST_MINUTE + i, count, utc_offset_minutes=60 if aware and i >= switch else 0)
            for i, count in enumerate(utc)
        ]
        false_incidents[aware] = [i for i in starts(events) if i >= switch]
    assert false_incidents[True] == []
    assert len(false_incidents[False]) >= 2  # what the offset is for


# -- an incident's life: ongoing, ended, cool-down -------------------------------------------------


def steady(detector: SpikeDetector, first: int, minutes: int, per_minute: int) -> list:
    return replay(detector, [per_minute] * minutes, first)


def test_an_incident_goes_on_while_busy_ends_when_calm_and_the_cool_down_holds():
    knobs = SpikeSettings(end_after_calm_minutes=10, cooldown_minutes=30)
    detector = SpikeDetector(knobs)
    minute = FIRST_MINUTE
    assert not any(steady(detector, minute, 2 * MINUTES_PER_DAY, 2))
    minute += 2 * MINUTES_PER_DAY
    spike = steady(detector, minute, 10, 20)
    started = [event for event in spike if isinstance(event, IncidentStarted)]
    assert len(started) == 1 and started[0].mentions >= 8 and started[0].expected < started[0].mentions / 2
    assert isinstance(spike[-1], IncidentOngoing)
    calm = steady(detector, minute + 10, 30, 2)
    ended = [event for event in calm if isinstance(event, IncidentEnded)]
    assert len(ended) == 1 and ended[0].peak_per_minute == 20
    assert ended[0].mentions >= 20 * 9 and ended[0].expected < ended[0].mentions / 4
    ended_at = calm.index(ended[0])
    assert all(isinstance(event, IncidentOngoing) for event in calm[:ended_at])
    assert not any(calm[ended_at + 1 :])
    # Within the cool-down a new burst opens nothing; after it, the same burst does.
    minute += 10 + ended_at + 1
    assert not any(isinstance(e, IncidentStarted) for e in steady(detector, minute, 10, 20))
    assert not any(steady(detector, minute + 10, 60, 2))  # nothing was open, nothing ends
    again = steady(detector, minute + 70, 10, 20)
    assert any(isinstance(event, IncidentStarted) for event in again)


def test_a_retried_minute_is_ignored_and_a_gap_restarts_the_windows():
    detector = SpikeDetector()
    steady(detector, FIRST_MINUTE, 600, 2)
    last = FIRST_MINUTE + 599
    before = detector.state.to_dict()
    assert detector.observe(last, 50) is None and detector.state.to_dict() == before
    detector.observe(last + 30, 3)
    assert detector.state.recent_counts == [3]
    with pytest.raises(ValueError, match="count"):
        detector.observe(last + 31, -1)


# -- the stored state ------------------------------------------------------------------------------


def test_the_state_round_trips_through_json_and_dynamodb_decimals_without_changing_a_decision():
    detector, week = learned_week(20_000, 6)
    add_outage(week, TUESDAY_1100, BURST, 20_000, random.Random(6))
    first = FIRST_MINUTE + 2 * MINUTES_PER_WEEK
    day = week[: 2 * MINUTES_PER_DAY]
    whole = SpikeDetector(state=SpikeState.from_dict(detector.state.to_dict()))
    expected_events = replay(whole, day, first)
    stored = json.dumps(detector.state.to_dict())
    events = []
    for index, count in enumerate(day):  # stored and read back every minute, as between invocations
        state = SpikeState.from_dict(json.loads(stored, parse_float=Decimal))
        events.append(SpikeDetector(state=state).observe(first + index, count))
        stored = json.dumps(state.to_dict())
    # The state's floats are rounded to six significant digits: the same decisions, the same counts.
    assert [decision(event) for event in events] == [decision(event) for event in expected_events]
    assert any(isinstance(event, IncidentStarted) for event in events)
    started = [(a, b) for a, b in zip(events, expected_events, strict=True) if isinstance(a, IncidentStarted)]
    assert all(a.expected == pytest.approx(b.expected, rel=1e-4) for a, b in started)


def decision(event) -> tuple | None:
    return event and (type(event).__name__, event.minute, event.mentions)


def test_the_state_stays_small_whatever_the_traffic():
    detector = SpikeDetector()
    sizes = []
    for week in range(2):
        replay(detector, calm_counts(200_000, 1, week), FIRST_MINUTE + week * MINUTES_PER_WEEK)
        sizes.append(len(json.dumps(detector.state.to_dict())))
    assert max(sizes) < 6_000 and abs(sizes[1] - sizes[0]) < 500
    assert len(detector.state.recent_counts) == detector.settings.history_minutes


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=500), min_size=1, max_size=300))
def test_any_counts_leave_a_bounded_state_that_round_trips(counts):
    detector = SpikeDetector(SpikeSettings(warmup_minutes=5))
    replay(detector, counts)
    data = detector.state.to_dict()
    assert SpikeState.from_dict(json.loads(json.dumps(data))).to_dict() == data
    assert len(data["recent_counts"]) <= detector.settings.history_minutes
    assert len(data["seasonal"]) == 168 and len(data["daily"]) == 24


def test_an_unknown_state_version_is_refused():
    data = SpikeState().to_dict() | {"version": 99}
    with pytest.raises(ValueError, match="version"):
        SpikeState.from_dict(data)


# -- configuration ---------------------------------------------------------------------------------


def test_the_configuration_defaults_are_the_detectors_and_errors_name_the_field():
    assert Incidents.model_validate({}).detection.settings() == SpikeSettings()
    chosen = Incidents.model_validate({"detection": {"p_value": 1e-5, "persistence": {"needed": 3, "of": 5}}})
    assert chosen.detection.settings().persistence_needed == 3 and chosen.detection.settings().p_value == 1e-5
    for bad, words in [
        ({"persistence": {"needed": 4, "of": 3}}, "cannot exceed"),
        ({"p_value": 0.5}, "p_value"),
        ({"windows_minutes": [3, 90]}, "between 1 and 60"),
        ({"min_ratio": 0.5}, "min_ratio"),
        ({"incident_half_life_minutes": 5}, "more slowly"),
        ({"threshold": 3}, "threshold"),
    ]:
        with pytest.raises(ValidationError, match=words):
            Incidents.model_validate({"detection": bad})
    with pytest.raises(ValueError, match="min_volume"):
        SpikeSettings(min_volume=0)
