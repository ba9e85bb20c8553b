"""The escalator's promises on in-memory ports: each level on time and each alert once, a failed
send retried alone without holding back the rest, a staff reply stopping the ladder, a ceiling
holding alerts back and summarising them."""

from datetime import timedelta

import pytest
from conftest import T0, post
from fakes import InMemoryCeilings

from socialcare.domain.business_hours import ResponsePolicy
from socialcare.domain.tickets import NewTicketPolicy
from socialcare.notify.senders import AlertRejected
from socialcare.services.escalating import Escalator


class Outbox:
    """The senders: records each request; fails the addresses it is told to, for as long as told."""

    def __init__(self):
        self.sent: list[dict] = []
        self.failing: dict[str, Exception] = {}

    def __call__(self, request) -> dict:
        error = self.failing.get(str(request.to))
        if error is not None:
            raise error
        self.sent.append(request)
        return {"message_id": f"m{len(self.sent)}"}


@pytest.fixture
def run(config, world):
    outbox, ceilings = Outbox(), InMemoryCeilings()
    escalator = Escalator(config, lambda request: outbox(request), queue=world.tickets, ceilings=ceilings)
    policy = NewTicketPolicy(
        config.accounts[0].id,
        ResponsePolicy.around_the_clock(timedelta(hours=1)),
        config.ladder(),
        timedelta(days=90),
    )
    world.tickets.store_mention(post("101", 0), policy, T0)

    def sweep_until(minute: int) -> None:
        for m in range(minute + 1):
            escalator.sweep(T0 + timedelta(minutes=m))

    return outbox, ceilings, sweep_until, escalator


def sent(outbox) -> list[tuple[str, str]]:
    return [(request.via, request.to) for request in outbox.sent]


def test_each_level_goes_out_once_at_its_share_of_the_target(config, world, run):
    outbox, _, sweep_until, _ = run
    sweep_until(29)
    assert outbox.sent == []
    sweep_until(30)
    assert sent(outbox) == [("email", "care-team@acme.example")]
    sweep_until(90)
    vias = [via for via, _ in sent(outbox)]
    assert vias == ["email", "sms", "email", "sms"], "50% e-mail, 80% SMS, 100% e-mail and SMS"
    assert world.tickets.next_step_at == {}, "nothing is left to send"


def test_a_staff_reply_stops_the_ladder(world, run):
    outbox, _, sweep_until, _ = run
    sweep_until(35)
    world.tickets.record_human_reply(world.tickets.get("TICKET#x:101"), "201", T0 + timedelta(minutes=36))
    sweep_until(120)
    assert len(outbox.sent) == 1


def test_a_failing_send_is_retried_alone_and_the_level_and_the_next_go_on(config, world, run):
    outbox, _, sweep_until, _ = run
    manager = config.recipients["manager"]
    outbox.failing[str(manager.sms)] = ConnectionError("throttled")
    sweep_until(61)
    vias = [via for via, _ in sent(outbox)]
    assert vias == ["email", "sms", "email"], "the manager's e-mail went out without their SMS"
    del outbox.failing[str(manager.sms)]
    sweep_until(75)
    assert sent(outbox)[-1] == ("sms", str(manager.sms)) and len(outbox.sent) == 4


def test_a_refused_address_is_recorded_and_never_retried(config, world, run):
    outbox, _, sweep_until, _ = run
    outbox.failing["care-team@acme.example"] = AlertRejected("address refused")
    sweep_until(200)
    [record] = [r for r in world.tickets.alerts["TICKET#x:101"] if r.to == "care-team@acme.example"]
    assert record.error == "address refused"
    assert ("email", "care-team@acme.example") not in sent(outbox)


def test_alerts_over_the_accounts_ceiling_are_held_then_summarised(config, world, run):
    outbox, ceilings, sweep_until, escalator = run
    ceilings.used[("x#9001", "alert", "2026-11-23T14")] = config.limits.account_alerts_per_hour
    sweep_until(59)
    assert outbox.sent == []
    escalator.sweep(T0 + timedelta(hours=1, minutes=1))  # the hour is over
    summaries = [r for r in outbox.sent if r.key.startswith("summary#")]
    assert len(summaries) == 1 and "held" in summaries[0].text.lower()


def test_a_reopened_ticket_alerts_again_from_the_customers_reply(config, world, run):
    from socialcare.services.mention_path import new_ticket_policy, notice_brand_post

    outbox, _, sweep_until, escalator = run
    sweep_until(31)
    assert len(outbox.sent) == 1
    staff = post(
        "201", 32, author=world.account.id, text="On it", in_reply_to_id="101", conversation_id="101"
    )
    notice_brand_post(world.tickets, staff)
    follow_up = post("102", 40, text="@AcmeCare still broken", conversation_id="101")
    world.tickets.store_mention(
        follow_up, new_ticket_policy(config, world.account), T0 + timedelta(minutes=40)
    )
    for minute in range(41, 71):
        escalator.sweep(T0 + timedelta(minutes=minute))
    assert len(outbox.sent) == 2, "level 1 again, 30 minutes after the customer's reply"
    first, second = (request.key for request in outbox.sent)
    assert first != second, "a new round is never mistaken for an alert already sent"


def _mention(config, world, post_id: str, minute: int) -> None:
    policy = NewTicketPolicy(
        config.accounts[0].id,
        ResponsePolicy.around_the_clock(timedelta(hours=1)),
        config.ladder(),
        timedelta(days=90),
    )
    world.tickets.store_mention(post(post_id, minute, author=post_id), policy, T0 + timedelta(minutes=minute))


def test_past_the_sms_budget_the_email_still_goes_and_the_next_sms_tells_the_fold(config, world, run):
    outbox, ceilings, sweep_until, escalator = run
    manager = config.recipients["manager"]
    ceilings.used[("recipient#manager", "sms", "2026-11-23T15")] = config.limits.sms_per_recipient_per_hour
    sweep_until(61)
    assert ("email", str(manager.email)) in sent(outbox)
    assert ("sms", str(manager.sms)) not in sent(outbox)
    [folded] = [r for r in world.tickets.alerts["TICKET#x:101"] if r.to == str(manager.sms)]
    assert folded.error == "folded: recipient SMS budget (sent by e-mail)"
    _mention(config, world, "102", 70)  # its last level falls in the next hour, with a new budget
    for minute in range(62, 131):
        escalator.sweep(T0 + timedelta(minutes=minute))
    [sms] = [r for r in outbox.sent if r.to == str(manager.sms)]
    assert sms.text.startswith("+1 more since 15:00 by e-mail. socialcare")
    assert ceilings.folded_sms("manager") is None, "told once"


def test_a_recipient_without_email_past_the_budget_is_held_and_summarised(config, world, run):
    outbox, ceilings, sweep_until, _ = run
    ceilings.used[("recipient#on_call", "sms", "2026-11-23T14")] = config.limits.sms_per_recipient_per_hour
    sweep_until(50)
    assert ("sms", str(config.recipients["on_call"].sms)) not in sent(outbox)
    [held] = [r for r in world.tickets.alerts["TICKET#x:101"] if r.recipient == "on_call"]
    assert held.error == "held: recipient SMS budget (no e-mail)"
    assert ceilings.held[("x#9001", "alert", "2026-11-23T14")] == ["TICKET#x:101"]


def test_a_recipient_texted_only_at_a_level_gets_it_by_their_email_past_the_budget(config, world):
    """Past the budget the alert goes by e-mail only: to the recipient's own address when the level
    texts them alone, sent once however many sweeps run."""
    recipients = dict(config.recipients)
    recipients["on_call"] = recipients["on_call"].model_copy(update={"email": "on-call@acme.example"})
    config = config.model_copy(update={"recipients": recipients})
    outbox, ceilings = Outbox(), InMemoryCeilings()
    escalator = Escalator(config, lambda request: outbox(request), queue=world.tickets, ceilings=ceilings)
    ceilings.used[("recipient#on_call", "sms", "2026-11-23T14")] = config.limits.sms_per_recipient_per_hour
    _mention(config, world, "101", 0)
    for minute in range(0, 56):
        escalator.sweep(T0 + timedelta(minutes=minute))
    assert ("sms", str(recipients["on_call"].sms)) not in sent(outbox)
    assert sent(outbox).count(("email", "on-call@acme.example")) == 1
    records = [r for r in world.tickets.alerts["TICKET#x:101"] if r.recipient == "on_call"]
    assert {(r.via, r.error) for r in records} == {
        ("sms", "folded: recipient SMS budget (sent by e-mail)"),
        ("email", None),
    }
    assert not ceilings.held, "an alert that went by e-mail is not held for the summary"
