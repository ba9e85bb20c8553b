"""Spike detection in the configuration (not yet part of `Config`: incidents are wired later):

    incidents:
      detection:
        p_value: 0.00001            # Poisson upper tail a window must fall below (split across windows)
        windows_minutes: [3, 15]    # the last 3 and the last 15 minutes are tested
        min_volume: 8               # mentions in the window, at least
        min_ratio: 2                # and this many times the expected count
        persistence: {needed: 2, of: 3}   # significant minutes of the last few
        end_after_calm_minutes: 10
        cooldown_minutes: 30

Every field has the default the benchmark was run with (`domain/incidents/settings.py` says why).
"""

from pydantic import Field, model_validator

from ..domain.incidents import SpikeSettings
from .account import Strict

_DEFAULTS = SpikeSettings()


class Persistence(Strict):
    needed: int = Field(default=_DEFAULTS.persistence_needed, ge=1, le=60)
    of: int = Field(default=_DEFAULTS.persistence_of, ge=1, le=60)

    @model_validator(mode="after")
    def _fits(self) -> "Persistence":
        if self.needed > self.of:
            raise ValueError(f"needed ({self.needed}) cannot exceed of ({self.of}) minutes")
        return self


class SpikeDetection(Strict):
    p_value: float = Field(default=_DEFAULTS.p_value, gt=0, lt=0.05)
    windows_minutes: list[int] = Field(default_factory=lambda: list(_DEFAULTS.windows_minutes), min_length=1)
    min_volume: int = Field(default=_DEFAULTS.min_volume, ge=1)
    min_ratio: float = Field(default=_DEFAULTS.min_ratio, ge=1)
    unknown_hour_extra_ratio: float = Field(default=_DEFAULTS.unknown_hour_extra_ratio, ge=0, le=10)
    persistence: Persistence = Field(default_factory=Persistence)
    end_after_calm_minutes: int = Field(default=_DEFAULTS.end_after_calm_minutes, ge=1, le=24 * 60)
    end_ratio: float = Field(default=_DEFAULTS.end_ratio, ge=1)
    end_p_value: float = Field(default=_DEFAULTS.end_p_value, gt=0, lt=1)
    cooldown_minutes: int = Field(default=_DEFAULTS.cooldown_minutes, ge=0, le=24 * 60)
    warmup_minutes: int = Field(default=_DEFAULTS.warmup_minutes, ge=0)
    level_half_life_minutes: float = Field(default=_DEFAULTS.level_half_life_minutes, ge=1, le=7 * 24 * 60)
    incident_half_life_minutes: float = Field(default=_DEFAULTS.incident_half_life_minutes, ge=1)
    seasonal_half_life_weeks: float = Field(default=_DEFAULTS.seasonal_half_life_weeks, gt=0, le=52)
    seasonal_trust_weeks: float = Field(default=_DEFAULTS.seasonal_trust_weeks, gt=0, le=52)

    @model_validator(mode="after")
    def _coherent(self) -> "SpikeDetection":
        for window in self.windows_minutes:
            if not 1 <= window <= 60:
                raise ValueError(f"windows_minutes: {window} is not between 1 and 60")
        if len(set(self.windows_minutes)) != len(self.windows_minutes):
            raise ValueError(f"windows_minutes lists a window twice: {self.windows_minutes}")
        if self.incident_half_life_minutes < self.level_half_life_minutes:
            raise ValueError(
                "incident_half_life_minutes must be at least level_half_life_minutes: "
                "inside an incident the baseline learns more slowly, not faster"
            )
        return self

    def settings(self) -> SpikeSettings:
        return SpikeSettings(
            p_value=self.p_value,
            windows_minutes=tuple(sorted(self.windows_minutes)),
            min_volume=self.min_volume,
            min_ratio=self.min_ratio,
            unknown_hour_extra_ratio=self.unknown_hour_extra_ratio,
            persistence_needed=self.persistence.needed,
            persistence_of=self.persistence.of,
            end_after_calm_minutes=self.end_after_calm_minutes,
            end_ratio=self.end_ratio,
            end_p_value=self.end_p_value,
            cooldown_minutes=self.cooldown_minutes,
            warmup_minutes=self.warmup_minutes,
            level_half_life_minutes=self.level_half_life_minutes,
            incident_half_life_minutes=self.incident_half_life_minutes,
            seasonal_half_life_weeks=self.seasonal_half_life_weeks,
            seasonal_trust_weeks=self.seasonal_trust_weeks,
        )


class Incidents(Strict):
    detection: SpikeDetection = Field(default_factory=SpikeDetection)
