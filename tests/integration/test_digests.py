"""Digests through the real escalate handler: alerts due in the same sweep for one recipient and way
go as one message; a sweep that dies after sending one, a second sweep at once, a send failing for one
recipient, and the SMS budget's note never make a second message or lose one."""

import io
from collections import Counter

import botocore.client
from botocore.exceptions import ClientError

from socialcare.runtime import metric_names

from .conftest import at
from .test_escalate_faults import CARE_TEAM, MANAGER, MANAGER_PHONE, ON_CALL, metric
from .test_sms_budget import budget_config


class Faults:
    """Makes the AWS calls a rule matches fail with the error code AWS would return; can also run
    something in the middle of a call (a second sweep while the first is sending)."""

    def __init__(self, monkeypatch):
        self.rules: list[tuple] = []
        self.hits: Counter = Counter()
        self.during: dict = {}
        real = botocore.client.BaseClient._make_api_call

        def call(client, operation, params):
            for name, matches, code, until in self.rules:
                if matches(operation, params) and until():
                    self.hits[name] += 1
                    raise ClientError({"Error": {"Code": code, "Message": f"injected {code}"}}, operation)
            answer = real(client, operation, params)
            hook = self.during.pop(operation, None)
            if hook is not None:
                hook()
            return answer

        monkeypatch.setattr(botocore.client.BaseClient, "_make_api_call", call)


def names(params) -> set[str]:
    return set((params.get("ExpressionAttributeNames") or {}).values())


def ends_a_claim(operation, params) -> bool:
    """The step's completion and the claim's release: both take the claim token off the ticket."""
    return (
        operation == "UpdateItem"
        and "claim_token" in names(params)
        and "REMOVE" in params["UpdateExpression"]
    )


def unanswered(stack, count: int, minute: float = 0.1) -> list[str]:
    ids = [str(1001 + n) for n in range(count)]
    for n, post_id in enumerate(ids):
        stack.mention(post_id, str(42 + n), "@AcmeCare my order never came", at=at(minute), handle=f"c{n}")
    return ids


def digests_on(stack, post_id: str) -> list:
    return [e.get("digest") for e in stack.ticket(post_id)["escalations"]]


def test_tickets_due_together_get_one_email_and_one_sms_per_recipient(make_stack):
    log = io.StringIO()
    stack = make_stack(log=log)
    ids = unanswered(stack, 5)
    stack.run_until(at(65))
    emails, sms = stack.emails(), stack.sms()
    assert [e["to"] for e in emails] == [CARE_TEAM, MANAGER]
    assert all(e["subject"].startswith("[socialcare] 5 tickets need a reply") for e in emails)
    assert [s["to"] for s in sms] == [ON_CALL, MANAGER_PHONE]
    assert all(s["text"].startswith("socialcare 5 tickets need a reply") for s in sms)
    for post_id in ids:  # the report keeps each ticket's alerts, with the digest they went in
        assert [(e["level"], e["via"]) for e in stack.ticket(post_id)["escalations"]] == [
            (1, "email"),
            (2, "sms"),
            (3, "email"),
            (3, "sms"),
        ]
        assert all(digests_on(stack, post_id))
    assert metric(log, metric_names.DIGESTS_SENT) == 4 and metric(log, metric_names.ALERTS_SENT) == 20


def test_a_sweep_dying_after_the_digest_went_sends_nothing_new_when_its_claims_are_taken_over(
    make_stack, monkeypatch
):
    stack = make_stack()
    faults = Faults(monkeypatch)
    # The 14:31 sweep sends the digest, then can neither complete its steps nor give them back: it
    # fails with its claims held, as if it had died. Its lease runs out; a later sweep takes over.
    faults.rules.append(("dies", ends_a_claim, "ThrottlingException", lambda: stack.clock.now() < at(31.5)))
    ids = unanswered(stack, 3)
    stack.run_until(at(40))
    assert faults.hits["dies"] > 0 and stack.scheduler.failures, "the 14:31 sweep failed"
    assert [e["to"] for e in stack.emails()] == [CARE_TEAM], "the same digest, answered once"
    keys = {key for post_id in ids for key in digests_on(stack, post_id)}
    assert len(keys) == 1 and all(len(stack.ticket(p)["escalations"]) == 1 for p in ids)
    assert {stack.ticket(p)["escalations"][0]["at"][11:16] for p in ids} == {"14:34"}, "completed on takeover"


def test_two_sweeps_at_once_send_one_digest(make_stack, monkeypatch):
    stack = make_stack()
    faults = Faults(monkeypatch)
    ids = unanswered(stack, 3)
    stack.run_until(at(30.5))
    second = []
    faults.during["SendEmail"] = lambda: second.append(stack.escalate())  # while the first is sending
    stack.run_until(at(31))
    assert second and second[0]["contended"] == 3 and second[0]["alerts_sent"] == 0
    assert [e["to"] for e in stack.emails()] == [CARE_TEAM]
    assert all(len(stack.ticket(p)["escalations"]) == 1 for p in ids)


def test_a_digest_failing_for_one_recipient_is_retried_alone_and_the_others_go_on(make_stack, monkeypatch):
    stack = make_stack()
    faults = Faults(monkeypatch)
    faults.rules.append(
        (
            "throttled",
            lambda op, params: op == "Publish" and params.get("PhoneNumber") == MANAGER_PHONE,
            "ThrottlingException",
            lambda: faults.hits["throttled"] < 1,
        )
    )
    ids = unanswered(stack, 2)
    stack.run_until(at(70))
    assert faults.hits["throttled"] == 1
    assert [(e["to"], e["at"][11:16]) for e in stack.emails()] == [(CARE_TEAM, "14:31"), (MANAGER, "15:01")]
    assert [(s["to"], s["at"][11:16]) for s in stack.sms()] == [(ON_CALL, "14:49"), (MANAGER_PHONE, "15:02")]
    for post_id in ids:
        [late] = [e for e in stack.ticket(post_id)["escalations"] if e["to"] == MANAGER_PHONE]
        assert late["at"][11:16] == "15:02" and late["digest"]


def test_a_digest_sms_takes_one_sms_of_the_budget_and_tells_what_it_folded(make_stack):
    stack = make_stack(config_text=budget_config(1))
    for n in range(3):  # minutes apart: each its own SMS; past the first, folded into the e-mail
        stack.run_until(at(3 * n))
        stack.mention(
            str(1000 + n), str(100 + n), "@AcmeCare my order never came", at=at(0.1 + 3 * n), handle=f"c{n}"
        )
    stack.run_until(at(40))
    assert len(stack.sms()) == 1 and len(stack.emails()) == 3
    for n in range(3):  # due together in the next hour: one digest SMS, one of that hour's budget
        stack.mention(str(1010 + n), str(110 + n), "@AcmeCare still nothing", at=at(61), handle=f"d{n}")
    stack.run_until(at(100))
    assert len(stack.sms()) == 2
    last = stack.sms()[-1]["text"]
    assert last.startswith("socialcare 3 tickets need a reply (oldest 3"), last
    assert " min) +2 more since 14:3" in last and " by e-mail:" in last
