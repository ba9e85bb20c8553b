"""The adapter contract: what polling and acknowledging rely on, run against every network's adapter
and simulator (see harnesses/). Every request and answer is checked against the network's official
description by its simulator; a network is done when it passes here."""

from datetime import timedelta

import pytest
from harnesses import HARNESSES, Harness, ReadFault
from harnesses.base import T0

from socialcare.channels.base import (
    ChannelAdapter,
    PermanentError,
    RateLimited,
    ReplyTarget,
    TransientError,
)
from socialcare.channels.registry import network

pytestmark = pytest.mark.contract
MAX_PAGES = 50


@pytest.fixture(params=sorted(HARNESSES))
def harness(request):
    harness: Harness = HARNESSES[request.param]()
    if harness.spec_missing:
        pytest.skip(f"{harness.spec_missing}; CI has ../shared/specs beside the clone")
    harness.start()
    yield harness
    assert harness.stop() == [], "the adapter sent, or was answered, something off the official spec"


def read_all(adapter: ChannelAdapter, streams, cursors: dict) -> list:
    """As the poller does: each stream from its cursor until complete, the cursor kept per page."""
    posts = []
    for stream in streams:
        for _ in range(MAX_PAGES):
            page = adapter.read(stream, cursors.get(stream), start_time=T0)
            posts += page.posts
            cursors[stream] = page.cursor or cursors.get(stream)
            if page.complete:
                break
        else:
            pytest.fail(f"{stream} never completed")
    return posts


def customers(posts, harness) -> list[str]:
    return [post.post_id for post in posts if post.author_id != harness.brand_id]


def streams(harness) -> tuple[str, ...]:
    return network(harness.network).streams


def test_every_mention_is_read_once_across_pages_and_the_cursor_resumes_after_it(harness):
    first = [harness.mention(minute, f"question {minute}") for minute in range(1, 8)]
    cursors: dict = {}
    read = read_all(harness.adapter(page_size=3), streams(harness), cursors)
    assert sorted(customers(read, harness)) == sorted(first)
    later = harness.mention(9, "one more")
    again = read_all(harness.adapter(page_size=3), streams(harness), cursors)
    assert customers(again, harness) == [later], "the cursor resumes after what was read"


def test_a_paging_cut_short_resumes_from_its_cursor_and_misses_nothing(harness):
    posted = [harness.mention(minute, f"question {minute}") for minute in range(1, 8)]
    adapter, cursors, seen = harness.adapter(page_size=3), {}, []
    stream = streams(harness)[0]
    page = adapter.read(stream, None, start_time=T0)
    seen += page.posts
    assert not page.complete
    harness.fail_next_read(ReadFault.SERVER_ERROR)
    with pytest.raises(TransientError):
        adapter.read(stream, page.cursor, start_time=T0)
    cursors[stream] = page.cursor  # what the poller stored after the first page
    arrived = harness.mention(10, "arrived meanwhile")
    seen += read_all(harness.adapter(page_size=3), streams(harness), cursors)  # finishes the paging
    seen += read_all(harness.adapter(page_size=3), streams(harness), cursors)  # the next poll
    assert set(customers(seen, harness)) == {*posted, arrived}
    assert customers(read_all(harness.adapter(), streams(harness), cursors), harness) == []


def test_the_brands_own_replies_are_read_as_the_brands(harness):
    mention = harness.mention(1, "my order never came")
    staff = harness.staff_reply(5, mention, "so sorry, checking now")
    read = read_all(harness.adapter(), streams(harness), {})
    [own] = [post for post in read if post.post_id == staff]
    assert own.author_id == harness.brand_id and own.in_reply_to_id == mention
    [customer] = [post for post in read if post.post_id == mention]
    assert own.conversation == customer.conversation


def test_a_reply_is_posted_in_the_thread_and_found_again(harness):
    mention = harness.mention(1, "where is my parcel?")
    adapter = harness.adapter()
    [post] = [p for p in read_all(adapter, streams(harness), {}) if p.post_id == mention]
    target = ReplyTarget(post.post_id, post.conversation_id, post.kind, post.visibility)
    reply_id = adapter.post_reply(target, "Thanks, we're on it (ref K7Q2X)")
    assert harness.replies_created() == [(reply_id, mention)]
    assert adapter.find_reply(target, T0) == reply_id
    read = read_all(adapter, streams(harness), {})
    [own] = [p for p in read if p.post_id == reply_id]
    assert own.author_id == harness.brand_id and own.in_reply_to_id == mention


def test_a_reply_whose_answer_was_lost_is_found_before_posting_again(harness):
    mention = harness.mention(1, "hello?")
    adapter = harness.adapter(timeout=1)
    target = ReplyTarget(mention, None)
    [post] = [p for p in read_all(adapter, streams(harness), {}) if p.post_id == mention]
    target = ReplyTarget(post.post_id, post.conversation_id, post.kind, post.visibility)
    harness.fail_next_post(ReadFault.LOST_ANSWER)
    with pytest.raises(TransientError):
        adapter.post_reply(target, "Thanks, ref K7Q2X")
    [(created, _)] = harness.replies_created()
    assert adapter.find_reply(target, T0) == created


def test_nothing_is_found_where_no_reply_was_posted(harness):
    mention = harness.mention(1, "hello?")
    harness.staff_reply(3, harness.mention(2, "another thread"), "hi")
    assert harness.adapter().find_reply(ReplyTarget(mention), T0) is None


def test_a_rate_limit_is_rate_limited_until_a_time_ahead(harness):
    harness.mention(1, "hi")
    harness.fail_next_read(ReadFault.RATE_LIMITED)
    with pytest.raises(RateLimited) as limited:
        harness.adapter().read(streams(harness)[0], None, start_time=T0)
    assert limited.value.reset_at > T0 + timedelta(minutes=30)


@pytest.mark.parametrize("fault", [ReadFault.SERVER_ERROR, ReadFault.TIMEOUT, ReadFault.MALFORMED])
def test_server_errors_timeouts_and_malformed_answers_are_transient(harness, fault):
    harness.mention(1, "hi")
    harness.fail_next_read(fault)
    with pytest.raises(TransientError):
        harness.adapter(timeout=1).read(streams(harness)[0], None, start_time=T0)


@pytest.mark.parametrize("fault", [ReadFault.SERVER_ERROR, ReadFault.TIMEOUT])
def test_a_post_that_fails_is_transient(harness, fault):
    mention = harness.mention(1, "hi")
    harness.fail_next_post(fault)
    with pytest.raises(TransientError):
        harness.adapter(timeout=1).post_reply(ReplyTarget(mention), "Thanks")


def test_a_reply_to_a_post_that_is_gone_is_refused_for_good(harness):
    with pytest.raises(PermanentError):
        harness.adapter().post_reply(ReplyTarget("9" * 15), "Thanks")
