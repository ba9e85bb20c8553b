"""Cursor paging as Meta does it: `{"data", "paging": {"cursors": {"before", "after"}, "next"}}`.

Cursors are opaque (base64 of the item's id, when issued, and a check) and they expire: after
CURSOR_LIFETIME of simulated time, or at once when the simulator's `expire_cursors()` is called,
so clients cannot treat them as a durable bookmark.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from urllib.parse import urlencode

from .wire import Reply, invalid_cursor, invalid_parameter

CURSOR_LIFETIME = timedelta(minutes=10)
DEFAULT_LIMIT, MAX_LIMIT = 25, 100


class Cursors:
    def __init__(self, clock: Callable[[], datetime]):
        self.clock = clock
        self._key = secrets.token_bytes(16)
        self._generation = 0

    def expire_all(self) -> None:
        self._generation += 1

    def encode(self, item_id: str) -> str:
        body = f"{self._generation}:{int(self.clock().timestamp())}:{item_id}"
        check = hmac.new(self._key, body.encode(), hashlib.sha256).hexdigest()[:12]
        return base64.urlsafe_b64encode(f"{body}:{check}".encode()).decode().rstrip("=")

    def decode(self, cursor: str) -> str | None:
        """The item id, or None when the cursor is forged, from an earlier generation or stale."""
        try:
            text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
            generation, issued, item_id, check = text.split(":", 3)
            expected = hmac.new(self._key, f"{generation}:{issued}:{item_id}".encode(), hashlib.sha256)
            fresh = self.clock().timestamp() - int(issued) <= CURSOR_LIFETIME.total_seconds()
        except ValueError:
            return None
        if not hmac.compare_digest(check, expected.hexdigest()[:12]):
            return None
        return item_id if int(generation) == self._generation and fresh else None


def limit_of(value: str | None) -> int | Reply:
    if value is None or value == "":
        return DEFAULT_LIMIT
    if not value.isdigit():
        return invalid_parameter(f"Param limit must be a non-negative integer, got '{value}'")
    return min(int(value), MAX_LIMIT)


def page(
    items: Sequence,
    *,
    cursors: Cursors,
    limit: int,
    after: str | None,
    before: str | None,
    link: Callable[[dict], str],
) -> tuple[list, dict | None] | Reply:
    """One page of `items` (already ordered) and its `paging` block; `link(extra)` builds URLs."""
    ids = [item.id for item in items]
    start, stop = 0, None
    if after is not None:
        anchor = cursors.decode(after)
        if anchor is None or anchor not in ids:
            return invalid_cursor("after")
        start = ids.index(anchor) + 1
    elif before is not None:
        anchor = cursors.decode(before)
        if anchor is None or anchor not in ids:
            return invalid_cursor("before")
        stop = ids.index(anchor)
        start = max(0, stop - limit)
    stop = stop if stop is not None else start + limit
    chunk = list(items[start:stop])
    if not chunk:
        return chunk, None
    first, last = cursors.encode(chunk[0].id), cursors.encode(chunk[-1].id)
    paging: dict = {"cursors": {"before": first, "after": last}}
    if start > 0:
        paging["previous"] = link({"limit": limit, "before": first})
    if stop < len(items):
        paging["next"] = link({"limit": limit, "after": last})
    return chunk, paging


def link_builder(base_url: str, path: str, query: dict[str, str]) -> Callable[[dict], str]:
    """URLs to the same edge with the caller's parameters (access token included, as Meta does)."""

    def link(extra: dict) -> str:
        params = {k: v for k, v in query.items() if k not in ("after", "before", "limit")}
        params.update({k: str(v) for k, v in extra.items()})
        return f"{base_url}{path}?{urlencode(params)}"

    return link
