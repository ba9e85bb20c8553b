"""Digests in the escalation sweep, on in-memory ports: alerts due in the same sweep for the same
recipient and way go as one message, never later than alone, exactly once through crashes and
concurrent sweeps, a failed send retried alone, and one SMS of the budget per digest."""

from datetime import timedelta
from types import SimpleNamespace

import pytest
from conftest import T0, post
from fakes import InMemoryCeilings, InMemoryStreams, InMemoryTickets

from socialcare.domain.business_hours import ResponsePolicy
from socialcare.domain.tickets import NewTicketPolicy
from socialcare.services.escalating import Escalator

CARE_TEAM = "care-team@acme.example"
ON_CALL_SMS = "+14155550123"
MANAGER_SMS = "+14155550199"


class Sender:
    """The senders behind the idempotency layer: a key already answered sends nothing new."""

    def __init__(self):
        self.sent: list = []
        self.answered: dict[str, dict] = {}
        self.failing: dict[str, Exception] = {}
        self.after_send = None  # called after a message went (a crash, a concurrent sweep)

    def __call__(self, request) -> dict:
        if request.key in self.answered:
            return self.answered[request.key]
        error = self.failing.get(str(request.to))
        if error is not None:
            raise error
        self.sent.append(request)
        self.answered[request.key] = {"message_id": f"m{len(self.sent)}"}
        if self.after_send is not None:
            self.after_send(request)
        return self.answered[request.key]

    def to(self, address: str) -> list:
        return [request for request in self.sent if request.to == address]


class Crash(BaseException):
    """The function dies (a timeout, an out-of-memory kill): nothing after it runs."""


def escalator(config, world, sender, ceilings=None, combine=True) -> Escalator:
    return Escalator(
        config, sender, queue=world.tickets, ceilings=ceilings or InMemoryCeilings(), combine=combine
    )


def mention(config, world, post_id: str, minute: float) -> str:
    policy = NewTicketPolicy(
        config.accounts[0].id,
        ResponsePolicy.around_the_clock(timedelta(hours=1)),
        config.ladder(),
        timedelta(days=90),
    )
    world.tickets.store_mention(post(post_id, minute, author=post_id), policy, T0 + timedelta(minutes=minute))
    return f"TICKET#x:{post_id}"


def sweep(run: Escalator, first: int, last: int) -> list:
    return [run.sweep(T0 + timedelta(minutes=m)) for m in range(first, last + 1)]


def test_alerts_due_together_go_as_one_message_and_each_ticket_keeps_its_record(config, world):
    sender = Sender()
    run = escalator(config, world, sender)
    tickets = [mention(config, world, str(100 + n), 0) for n in range(7)]
    [report] = sweep(run, 30, 30)
    [email] = sender.sent
    assert email.to == CARE_TEAM and email.subject.startswith("[socialcare] 7 tickets need a reply")
    assert email.text.count("reply: https://x.com/i/status/") == 7, "each ticket with its post link"
    assert (report.alerts_sent, report.digests_sent) == (7, 1)
    records = [record for pk in tickets for record in world.tickets.alerts[pk]]
    assert {(r.level, r.to, r.error, r.digest) for r in records} == {(1, CARE_TEAM, None, email.key)}


def test_a_single_due_alert_keeps_its_own_message(config, world):
    sender = Sender()
    run = escalator(config, world, sender)
    mention(config, world, "100", 0)
    mention(config, world, "101", 1)
    sweep(run, 0, 31)
    assert [request.subject.startswith("[socialcare]") for request in sender.sent] == [False, False]
    assert all(r.digest is None for r in world.tickets.alerts["TICKET#x:100"])


def test_no_ticket_is_alerted_later_than_without_digests_and_fewer_messages_go(config):
    first_alerts, messages = {}, {}
    for combine in (False, True):
        world = SimpleNamespace(tickets=InMemoryTickets(InMemoryStreams()))
        sender = Sender()
        run = escalator(config, world, sender, combine=combine)
        pks = [
            mention(config, world, str(100 + n), minute) for n, minute in enumerate([0, 0, 0, 3, 7, 7, 30])
        ]
        sweep(run, 0, 130)
        first_alerts[combine] = {pk: min(r.at for r in world.tickets.alerts[pk]) for pk in pks}
        messages[combine] = len(sender.sent)
    assert first_alerts[True] == first_alerts[False]
    assert messages[True] < messages[False]


def test_a_crash_after_the_digest_went_sends_nothing_new_when_the_claim_is_taken_over(config, world):
    sender = Sender()
    tickets = [mention(config, world, str(100 + n), 0) for n in range(3)]

    def crash(request):
        raise Crash

    sender.after_send = crash
    with pytest.raises(Crash):
        escalator(config, world, sender).sweep(T0 + timedelta(minutes=30))
    assert len(sender.sent) == 1 and not world.tickets.alerts, "sent, but no step completed"
    sender.after_send = None
    world.tickets.lose_claims()  # the lease runs out
    sweep(escalator(config, world, sender), 31, 40)
    assert len(sender.sent) == 1, "the same digest again, answered by the idempotency layer"
    for pk in tickets:
        [record] = world.tickets.alerts[pk]
        assert (record.level, record.error, record.digest) == (1, None, sender.sent[0].key)


def test_two_sweeps_at_once_send_one_digest(config, world):
    sender = Sender()
    tickets = [mention(config, world, str(100 + n), 0) for n in range(4)]
    other = escalator(config, world, sender)
    contended = []
    # The other sweep runs while this one is sending: it finds every step claimed.
    sender.after_send = lambda request: contended.append(other.sweep(T0 + timedelta(minutes=30)).contended)
    escalator(config, world, sender).sweep(T0 + timedelta(minutes=30))
    assert len(sender.sent) == 1 and contended == [4]
    assert all(len(world.tickets.alerts[pk]) == 1 for pk in tickets)


def test_a_send_failing_for_one_recipient_is_retried_alone_and_the_others_go_on(config, world):
    sender = Sender()
    run = escalator(config, world, sender)
    tickets = [mention(config, world, str(100 + n), 0) for n in range(2)]
    sender.failing[MANAGER_SMS] = ConnectionError("throttled")
    sweep(run, 0, 60)
    assert [len(sender.to(a)) for a in (CARE_TEAM, ON_CALL_SMS, "care-manager@acme.example")] == [1, 1, 1]
    assert sender.to(MANAGER_SMS) == [] and all(world.tickets.get(pk).pending_sends for pk in tickets)
    del sender.failing[MANAGER_SMS]
    sweep(run, 61, 90)
    [sms] = sender.to(MANAGER_SMS)
    assert sms.text.startswith("socialcare 2 tickets need a reply")
    assert len(sender.sent) == 4, "only the failed one went again"
    for pk in tickets:
        sent = [(r.via, r.to) for r in world.tickets.alerts[pk] if r.error is None]
        assert sorted(sent) == sorted(
            [
                ("email", CARE_TEAM),
                ("sms", ON_CALL_SMS),
                ("email", "care-manager@acme.example"),
                ("sms", MANAGER_SMS),
            ]
        )


def test_a_digest_sms_takes_one_sms_of_the_budget_and_carries_the_budgets_note(config, world):
    sender, ceilings = Sender(), InMemoryCeilings()
    run = escalator(config, world, sender, ceilings)
    limit = config.limits.sms_per_recipient_per_hour
    ceilings.used[("recipient#on_call", "sms", "2026-11-23T14")] = limit  # spent this hour
    for n in range(3):
        mention(config, world, str(100 + n), 0)
    sweep(run, 0, 48)
    assert sender.to(ON_CALL_SMS) == [] and ceilings.folded_sms("on_call")[0] == 3
    for n in range(3):
        mention(config, world, str(200 + n), 40)  # their SMS falls due at 15:28, in a new hour
    sweep(run, 49, 90)
    [sms] = sender.to(ON_CALL_SMS)
    assert sms.text.startswith(
        "socialcare 3 tickets need a reply (oldest 48 min) +3 more since 14:48 by e-mail:"
    )
    assert ceilings.used[("recipient#on_call", "sms", "2026-11-23T15")] == 1
    assert ceilings.folded_sms("on_call") is None, "told once"
