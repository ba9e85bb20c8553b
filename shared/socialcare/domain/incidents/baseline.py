"""The expected mentions per minute for one key: a global EWMA blended with time-of-week buckets.

The global level (half-life `level_half_life_minutes`) knows the last hour; each of the 168
hour-of-week buckets is an EWMA over the weeks of that hour's per-minute rate, in local time (the
minutes given here are the caller's local epoch minutes). A bucket is trusted in proportion to the
minutes it has seen, fully after `seasonal_trust_weeks` weeks; until then 24 hour-of-day buckets
fill in (trusted after two days: they know the daily cycle by the first Wednesday, weekdays and
weekends mixed), and before them the global level. The expected rate is interpolated between the
two nearest hours' centres, so a morning ramp within an hour is not a step. Early on, every average
is a plain mean (an EWMA's weight is never less than 1 / (observations + 1)), so the first minutes
do not start from zero. Minutes in or near an incident teach slowly and do not count towards an
hour being known.
"""

import math

from .settings import HOURS_PER_WEEK, SpikeSettings
from .state import SEASONAL_MINUTES_CAP, SpikeState

HOURS_PER_DAY = 24
DAILY_HALF_LIFE_DAYS = 3.0  # hour-of-day buckets: the daily cycle before the weekly one is known
DAILY_TRUST_DAYS = 2.0
THURSDAY_HOURS = 72  # the epoch began on a Thursday; hour-of-week 0 is Monday 00:00 (local)


def hour_of_week(minute: int) -> int:
    return (minute // 60 + THURSDAY_HOURS) % HOURS_PER_WEEK


def _alpha(half_life: float) -> float:
    return 1.0 - 0.5 ** (1.0 / half_life)


class Baseline:
    def __init__(self, settings: SpikeSettings, state: SpikeState) -> None:
        self.settings = settings
        self.state = state
        self._level_alpha = _alpha(settings.level_half_life_minutes)
        self._seasonal_alpha = _alpha(settings.seasonal_half_life_weeks * 60)
        self._incident_slowdown = settings.level_half_life_minutes / settings.incident_half_life_minutes
        self._trusted_minutes = settings.seasonal_trust_weeks * 60
        self._daily_alpha = _alpha(DAILY_HALF_LIFE_DAYS * 60)
        self._trusted_daily_minutes = DAILY_TRUST_DAYS * 60

    def expected(self, minute: int) -> float:
        state = self.state
        if state.minutes_seen == 0:
            return self.settings.min_expected_per_minute
        position = (minute % 60) / 60 - 0.5  # hours from the centre of this minute's hour
        hour = hour_of_week(minute)
        other = (hour + (1 if position >= 0 else -1)) % HOURS_PER_WEEK
        near = self._hour_rate(hour)
        rate = near + (self._hour_rate(other) - near) * abs(position)
        return max(rate, self.settings.min_expected_per_minute)

    def confidence(self, minute: int) -> float:
        """How well this hour is known, 0 (the global level only) to 1 (its weekly bucket)."""
        hour = hour_of_week(minute)
        day_trust = min(1.0, self.state.daily_minutes[hour % HOURS_PER_DAY] / self._trusted_daily_minutes)
        trust = min(1.0, self.state.seasonal_minutes[hour] / self._trusted_minutes)
        return trust + (1 - trust) * day_trust

    def _hour_rate(self, hour: int) -> float:
        state = self.state
        day_hour = hour % HOURS_PER_DAY
        day_trust = min(1.0, state.daily_minutes[day_hour] / self._trusted_daily_minutes)
        daily = day_trust * state.daily[day_hour] + (1 - day_trust) * state.level
        trust = min(1.0, state.seasonal_minutes[hour] / self._trusted_minutes)
        return trust * state.seasonal[hour] + (1 - trust) * daily

    def learn(self, minute: int, count: int, expected: float, *, unusual: bool) -> None:
        """Teach this minute's count, clipped so one burst cannot drag the baseline; slowly if unusual."""
        settings, state = self.settings, self.state
        ceiling = max(settings.min_ratio * expected, expected + 3 * math.sqrt(expected) + 1)
        value = min(float(count), ceiling)
        hour = hour_of_week(minute)
        state.level = self._learned(state.level, value, state.minutes_seen, self._level_alpha, unusual)
        state.daily[hour % HOURS_PER_DAY] = self._learned(
            state.daily[hour % HOURS_PER_DAY],
            value,
            state.daily_minutes[hour % HOURS_PER_DAY],
            self._daily_alpha,
            unusual,
        )
        state.seasonal[hour] = self._learned(
            state.seasonal[hour], value, state.seasonal_minutes[hour], self._seasonal_alpha, unusual
        )
        state.minutes_seen += 1
        if not unusual:  # an unusual minute does not make an hour any better known
            state.daily_minutes[hour % HOURS_PER_DAY] = min(
                state.daily_minutes[hour % HOURS_PER_DAY] + 1, SEASONAL_MINUTES_CAP
            )
            state.seasonal_minutes[hour] = min(state.seasonal_minutes[hour] + 1, SEASONAL_MINUTES_CAP)

    def _learned(self, average: float, value: float, seen: int, alpha: float, unusual: bool) -> float:
        if unusual:  # slowly, and not at all into an average that has not started yet
            return average + alpha * self._incident_slowdown * (value - average) if seen else average
        return average + max(alpha, 1.0 / (seen + 1)) * (value - average)
