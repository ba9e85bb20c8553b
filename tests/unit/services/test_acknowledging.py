"""The acknowledger's promises on in-memory ports: one public reply per ticket whatever the retries,
a reply whose answer was lost found before posting again, refusals given up at once, the network's
and the configuration's rules obeyed."""

from datetime import timedelta

import pytest
from conftest import T0, post

from socialcare.channels.base import PermanentError, RateLimited, TransientError
from socialcare.domain.business_hours import ResponsePolicy
from socialcare.domain.tickets import AckState, NewTicketPolicy
from socialcare.services.acknowledging import Acknowledger

NOW = T0 + timedelta(minutes=1)


def acknowledger(config, world, *, ceiling=True) -> Acknowledger:
    if not ceiling:  # this hour's ceiling is spent
        hour = (world.account.key, "ack", world.tickets.ceilings.hour_of(NOW))
        world.tickets.ceilings.used[hour] = config.limits.account_acks_per_hour
    return Acknowledger(
        config,
        world.tickets,
        lambda account: world.network,
        record_held=world.tickets.ceilings.record_held,
    )


def ticket_for(config, world, mention) -> str:
    policy = NewTicketPolicy(
        config.accounts[0].id,
        ResponsePolicy.around_the_clock(timedelta(hours=1)),
        config.ladder(),
        timedelta(days=90),
    )
    world.network.publish(mention)
    world.tickets.store_mention(mention, policy, NOW)
    return f"TICKET#x:{mention.post_id}"


def test_a_new_ticket_gets_one_reply_in_its_thread_with_its_reference(config, world):
    pk = ticket_for(config, world, post("101", 0.5))
    assert acknowledger(config, world).acknowledge(pk, NOW) == "posted"
    assert acknowledger(config, world).acknowledge(pk, NOW) == "done"
    [(reply_id, target, text)] = world.network.created
    ticket = world.tickets.get(pk)
    assert target.post_id == "101" and ticket.ref in text and ticket.ack_state is AckState.POSTED
    assert ticket.ack_post_id == reply_id, "the poller will know it is ours"


def test_a_reply_whose_answer_was_lost_is_found_on_the_retry_not_posted_twice(config, world):
    pk = ticket_for(config, world, post("101", 0.5))
    world.network.lose_answer = True
    assert acknowledger(config, world).acknowledge(pk, NOW) == "retrying"
    assert world.tickets.get(pk).ack_state is AckState.RETRYING
    assert acknowledger(config, world).acknowledge(pk, NOW + timedelta(minutes=2)) == "posted"
    assert len(world.network.created) == 1


def test_a_refusal_of_the_reply_itself_is_final_at_once(config, world):
    pk = ticket_for(config, world, post("101", 0.5))
    world.network.failures = [PermanentError("the post was deleted")]
    assert acknowledger(config, world).acknowledge(pk, NOW) == "failed"
    assert "deleted" in world.tickets.get(pk).ack_error and world.network.created == []


def test_failures_are_retried_until_max_attempts_then_given_up(config, world):
    pk = ticket_for(config, world, post("101", 0.5))
    world.network.failures = [TransientError("503")] * 100
    outcomes = [acknowledger(config, world).acknowledge(pk, NOW + timedelta(minutes=n)) for n in range(9)]
    assert outcomes == ["retrying"] * 7 + ["failed", "done"]  # acknowledgements.max_attempts is 8


def test_a_rate_limit_pauses_posting_for_the_account_and_defers_the_next_ticket(config, world):
    first, second = (ticket_for(config, world, post(f"10{n}", 0.5, author=str(40 + n))) for n in range(2))
    world.network.failures = [RateLimited(NOW + timedelta(minutes=15))]
    assert acknowledger(config, world).acknowledge(first, NOW) == "rate_limited"
    assert acknowledger(config, world).acknowledge(second, NOW) == "deferred"
    assert world.network.created == []
    assert acknowledger(config, world).acknowledge(second, NOW + timedelta(minutes=16)) == "posted"


@pytest.mark.parametrize(
    ("mention", "reason"),
    [
        (post("101", 0.5, reply_allowed=False), "network_disallows_reply"),
        (post("101", 0.5, author="9001", text="Reminder: @AcmeCare answers 8 to 8"), "author_is_brand"),
        (post("101", -120), "mention_older_than_target"),
    ],
)
def test_no_public_reply_where_a_rule_says_no_and_the_ticket_says_why(config, world, mention, reason):
    pk = ticket_for(config, world, mention)
    assert acknowledger(config, world).acknowledge(pk, NOW) == "skipped"
    assert world.tickets.get(pk).ack_error == reason and world.network.created == []


def test_the_account_ceiling_holds_the_reply_back_as_a_cap_not_a_failure(config, world):
    pk = ticket_for(config, world, post("101", 0.5))
    assert acknowledger(config, world, ceiling=False).acknowledge(pk, NOW) == "capped"
    assert world.network.created == []
