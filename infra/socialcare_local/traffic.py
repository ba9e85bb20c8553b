"""Generated mention traffic for spike detection: calm weeks and outages, from a seeded RNG.

A calm week has a daily cycle (quiet nights, a morning rise, a lunchtime peak, an evening tail) and
a weekly shape (a busy Monday, a quieter Friday, weekends later and flatter), scaled so the week
holds `weekly_volume` mentions. Counts are Poisson around that rate times two kinds of noise real
streams have: a day's level varies (lognormal, 10 %) and so does each ten-minute block (gamma,
10 %), so calm traffic is burstier than Poisson, as mentions are. Times are UTC; minute 0 is
Monday 2026-01-05 00:00 UTC (an epoch minute, as the detector counts).

Outages add Poisson mentions on top, per shape: 150 mentions in 10 minutes; a slow build over 30
minutes to six times the usual rate, held 30 minutes; a small one, three times the usual rate for
20 minutes.
"""

import math
import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

FIRST_MINUTE = int(datetime(2026, 1, 5, tzinfo=UTC).timestamp() // 60)  # a Monday
MINUTES_PER_DAY = 24 * 60
MINUTES_PER_WEEK = 7 * MINUTES_PER_DAY
DAY_LEVEL_SPREAD = 0.10
BLOCK_MINUTES = 10
BLOCK_SHAPE = 100  # gamma shape: coefficient of variation 1 / sqrt(100) = 10 %
WEEKDAY_FACTOR = (1.15, 1.0, 1.0, 1.0, 0.9, 0.55, 0.5)  # Monday first


def _bump(hour: float, centre: float, width: float) -> float:
    return math.exp(-0.5 * ((hour - centre) / width) ** 2)


def day_shape(hour: float, weekend: bool) -> float:
    """Relative rate at an hour of the day (0-24): quiet nights, busy lunchtimes."""
    if weekend:
        return 0.10 + 0.8 * _bump(hour, 13.0, 3.0) + 0.6 * _bump(hour, 20.5, 2.0)
    return (
        0.12
        + 0.9 * _bump(hour, 9.5, 1.5)
        + 1.3 * _bump(hour, 12.75, 1.2)
        + 0.8 * _bump(hour, 17.5, 2.0)
        + 0.6 * _bump(hour, 21.0, 1.5)
    )


def _week_shape() -> list[float]:
    shape = []
    for minute in range(MINUTES_PER_WEEK):
        day, minute_of_day = divmod(minute, MINUTES_PER_DAY)
        shape.append(WEEKDAY_FACTOR[day] * day_shape(minute_of_day / 60, weekend=day >= 5))
    total = sum(shape)
    return [value / total for value in shape]


_WEEK_SHAPE = _week_shape()


def usual_rate(weekly_volume: float, minute: int) -> float:
    """Mentions a minute expected at this minute of a calm week (no noise)."""
    return weekly_volume * _WEEK_SHAPE[(minute - FIRST_MINUTE) % MINUTES_PER_WEEK]


def poisson(rng: random.Random, lam: float) -> int:
    """A Poisson draw by inversion, in pieces of at most 30 so exp(-lam) never underflows."""
    count = 0
    while lam > 0:
        piece = min(lam, 30.0)
        lam -= piece
        threshold, product = math.exp(-piece), rng.random()
        while product > threshold:
            count += 1
            product *= rng.random()
    return count


def calm_rates(
    weekly_volume: float, minutes: int, rng: random.Random, start: int = FIRST_MINUTE
) -> list[float]:
    """The noisy rate of each minute: the week's shape times a day level and a ten-minute burstiness."""
    rates = []
    day_level = block_level = 1.0
    for minute in range(start, start + minutes):
        offset = minute - FIRST_MINUTE
        if offset % MINUTES_PER_DAY == 0 or minute == start:
            day_level = rng.lognormvariate(0.0, DAY_LEVEL_SPREAD)
        if offset % BLOCK_MINUTES == 0 or minute == start:
            block_level = rng.gammavariate(BLOCK_SHAPE, 1.0 / BLOCK_SHAPE)
        rates.append(usual_rate(weekly_volume, minute) * day_level * block_level)
    return rates


def calm_counts(weekly_volume: float, weeks: float, seed: int, start: int = FIRST_MINUTE) -> list[int]:
    rng = random.Random(seed)
    return [
        poisson(rng, rate) for rate in calm_rates(weekly_volume, int(weeks * MINUTES_PER_WEEK), rng, start)
    ]


@dataclass(frozen=True)
class OutageShape:
    name: str
    minutes: int
    extra_rate: Callable[[int, float], float]  # (minute of the outage, usual rate) -> extra mentions a minute


def _slow_build(offset: int, usual: float) -> float:
    peak = max(5.0 * usual, 3.0)  # six times the usual rate in all, and at least 3 more a minute
    return peak * min(1.0, (offset + 1) / 30)


OUTAGES = (
    OutageShape("150 in 10 min", 10, lambda offset, usual: 15.0),
    OutageShape("slow build 30 min", 60, _slow_build),
    OutageShape("3x for 20 min", 20, lambda offset, usual: 2.0 * usual),
)


def add_outage(
    counts: list[int], start_index: int, shape: OutageShape, weekly_volume: float, rng: random.Random
) -> int:
    """Adds the outage's mentions to `counts` from `start_index` on; returns how many it added."""
    added = 0
    for offset in range(shape.minutes):
        index = start_index + offset
        if index >= len(counts):
            break
        usual = usual_rate(weekly_volume, FIRST_MINUTE + index)
        extra = poisson(rng, shape.extra_rate(offset, usual))
        counts[index] += extra
        added += extra
    return added
