"""The poller's promises on in-memory ports: every mention stored once, the cursor moving only past
what is stored, one account's failure contained, staff replies noticed and our own never."""

from datetime import timedelta

import pytest
from conftest import T0, budget, post

from socialcare.channels.base import PermanentError, RateLimited, TransientError
from socialcare.domain.tickets import AckReservations, AckState, TicketStatus
from socialcare.services.polling import Poller


def poller(config, world, adapter=None) -> Poller:
    return Poller(
        config,
        world.tickets,
        lambda account: adapter or world.network,
        budget(),
        account_states=world.streams,
        quarantine=world.quarantine,
        retry_base_delay=0,
    )


def test_every_mention_becomes_one_ticket_across_pages_and_overlapping_polls(config, world):
    for n in range(5):
        world.network.publish(post(f"10{n}", n, author=str(40 + n)))
    first = poller(config, world).poll_all(T0 + timedelta(minutes=6))[0]
    again = poller(config, world).poll_all(T0 + timedelta(minutes=7))[0]
    assert (first.stored, again.stored) == (5, 0)
    assert sorted(world.tickets.tickets) == [f"TICKET#x:10{n}" for n in range(5)]
    assert world.streams.records[("x#9001", "mentions")].cursor == "5"


def test_a_post_that_cannot_be_stored_keeps_the_cursor_so_the_next_poll_stores_it(config, world):
    world.network.publish(post("101", 1))
    world.network.publish(post("102", 2, author="43"))
    world.tickets.fail_on_post.add("102")
    result = poller(config, world).poll_all(T0 + timedelta(minutes=3))[0]
    assert result.broken and world.streams.records[("x#9001", "mentions")].cursor is None
    world.tickets.fail_on_post.clear()
    later = poller(config, world).poll_all(T0 + timedelta(minutes=4))[0]
    assert (later.stored, later.duplicates) == (1, 1)


def test_a_follow_up_joins_its_authors_open_ticket(config, world):
    world.network.publish(post("101", 1))
    world.network.publish(post("102", 2, in_reply_to_id="101", conversation_id="101"))
    result = poller(config, world).poll_all(T0 + timedelta(minutes=3))[0]
    assert (result.stored, result.joined) == (1, 1)
    assert world.tickets.get("TICKET#x:101").post_ids == ("101", "102")


def test_a_staff_reply_answers_the_ticket_and_our_own_acknowledgement_does_not(config, world):
    world.network.publish(post("101", 1))
    poller(config, world).poll_all(T0 + timedelta(minutes=2))
    ticket = world.tickets.get("TICKET#x:101")
    world.tickets.record_ack_posted(ticket, "r1", "Thanks, ref X", T0 + timedelta(minutes=2))
    world.network.publish(post("r1", 2, author="9001", text="Thanks, ref X", in_reply_to_id="101"))
    poller(config, world).poll_all(T0 + timedelta(minutes=3))
    assert world.tickets.get(ticket.pk).status is TicketStatus.OPEN, "our acknowledgement is not staff"
    world.network.publish(post("201", 4, author="9001", text="Hi, checking", in_reply_to_id="101"))
    result = poller(config, world).poll_all(T0 + timedelta(minutes=5))[0]
    assert result.human_replies == 1
    assert world.tickets.get(ticket.pk).status is TicketStatus.ANSWERED


def test_an_acknowledgement_whose_record_was_lost_is_recognised_not_taken_for_staff(config, world):
    world.network.publish(post("101", 1))
    poller(config, world).poll_all(T0 + timedelta(minutes=2))
    ticket = world.tickets.get("TICKET#x:101")
    reserve = AckReservations(author_window=timedelta(0), ceiling_account_key=None)
    world.tickets.begin_ack(ticket, "Thanks,   ref X", T0, timedelta(minutes=3), reserve)  # then it crashed
    world.network.publish(post("r1", 2, author="9001", text="Thanks, ref X", in_reply_to_id="101"))
    result = poller(config, world).poll_all(T0 + timedelta(minutes=3))[0]
    assert (result.acks_recovered, result.human_replies) == (1, 0)
    assert world.tickets.get(ticket.pk).ack_state is AckState.POSTED


def test_a_rate_limit_pauses_the_stream_until_the_reset_and_nothing_is_lost(config, world):
    for n in range(3):
        world.network.publish(post(f"10{n}", n, author=str(40 + n)))
    world.network.failures = [RateLimited(T0 + timedelta(minutes=20))]
    first = poller(config, world).poll_all(T0 + timedelta(minutes=5))[0]
    assert first.stored == 0 and first.paused_until and not first.broken
    assert poller(config, world).poll_all(T0 + timedelta(minutes=10))[0].stored == 0
    assert poller(config, world).poll_all(T0 + timedelta(minutes=21))[0].stored == 3


@pytest.mark.parametrize(
    ("error", "broken"), [(TransientError("503"), False), (PermanentError("gone"), True)]
)
def test_a_failing_account_fails_alone_and_only_a_lasting_or_permanent_one_fails_the_run(
    config, world, error, broken
):
    world.network.failures = [error] * 200  # every call, retries included
    result = poller(config, world).poll_all(T0 + timedelta(minutes=1))[0]
    assert result.failed and result.broken is broken and result.stalled == []
    stalled = poller(config, world).poll_all(T0 + timedelta(minutes=12))[0]
    assert stalled.stalled == ["mentions", "own"], "failing since the first poll, 11 minutes ago"


def test_a_post_the_network_does_not_let_us_answer_is_still_a_ticket(config, world):
    world.network.publish(post("101", 1, reply_allowed=False))
    poller(config, world).poll_all(T0 + timedelta(minutes=2))
    ticket = world.tickets.get("TICKET#x:101")
    assert ticket.status is TicketStatus.OPEN and ticket.reply_allowed is False
