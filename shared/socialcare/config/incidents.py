"""Incidents in the configuration (`Config.incidents`; on by default with these defaults):

    incidents:
      enabled: true
      reply:                      # the status update a mention of an open incident gets (variants)
        - "We know {brand} is having trouble and are working on it. Updates: {status_page}"
      status_page: https://status.example.com     # optional
      status_posts: {enabled: false, text: "... ({time} UTC)", interval_minutes: 30, resolved_text: "..."}
      ladder:                     # the incident's own short ladder (default: first escalation level's
        - {after_minutes: 0, email: [care_team], sms: [on_call]}          #  recipients, at once)
      after: resume               # or: close (with follow_up: the reply each open ticket gets)
      follow_up: "... (ref {ref})"
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
from .behaviour import (
    DEFAULT_REPLY as DEFAULT_REPLY,
)
from .behaviour import (
    DEFAULT_REPLY_WITH_PAGE as DEFAULT_REPLY_WITH_PAGE,
)
from .behaviour import (
    STATUS_TIME as STATUS_TIME,
)
from .behaviour import (
    IncidentsBehaviour,
    SpikeDetectionBehaviour,
    StatusPostsBehaviour,
)

_DEFAULTS = SpikeSettings()


class Persistence(Strict):
    needed: int = Field(default=_DEFAULTS.persistence_needed, ge=1, le=60)
    of: int = Field(default=_DEFAULTS.persistence_of, ge=1, le=60)

    @model_validator(mode="after")
    def _fits(self) -> "Persistence":
        if self.needed > self.of:
            raise ValueError(f"needed ({self.needed}) cannot exceed of ({self.of}) minutes")
        return self


class SpikeDetection(SpikeDetectionBehaviour, Strict):
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


DEFAULT_STATUS_TEXT = (
    "We're aware some customers are having trouble and we're working on a fix. Updates soon. ({time} UTC)"
)
DEFAULT_RESOLVED_TEXT = "The problem some customers had is fixed now. Thanks for your patience. ({time} UTC)"
DEFAULT_FOLLOW_UP = (
    "The problem you told us about is fixed now (ref {ref}). Thanks for your patience, and sorry."
)


class StatusPosts(StatusPostsBehaviour, Strict):
    """Public posts on the brand's own timeline while an incident is open ("keep customers posted")."""

    enabled: bool = False
    # {time} (HH:MM UTC) is the one field: networks refuse the same text twice, so a repeat whose
    # text lacks it gets " ({time} UTC)" appended.
    text: str = Field(default=DEFAULT_STATUS_TEXT, min_length=1, max_length=280)
    interval_minutes: int = Field(default=30, ge=5, le=24 * 60)
    # Posted once when the incident ends, if any status post was made ("" for none).
    resolved_text: str = Field(default=DEFAULT_RESOLVED_TEXT, max_length=280)


class IncidentLevel(Strict):
    after_minutes: int = Field(ge=0, le=7 * 24 * 60, description="after the incident opened")
    email: list[str] = Field(default_factory=list, description="recipient names")
    sms: list[str] = Field(default_factory=list, description="recipient names")

    @model_validator(mode="after")
    def _someone(self) -> "IncidentLevel":
        if not self.email and not self.sms:
            raise ValueError("an incident ladder level must alert someone by email or sms")
        return self


class Incidents(IncidentsBehaviour, Strict):
    enabled: bool = True
    # Variants; empty: the defaults (with the status page link when one is configured).
    reply: list[str] = Field(default_factory=list)
    status_page: str | None = Field(default=None, pattern=r"^https://[^\s]+$", max_length=200)
    status_posts: StatusPosts = Field(default_factory=StatusPosts)
    # Empty: one level at once, to the first escalation level's recipients.
    ladder: list[IncidentLevel] = Field(default_factory=list)
    # When it ends: close its open tickets that were answered in public with `follow_up` (fields as
    # in replies; {ref} required), or put them back on their own ladders (domain/incidents/endings.py).
    after: str = Field(default="resume", pattern=r"^(close|resume)$", description="close | resume")
    follow_up: str = Field(default=DEFAULT_FOLLOW_UP, min_length=1, max_length=280)
    detection: SpikeDetection = Field(default_factory=SpikeDetection)

    @model_validator(mode="after")
    def _ordered(self) -> "Incidents":
        minutes = [level.after_minutes for level in self.ladder]
        if minutes != sorted(set(minutes)):
            raise ValueError("incidents.ladder: levels must be in strictly increasing order of after_minutes")
        return self
