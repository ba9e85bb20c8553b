"""What only X does, beyond the adapter contract (test_adapter_contract.py): its request shapes, its
account problems answered as a 200, its rate-limit header, its reply rule."""

from datetime import UTC, datetime, timedelta

import pytest
from harnesses.base import T0
from harnesses.x import CREDENTIALS

from socialcare.channels.base import AccountUnavailable, RateLimited, ReplyTarget
from socialcare.channels.x.account import XAccount
from socialcare.channels.x.adapter import XAdapter
from socialcare_local.networks.x import Fault

pytestmark = pytest.mark.contract


def test_mentions_come_back_with_handle_conversation_language_and_unescaped_text(x):
    first = x.mention(1, "fish &amp; chips <cold>")
    second = x.mention(2, "still waiting", in_reply_to=first)
    page = x.adapter().read("mentions", None, start_time=T0)
    assert [p.post_id for p in page.posts] == [second, first]
    read = page.posts[1]
    assert (read.author_handle, read.conversation, read.created_at) == (
        "jane",
        first,
        T0 + timedelta(minutes=1),
    )
    assert page.posts[0].in_reply_to_id == first and page.posts[0].conversation == first
    assert read.text == "@AcmeCare fish & chips <cold>", "X escapes &, < and >; the adapter undoes it"
    assert page.complete and page.cursor == second


def test_a_reply_is_posted_with_user_context_in_the_thread(x):
    mention = x.mention(1, "help")
    x.adapter().post_reply(ReplyTarget(mention), "Thanks, ref K7Q2X")
    [request] = [r for r in x.sim.requests_log if r["method"] == "POST"]
    assert request["headers"]["Authorization"].startswith("OAuth ")
    assert request["json"] == {"text": "Thanks, ref K7Q2X", "reply": {"in_reply_to_tweet_id": mention}}


def test_only_posts_that_mention_or_answer_the_brand_may_be_answered(x):
    tagged = x.mention(1, "help")
    x.sim.publish(
        post_id="3001", author_id="42", text="thread about @acmecare", created_at=T0, mentions=["9001"]
    )
    # X lists it among the mentions (say, a tag in a photo), but its author never wrote @AcmeCare.
    x.sim.publish(post_id="3002", author_id="42", text="no tag here", created_at=T0, mentions=["9001"])
    allowed = {p.post_id: p.reply_allowed for p in x.adapter().read("mentions", None, start_time=T0).posts}
    assert allowed[tagged] and allowed["3001"], "a mention, whatever its case, may be answered"
    assert allowed["3002"] is False


def test_an_account_x_does_not_know_is_unavailable_for_good(x):
    # X answers 200 with errors and no meta; the simulator's answer is checked against the spec.
    gone = XAccount(channel="x", id="9999", handle="Gone", credentials_secret="x")
    adapter = XAdapter(gone, CREDENTIALS, base_url=x.sim.base_url)
    for stream in ("mentions", "own"):
        with pytest.raises(AccountUnavailable, match=r"Could not find user with id: \[9999\]"):
            adapter.read(stream, None, start_time=T0)


def test_a_rate_limit_reset_out_of_range_is_clamped_to_a_day(x):
    far = Fault.answer(429, {"title": "Too Many Requests"}, {"x-rate-limit-reset": str(10**20)})
    x.sim.fail_next("GET", r"/mentions$", far)
    with pytest.raises(RateLimited) as limited:
        x.adapter().read("mentions", None, start_time=T0)
    assert limited.value.reset_at <= datetime.now(UTC) + timedelta(hours=24, seconds=5)
