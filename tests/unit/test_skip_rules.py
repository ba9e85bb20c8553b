from dataclasses import replace
from datetime import UTC, datetime, timedelta

from socialcare.domain.folding import OpenTicketRef, ticket_to_join
from socialcare.domain.skip_rules import AckSituation, SkipReason, skip_reason

NOW = datetime(2026, 11, 23, 14, 1, tzinfo=UTC)
BASE = AckSituation(
    enabled=True,
    author_id="42",
    brand_account_id="9001",
    human_replied=False,
    created_at=NOW - timedelta(minutes=1),
    last_ack_to_author_in_conversation=None,
    same_author_window=timedelta(minutes=60),
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


def test_no_promise_of_an_answer_within_the_hour_about_a_post_older_than_the_hour():
    assert skip_reason(replace(BASE, created_at=NOW - timedelta(minutes=61)), NOW) is SkipReason.TOO_OLD


def test_follow_ups_join_only_a_ticket_still_awaiting_a_reply():
    assert ticket_to_join(OpenTicketRef("t1", awaiting_reply=True)) == "t1"
    assert ticket_to_join(OpenTicketRef("t1", awaiting_reply=False)) is None
    assert ticket_to_join(None) is None
