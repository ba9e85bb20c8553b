"""Where reading a site's comments stands, as one opaque string for the state table.

WordPress pages comments by id (`orderby=id&order=asc`) but can only start from a date (`after`,
exclusive, compared with the comment's date in the site's own time zone). So the cursor keeps the
newest comment id stored and that comment's local date: each paging asks from a minute before that
date and drops every id at or below the cursor (two comments in the same second are both kept).
During a paging cut short it also keeps the `after` the paging started with and the next page."""

import json
import re
from dataclasses import asdict, dataclass, replace

from ..base import PermanentError

_LOCAL_TIME = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}")


@dataclass(frozen=True)
class Position:
    last_id: int | None = None  # the newest comment id stored
    last_date: str | None = None  # its date as the site gave it (site-local, no zone)
    after: str | None = None  # during a paging: the `after` it asks with
    start: str | None = None  # during a first paging (no comment stored yet): nothing older (UTC)
    page: int = 1  # during a paging: the next page

    @classmethod
    def parse(cls, cursor: str | None) -> "Position":
        if cursor is None:
            return cls()
        try:
            position = cls(**json.loads(cursor))
        except (ValueError, TypeError):
            raise PermanentError(f"WordPress cursor {cursor[:80]!r} is not one this adapter wrote") from None
        ok_id = position.last_id is None or (type(position.last_id) is int and position.last_id > 0)
        ok_page = type(position.page) is int and 1 <= position.page <= 1_000_000
        ok_times = all(
            t is None or (isinstance(t, str) and _LOCAL_TIME.fullmatch(t))
            for t in (position.last_date, position.after)
        )
        if not (ok_id and ok_page and ok_times):
            raise PermanentError("WordPress cursor holds values this adapter never writes")
        return position

    def next_page(self, after: str, start: str | None = None) -> "Position":
        return replace(self, after=after, start=start, page=self.page + 1)

    def done(self) -> "Position":
        return replace(self, after=None, start=None, page=1)

    def encode(self) -> str | None:
        fields = {k: v for k, v in asdict(self).items() if v is not None and not (k == "page" and v == 1)}
        return json.dumps(fields, separators=(",", ":"), sort_keys=True) if fields else None
