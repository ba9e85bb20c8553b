"""What only Mastodon's adapter does, against the simulator (the shared contract is in
test_adapter_contract.py): replies addressed and as private as the mention, one status per
Idempotency-Key, staff's own replies never taken for ours, the instance's own limit."""

from datetime import timedelta

import pytest
from harnesses.base import T0, ReadFault
from harnesses.mastodon import MastodonHarness

from socialcare.channels.base import ReplyTarget, TransientError
from socialcare_local.networks.mastodon import Fault

pytestmark = pytest.mark.contract


@pytest.fixture
def harness():
    harness = MastodonHarness()
    if harness.spec_missing:
        pytest.skip(f"{harness.spec_missing}; CI has ../shared/specs beside the clone")
    harness.start()
    yield harness
    assert harness.stop() == []


def test_a_direct_mention_is_read_as_direct_and_answered_directly_to_its_author(harness):
    mention = harness.mention(1, "my card was charged twice", visibility="direct")
    adapter = harness.adapter()
    [post] = adapter.read("mentions", None, start_time=T0).posts
    assert (post.post_id, post.visibility, post.kind) == (mention, "direct", "mention")
    assert post.author_handle == "jane@mastodon.social" and post.text.endswith("my card was charged twice")
    adapter.post_reply(ReplyTarget(post.post_id, post.conversation_id, post.kind, post.visibility), "Thanks")
    [created] = harness.sim.created_statuses()
    assert created["visibility"] == "direct" and created["text"] == "@jane@mastodon.social Thanks"


def test_a_retry_after_a_lost_answer_gets_the_same_status_back(harness):
    mention = harness.mention(1, "hello?")
    harness.fail_next_post(ReadFault.LOST_ANSWER)
    adapter = harness.adapter(timeout=1)
    with pytest.raises(TransientError):
        adapter.post_reply(ReplyTarget(mention, visibility="public"), "Thanks, ref K7Q2X")
    again = adapter.post_reply(ReplyTarget(mention, visibility="public"), "Thanks, ref K7Q2X")
    assert [each["id"] for each in harness.sim.created_statuses()] == [again]


def test_a_staff_reply_in_another_app_is_not_taken_for_ours(harness):
    mention = harness.mention(1, "hello?")
    harness.staff_reply(2, mention, "hi Jane, looking now")
    adapter = harness.adapter()
    assert adapter.find_reply(ReplyTarget(mention), T0) is None
    ours = adapter.post_reply(ReplyTarget(mention), "Thanks, ref K7Q2X")
    assert adapter.find_reply(ReplyTarget(mention), T0) == ours


def test_our_reply_reads_back_as_written_and_in_the_mentions_thread(harness):
    mention = harness.mention(1, "hello?")
    follow_up = harness.mention(3, "anyone?", in_reply_to=mention)
    adapter = harness.adapter()
    ours = adapter.post_reply(ReplyTarget(mention), "Thanks, ref K7Q2X")
    read = {p.post_id: p for p in adapter.read("own", None, start_time=T0).posts}
    assert read[ours].text == "Thanks, ref K7Q2X" and read[ours].conversation == mention
    [late] = [p for p in adapter.read("mentions", None, start_time=T0).posts if p.post_id == follow_up]
    assert late.conversation_id == mention and late.in_reply_to_id == mention


def test_the_reply_limit_is_the_instances_read_once(harness):
    harness.sim.add_instance("social.example", max_characters=1000)
    adapter = harness.adapter()
    assert adapter.max_reply_length == 1000 and adapter.max_reply_length == 1000
    reads = [r for r in harness.sim.requests_log if r["path"] == "/api/v2/instance"]
    assert len(reads) == 1


def test_nothing_older_than_the_start_is_read_on_the_first_poll(harness):
    harness.mention(1, "old news")
    recent = harness.mention(20, "new question")
    page = harness.adapter().read("mentions", None, start_time=T0 + timedelta(minutes=10))
    assert [p.post_id for p in page.posts] == [recent] and page.complete


def test_a_page_with_nothing_to_move_past_is_retried_not_read_forever(harness):
    harness.mention(1, "hello?")
    adapter = harness.adapter()
    cursor = adapter.read("mentions", None, start_time=T0).cursor
    harness.mention(2, "still there?")
    harness.sim.fail_next(
        "GET", "/api/v1/notifications", Fault.answer(200, [{"id": None, "type": "mention"}])
    )
    with pytest.raises(TransientError):
        adapter.read("mentions", cursor, start_time=T0)
    assert [p.text for p in adapter.read("mentions", cursor, start_time=T0).posts] == ["@acme still there?"]
