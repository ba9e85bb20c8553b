"""Where a Bluesky listing's reading stands, as one opaque string for the state table.

Bluesky lists newest first and its cursor pages towards older items, so each poll reads from the
newest back to the last item it had seen: the high-water mark `since` (indexedAt, URI). During a
paging cut short (a rate limit, a timeout, the page limit) the cursor also holds the newest item the
paging saw and Bluesky's own cursor to resume below what was stored; `since` moves to `newest` only
once the paging is complete, so nothing between the two is ever skipped."""

import json
from dataclasses import asdict, dataclass, replace
from datetime import datetime

from ..base import PermanentError
from .times import parse_time, precise_iso

MAX_LENGTH = 4096  # a state item stays small whatever the network sends
Mark = tuple[datetime, str]  # (indexedAt, at-URI): the order Bluesky lists in


@dataclass(frozen=True)
class Position:
    since: Mark | None = None  # the newest item of the last complete paging
    start: datetime | None = None  # with no since: read nothing older than this
    newest: Mark | None = None  # during a paging: the newest item it saw
    token: str | None = None  # during a paging: Bluesky's cursor below the oldest item stored

    @classmethod
    def parse(cls, cursor: str | None) -> "Position":
        if cursor is None:
            return cls()
        try:
            if len(cursor) > MAX_LENGTH:
                raise ValueError("too long")
            fields = json.loads(cursor)
            return cls(
                since=_mark(fields.get("since")),
                start=parse_time(fields["start"]) if fields.get("start") else None,
                newest=_mark(fields.get("newest")),
                token=_token(fields.get("token")),
            )
        except (ValueError, TypeError, AttributeError, KeyError):
            raise PermanentError(f"Bluesky cursor {cursor[:80]!r} is not one this adapter wrote") from None

    def floor_reached(self, mark: Mark, start_time: datetime) -> bool:
        """Whether `mark` was read by an earlier paging (or is older than anything worth reading)."""
        if self.since is not None:
            return mark <= self.since
        return mark[0] < (self.start or start_time)

    def completed(self) -> "Position":
        return Position(since=self.newest or self.since)

    def resume(self, newest: Mark | None, token: str, start_time: datetime) -> "Position":
        start = None if self.since else self.start or start_time
        return replace(self, start=start, newest=newest, token=token)

    def encode(self) -> str | None:
        if self == Position():
            return None
        fields = {name: value for name, value in asdict(self).items() if value is not None}
        for name in ("since", "newest"):
            if name in fields:
                moment, uri = fields[name]
                fields[name] = [precise_iso(moment), uri]
        if "start" in fields:
            fields["start"] = precise_iso(fields["start"])
        encoded = json.dumps(fields, separators=(",", ":"))
        if len(encoded) > MAX_LENGTH:  # only a huge URI or token can do this: refuse rather than truncate
            raise PermanentError("Bluesky cursor would exceed its bound")
        return encoded


def _mark(value) -> Mark | None:
    if value is None:
        return None
    moment, uri = value
    if not isinstance(uri, str):
        raise TypeError("uri")
    return parse_time(moment), uri


def _token(value) -> str | None:
    if value is not None and not isinstance(value, str):
        raise TypeError("token")
    return value
