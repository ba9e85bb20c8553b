"""Where a Mastodon timeline's reading stands, as one opaque string for the state table.

Between readings it is the newest id read (notification or status id): the next reading asks for
what is newer (`min_id`), page by page forward. With no id yet, the stream is read from its newest
item down to the start time (`max_id` pages); a reading cut short keeps the newest id it saw and the
oldest it stored, and the id becomes the plain cursor once it reaches the start."""

import json
import re
from dataclasses import asdict, dataclass

from ...domain.timefmt import from_iso
from ..base import PermanentError

_ID = re.compile(r"[0-9]{1,20}")
_TIME = re.compile(r"[0-9T:.+Z-]{10,40}")


def _is_time(value) -> bool:
    if not isinstance(value, str) or not _TIME.fullmatch(value):
        return False
    try:
        from_iso(value)
    except (ValueError, OverflowError):
        return False
    return True


@dataclass(frozen=True)
class Position:
    since: str | None = None  # the newest id read: read forward from it
    start: str | None = None  # reading down with no since: nothing older than this (ISO 8601)
    newest: str | None = None  # reading down: the newest id seen, the cursor once done
    until: str | None = None  # reading down: the oldest id stored; read below it

    @classmethod
    def parse(cls, cursor: str | None) -> "Position":
        if cursor is None:
            return cls()
        if _ID.fullmatch(cursor):
            return cls(since=cursor)
        try:
            position = cls(**json.loads(cursor))
        except (ValueError, TypeError):
            raise PermanentError(f"Mastodon cursor {cursor[:80]!r} is not one this adapter wrote") from None
        for name in ("since", "newest", "until"):
            value = getattr(position, name)
            if value is not None and not (isinstance(value, str) and _ID.fullmatch(value)):
                raise PermanentError(f"Mastodon cursor's {name} is not an id")
        if position.start is not None and not _is_time(position.start):
            raise PermanentError("Mastodon cursor's start is not a time")
        return position

    def encode(self) -> str | None:
        if self.until is None:
            return self.since or self.newest
        return json.dumps({k: v for k, v in asdict(self).items() if v is not None}, separators=(",", ":"))
