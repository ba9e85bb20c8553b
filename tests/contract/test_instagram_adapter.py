"""What only Instagram does, beyond the adapter contract (test_adapter_contract.py): comments and
replies on the account's media, @mentions read for the webhook and answered through the mentioned
account, its token."""

from datetime import timedelta

import pytest
from harnesses.base import T0
from harnesses.instagram import CUSTOMER, TOKEN

from socialcare.channels.base import AccountUnavailable, AuthenticationFailed, PermanentError, ReplyTarget
from socialcare.channels.instagram.adapter import InstagramAdapter

pytestmark = pytest.mark.contract
THEIR_MEDIA = "17900000000000777"


def read_comments(adapter, cursor=None):
    posts = []
    for _ in range(20):
        page = adapter.read("comments", cursor, start_time=T0)
        posts += page.posts
        cursor = page.cursor
        if page.complete:
            return posts, cursor
    raise AssertionError("comments never completed")


def target(post):
    return ReplyTarget(post.post_id, post.conversation_id, post.kind, post.visibility)


def test_comments_and_replies_on_every_media_come_back_with_thread_author_and_time(instagram):
    other = instagram.sim.publish_media(
        instagram.brand_id, "17900000000000101", "Old drop", T0 - timedelta(days=3)
    )
    first = instagram.mention(1, "wrong size")
    reply = instagram.mention(2, "and the colour", in_reply_to=first)
    elsewhere = instagram.sim.ig_comment(other, None, *CUSTOMER, "restock?", T0 + timedelta(minutes=3))
    posts, cursor = read_comments(instagram.adapter())
    read = {post.post_id: post for post in posts}
    assert list(read) == [first, reply, elsewhere], "oldest first, across media"
    assert (read[first].conversation_id, read[first].in_reply_to_id) == (
        instagram.media_id,
        instagram.media_id,
    )
    assert (read[reply].conversation_id, read[reply].in_reply_to_id) == (instagram.media_id, first)
    assert read[elsewhere].conversation_id == other
    assert (read[first].author_id, read[first].author_handle, read[first].kind) == (*CUSTOMER, "comment")
    assert read[first].created_at == T0 + timedelta(minutes=1)
    assert read_comments(instagram.adapter(), cursor)[0] == []


def test_a_late_reply_to_an_earlier_comment_is_read_at_the_next_poll(instagram):
    first = instagram.mention(1, "wrong size")
    adapter = instagram.adapter()
    _, cursor = read_comments(adapter)
    instagram.sim.expire_cursors()
    reply = instagram.mention(6, "hello?", in_reply_to=first)
    assert [p.post_id for p in read_comments(adapter, cursor)[0]] == [reply]


def mention_in_a_comment(instagram) -> str:
    instagram.sim.ig_mention(
        instagram.brand_id,
        media_id=THEIR_MEDIA,
        comment_id="17900000000000888",
        author_id=CUSTOMER[0],
        username=CUSTOMER[1],
        text="@acmecare my parcel is lost",
        created_at=T0 + timedelta(minutes=4),
    )
    return "17900000000000888"


def test_a_mention_in_a_comment_is_read_answered_through_the_account_and_found(instagram):
    comment_id = mention_in_a_comment(instagram)
    adapter = instagram.adapter()
    mention = adapter.read_mention(THEIR_MEDIA, comment_id)
    assert (mention.post_id, mention.conversation_id, mention.kind) == (comment_id, THEIR_MEDIA, "mention")
    assert (mention.author_id, mention.author_handle) == CUSTOMER
    assert mention.text == "@acmecare my parcel is lost"
    assert adapter.find_reply(target(mention), T0) is None
    reply_id = adapter.post_reply(target(mention), "Thanks, ref K7Q2X")
    [created] = instagram.sim.created_comments()
    assert (created["id"], created["via"], created["parent_id"]) == (reply_id, "mentions", comment_id)
    assert adapter.find_reply(target(mention), T0) == reply_id
    assert read_comments(adapter)[0] == [], "a mention is never among the account's own comments"


def test_a_mention_in_a_caption_is_read_and_answered_on_that_media(instagram):
    instagram.sim.ig_mention(
        instagram.brand_id,
        media_id=THEIR_MEDIA,
        author_id=CUSTOMER[0],
        username=CUSTOMER[1],
        text="unboxing my @acmecare order: half missing",
        created_at=T0 + timedelta(minutes=4),
    )
    adapter = instagram.adapter()
    mention = adapter.read_mention(THEIR_MEDIA)
    assert (mention.post_id, mention.conversation_id, mention.kind) == (THEIR_MEDIA, THEIR_MEDIA, "mention")
    assert mention.text == "unboxing my @acmecare order: half missing"
    reply_id = adapter.post_reply(target(mention), "Thanks, ref K7Q2X")
    [created] = instagram.sim.created_comments()
    assert (created["id"], created["via"], created["parent_id"]) == (reply_id, "mentions", THEIR_MEDIA)
    assert adapter.find_reply(target(mention), T0) == reply_id


def test_a_mention_of_someone_else_cannot_be_read(instagram):
    with pytest.raises(PermanentError) as refused:
        instagram.adapter().read_mention(THEIR_MEDIA, "17900000000000999")
    assert not isinstance(refused.value, AccountUnavailable), "the account is there; the mention is not"


def test_an_invalidated_token_is_an_authentication_failure(instagram):
    instagram.sim.revoke_token(TOKEN)
    with pytest.raises(AuthenticationFailed, match="190/460"):
        instagram.adapter().read("comments", None, start_time=T0)


def test_credentials_without_the_token_name_the_missing_key(instagram):
    with pytest.raises(PermanentError, match="access_token"):
        InstagramAdapter(instagram.account, {"page_access_token": TOKEN}, base_url=instagram.sim.base_url)
