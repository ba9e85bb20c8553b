"""What the spike detector needs to know, with the defaults the benchmark was run with.

Why these defaults (figures from `make bench-spikes`, README "Benchmarks"):
- level_half_life_minutes 30: the global level must follow a morning ramp (the rate can double in an
  hour) without calling it a spike: an EWMA lags by about half-life / ln 2, 43 minutes here, so at the
  steepest ramp the expected rate is still about 0.7 of the real one, well above 1 / min_ratio.
  A longer half-life (2 h) raised false incidents on Monday mornings before the weekly buckets knew
  the week; a shorter one chases the first minutes of a slow build.
- time-of-week buckets (168 hours, local time) with a half-life of 3 weeks of that hour, trusted fully after
  2 weeks: a week of history costs 168 numbers (~2 KB of state) and removes the lag above, which
  is what lets a 3x spike on a quiet account stand out at lunchtime; before that, the global level.
- p_value 1e-5 per minute, split across the windows tested: with two windows tested every minute, a
  week holds 20,000 tests, and a 15-minute window moves by one minute at a time, so persistence
  (2 of the last 3 minutes) adds little against a chance excess that lasts; 1e-4 gave 0.2 false
  incidents a week on a quiet account (20 mentions in 15 minutes where 7 were expected), 1e-5 none
  in the benchmark's 40 weeks, for a minute more of delay on the smallest outages.
- min_ratio 2: real mention streams are burstier than Poisson (a widely shared complaint brings ten
  more; a day runs 10 % above another) and the weekly buckets carry that noise (the expectation
  is 0.8-1.2x the true rate), so at high volumes, where Poisson calls +20 % significant, the count
  must also double. 1.5 gave 1-5 false incidents a week at 20,000-200,000 mentions a week; 2 gives
  under 0.2. While an hour's cycle is still unknown (a new key's first days: the global level lags a
  morning ramp by up to 1.7x) the ratio needed rises by up to `unknown_hour_extra_ratio`, to 3x.
- incident_half_life_minutes 120: inside an incident the baseline learns 4x slower, from counts
  clipped to 2x its expectation, so a one-hour outage raises it by under 20 %; yet a lasting new
  level (a campaign) ends its incident within hours instead of never.
"""

from dataclasses import dataclass

HOURS_PER_WEEK = 168


@dataclass(frozen=True)
class SpikeSettings:
    p_value: float = 1e-5
    windows_minutes: tuple[int, ...] = (3, 15)
    min_volume: int = 8  # mentions in the window tested
    min_ratio: float = 2.0  # count / expected in the window tested
    unknown_hour_extra_ratio: float = 1.0  # added to min_ratio while the hour's cycle is unknown
    persistence_needed: int = 2  # significant minutes ...
    persistence_of: int = 3  # ... of the last this many
    end_after_calm_minutes: int = 10
    end_ratio: float = 1.25  # a minute is calm when its short window is at most this x expected ...
    end_p_value: float = 0.01  # ... or not even mildly significant
    cooldown_minutes: int = 30
    warmup_minutes: int = 120
    level_half_life_minutes: float = 30.0
    incident_half_life_minutes: float = 120.0  # learns 4x slower inside an incident, never stuck in one
    seasonal_half_life_weeks: float = 3.0
    seasonal_trust_weeks: float = 2.0
    min_expected_per_minute: float = 0.02  # about 200 a week: a floor for silent hours

    def __post_init__(self) -> None:
        problems = list(self.problems())
        if problems:
            raise ValueError("; ".join(problems))

    def problems(self):
        if not 0 < self.p_value < 1:
            yield f"p_value must be between 0 and 1, not {self.p_value}"
        if not 0 < self.end_p_value < 1:
            yield f"end_p_value must be between 0 and 1, not {self.end_p_value}"
        if not self.windows_minutes or any(not 1 <= w <= 60 for w in self.windows_minutes):
            yield f"windows_minutes must list 1 to 60 minute windows, not {list(self.windows_minutes)}"
        if self.min_volume < 1:
            yield f"min_volume must be at least 1, not {self.min_volume}"
        if self.min_ratio < 1:
            yield f"min_ratio must be at least 1, not {self.min_ratio}"
        if self.unknown_hour_extra_ratio < 0:
            yield f"unknown_hour_extra_ratio must be >= 0, not {self.unknown_hour_extra_ratio}"
        if not 1 <= self.persistence_needed <= self.persistence_of <= 60:
            yield (
                "persistence needs 1 <= persistence_needed <= persistence_of <= 60, not "
                f"{self.persistence_needed} of {self.persistence_of}"
            )
        if self.end_ratio < 1:
            yield f"end_ratio must be at least 1, not {self.end_ratio}"
        for name in ("end_after_calm_minutes", "warmup_minutes", "cooldown_minutes"):
            if getattr(self, name) < 0:
                yield f"{name} must be >= 0, not {getattr(self, name)}"
        for name in (
            "level_half_life_minutes",
            "incident_half_life_minutes",
            "seasonal_half_life_weeks",
            "seasonal_trust_weeks",
            "min_expected_per_minute",
        ):
            if not getattr(self, name) > 0:
                yield f"{name} must be > 0, not {getattr(self, name)}"

    @property
    def history_minutes(self) -> int:
        return max(max(self.windows_minutes), self.persistence_of)

    @property
    def short_window(self) -> int:
        return min(self.windows_minutes)
