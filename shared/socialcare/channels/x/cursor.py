"""Where an X timeline's reading stands, as one opaque string for the state table.

Between pagings it is just the newest post id read (X's `since_id`). During a paging cut short (a
rate limit, a timeout, the page limit) it also holds the newest id the paging saw and the oldest it
stored, so the next run reads below that (`until_id`) and moves `since_id` only once it is complete."""

import json
import re
from dataclasses import asdict, dataclass, replace

from ..base import PermanentError

_ID = re.compile(r"[0-9]{1,19}")
_TIME = re.compile(r"[0-9T:.+Z-]{10,40}")


@dataclass(frozen=True)
class Position:
    since: str | None = None  # the newest id of the last complete paging
    start: str | None = None  # with no since: read nothing older than this time (ISO 8601)
    newest: str | None = None  # during a paging: the newest id it saw
    until: str | None = None  # during a paging: the oldest id stored; read below it

    @classmethod
    def parse(cls, cursor: str | None) -> "Position":
        if cursor is None:
            return cls()
        if _ID.fullmatch(cursor):
            return cls(since=cursor)
        try:
            fields = json.loads(cursor)
            position = cls(**fields)
        except (ValueError, TypeError):
            raise PermanentError(f"X cursor {cursor[:80]!r} is not one this adapter wrote") from None
        for name in ("since", "newest", "until"):
            value = getattr(position, name)
            if value is not None and not (isinstance(value, str) and _ID.fullmatch(value)):
                raise PermanentError(f"X cursor's {name} is not an X id")
        if position.start is not None and not (
            isinstance(position.start, str) and _TIME.fullmatch(position.start)
        ):
            raise PermanentError("X cursor's start is not a time")
        return position

    def below(self, newest: str | None, oldest: str) -> "Position":
        return replace(self, newest=newest, until=oldest)

    def encode(self) -> str | None:
        if self.newest is None and self.until is None:
            return self.since
        return json.dumps({k: v for k, v in asdict(self).items() if v is not None}, separators=(",", ":"))
