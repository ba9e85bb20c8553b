"""Mastodon through the real handlers: mentions read from the brand accounts' notifications on two
instances, acknowledged in their threads with the customer's @mention and never more visibly than
the mention, staff replies noticed, and a retried post made once by its Idempotency-Key."""

from datetime import timedelta

import pytest

from socialcare_local.networks.mastodon import Fault
from socialcare_local.replay.scenario import Account
from socialcare_local.stack import local_stack

from .conftest import T0, at

ACME = Account(
    type="account", channel="mastodon", id="109000000000000001", handle="acme", instance="social.example"
)
ACME_EU = Account(
    type="account",
    channel="mastodon",
    id="109000000000000002",
    handle="acme_eu",
    instance="eu.social.example",
)
JANE = "300001"  # jane@mastodon.social


@pytest.fixture
def stack():
    context = local_stack([ACME, ACME_EU], T0)
    stack = context.__enter__()
    stack.mastodon = stack.networks["mastodon"].sim
    stack.mastodon.add_account("jane", "mastodon.social", JANE)
    yield stack
    context.__exit__(None, None, None)


def mention(stack, text: str, minutes: float, *, visibility: str = "public", to: str | None = None) -> str:
    return stack.mastodon.publish(
        author_id=JANE, text=text, created_at=at(minutes), visibility=visibility, in_reply_to_id=to
    )


def posts_to_statuses(stack) -> list[dict]:
    return [
        r for r in stack.mastodon.requests_log if r["method"] == "POST" and r["path"] == "/api/v1/statuses"
    ]


def test_a_mention_is_acknowledged_in_its_thread_and_a_staff_reply_stops_escalation(stack):
    status = mention(stack, "@acme@social.example my parcel is a week late", 0.2)
    stack.minute()
    stack.minute()
    ticket = stack.ticket(status)
    assert ticket["channel"] == "mastodon" and ticket["author_handle"] == "jane@mastodon.social"
    [ack] = stack.replies_to(status)
    assert ack["text"].startswith("@jane@mastodon.social "), "the customer is notified of the reply"
    assert ack["visibility"] == "unlisted" and ack["idempotency_key"]
    assert ticket["ack_post_id"] == ack["id"] and ticket["ack_text"] == ack["text"].split(" ", 1)[1]
    stack.minute()  # our acknowledgement, read back on the brand's statuses, is not a staff reply
    assert stack.ticket(status)["human_replied_at"] is None
    stack.mastodon.publish(
        author_id=ACME.id,
        text="@jane@mastodon.social so sorry, checking with the courier",
        created_at=at(4),
        in_reply_to_id=status,
    )
    stack.minute()
    stack.minute()
    ticket = stack.ticket(status)
    assert ticket["status"] == "answered" and ticket["human_replied_at"] == "2026-11-23T14:04:00Z"
    stack.run_until(T0 + timedelta(hours=3))
    assert stack.ticket(status)["escalations"] == []
    assert len(stack.tickets()) == 1, "each mention stored once, our reply and staff's never as mentions"


def test_a_direct_mention_is_answered_only_directly(stack):
    status = mention(
        stack,
        "@acme@social.example my card was charged twice, can we talk privately?",
        0.2,
        visibility="direct",
    )
    stack.minute()
    stack.minute()
    assert stack.ticket(status)["ack_post_id"]
    [sent] = [r["json"] for r in posts_to_statuses(stack)]
    assert sent["visibility"] == "direct" and sent["in_reply_to_id"] == status
    [ack] = stack.replies_to(status)
    assert ack["visibility"] == "direct" and ack["text"].startswith("@jane@mastodon.social ")


def test_each_instance_reads_its_own_account_and_answers_there(stack):
    first = mention(stack, "@acme@social.example hello from here", 0.2)
    second = mention(stack, "@acme_eu@eu.social.example and hello from there", 0.3)
    stack.minute()
    stack.minute()
    assert {stack.ticket(first)["post_id"], stack.ticket(second)["post_id"]} == {first, second}
    authors = {
        s.in_reply_to_id: s.account_id for s in stack.mastodon.store.statuses.values() if s.in_reply_to_id
    }
    assert authors == {first: ACME.id, second: ACME_EU.id}


def test_a_post_whose_answer_was_lost_is_retried_with_the_same_key_and_makes_one_status(stack):
    status = mention(stack, "@acme@social.example where is my refund?", 0.2)
    # The first post is made but its answer never arrives; the retry's look for it finds nothing
    # (the context answers 404 once), so it posts again, with the same Idempotency-Key.
    stack.mastodon.fail_next("POST", r"^/api/v1/statuses$", Fault.timeout(4, applied=True))
    stack.mastodon.fail_next("GET", r"/context$", Fault.status(404))
    for _ in range(5):
        stack.minute()
    posts = posts_to_statuses(stack)
    assert len(posts) == 2
    assert posts[0]["headers"]["Idempotency-Key"] == posts[1]["headers"]["Idempotency-Key"]
    [ack] = stack.replies_to(status)
    assert stack.ticket(status)["ack_post_id"] == ack["id"]
