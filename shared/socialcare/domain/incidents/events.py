"""What the spike detector says about a minute: an incident started, goes on, or ended.

Minutes are whole minutes since the Unix epoch (UTC), as the detector counts them; counts are
mentions, expected figures are the baseline's for the same minutes (for the alert's text).
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class IncidentStarted:
    minute: int
    mentions: int  # in the window that tripped the test
    expected: float  # in that window
    window_minutes: int
    p_value: float


@dataclass(frozen=True)
class IncidentOngoing:
    minute: int
    mentions: int  # this minute
    expected: float  # this minute
    mentions_so_far: int
    expected_so_far: float
    minutes_open: int


@dataclass(frozen=True)
class IncidentEnded:
    minute: int
    started_at: int
    mentions: int  # from the tripping window to the end
    expected: float
    peak_per_minute: int
    minutes_open: int


SpikeEvent = IncidentStarted | IncidentOngoing | IncidentEnded
