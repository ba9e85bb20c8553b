from dataclasses import replace
from datetime import UTC, datetime, timedelta

from socialcare.domain.folding import OpenTicketRef, ticket_to_join, tickets_to_join
from socialcare.domain.skip_rules import AckSituation, LastAck, SkipReason, skip_reason

NOW = datetime(2026, 11, 23, 14, 1, tzinfo=UTC)
BASE = AckSituation(
    enabled=True,
    ticket="TICKET#x#1002",
    author_id="42",
    brand_account_id="9001",
    human_replied=False,
    created_at=NOW - timedelta(minutes=1),
    last_ack_to_author_in_conversation=None,
    same_author_window=timedelta(minutes=60),
    last_ack_to_author_on_account=None,
    author_window=timedelta(minutes=60),
    target=timedelta(minutes=60),
)


def test_an_ordinary_new_mention_is_acknowledged():
    assert skip_reason(BASE, NOW) is None


def test_never_reply_to_the_brand_itself_even_when_acks_are_off():
    situation = replace(BASE, author_id="9001", enabled=False)
    assert skip_reason(situation, NOW) is SkipReason.AUTHOR_IS_BRAND


def test_switched_off_per_account():
    assert skip_reason(replace(BASE, enabled=False), NOW) is SkipReason.ACKNOWLEDGEMENTS_OFF


def test_a_person_already_answered():
    assert skip_reason(replace(BASE, human_replied=True), NOW) is SkipReason.HUMAN_ALREADY_REPLIED


def test_same_author_same_conversation_inside_the_window_only():
    recent = replace(BASE, last_ack_to_author_in_conversation=NOW - timedelta(minutes=59))
    assert skip_reason(recent, NOW) is SkipReason.RECENTLY_ACKNOWLEDGED
    old = replace(BASE, last_ack_to_author_in_conversation=NOW - timedelta(minutes=61))
    assert skip_reason(old, NOW) is None


def test_one_acknowledgement_per_author_per_window_across_conversations():
    elsewhere = replace(
        BASE, last_ack_to_author_on_account=LastAck(NOW - timedelta(minutes=59), "TICKET#x#1001")
    )
    assert skip_reason(elsewhere, NOW) is SkipReason.AUTHOR_RECENTLY_ACKNOWLEDGED
    long_ago = replace(
        BASE, last_ack_to_author_on_account=LastAck(NOW - timedelta(minutes=61), "TICKET#x#1001")
    )
    assert skip_reason(long_ago, NOW) is None


def test_a_retry_of_the_same_ticket_is_not_held_back_by_its_own_reservation():
    own = replace(BASE, last_ack_to_author_on_account=LastAck(NOW - timedelta(minutes=2), "TICKET#x#1002"))
    assert skip_reason(own, NOW) is None


def test_an_author_window_of_zero_switches_the_author_cap_off():
    recent = LastAck(NOW - timedelta(seconds=1), "TICKET#x#1001")
    situation = replace(BASE, last_ack_to_author_on_account=recent, author_window=timedelta(0))
    assert skip_reason(situation, NOW) is None


def test_the_conversation_rule_is_the_reason_recorded_when_both_windows_apply():
    recent = NOW - timedelta(minutes=5)
    situation = replace(
        BASE,
        last_ack_to_author_in_conversation=recent,
        last_ack_to_author_on_account=LastAck(recent, "TICKET#x#1001"),
    )
    assert skip_reason(situation, NOW) is SkipReason.RECENTLY_ACKNOWLEDGED


def test_no_promise_of_an_answer_within_the_hour_about_a_post_older_than_the_hour():
    assert skip_reason(replace(BASE, created_at=NOW - timedelta(minutes=61)), NOW) is SkipReason.TOO_OLD


def test_follow_ups_join_only_a_ticket_still_awaiting_a_reply():
    assert ticket_to_join(OpenTicketRef("t1", awaiting_reply=True)) == "t1"
    assert ticket_to_join(OpenTicketRef("t1", awaiting_reply=False)) is None
    assert ticket_to_join(None) is None


def test_a_follow_up_tries_its_thread_first_then_the_authors_open_ticket_elsewhere():
    here, elsewhere = (
        OpenTicketRef("t-here", awaiting_reply=True),
        OpenTicketRef("t-other", awaiting_reply=True),
    )
    assert tickets_to_join(here, elsewhere, across_conversations=True) == ["t-here", "t-other"]
    assert tickets_to_join(None, elsewhere, across_conversations=True) == ["t-other"]
    assert tickets_to_join(here, here, across_conversations=True) == ["t-here"]


def test_without_one_ticket_per_author_only_the_thread_folds():
    elsewhere = OpenTicketRef("t-other", awaiting_reply=True)
    assert tickets_to_join(None, elsewhere, across_conversations=False) == []
    answered = OpenTicketRef("t-here", awaiting_reply=False)
    assert tickets_to_join(answered, elsewhere, across_conversations=True) == ["t-other"]
