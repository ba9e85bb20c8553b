"""The one source of "now" for the whole package.

Lambda uses the system clock; the local runtime swaps in a virtual clock so an hour-long
response-time target plays out in seconds while every handler sees the replayed time.
"""

from collections.abc import Callable
from datetime import UTC, datetime


def _system_now() -> datetime:
    return datetime.now(UTC)


_source: Callable[[], datetime] = _system_now


def now() -> datetime:
    """The current time as an aware UTC datetime, truncated to whole seconds."""
    return _source().astimezone(UTC).replace(microsecond=0)


def set_clock(source: Callable[[], datetime] | None) -> None:
    """Use `source` for now(); None restores the system clock."""
    global _source
    _source = source or _system_now
