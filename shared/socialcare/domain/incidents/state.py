"""The detector's state for one key, small enough for one DynamoDB item between invocations.

Bounded: 168 seasonal rates and their minute counts, at most `history_minutes` recent minutes, and
the open incident's totals; about 3 KB as JSON whatever the traffic. Floats are rounded on the way
out (six significant digits: the baseline is an estimate, not a ledger).
"""

from dataclasses import asdict, dataclass, field

from .settings import HOURS_PER_WEEK

STATE_VERSION = 1
SEASONAL_MINUTES_CAP = 60 * 52  # a year of one hour-of-week; only "enough weeks" matters


def _round(value: float) -> float:
    return float(f"{value:.6g}")


@dataclass
class OpenIncident:
    started_at: int
    mentions: int
    expected: float
    peak_per_minute: int
    minutes_open: int = 0
    calm_minutes: int = 0


@dataclass
class SpikeState:
    last_minute: int | None = None
    minutes_seen: int = 0
    level: float = 0.0  # global EWMA of mentions per minute
    seasonal: list[float] = field(default_factory=lambda: [0.0] * HOURS_PER_WEEK)
    seasonal_minutes: list[int] = field(default_factory=lambda: [0] * HOURS_PER_WEEK)
    daily: list[float] = field(default_factory=lambda: [0.0] * 24)
    daily_minutes: list[int] = field(default_factory=lambda: [0] * 24)
    recent_counts: list[int] = field(default_factory=list)
    recent_expected: list[float] = field(default_factory=list)
    recent_significant: list[bool] = field(default_factory=list)
    incident: OpenIncident | None = None
    cooldown_until: int | None = None

    def to_dict(self) -> dict:
        data = asdict(self)
        data["version"] = STATE_VERSION
        data["level"] = _round(self.level)
        data["seasonal"] = [_round(rate) for rate in self.seasonal]
        data["daily"] = [_round(rate) for rate in self.daily]
        data["recent_expected"] = [_round(rate) for rate in self.recent_expected]
        if self.incident:
            data["incident"]["expected"] = _round(self.incident.expected)
        return data

    @classmethod
    def from_dict(cls, data: dict) -> "SpikeState":
        if data.get("version") != STATE_VERSION:
            raise ValueError(f"spike state version {data.get('version')!r}, expected {STATE_VERSION}")
        fields = {key: value for key, value in data.items() if key != "version"}
        if len(fields["seasonal"]) != HOURS_PER_WEEK or len(fields["seasonal_minutes"]) != HOURS_PER_WEEK:
            raise ValueError(f"spike state needs {HOURS_PER_WEEK} seasonal rates")
        if len(fields["daily"]) != 24 or len(fields["daily_minutes"]) != 24:
            raise ValueError("spike state needs 24 hour-of-day rates")
        incident = fields.pop("incident")
        state = cls(**fields)
        state.last_minute = None if state.last_minute is None else int(state.last_minute)
        state.cooldown_until = None if state.cooldown_until is None else int(state.cooldown_until)
        state.minutes_seen = int(state.minutes_seen)
        state.level = float(state.level)
        state.seasonal = [float(rate) for rate in state.seasonal]
        state.seasonal_minutes = [int(n) for n in state.seasonal_minutes]
        state.daily = [float(rate) for rate in state.daily]
        state.daily_minutes = [int(n) for n in state.daily_minutes]
        state.recent_counts = [int(n) for n in state.recent_counts]
        state.recent_expected = [float(rate) for rate in state.recent_expected]
        state.recent_significant = [bool(flag) for flag in state.recent_significant]
        if incident:  # DynamoDB gives numbers back as Decimal
            state.incident = OpenIncident(
                started_at=int(incident["started_at"]),
                mentions=int(incident["mentions"]),
                expected=float(incident["expected"]),
                peak_per_minute=int(incident["peak_per_minute"]),
                minutes_open=int(incident["minutes_open"]),
                calm_minutes=int(incident["calm_minutes"]),
            )
        return state
