"""The Meta networks' own cursor: a time plus the ids read since, so that nothing is missed or read
twice across reads although Meta's paging cursors expire, and the cursor stays small."""

from datetime import UTC, datetime, timedelta

import pytest

from socialcare.channels.base import PermanentError
from socialcare.channels.meta.cursor import MAX_SEEN, OVERLAP, Position
from socialcare.domain.posts import Post

T0 = datetime(2026, 11, 23, 14, 0, tzinfo=UTC)


def comment(number: int, at: datetime) -> Post:
    return Post("facebook", f"880001_{number}", "42", "Jane", f"question {number}", at, "104857600_880001")


def read_everything(fetched: list[Post], page_size: int, cursor: str | None) -> tuple[list[str], str]:
    """As the poller reads a stream: page after page, each from the cursor the last one left."""
    handed_on = []
    for _ in range(100):
        batch = Position.parse(cursor, T0).advance(fetched, page_size)
        handed_on += [post.post_id for post in batch.posts]
        cursor = batch.position.encode()
        if batch.complete:
            return handed_on, cursor
    raise AssertionError("the reading never completed")


def test_pages_hand_on_every_post_once_oldest_first():
    posts = [comment(n, T0 + timedelta(seconds=n % 4)) for n in range(1, 12)]  # ties on the same second
    handed_on, _ = read_everything(posts, 3, None)
    assert sorted(handed_on) == sorted(post.post_id for post in posts)
    times = [next(p.created_at for p in posts if p.post_id == i) for i in handed_on]
    assert times == sorted(times)


def test_a_later_read_hands_on_only_what_is_new_even_when_meta_shows_it_late():
    first = [comment(n, T0 + timedelta(minutes=n)) for n in range(1, 6)]
    _, cursor = read_everything(first, 100, None)
    late = comment(99, T0 + timedelta(minutes=5) - OVERLAP / 2)  # created before the newest read
    handed_on, _ = read_everything([*first, late], 100, cursor)
    assert handed_on == [late.post_id]


def test_the_position_never_moves_past_a_post_not_yet_handed_on():
    posts = [comment(n, T0 + timedelta(hours=n)) for n in range(1, 5)]
    batch = Position.parse(None, T0).advance(posts, 1)
    assert not batch.complete
    assert batch.position.since <= int(posts[1].created_at.timestamp())


def test_a_cut_short_fetch_hands_on_nothing_after_the_cut_and_is_not_complete():
    posts = [comment(n, T0 + timedelta(minutes=n)) for n in range(1, 6)]
    batch = Position.parse(None, T0).advance(posts, 100, cut=T0 + timedelta(minutes=2))
    assert [post.post_id for post in batch.posts] == ["880001_1", "880001_2"]
    assert not batch.complete
    again = batch.position.advance(posts, 100)
    assert [post.post_id for post in again.posts] == ["880001_3", "880001_4", "880001_5"]


def test_posts_older_than_the_position_are_not_handed_on():
    old = comment(1, T0 - timedelta(minutes=1))
    assert Position.parse(None, T0).advance([old], 10).posts == []


def test_the_cursor_stays_bounded_however_many_posts_a_busy_minute_brings():
    burst = [comment(n, T0 + timedelta(seconds=n // 3)) for n in range(5 * MAX_SEEN)]
    _, cursor = read_everything(burst, 100, None)
    assert len(Position.parse(cursor, T0).seen) <= MAX_SEEN
    assert len(cursor) < 60 * MAX_SEEN


def test_the_position_moves_on_as_time_does():
    _, cursor = read_everything([comment(1, T0 + timedelta(days=2))], 100, None)
    assert Position.parse(cursor, T0).since_time >= T0 + timedelta(days=2) - OVERLAP


@pytest.mark.parametrize(
    "cursor",
    [
        "1001",
        "{}",
        '{"since": "x", "seen": {}}',
        '{"since": 5, "seen": {"a b": 6}}',
        '{"since": 9, "seen": {"1": 3}}',
    ],
)
def test_a_cursor_this_adapter_did_not_write_is_refused_for_good(cursor):
    with pytest.raises(PermanentError):
        Position.parse(cursor, T0)
