"""acknowledge through real DynamoDB stream records: one public reply per ticket, in the thread,
whatever the retries, crashes and rate limits; skipped, with the reason, where it must not reply."""

import re

import pytest

from socialcare.persistence.tickets import TicketStore
from socialcare_local.networks.x import Fault

from .conftest import at


@pytest.fixture
def delivered(stack, monkeypatch):
    """Every event the acknowledge function received from the stream."""
    events = []
    real_invoke = stack.deployment.invoke

    def recording(function_id, event):
        if function_id == "AcknowledgeFunction" and "Records" in event:
            events.append(event)
        return real_invoke(function_id, event)

    monkeypatch.setattr(stack.deployment, "invoke", recording)
    return events


def new_mention(stack, post_id="1001", author="42", text="@AcmeCare my order never came", minute=0.1):
    stack.mention(post_id, author, text, at=at(minute), handle=f"user{author}")


def test_a_new_ticket_gets_one_templated_reply_in_its_thread_within_the_minute(stack):
    new_mention(stack, text="@AcmeCare call me on +44 7700 900456 about order #A77-20931")
    stack.minute()
    replies = stack.replies_to("1001")
    ticket = stack.ticket("1001")
    assert len(replies) == 1
    assert ticket["ack_post_id"] == replies[0]["id"] and ticket["ack_text"] == replies[0]["text"]
    assert ticket["acknowledged_at"] == "2026-11-23T14:01:00Z"
    text = replies[0]["text"]
    # A phone number in public: the reply invites the customer to continue privately, echoes nothing.
    assert ticket["ack_kind"] == "offline" and ticket["personal_data"] is True
    assert "direct message" in text and f"ref {ticket['ticket_id']}" not in text
    assert "900456" not in text and "A77-20931" not in text and len(text) <= 280


def test_a_plain_complaint_is_acknowledged_with_the_promised_response_time(stack):
    new_mention(stack, text="@AcmeCare my order never came and nobody answers the phone")
    stack.minute()
    [reply] = stack.replies_to("1001")
    ticket = stack.ticket("1001")
    assert ticket["ack_kind"] == "acknowledgement" and ticket["intent"] == "complaint"
    assert "within the hour" in reply["text"] and re.search(r"\b[0-9A-Z]{5}\b", reply["text"])


def test_variants_differ_across_tickets(stack):
    for n in range(12):
        new_mention(stack, post_id=str(1001 + n), author=str(42 + n))
    stack.minute()
    texts = {stack.replies_to(str(1001 + n))[0]["text"].split(" ")[0] for n in range(12)}
    assert len(texts) > 1


def test_a_stream_record_delivered_twice_posts_once(stack, delivered):
    new_mention(stack)
    stack.minute()
    assert len(delivered) == 1
    stack.deployment.invoke("AcknowledgeFunction", delivered[0])
    stack.deployment.invoke("AcknowledgeFunction", delivered[0])
    assert len(stack.replies_to("1001")) == 1


def test_a_crash_after_the_post_and_before_it_is_recorded_never_posts_again(stack, monkeypatch):
    real_record = TicketStore.record_ack_posted
    crashes = []

    def crash_once(self, *args, **kwargs):
        if not crashes:
            crashes.append(1)
            raise TimeoutError("Lambda timed out after posting")
        return real_record(self, *args, **kwargs)

    monkeypatch.setattr(TicketStore, "record_ack_posted", crash_once)
    new_mention(stack)
    for _ in range(6):  # the stream retries, the retry sweep takes the stale attempt over
        stack.minute()
    assert crashes and len(stack.replies_to("1001")) == 1
    ticket = stack.ticket("1001")
    assert ticket["ack_post_id"] == stack.replies_to("1001")[0]["id"] and ticket["status"] == "open"


def test_a_post_that_x_made_but_whose_answer_was_lost_is_found_not_repeated(stack):
    stack.sim.fail_next("POST", r"/2/tweets$", Fault.timeout(3, applied=True))
    new_mention(stack)
    for _ in range(4):
        stack.minute()
    replies = stack.replies_to("1001")
    assert len(replies) == 1
    ticket = stack.ticket("1001")
    assert ticket["ack_post_id"] == replies[0]["id"] and ticket["status"] == "open"


def test_a_failed_post_is_retried_not_dropped(stack):
    stack.sim.fail_next("POST", r"/2/tweets$", Fault.status(503), Fault.status(503), Fault.status(503))
    new_mention(stack)
    for _ in range(8):
        stack.minute()
    assert len(stack.replies_to("1001")) == 1
    assert stack.ticket("1001")["acknowledged_at"] is not None


def test_beyond_the_posting_limit_acknowledgements_wait_for_the_reset_then_go_out_once(make_stack):
    stack = make_stack(post_limit=3)
    for n in range(5):
        new_mention(stack, post_id=str(1001 + n), author=str(42 + n))
    stack.minute()
    assert len(stack.sim.created_posts()) == 3
    for _ in range(16):
        stack.minute()
    counts = [len(stack.replies_to(str(1001 + n))) for n in range(5)]
    assert counts == [1, 1, 1, 1, 1]
    posting_requests = [r for r in stack.sim.requests_log if r["method"] == "POST"]
    assert sum(1 for r in posting_requests if r["status"] == 429) == 1, "paused, not hammering X"


@pytest.mark.parametrize(
    ("setup", "reason"),
    [
        (
            lambda s: s.mention("1001", "9001", "Reminder: @AcmeCare answers 8 to 8", at=at(0.1)),
            "author_is_brand",
        ),
        (
            lambda s: (
                s.mention("1001", "42", "@AcmeCare help", at=at(0.1)),
                s.staff_reply("2001", "1001", "Hi! Checking.", at=at(0.5)),
            ),
            "human_already_replied",
        ),
    ],
)
def test_no_reply_to_the_brand_itself_or_where_staff_already_answered(stack, setup, reason):
    setup(stack)
    stack.minute()
    ticket = stack.ticket("1001")
    assert ticket["ack_skipped_reason"] == reason and ticket["acknowledged_at"] is None
    assert stack.replies_to("1001") == []


def test_the_same_author_answering_staff_reopens_their_ticket_without_a_second_acknowledgement(stack):
    new_mention(stack)
    stack.minute()
    stack.staff_reply("2001", "1001", "Hi, sorted!", at=at(2))
    stack.mention("1002", "42", "@AcmeCare thanks, one more question", at=at(3), in_reply_to_id="2001")
    stack.minute()
    stack.minute()
    stack.minute()
    reopened = stack.ticket("1002")
    assert (reopened["ticket_id"], reopened["status"], reopened["reply_round"]) == ("x:1001", "open", 2)
    assert stack.replies_to("1002") == [], "staff are already talking to them: no second public reply"
    assert len(stack.replies_to("1001")) == 1


def test_acknowledgements_switched_off_for_the_account_still_escalate(make_stack):
    import yaml

    from socialcare.config.loader import BUNDLED_EXAMPLE

    config = yaml.safe_load(BUNDLED_EXAMPLE.read_text())
    config["accounts"][0].update(id="9001", handle="AcmeCare", acknowledgements={"enabled": False})
    stack = make_stack(config_text=yaml.safe_dump(config))
    new_mention(stack)
    stack.minute()
    assert stack.ticket("1001")["ack_skipped_reason"] == "acknowledgements_off"
    stack.run_until(at(31))
    assert [e["to"] for e in stack.emails()] == ["care-team@acme.example"]
