"""Spike detection for one key (an account, or a brand across its accounts), one minute at a time.

Each minute: the baseline gives the expected count; for each window (e.g. the last 3 and 15 minutes)
the window's count is tested against the window's expected count with an exact Poisson upper tail,
at `p_value` split across the windows (Bonferroni). A minute is significant when some window passes
the test and also holds `min_volume` mentions and `min_ratio` times the expected count (more while
the baseline does not know this hour's cycle yet). An incident
starts when `persistence_needed` of the last `persistence_of` minutes are significant (outside a
cool-down), and ends after `end_after_calm_minutes` calm minutes in a row (the short window back near
the baseline); no new incident starts for `cooldown_minutes` after one ends. The baseline learns from
every ordinary minute and only slowly from significant ones, so an outage does not become the norm.

The caller loads the state, calls `observe` once per minute with that minute's count and stores the
state again. A minute already observed (a retried invocation) is ignored; after a gap the windows
start afresh (the missed minutes' counts are unknown, not zero). The hour-of-week buckets are in the
time zone whose UTC offset the caller passes (the account's business-hours zone): in UTC, a
daylight-saving change would shift a morning ramp by an hour and halve its expected rate.
"""

from .baseline import Baseline
from .events import IncidentEnded, IncidentOngoing, IncidentStarted, SpikeEvent
from .poisson import upper_tail
from .settings import SpikeSettings
from .state import OpenIncident, SpikeState


class SpikeDetector:
    def __init__(self, settings: SpikeSettings | None = None, state: SpikeState | None = None) -> None:
        self.settings = settings or SpikeSettings()
        self.state = state or SpikeState()
        self.baseline = Baseline(self.settings, self.state)

    def observe(self, minute: int, count: int, *, utc_offset_minutes: int = 0) -> SpikeEvent | None:
        """`minute` in epoch minutes (UTC); the offset puts the hour-of-week in the team's local time."""
        if count < 0:
            raise ValueError(f"a minute's count of mentions is >= 0, not {count}")
        state = self.state
        if state.last_minute is not None and minute <= state.last_minute:
            return None
        if state.last_minute is not None and minute > state.last_minute + 1:
            state.recent_counts.clear()
            state.recent_expected.clear()
            state.recent_significant.clear()
        state.last_minute = minute
        local = minute + utc_offset_minutes
        expected = self.baseline.expected(local)
        self._remember(count, expected)
        needed_ratio = self.settings.min_ratio + self.settings.unknown_hour_extra_ratio * (
            1 - self.baseline.confidence(local)
        )
        tripped = self._significant_window(needed_ratio)
        self._push(state.recent_significant, tripped is not None, self.settings.persistence_of)
        event = self._incident_event(minute, count, expected, tripped)
        unusual = tripped is not None or state.incident is not None
        self.baseline.learn(local, count, expected, unusual=unusual)
        return event

    def _remember(self, count: int, expected: float) -> None:
        keep = self.settings.history_minutes
        self._push(self.state.recent_counts, count, keep)
        self._push(self.state.recent_expected, expected, keep)

    @staticmethod
    def _push(values: list, value, keep: int) -> None:
        values.append(value)
        del values[:-keep]

    def _significant_window(self, needed_ratio: float) -> IncidentStarted | None:
        """The most significant window this minute, as the event that would start an incident."""
        settings, state = self.settings, self.state
        if state.minutes_seen < settings.warmup_minutes:
            return None
        threshold = settings.p_value / len(settings.windows_minutes)
        best = None
        for window in settings.windows_minutes:
            if len(state.recent_counts) < window:
                continue
            mentions = sum(state.recent_counts[-window:])
            expected = sum(state.recent_expected[-window:])
            if mentions < settings.min_volume or mentions < needed_ratio * expected:
                continue  # cheap checks first: most minutes never reach the tail
            p_value = upper_tail(mentions, expected)
            if p_value < threshold and (best is None or p_value < best.p_value):
                best = IncidentStarted(state.last_minute, mentions, expected, window, p_value)
        return best

    def _incident_event(
        self, minute: int, count: int, expected: float, tripped: IncidentStarted | None
    ) -> SpikeEvent | None:
        state, settings = self.state, self.settings
        incident = state.incident
        if incident is None:
            cooling = state.cooldown_until is not None and minute < state.cooldown_until
            persistent = sum(state.recent_significant) >= settings.persistence_needed
            if tripped is None or cooling or not persistent:
                return None
            state.incident = OpenIncident(
                minute, tripped.mentions, tripped.expected, max(state.recent_counts)
            )
            return tripped
        incident.minutes_open += 1
        incident.mentions += count
        incident.expected += expected
        incident.peak_per_minute = max(incident.peak_per_minute, count)
        incident.calm_minutes = incident.calm_minutes + 1 if self._calm() else 0
        if incident.calm_minutes >= settings.end_after_calm_minutes:
            state.incident = None
            state.cooldown_until = minute + settings.cooldown_minutes
            return IncidentEnded(
                minute,
                incident.started_at,
                incident.mentions,
                incident.expected,
                incident.peak_per_minute,
                incident.minutes_open,
            )
        return IncidentOngoing(
            minute, count, expected, incident.mentions, incident.expected, incident.minutes_open
        )

    def _calm(self) -> bool:
        settings, state = self.settings, self.state
        window = min(settings.short_window, len(state.recent_counts))
        mentions = sum(state.recent_counts[-window:])
        expected = sum(state.recent_expected[-window:])
        return (
            mentions <= settings.end_ratio * expected
            or upper_tail(mentions, expected) >= settings.end_p_value
        )
