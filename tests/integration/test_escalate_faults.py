"""escalate when SES or SNS fail for one alert, or a ticket's fields are hostile: every other alert of
the level, the next levels and other tickets go out on time; the failed one is retried alone and sent
exactly once, or recorded as refused; nothing a customer writes can stop an alert."""

import dataclasses
import email
import io
import json
from collections import Counter
from email import policy

import boto3
import botocore.client
import yaml
from botocore.exceptions import ClientError

from socialcare.domain.alerts import SMS_MAX_SEGMENTS, sms_segments
from socialcare.persistence import escalations
from socialcare.runtime import metric_names
from socialcare_local.replay import world

from .conftest import BRAND, at

CARE_TEAM, MANAGER = "care-team@acme.example", "care-manager@acme.example"
ON_CALL, MANAGER_PHONE = "+14155550123", "+14155550199"


def config(level1_email=("care_team",), level2_sms=("on_call",), **limits) -> str:
    data = yaml.safe_load(world.config_text([BRAND], None))
    data["escalation"][0]["email"] = list(level1_email)
    data["escalation"][1]["sms"] = list(level2_sms)
    data["limits"].update(limits)
    return yaml.safe_dump(data)


class Faults:
    """Makes SES or SNS refuse the sends a rule matches, with the error code AWS would return."""

    def __init__(self, monkeypatch, clock):
        self.rules: list[tuple] = []
        self.hits: Counter = Counter()
        self._clock = clock
        real = botocore.client.BaseClient._make_api_call

        def call(client, operation, params):
            for name, matches, code, times, until in self.rules:
                if matches(operation, params) and self.hits[name] < times and self._clock.now() < until:
                    self.hits[name] += 1
                    raise ClientError({"Error": {"Code": code, "Message": f"injected {code}"}}, operation)
            return real(client, operation, params)

        monkeypatch.setattr(botocore.client.BaseClient, "_make_api_call", call)

    def email(self, name, to, handle, code, times=1_000_000, until=at(100_000)):
        def matches(operation, params):
            if operation != "SendEmail" or params["Destination"]["ToAddresses"] != [to]:
                return False
            message = email.message_from_bytes(params["Content"]["Raw"]["Data"], policy=policy.default)
            return f"@{handle}" in message["Subject"]

        self.rules.append((name, matches, code, times, until))

    def sms(self, name, number, code, times=1_000_000):
        def matches(operation, params):
            return operation == "Publish" and params.get("PhoneNumber") == number

        self.rules.append((name, matches, code, times, at(100_000)))


def unanswered(stack, post_id, author, handle, text="@AcmeCare my order never came"):
    stack.mention(post_id, author, text, at=at(0.1), handle=handle)


def sent(stack) -> list[tuple]:
    """(to, handle, when) of every alert: e-mails by their subject, SMS by their text."""
    found = [(e["to"], e["subject"].split("@")[1].split(":")[0], e["at"][11:16]) for e in stack.emails()]
    found += [(s["to"], s["text"].split("@")[1].split(" ")[0], s["at"][11:16]) for s in stack.sms()]
    return sorted(found, key=lambda alert: (alert[2], alert))


def records(stack, post_id) -> list[dict]:
    """The ticket's escalation records as stored, refusals and holds included."""
    table = boto3.resource("dynamodb", region_name="us-east-1").Table(
        stack.deployment.table_name("TicketsTable")
    )
    item = table.get_item(Key={"pk": f"TICKET#x#{post_id}", "sk": "TICKET"})["Item"]
    return [
        {"level": int(r["level"]), "to": r["to"], "at": r["at"][11:16], "error": r.get("error")}
        for r in item.get("escalations") or []
    ]


def metric(log: io.StringIO, name: str) -> int:
    total = 0
    for line in log.getvalue().splitlines():
        record = json.loads(line) if line.startswith("{") else {}
        if "_aws" in record and name in record:
            value = record[name]
            total += sum(value) if isinstance(value, list) else value
    return int(total)


def test_ses_throttling_one_alert_holds_back_nothing_else_and_it_goes_out_once_next_sweep(
    make_stack, monkeypatch
):
    log = io.StringIO()
    stack = make_stack(config_text=config(level1_email=("care_team", "manager")), log=log)
    faults = Faults(monkeypatch, stack.clock)
    faults.email("throttled", CARE_TEAM, "jane", "TooManyRequestsException", times=1)
    unanswered(stack, "1001", "42", "jane")
    stack.run_until(at(2))  # bob's alerts fall due in later sweeps (due together, they'd share a digest)
    stack.mention("1002", "43", "@AcmeCare my order never came", at=at(2.1), handle="bob")
    stack.run_until(at(52))
    assert faults.hits["throttled"] == 1
    assert sent(stack) == [
        (MANAGER, "jane", "14:31"),
        (CARE_TEAM, "jane", "14:32"),  # the retry, on the next sweep
        (MANAGER, "bob", "14:33"),
        (CARE_TEAM, "bob", "14:33"),
        (ON_CALL, "jane", "14:49"),
        (ON_CALL, "bob", "14:51"),
    ]
    assert records(stack, "1001") == [
        {"level": 1, "to": MANAGER, "at": "14:31", "error": None},
        {"level": 1, "to": CARE_TEAM, "at": "14:32", "error": None},
        {"level": 2, "to": ON_CALL, "at": "14:49", "error": None},
    ]
    assert metric(log, metric_names.ALERTS_FAILED) == 1 and metric(log, metric_names.ALERTS_SENT) == 6


def test_an_alert_failing_for_half_an_hour_lets_the_ladder_go_on_and_goes_out_once_after(
    make_stack, monkeypatch
):
    stack = make_stack()
    faults = Faults(monkeypatch, stack.clock)
    faults.email("outage", CARE_TEAM, "jane", "ServiceUnavailable", until=at(55))
    unanswered(stack, "1001", "42", "jane")
    stack.run_until(at(90))
    assert faults.hits["outage"] == 5  # 14:31, then retries at 14:32, 14:34, 14:38, 14:46; 15:02 went through
    assert sent(stack) == [
        (ON_CALL, "jane", "14:49"),
        (MANAGER_PHONE, "jane", "15:01"),
        (MANAGER, "jane", "15:01"),
        (CARE_TEAM, "jane", "15:02"),
    ]
    assert [(r["level"], r["at"]) for r in records(stack, "1001")] == [
        (2, "14:49"),
        (3, "15:01"),
        (3, "15:01"),
        (1, "15:02"),
    ]
    assert stack.ticket("1001")["status"] == "open"
    assert len(stack.emails()) == 2, "nothing sent twice by the retries"


def test_a_rejected_recipient_is_recorded_and_never_retried_while_the_others_get_theirs(
    make_stack, monkeypatch
):
    stack = make_stack(config_text=config(level1_email=("care_team", "manager")))
    faults = Faults(monkeypatch, stack.clock)
    faults.email("rejected", CARE_TEAM, "jane", "MessageRejected")
    unanswered(stack, "1001", "42", "jane")
    stack.run_until(at(30))
    stack.clock.set(at(31))
    result = stack.escalate()
    assert (result["alerts_sent"], result["alerts_rejected"], result["alerts_failed"]) == (1, 1, 0)
    stack.run_until(at(50))
    assert faults.hits["rejected"] == 1
    assert sent(stack) == [(MANAGER, "jane", "14:31"), (ON_CALL, "jane", "14:49")]
    refused = next(r for r in records(stack, "1001") if r["to"] == CARE_TEAM)
    assert refused["level"] == 1 and "MessageRejected" in refused["error"]


def test_an_sns_failure_for_one_number_does_not_stop_the_other_sms_of_the_level(make_stack, monkeypatch):
    stack = make_stack(config_text=config(level2_sms=("on_call", "manager")))
    faults = Faults(monkeypatch, stack.clock)
    faults.sms("sns down for one number", ON_CALL, "InternalError", times=2)
    unanswered(stack, "1001", "42", "jane")
    stack.run_until(at(55))
    assert faults.hits["sns down for one number"] == 2
    assert [alert for alert in sent(stack) if alert[0] != CARE_TEAM] == [
        (MANAGER_PHONE, "jane", "14:49"),
        (ON_CALL, "jane", "14:52"),  # failed at 14:49 and 14:50, retried 1 then 2 minutes later
    ]


def test_an_alert_failing_all_day_is_given_up_and_recorded_as_rejected(make_stack, monkeypatch):
    stack = make_stack()
    faults = Faults(monkeypatch, stack.clock)
    faults.email("forever", CARE_TEAM, "jane", "TooManyRequestsException")
    unanswered(stack, "1001", "42", "jane")
    stack.run_until(at(32))
    stack.clock.set(at(31 + 24 * 60))
    result = stack.escalate()
    assert result["alerts_rejected"] == 1 and faults.hits["forever"] == 3
    given_up = next(r for r in records(stack, "1001") if r["to"] == CARE_TEAM)
    assert given_up["error"].startswith("gave up after 3 attempts: ClientError")
    stack.clock.set(at(32 + 24 * 60))
    assert stack.escalate()["due"] == 0, "nothing left to retry: the ticket left the index"


def test_a_lone_surrogate_in_the_text_and_a_line_break_in_the_handle_stop_no_level(stack, monkeypatch):
    unanswered(stack, "1001", "42", "jane", text="@AcmeCare my order never came, call +44 7700 900456")
    stack.run_until(at(2))
    table = boto3.resource("dynamodb", region_name="us-east-1").Table(
        stack.deployment.table_name("TicketsTable")
    )
    table.update_item(  # a network whose display names allow anything
        Key={"pk": "TICKET#x#1001", "sk": "TICKET"},
        UpdateExpression="SET author_handle = :h",
        ExpressionAttributeValues={":h": "jane\r\nBcc: everyone@evil.example"},
    )
    # DynamoDB refuses to store a lone surrogate, so the ticket gets one as the sweep reads it.
    real_claim = escalations.claim_level

    def claim_with_a_lone_surrogate(*args, **kwargs):
        ticket = real_claim(*args, **kwargs)
        if ticket is not None:
            return dataclasses.replace(ticket, text=ticket.text.replace("order", "order \ud83d"))
        return ticket

    monkeypatch.setattr(escalations, "claim_level", claim_with_a_lone_surrogate)
    stack.run_until(at(50))
    (alert,), (sms,) = stack.emails(), stack.sms()
    assert (alert["at"], sms["at"]) == ("2026-11-23T14:31:00Z", "2026-11-23T14:49:00Z")
    assert "my order \ufffd never came" in alert["text"]
    raw = email.message_from_string(stack.sent._ses.sent_messages[0].raw_data, policy=policy.default)
    assert raw["Bcc"] is None and raw["To"] == CARE_TEAM
    assert "\n" not in raw["Subject"] and "@jane Bcc: everyone@evil.example: 29 min left" in raw["Subject"]
    assert (
        "\n" not in sms["text"]
        and sms_segments(sms["text"]) <= SMS_MAX_SEGMENTS
        and "900456" not in sms["text"]
    )
    assert [(r["level"], r["error"]) for r in records(stack, "1001")] == [(1, None), (2, None)]
