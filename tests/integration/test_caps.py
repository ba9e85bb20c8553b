"""Caps against abuse and cost through the real handlers: one open ticket (one ladder) per author
across threads, one public acknowledgement per author per window, and the account's hourly ceiling
on acknowledgements, whose excess is recorded (for the summary) while escalation still runs."""

import io
import json
from datetime import timedelta

import pytest
import yaml

from socialcare.config.loader import BUNDLED_EXAMPLE, parse_config
from socialcare.domain.business_hours import ResponsePolicy
from socialcare.domain.posts import Post
from socialcare.domain.tickets import AckHold, AckReservations, AckState, Ticket
from socialcare.persistence import ceilings
from socialcare.persistence.ceilings import CeilingKind
from socialcare.persistence.models import AuthorMarkerModel
from socialcare.persistence.tickets import NewTicketPolicy, Stored, TicketStore
from socialcare.runtime import metric_names
from socialcare_local.networks.x import Fault

from .conftest import at


def config_with(**limits) -> str:
    config = yaml.safe_load(BUNDLED_EXAMPLE.read_text())
    config["accounts"][0].update(id="9001", handle="AcmeCare")
    config["limits"].update(limits)
    return yaml.safe_dump(config)


def metric_total(log: io.StringIO, name: str) -> float:
    """The sum of one metric over every flush the functions printed (CloudWatch embedded format)."""
    total = 0.0
    for line in log.getvalue().splitlines():
        if '"_aws"' not in line:
            continue
        value = json.loads(line).get(name, 0)
        total += sum(value) if isinstance(value, list) else value
    return total


def acknowledged(stack) -> list[str]:
    return sorted(post["in_reply_to_id"] for post in stack.sim.created_posts())


@pytest.mark.parametrize("reply_to", ["the folded post", "a later post in its thread"])
def test_staff_answering_in_any_thread_of_an_authors_ticket_stops_its_clock(stack, reply_to):
    stack.mention("1001", "42", "@AcmeCare refund please", at=at(0.1))
    stack.mention("1002", "42", "@AcmeCare and my other order too", at=at(0.5))  # a thread of its own
    stack.minute()
    assert stack.ticket("1002")["post_ids"] == ["1001", "1002"]
    if reply_to == "a later post in its thread":  # not a mention, so socialcare never stored it
        stack.sim.publish(
            post_id="1003", author_id="42", text="hello?", created_at=at(1.5), in_reply_to_id="1002"
        )
        stack.staff_reply("2001", "1003", "Hi, looking into both orders now", at=at(2))
    else:
        stack.staff_reply("2001", "1002", "Hi, looking into both orders now", at=at(2))
    stack.run_until(at(70))
    ticket = stack.ticket("1001")
    assert ticket["status"] == "answered" and ticket["human_replied_at"] == "2026-11-23T14:02:00Z"
    assert stack.emails() == [] and stack.sms() == []


def test_once_staff_answered_a_new_thread_opens_a_ticket_unacknowledged_within_the_authors_window(stack):
    stack.mention("1001", "42", "@AcmeCare refund please", at=at(0.1))
    stack.run_until(at(2))
    stack.staff_reply("2001", "1001", "Hi, refund sent", at=at(2))
    stack.run_until(at(5))
    stack.mention("1003", "42", "@AcmeCare and where is my parcel", at=at(5))
    stack.run_until(at(36))
    second = stack.ticket("1003")
    assert second["ticket_id"] == "x:1003" and second["status"] == "open"
    assert second["ack_skipped_reason"] == "author_recently_acknowledged"
    assert acknowledged(stack) == ["1001"]
    assert [e["level"] for e in second["escalations"]] == [1], "a person still answers it"
    # Once the window is over the author is acknowledged again.
    stack.staff_reply("2002", "1003", "Hi, it ships today", at=at(36))
    stack.run_until(at(62))
    stack.mention("1005", "42", "@AcmeCare one more question", at=at(62))
    stack.run_until(at(64))
    assert stack.ticket("1005")["ticket_id"] == "x:1005"
    assert acknowledged(stack) == ["1001", "1005"]


def test_without_one_ticket_per_author_each_thread_is_a_ticket_but_the_author_gets_one_reply(make_stack):
    log = io.StringIO()
    stack = make_stack(config_text=config_with(one_open_ticket_per_author=False), log=log)
    for n in range(3):
        stack.mention(str(1001 + n), "42", f"@AcmeCare complaint {n}", at=at(0.1 + n / 10))
    stack.minute()
    stack.minute()
    tickets = stack.tickets()
    assert [t["post_ids"] for t in tickets] == [["1001"], ["1002"], ["1003"]]
    assert acknowledged(stack) == ["1001"]
    assert [t["ack_skipped_reason"] for t in tickets[1:]] == ["author_recently_acknowledged"] * 2
    assert metric_total(log, metric_names.ACKNOWLEDGEMENTS_CAPPED) == 2


def test_beyond_the_account_ceiling_acknowledgements_are_held_for_the_summary_and_still_escalate(make_stack):
    log = io.StringIO()
    stack = make_stack(config_text=config_with(account_acks_per_hour=2), log=log)
    for n in range(5):
        stack.mention(str(1001 + n), str(42 + n), f"@AcmeCare where is order {n}?", at=at(0.1 + n / 10))
    stack.minute()
    tickets = stack.tickets()
    assert acknowledged(stack) == ["1001", "1002"]
    held = [t for t in tickets if t["ack_skipped_reason"] == "account_hourly_ceiling"]
    assert [t["post_id"] for t in held] == ["1003", "1004", "1005"]
    assert metric_total(log, metric_names.ACKNOWLEDGEMENTS_CAPPED) == 3
    stack.run_until(at(31))
    assert all([e["level"] for e in t["escalations"]] == [1] for t in stack.tickets())
    (summary,) = ceilings.held_back("x#9001", at(61))
    assert (summary.kind, summary.held) == (CeilingKind.ACKNOWLEDGEMENT, 3)
    assert sorted(summary.ticket_pks) == [f"TICKET#x#{t['post_id']}" for t in held]


def test_skips_never_spend_the_ceiling_and_a_retried_post_keeps_its_unit(make_stack):
    stack = make_stack(config_text=config_with(account_acks_per_hour=2))
    stack.sim.fail_next("POST", r"/2/tweets$", Fault.status(503))
    stack.mention("1001", "9001", "Reminder: @AcmeCare answers 8 to 8", at=at(0.1))  # the brand itself
    stack.mention("1002", "42", "@AcmeCare my order never came", at=at(0.2))
    for _ in range(4):  # the 503, then the retry sweep posts it
        stack.minute()
    assert acknowledged(stack) == ["1002"]
    stack.mention("1003", "43", "@AcmeCare mine neither", at=at(4.5))
    stack.mention("1004", "44", "@AcmeCare same here", at=at(4.6))
    stack.minute()
    assert acknowledged(stack) == ["1002", "1003"]
    assert stack.ticket("1004")["ack_skipped_reason"] == "account_hourly_ceiling"


def test_two_tickets_of_one_author_acknowledged_at_once_cannot_both_post(stack):
    config = parse_config(config_with(), "test")
    store, window, lease = TicketStore(), timedelta(minutes=60), timedelta(minutes=3)
    policy = NewTicketPolicy(
        "9001",
        ResponsePolicy.around_the_clock(timedelta(minutes=60)),
        config.ladder(),
        timedelta(days=90),
        one_open_ticket_per_author=False,
    )
    reserve = AckReservations(author_window=window, ceiling_account_key=None)

    def ticket(post_id: str, author: str = "42") -> Ticket:
        store.store_mention(Post("x", post_id, author, "jane", "@AcmeCare help", at(0.5)), policy, at(1))
        return store.get(f"TICKET#x#{post_id}")

    first = store.begin_ack(ticket("1001"), "Thanks", at(1), lease, reserve)
    assert isinstance(first, Ticket) and first.ack_state is AckState.POSTING
    assert store.begin_ack(ticket("1002"), "Thanks", at(1), lease, reserve) is AckHold.AUTHOR_TAKEN
    assert store.get("TICKET#x#1002").ack_state is None, "a reservation that fails writes nothing"
    store.schedule_ack_retry(first, at(2), "timed out", posted_maybe=True)
    retry = store.begin_ack(store.get(first.pk), "Thanks", at(3), lease, reserve)
    assert isinstance(retry, Ticket), "a retry of the same ticket takes its window again"
    assert isinstance(store.begin_ack(ticket("1003", author="77"), "Thanks", at(1), lease, reserve), Ticket)
    later = store.begin_ack(store.get("TICKET#x#1002"), "Thanks", at(64), lease, reserve)
    assert isinstance(later, Ticket), "the window is over"


def test_an_attempt_starts_once_and_takes_one_unit_of_the_ceiling(stack):
    config = parse_config(config_with(), "test")
    store, lease = TicketStore(), timedelta(minutes=3)
    policy = NewTicketPolicy(
        "9001", ResponsePolicy.around_the_clock(timedelta(minutes=60)), config.ladder(), timedelta(days=90)
    )
    store.store_mention(Post("x", "1001", "42", "jane", "@AcmeCare help", at(0.5)), policy, at(1))
    fresh = store.get("TICKET#x#1001")
    reserve = AckReservations(author_window=timedelta(0), ceiling_account_key="x#9001", ceiling_limit=1)
    begun = store.begin_ack(fresh, "Thanks", at(1), lease, reserve)
    assert isinstance(begun, Ticket) and begun.ack_unit_taken
    assert store.begin_ack(fresh, "Thanks", at(1), lease, reserve) is AckHold.IN_PROGRESS, "read before"
    stored = store.get("TICKET#x#1001")
    assert (stored.ack_attempts, stored.ack_unit_taken) == (1, True)
    store.store_mention(Post("x", "1002", "43", "joe", "@AcmeCare help", at(0.6)), policy, at(1))
    other = store.get("TICKET#x#1002")
    assert store.begin_ack(other, "Thanks", at(1), lease, reserve) is AckHold.CEILING_SPENT
    assert store.get("TICKET#x#1002").ack_state is None
    assert store.begin_ack(other, "Thanks", at(61), lease, reserve) != AckHold.CEILING_SPENT, "next hour"


def test_two_polls_racing_to_open_tickets_for_one_author_end_with_one_ticket(stack, monkeypatch):
    config = parse_config(config_with(), "test")
    policy = NewTicketPolicy(
        "9001", ResponsePolicy.around_the_clock(timedelta(minutes=60)), config.ladder(), timedelta(days=90)
    )
    store = TicketStore()

    def post(post_id: str, minute: float) -> Post:
        return Post("x", post_id, "42", "jane", f"@AcmeCare post {post_id}", at(minute))

    assert store.store_mention(post("1001", 0.1), policy, at(1)) is Stored.CREATED
    real_read, reads = TicketStore._read_for_store, []

    def read_before_the_other_poll_wrote(self, post, policy):
        claimed, in_thread, marker = real_read(self, post, policy)
        reads.append(marker)
        return claimed, in_thread, AuthorMarkerModel(marker.pk, marker.sk) if len(reads) == 1 else marker

    monkeypatch.setattr(TicketStore, "_read_for_store", read_before_the_other_poll_wrote)
    assert store.store_mention(post("1002", 0.2), policy, at(1)) is Stored.JOINED
    assert [t["post_ids"] for t in stack.tickets()] == [["1001", "1002"]]
