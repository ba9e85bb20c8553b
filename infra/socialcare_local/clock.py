"""A virtual clock: replays run hours of escalation ladders in seconds, and never go back in time."""

import threading
from datetime import UTC, datetime, timedelta


class VirtualClock:
    """Thread-safe, monotonic, aware-UTC clock that only moves when told to."""

    def __init__(self, start: datetime) -> None:
        self._now = _as_utc(start)
        self._lock = threading.Lock()

    def now(self) -> datetime:
        with self._lock:
            return self._now

    def advance(self, delta: timedelta) -> datetime:
        if delta < timedelta(0):
            raise ValueError(f"the clock never goes backwards (advance by {delta})")
        with self._lock:
            self._now += delta
            return self._now

    def set(self, moment: datetime) -> datetime:
        """Move to `moment`; an earlier moment is an error (events would be replayed out of order)."""
        moment = _as_utc(moment)
        with self._lock:
            if moment < self._now:
                raise ValueError(
                    f"the clock never goes backwards ({self._now.isoformat()} -> {moment.isoformat()})"
                )
            self._now = moment
            return self._now

    def __repr__(self) -> str:
        return f"VirtualClock({self.now().isoformat()})"


def _as_utc(moment: datetime) -> datetime:
    # A naive datetime is taken as UTC, as everywhere else in socialcare.
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)
