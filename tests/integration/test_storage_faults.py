"""DynamoDB and SSM failing under the real handlers: every write path throttled, a transaction
cancelled by a conflict, the configuration unreadable at cold start. Whatever fails, no mention is
lost, no customer gets a second reply, no one a second alert, and the failure shows."""

import io
import json
from collections import Counter

import boto3
import pytest

from socialcare.config import ConfigError
from socialcare_local.aws_faults import AwsFaults, attribute_names, tables
from socialcare_local.replay import world

from .conftest import at

# What the default ladder sends by 14:50 for a mention at 14:00: level 1 by e-mail, level 2 by SMS.
LADDER_SO_FAR = {(1, "email"): ["care-team@acme.example"], (2, "sms"): ["+14155550123"]}


@pytest.fixture
def logs():
    return io.StringIO()


@pytest.fixture
def stack(make_stack, logs):
    return make_stack(log=logs)


@pytest.fixture
def faults(stack):
    with AwsFaults() as injected:
        yield injected


def stores_a_mention(params) -> bool:
    """The poll's transaction: the post's claim with its new ticket (or the ticket it joins)."""
    puts = [entry["Put"]["Item"] for entry in params.get("TransactItems", []) if "Put" in entry]
    return any(item.get("kind") == {"S": "post"} for item in puts)


def moves_the_cursor(params) -> bool:
    return "cursor" in attribute_names(params)


def begins_an_acknowledgement(params) -> bool:
    return "ack_started_at" in attribute_names(params)


def records_a_posted_acknowledgement(params) -> bool:
    return "ack_post_id" in attribute_names(params)


def claims_an_escalation_level(params) -> bool:
    names = attribute_names(params)
    return "claim_token" in names and "escalations" not in names and "SET" in params["UpdateExpression"]


def completes_an_escalation_level(params) -> bool:
    return "escalations" in attribute_names(params)


def writes_an_idempotency_record(stack):
    table = stack.deployment.environment("AcknowledgeFunction")["IDEMPOTENCY_TABLE"]
    return lambda params: tables(params) == {table}


# Each write path, throttled past botocore's own retries (both codes DynamoDB answers with).
WRITE_PATHS = {
    "storing a mention": ("TransactWriteItems", stores_a_mention, "ProvisionedThroughputExceededException"),
    "moving the cursor": ("UpdateItem", moves_the_cursor, "ThrottlingException"),
    "beginning an acknowledgement": ("TransactWriteItems", begins_an_acknowledgement, "ThrottlingException"),
    "recording a posted acknowledgement": (
        "TransactWriteItems",
        records_a_posted_acknowledgement,
        "ProvisionedThroughputExceededException",
    ),
    "claiming an escalation level": (
        "UpdateItem",
        claims_an_escalation_level,
        "ProvisionedThroughputExceededException",
    ),
    "completing an escalation level": ("UpdateItem", completes_an_escalation_level, "ThrottlingException"),
    # Alerts only: an acknowledgement's idempotency is its ticket's own state.
    "starting an alert's idempotency record": ("PutItem", None, "ProvisionedThroughputExceededException"),
    "completing an alert's idempotency record": ("UpdateItem", None, "ThrottlingException"),
}
# The alert went out and is recorded on the ticket: the failed completion is an error log line, which
# the harness cannot read back (Powertools binds its handler to the stdout of the first stack built).
SHOWS_ONLY_IN_LOGS = {"completing an alert's idempotency record"}


def failures_seen(stack, logs) -> list[str]:
    """Failed scheduled invocations and stream batches (Lambda's Errors metric, alarmed), poll
    messages that failed (retried, then dead-lettered: alarmed), alerts that failed (AlertsFailed,
    alarmed when it persists; the send is kept and retried) and the functions' error logs."""
    scheduled = [f"{run.function_id}: {run.error}" for run in stack.scheduler.failures]
    batches = [f"{b.function_id}: {b.outcome} {b.error}" for b in stack.pump.batches if b.outcome != "ok"]
    batches += [f"{b.function_id}: {b.outcome}" for b in stack.scheduler.queues.batches if b.outcome != "ok"]
    lines = [json.loads(line) for line in logs.getvalue().splitlines() if line.startswith('{"level"')]
    errors = [f"{line.get('function_name')}: {line['message']}" for line in lines if line["level"] == "ERROR"]
    # What the sweep reports is what it counts in AlertsFailed.
    alerts = [
        f"{run.function_id}: {run.result}"
        for run in stack.scheduler.runs
        if (run.result or {}).get("alerts_failed")
    ]
    return scheduled + batches + errors + alerts


def assert_nothing_lost_or_doubled(stack, post_id="1001"):
    """One ticket for the mention, one public reply to it, each alert of the ladder so far once."""
    assert [t["post_ids"] for t in stack.tickets()] == [[post_id]]
    assert len(stack.replies_to(post_id)) == 1
    ticket = stack.ticket(post_id)
    assert ticket["ack_state"] == "posted" and ticket["ack_post_id"] == stack.replies_to(post_id)[0]["id"]
    assert [e["to"] for e in stack.emails()] == LADDER_SO_FAR[(1, "email")]
    assert [s["to"] for s in stack.sms()] == LADDER_SO_FAR[(2, "sms")]
    assert Counter((e["level"], e["via"]) for e in ticket["escalations"]) == Counter(list(LADDER_SO_FAR))


@pytest.mark.parametrize("path", WRITE_PATHS)
def test_a_write_throttled_for_minutes_loses_and_doubles_nothing_and_shows(stack, logs, faults, path):
    operation, matches, code = WRITE_PATHS[path]
    fault = faults.fail("dynamodb", operation, code, when=matches or writes_an_idempotency_record(stack))
    stack.mention("1001", "42", "@AcmeCare my order never came", at=at(0.1), handle="jane")
    # Throttled through the first acknowledgement and, for the writes escalation makes, through the
    # first escalation level (due at 14:31) too.
    stack.run_until(at(33) if "escalation" in path or "idempotency" in path else at(3))
    assert fault.hits, f"nothing wrote through {path}"
    if path not in SHOWS_ONLY_IN_LOGS:
        assert failures_seen(stack, logs), "a throttled write must show: a failed run or batch, a metric"
    faults.clear()
    stack.run_until(at(50))
    assert_nothing_lost_or_doubled(stack)


def test_a_poll_transaction_cancelled_by_a_conflict_is_retried_never_a_duplicate(stack, faults):
    fault = faults.fail(
        "dynamodb",
        "TransactWriteItems",
        "TransactionCanceledException",
        when=stores_a_mention,
        times=1,
        cancellation_reasons=["None", "TransactionConflict", "None"],
    )
    stack.mention("1001", "42", "@AcmeCare my order never came", at=at(0.1), handle="jane")
    stack.mention("1002", "43", "@AcmeCare mine too", at=at(0.2), handle="joe")
    stack.run_until(at(2))
    assert fault.hits == 1
    assert sorted(p for t in stack.tickets() for p in t["post_ids"]) == ["1001", "1002"]
    assert [len(stack.replies_to(p)) for p in ("1001", "1002")] == [1, 1]
    polls = [b.response for b in stack.scheduler.queues.batches if b.function_id == "PollMentionsFunction"]
    assert polls and sum(poll["accounts"][0]["duplicates"] for poll in polls if poll) == 0


def test_a_write_failing_inside_the_poll_transaction_leaves_no_claim_without_its_ticket(stack, monkeypatch):
    """The local runtime's transactions are atomic: the post's claim, written first, is undone."""
    from moto.dynamodb.models.table import Table

    real_put = Table.put_item

    def ticket_write_fails(self, item_attrs, *args, **kwargs):
        if item_attrs.get("sk") == {"S": "TICKET"}:
            raise RuntimeError("storage node lost")
        return real_put(self, item_attrs, *args, **kwargs)

    stack.mention("1001", "42", "@AcmeCare my order never came", at=at(0.1), handle="jane")
    monkeypatch.setattr(Table, "put_item", ticket_write_fails)
    stack.run_until(at(1))
    assert [batch for batch in stack.scheduler.queues.batches if batch.failed] and stack.tickets() == []
    claim = boto3.client("dynamodb").get_item(
        TableName=stack.deployment.table_name("TicketsTable"),
        Key={"pk": {"S": "POST#x#1001"}, "sk": {"S": "POST"}},
    )
    assert "Item" not in claim
    monkeypatch.setattr(Table, "put_item", real_put)
    stack.run_until(at(50))
    assert_nothing_lost_or_doubled(stack)


def test_ssm_unreadable_at_cold_start_names_the_parameter_does_nothing_then_recovers(stack, faults):
    fault = faults.fail("ssm", "GetParameter", "ThrottlingException")
    stack.mention("1001", "42", "@AcmeCare my order never came", at=at(0.1), handle="jane")
    stack.run_until(at(2))
    assert fault.hits and stack.scheduler.failures
    for run in stack.scheduler.failures:
        assert run.error_type == ConfigError.__name__ and world.CONFIG_PARAMETER in run.error_message
    assert stack.tickets() == [] and stack.sim.created_posts() == []
    state = boto3.client("dynamodb").scan(TableName=stack.deployment.table_name("StateTable"))
    assert state["Items"] == [], "no cursor moved, no pause recorded"
    faults.clear()
    stack.run_until(at(50))
    assert_nothing_lost_or_doubled(stack)
