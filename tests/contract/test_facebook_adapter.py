"""What only Facebook does, beyond the adapter contract (test_adapter_contract.py): comments and
replies across the page's posts, posts that tag the page, our comments told from staff's by the app
that made them, Meta's expiring cursors, tokens and usage limits."""

from datetime import timedelta

import pytest
from harnesses.base import NOW, T0
from harnesses.facebook import CUSTOMER, TOKEN

from socialcare.channels.base import (
    AccountUnavailable,
    AuthenticationFailed,
    PermanentError,
    RateLimited,
    ReplyTarget,
)
from socialcare.channels.facebook.account import FacebookAccount
from socialcare.channels.facebook.adapter import FacebookAdapter

pytestmark = pytest.mark.contract


def read_stream(adapter, stream, cursor=None):
    posts = []
    for _ in range(20):
        page = adapter.read(stream, cursor, start_time=T0)
        posts += page.posts
        cursor = page.cursor
        if page.complete:
            return posts, cursor
    raise AssertionError(f"{stream} never completed")


def target(post):
    return ReplyTarget(post.post_id, post.conversation_id, post.kind, post.visibility)


def test_comments_and_replies_on_every_post_come_back_with_thread_author_and_time(facebook):
    other_post = facebook.sim.publish_page_post(facebook.brand_id, "990002", "Sale!", T0 - timedelta(days=2))
    first = facebook.mention(1, "my order never came")
    reply = facebook.mention(2, "still nothing", in_reply_to=first)
    elsewhere = facebook.sim.comment(other_post, None, *CUSTOMER, "love it", T0 + timedelta(minutes=3))
    posts, _ = read_stream(facebook.adapter(), "comments")
    read = {post.post_id: post for post in posts}
    assert list(read) == [first, reply, elsewhere], "oldest first, across posts"
    assert (read[first].conversation_id, read[first].in_reply_to_id) == (facebook.post_id, facebook.post_id)
    assert (read[reply].conversation_id, read[reply].in_reply_to_id) == (facebook.post_id, first)
    assert read[elsewhere].conversation_id == other_post
    assert (read[first].author_id, read[first].author_handle) == CUSTOMER
    assert read[first].created_at == T0 + timedelta(minutes=1) and read[first].kind == "comment"


def test_comments_are_read_once_although_metas_cursors_expire_between_polls(facebook):
    early = [facebook.mention(minute, f"q{minute}") for minute in (1, 2, 3, 4)]
    adapter = facebook.adapter(page_size=2)
    page = adapter.read("comments", None, start_time=T0)
    facebook.sim.expire_cursors()
    later = facebook.mention(5, "one more")
    posts, _ = read_stream(adapter, "comments", page.cursor)
    assert [p.post_id for p in page.posts + posts] == [*early, later]


def test_posts_that_tag_the_page_are_read_answered_and_found(facebook):
    tag = facebook.sim.tag_page(
        facebook.brand_id, "77", CUSTOMER[0], CUSTOMER[1], "@Acme Care broken zip", T0
    )
    adapter = facebook.adapter()
    [post], cursor = read_stream(adapter, "tagged")
    assert (post.post_id, post.kind, post.conversation, post.author_id) == (tag, "tag", tag, CUSTOMER[0])
    assert read_stream(adapter, "tagged", cursor)[0] == []
    reply_id = adapter.post_reply(target(post), "Thanks, ref K7Q2X")
    assert facebook.replies_created() == [(reply_id, tag)]
    assert adapter.find_reply(target(post), T0) == reply_id


def test_a_reply_to_a_reply_stays_in_the_thread_and_is_found(facebook):
    first = facebook.mention(1, "hello?")
    follow_up = facebook.mention(2, "anyone?", in_reply_to=first)
    adapter = facebook.adapter()
    [post] = [p for p in read_stream(adapter, "comments")[0] if p.post_id == follow_up]
    reply_id = adapter.post_reply(target(post), "Thanks, ref K7Q2X")
    assert adapter.find_reply(target(post), T0) == reply_id


def test_staff_typing_in_facebook_is_never_taken_for_our_lost_reply(facebook):
    mention = facebook.mention(1, "hello?")
    staff = facebook.staff_reply(2, mention, "Hi! Looking now")
    adapter = facebook.adapter()
    posts, _ = read_stream(adapter, "comments")
    assert [p.author_id for p in posts if p.post_id == staff] == [facebook.brand_id]
    assert adapter.find_reply(ReplyTarget(mention, facebook.post_id, "comment"), T0) is None


def test_with_the_apps_id_configured_only_that_apps_comments_are_ours(facebook):
    mention = facebook.mention(1, "hello?")
    facebook.sim.comment(
        mention, None, facebook.brand_id, "Acme Care", "via a scheduler", NOW, {"id": "5", "name": "x"}
    )
    mine = FacebookAccount(**{**facebook.account.model_dump(), "app_id": facebook.sim.app["id"]})
    adapter = FacebookAdapter(mine, {"page_access_token": TOKEN}, base_url=facebook.sim.base_url)
    assert adapter.find_reply(ReplyTarget(mention, facebook.post_id, "comment"), T0) is None
    reply_id = adapter.post_reply(ReplyTarget(mention, facebook.post_id, "comment"), "Thanks")
    assert adapter.find_reply(ReplyTarget(mention, facebook.post_id, "comment"), T0) == reply_id


def test_an_expired_token_is_an_authentication_failure(facebook):
    facebook.sim.revoke_token(TOKEN, "expired")
    with pytest.raises(AuthenticationFailed, match="190/463"):
        facebook.adapter().read("comments", None, start_time=T0)


def test_credentials_without_the_page_token_name_the_missing_key(facebook):
    with pytest.raises(PermanentError, match="page_access_token"):
        FacebookAdapter(facebook.account, {"access_token": TOKEN}, base_url=facebook.sim.base_url)


def test_a_page_meta_does_not_know_is_unavailable(facebook):
    gone = FacebookAccount(channel="facebook", id="555", handle="Gone", credentials_secret="fb")
    with pytest.raises(AccountUnavailable):
        FacebookAdapter(gone, {"page_access_token": TOKEN}, base_url=facebook.sim.base_url).read(
            "comments", None, start_time=T0
        )


def test_calls_stop_before_the_pages_usage_limit_not_after(facebook):
    facebook.sim.set_budget(facebook.brand_id, 10)  # every call is 10% of the page's budget
    adapter = facebook.adapter()
    calls = 0
    with pytest.raises(RateLimited) as limited:
        for _ in range(20):
            adapter.read("comments", None, start_time=T0)
            calls += 1
    assert calls == 9, "the call that reached 90% was used; none was sent after it"
    assert len(facebook.sim.requests_log) == 9
    assert limited.value.reset_at > NOW


def test_lone_surrogates_in_a_comment_are_replaced(facebook):
    facebook.mention(1, "broken \ud800 text")
    [post] = read_stream(facebook.adapter(), "comments")[0]
    assert post.text == "broken \ufffd text"
