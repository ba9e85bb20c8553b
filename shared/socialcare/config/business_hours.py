"""Business hours and response targets in the configuration (see the README's "Business hours"):

    business_hours:                 # the default; an account may carry its own
      timezone: Europe/London
      weekly:                       # days left out are closed; "22:00-02:00" crosses midnight
        mon: ["09:00-12:30", "13:30-18:00"]
        tue: ["09:00-18:00"]
      holidays: {country: GB, subdivision: ENG, dates: ["2026-12-24"]}
      closures: [{from: "2026-12-31T13:00:00Z", to: "2027-01-04T09:00:00Z"}]
    targets:                        # minutes of business time, per priority
      urgent: {minutes: 15, around_the_clock: true}
      normal: {minutes: 60}
      low: {minutes: 480}
    targets_by_channel:             # per network, priority by priority
      x: {normal: {minutes: 30}}

Without `business_hours` the clock runs around the clock. A priority without a target takes
normal's; normal's default is `target_minutes`.
"""

from datetime import date, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, field_validator, model_validator

from ..domain.business_hours import BusinessCalendar, UnknownHolidays, parse_weekly
from ..domain.business_hours.calendar import DAYS
from .behaviour import BusinessHoursBehaviour, HolidaysBehaviour
from .behaviour import response_policy as response_policy  # its home before behaviour.py

LONGEST_TARGET = 7 * 24 * 60
LONGEST_CLOSURE_DAYS = 366


class _Strict(BaseModel):  # as account.Strict, which imports this module
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True, defer_build=True)


class Holidays(HolidaysBehaviour, _Strict):
    country: str | None = Field(default=None, description="ISO 3166 code, e.g. GB, US, ES")
    subdivision: str | None = Field(default=None, description="e.g. ENG, CA, MD")
    dates: list[date] = Field(default_factory=list, description="more closed dates")

    @model_validator(mode="after")
    def _known(self) -> "Holidays":
        if self.subdivision and not self.country:
            raise ValueError("subdivision needs a country")
        try:
            self.table().check()
        except UnknownHolidays as error:
            raise ValueError(f"unknown holidays: {error}") from None
        return self


class ClosureConfig(_Strict):
    start: datetime = Field(alias="from")
    end: datetime = Field(alias="to")

    @model_validator(mode="after")
    def _ordered(self) -> "ClosureConfig":
        if self.start.tzinfo is None or self.end.tzinfo is None:
            raise ValueError("from and to need a time zone offset, e.g. 2026-12-31T13:00:00Z")
        if self.end <= self.start:
            raise ValueError("to must come after from")
        if (self.end - self.start).days > LONGEST_CLOSURE_DAYS:
            raise ValueError(f"a closure lasts at most {LONGEST_CLOSURE_DAYS} days")
        return self


class BusinessHours(BusinessHoursBehaviour, _Strict):
    timezone: str = Field(description="an IANA time zone, e.g. Europe/London")
    weekly: dict[str, list[str]]
    holidays: Holidays | None = None
    closures: list[ClosureConfig] = Field(default_factory=list)
    _calendar: BusinessCalendar | None = PrivateAttr(default=None)  # built once, shared by accounts

    @field_validator("timezone")
    @classmethod
    def _zone(cls, name: str) -> str:
        try:
            ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"{name!r} is not an IANA time zone (like Europe/London)") from None
        return name

    @field_validator("weekly")
    @classmethod
    def _windows(cls, days: dict[str, list[str]]) -> dict[str, list[str]]:
        week = parse_weekly(days, on_error=lambda where, message: ValueError(f"weekly.{where}: {message}"))
        if not any(week):
            raise ValueError(f"no open hour in the week (give windows for some of {', '.join(DAYS)})")
        return days


class TargetConfig(_Strict):
    minutes: int = Field(ge=1, le=LONGEST_TARGET, description="of business time")
    around_the_clock: bool = Field(default=False, description="the clock runs, and alerts go, while closed")


class Targets(_Strict):
    urgent: TargetConfig | None = None
    normal: TargetConfig | None = None
    low: TargetConfig | None = None
