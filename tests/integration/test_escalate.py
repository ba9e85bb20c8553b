"""escalate on its real schedule: each level of the ladder once per unanswered ticket, on time,
through SES and SNS (read back from moto), never after a human reply, never twice."""

import pytest

from socialcare.domain.alerts import sms_segments
from socialcare.persistence import escalations
from socialcare.services import escalating

from .conftest import at


def unanswered(stack, post_id="1001", author="42", minute=0.1):
    stack.mention(
        post_id, author, "@AcmeCare my order never came, call +44 7700 900456", at=at(minute), handle="jane"
    )


def test_the_default_ladder_fires_each_level_once_at_50_80_and_100_percent(stack):
    unanswered(stack)  # posted 14:00:06, due 15:00:06
    stack.run_until(at(90))
    emails, sms = stack.emails(), stack.sms()
    assert [(e["to"], e["at"]) for e in emails] == [
        ("care-team@acme.example", "2026-11-23T14:31:00Z"),
        ("care-manager@acme.example", "2026-11-23T15:01:00Z"),
    ]
    assert [(s["to"], s["at"]) for s in sms] == [
        ("+14155550123", "2026-11-23T14:49:00Z"),
        ("+14155550199", "2026-11-23T15:01:00Z"),
    ]
    first = emails[0]
    assert "jane" in first["subject"] and "29 min left" in first["subject"]
    assert "my order never came" in first["text"] and "https://x.com/jane/status/1001" in first["text"]
    assert "900456" not in sms[0]["text"] and "Claim: http" in sms[0]["text"]  # its claim link,
    assert sms_segments(sms[0]["text"]) == 2  # at the price of a second part
    levels = [(e["level"], e["via"]) for e in stack.ticket("1001")["escalations"]]
    assert levels == [(1, "email"), (2, "sms"), (3, "email"), (3, "sms")]


def test_no_alert_once_staff_have_replied(stack):
    unanswered(stack)
    stack.run_until(at(35))
    stack.staff_reply("2001", "1001", "Hi Jane, on it", at=at(40))
    stack.run_until(at(120))
    assert [e["at"] for e in stack.emails()] == ["2026-11-23T14:31:00Z"]
    assert stack.sms() == []


def test_a_sweep_repeated_in_the_same_minute_sends_nothing_twice(stack):
    unanswered(stack)
    stack.run_until(at(31))
    stack.escalate()
    stack.escalate()
    assert len(stack.emails()) == 1


def test_two_sweeps_at_once_send_each_level_once(stack, monkeypatch):
    """Sweep B runs entirely between sweep A's claim and A's send."""
    unanswered(stack)
    stack.run_until(at(30))
    stack.clock.set(at(31))
    real_claim = escalations.claim_level
    interleaved = []

    def claim_then_let_another_sweep_run(*args, **kwargs):
        ticket = real_claim(*args, **kwargs)
        if ticket is not None and not interleaved:
            interleaved.append(stack.escalate())
        return ticket

    monkeypatch.setattr(escalations, "claim_level", claim_then_let_another_sweep_run)
    stack.escalate()
    assert interleaved and interleaved[0]["alerts_sent"] == 0 and interleaved[0]["contended"] == 1
    assert len(stack.emails()) == 1


class LambdaKilled(BaseException):
    """A crash no handler code can catch (timeout, out of memory)."""


def test_a_crash_between_claiming_a_level_and_sending_it_sends_it_once_later(stack, monkeypatch):
    unanswered(stack)
    stack.run_until(at(30))
    real_send = escalating.Escalator._deliver
    crashes = []

    def crash_once(self, *args, **kwargs):
        if not crashes:
            crashes.append(1)
            raise LambdaKilled()
        return real_send(self, *args, **kwargs)

    monkeypatch.setattr(escalating.Escalator, "_deliver", crash_once)
    stack.clock.set(at(31))
    with pytest.raises(LambdaKilled):
        stack.escalate()
    stack.run_until(at(40))
    emails = stack.emails()
    assert len(emails) == 1 and emails[0]["to"] == "care-team@acme.example"
    assert emails[0]["at"] <= "2026-11-23T14:34:00Z", "taken over once the claim's lease ran out"


def test_a_crash_after_sending_and_before_recording_does_not_send_again(stack, monkeypatch):
    unanswered(stack)
    stack.run_until(at(30))
    real_complete = escalations.complete_level
    crashes = []

    def crash_once(*args, **kwargs):
        if not crashes:
            crashes.append(1)
            raise LambdaKilled()
        return real_complete(*args, **kwargs)

    monkeypatch.setattr(escalations, "complete_level", crash_once)
    stack.clock.set(at(31))
    with pytest.raises(LambdaKilled):
        stack.escalate()
    stack.run_until(at(40))
    assert len(stack.emails()) == 1
    assert [e["level"] for e in stack.ticket("1001")["escalations"]] == [1]


def test_a_sweep_reads_only_the_due_tickets_not_the_answered_ones(stack):
    for n in range(30):
        unanswered(stack, post_id=str(2000 + n), author=str(100 + n))
    stack.run_until(at(2))
    for n in range(27):
        stack.staff_reply(str(3000 + n), str(2000 + n), "Hi!", at=at(3))
    stack.run_until(at(30))
    stack.clock.set(at(31))
    result = stack.escalate()
    assert (result["items_read"], result["due"], result["alerts_sent"]) == (3, 3, 3)
