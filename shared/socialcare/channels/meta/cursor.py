"""Where a Meta stream's reading stands, as one opaque string for the state table.

Meta's paging cursors expire within minutes, so a stream's position is socialcare's own: a time
(`since`, Unix seconds, which Meta's `since` filter takes inclusively) and the ids already read at or
after it. Each read fetches what was created since that time, leaves out the ids seen, and hands on
the oldest `page_size` of the rest; the position then moves to OVERLAP before the newest time read
(never past a post not yet handed on), so a comment Meta shows a little late is still read, and one
read twice is recognised by its id. The ids kept are those inside the overlap: at most MAX_SEEN,
unless more than that many share one second."""

import json
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from ...domain.posts import Post
from ..base import PermanentError

OVERLAP = timedelta(minutes=10)
MAX_SEEN = 200
_ID = re.compile(r"[0-9]{1,24}(_[0-9]{1,24})?")


@dataclass(frozen=True)
class Batch:
    posts: list[Post]
    position: "Position"
    complete: bool


@dataclass(frozen=True)
class Position:
    since: int  # Unix seconds: everything created earlier has been read
    seen: dict[str, int] = field(default_factory=dict)  # id -> created (Unix seconds), all >= since

    @classmethod
    def parse(cls, cursor: str | None, start_time: datetime) -> "Position":
        if cursor is None:
            return cls(since=int(start_time.timestamp()))
        try:
            fields = json.loads(cursor)
            since, seen = fields["since"], fields["seen"]
        except (ValueError, TypeError, KeyError, RecursionError):
            raise PermanentError(f"Meta cursor {cursor[:80]!r} is not one this adapter wrote") from None
        valid = (
            type(since) is int
            and 0 <= since < 2**40
            and isinstance(seen, dict)
            and all(
                isinstance(k, str) and _ID.fullmatch(k) and type(v) is int and v >= since
                for k, v in seen.items()
            )
        )
        if not valid:
            raise PermanentError("Meta cursor's since or seen ids are not what this adapter writes")
        return cls(since=since, seen=seen)

    def encode(self) -> str:
        return json.dumps(
            {"since": self.since, "seen": dict(sorted(self.seen.items()))}, separators=(",", ":")
        )

    @property
    def since_time(self) -> datetime:
        return datetime.fromtimestamp(self.since, UTC)

    def advance(self, fetched: list[Post], page_size: int, *, cut: datetime | None = None) -> Batch:
        """The next page of `fetched` (everything read since `since`, in any order) and the position
        after it. `cut`: some posts later than it may not have been fetched (a read cut short), so
        nothing later than it is handed on yet and the reading is not complete."""
        fresh = sorted(
            {
                post.post_id: post
                for post in fetched
                if post.post_id not in self.seen and _seconds(post.created_at) >= self.since
            }.values(),
            key=lambda post: (post.created_at, post.post_id),
        )
        ready = [post for post in fresh if cut is None or post.created_at <= cut]
        taken, waiting = ready[:page_size], ready[page_size:]
        seen = {**self.seen, **{post.post_id: _seconds(post.created_at) for post in taken}}
        newest = max(seen.values(), default=self.since)
        since = max(self.since, newest - int(OVERLAP.total_seconds()))
        if waiting:  # never past a post not handed on yet
            since = min(since, _seconds(waiting[0].created_at))
        elif cut is not None:
            since = min(since, _seconds(cut))
        since = max(since, self.since)
        seen = {post_id: at for post_id, at in seen.items() if at >= since}
        if len(seen) > MAX_SEEN:
            since, seen = _shrink(since, seen, waiting[0] if waiting else None)
        complete = not waiting and cut is None
        return Batch(taken, Position(since, seen), complete)


def _seconds(moment: datetime) -> int:
    return int(moment.timestamp())


def _shrink(since: int, seen: dict[str, int], first_waiting: Post | None) -> tuple[int, dict[str, int]]:
    """Keep the newest MAX_SEEN ids by raising `since` past the older ones, never past a post that
    is still to be handed on."""
    times = sorted(seen.values(), reverse=True)
    raised = times[MAX_SEEN] + 1  # the ids after the MAX_SEEN+1th newest's second stay
    if first_waiting is not None:
        raised = min(raised, _seconds(first_waiting.created_at))
    since = max(since, raised)
    return since, {post_id: at for post_id, at in seen.items() if at >= since}
