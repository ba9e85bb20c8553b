"""poll_mentions when X misbehaves: a failure stays with the account it hit, a malformed post is
quarantined while the rest of its page is stored, a stream that keeps failing raises PollStalled,
and a mention dated in the future still meets its deadline. Metrics are read from the EMF lines
the handler writes, as CloudWatch would."""

import io
import json

import boto3
import pytest

from socialcare.channels.x.adapter import XAdapter
from socialcare.runtime import metric_names
from socialcare_local.networks.x import Fault
from socialcare_local.replay.scenario import Account
from socialcare_local.stack import StackOptions, local_stack

from .conftest import BRAND, T0, at

SECOND = Account(type="account", channel="x", id="9002", handle="AcmeHelp")
SECOND_MENTIONS = r"/users/9002/mentions$"


class Metrics:
    """The handler's metrics, from the EMF lines in the functions' log."""

    def __init__(self, log: io.StringIO):
        self._log = log

    def take(self) -> dict[str, float]:
        """Sum of each metric since the last take()."""
        totals: dict[str, float] = {}
        for line in self._log.getvalue().splitlines():
            record = json.loads(line) if line.startswith("{") else {}
            for definition in record.get("_aws", {}).get("CloudWatchMetrics", []):
                for metric in definition["Metrics"]:
                    values = record[metric["Name"]]
                    totals[metric["Name"]] = totals.get(metric["Name"], 0) + sum(
                        values if isinstance(values, list) else [values]
                    )
        self._log.seek(0)
        self._log.truncate()
        return totals


@pytest.fixture
def brands():
    """Two brand accounts on one stack, and the metrics their polls emit. Started in the test itself:
    pytest restores its own stdout at each phase, which would undo the stack's capture of it."""
    contexts = []

    def start():
        log = io.StringIO()
        contexts.append(local_stack([BRAND, SECOND], T0, StackOptions(log=log)))
        return contexts[-1].__enter__(), Metrics(log)

    yield start
    for context in contexts:
        context.__exit__(None, None, None)


def quarantined_items(stack) -> list[dict]:
    table = stack.deployment.table_name("TicketsTable")
    items = boto3.client("dynamodb").scan(
        TableName=table, FilterExpression="kind = :k", ExpressionAttributeValues={":k": {"S": "quarantine"}}
    )["Items"]
    return [{key: next(iter(value.values())) for key, value in item.items()} for item in items]


def state(stack, account_id: str, stream: str = "mentions") -> dict:
    table = stack.deployment.table_name("StateTable")
    item = boto3.client("dynamodb").get_item(TableName=table, Key={"pk": {"S": f"x#{account_id}#{stream}"}})
    return {key: value["S"] for key, value in item.get("Item", {}).items()}


def with_body(change):
    def transform(body: dict) -> dict:
        change(body)
        return body

    return Fault.edit(transform)


def poison_non_object_post(stack, monkeypatch):
    stack.sim.fail_next("GET", SECOND_MENTIONS, with_body(lambda body: body["data"].insert(0, 42)))


def poison_cursor(stack, monkeypatch):
    def numeric_cursor(body):
        body["meta"]["newest_id"] = int(body["meta"]["newest_id"])

    stack.sim.fail_next("GET", SECOND_MENTIONS, *[with_body(numeric_cursor)] * 4)  # every retry


def poison_reset(stack, monkeypatch):
    headers = {"x-rate-limit-remaining": "0", "x-rate-limit-reset": "9" * 30}
    stack.sim.fail_next("GET", SECOND_MENTIONS, Fault.answer(429, {"title": "Too Many Requests"}, headers))


def poison_unknown_account(stack, monkeypatch):
    stack.sim.remove_user(SECOND.id)  # X now answers 200 with errors and no meta


def poison_bug(stack, monkeypatch):
    real = XAdapter.read

    def crash(self, stream, *args, **kwargs):
        if self._account.id == SECOND.id:
            raise KeyError("a bug nobody foresaw")
        return real(self, stream, *args, **kwargs)

    monkeypatch.setattr(XAdapter, "read", crash)


@pytest.mark.parametrize(
    ("poison", "run_fails", "expected"),
    [
        (poison_non_object_post, False, {metric_names.POSTS_QUARANTINED: 1, metric_names.MENTIONS_STORED: 2}),
        (poison_cursor, False, {metric_names.POLL_FAILED: 1, metric_names.MENTIONS_STORED: 1}),
        (poison_reset, False, {metric_names.RATE_LIMITED: 1, metric_names.MENTIONS_STORED: 1}),
        (poison_unknown_account, True, {metric_names.ACCOUNT_UNAVAILABLE: 1, metric_names.POLL_FAILED: 1}),
        (poison_bug, True, {metric_names.POLL_FAILED: 1, metric_names.MENTIONS_STORED: 1}),
    ],
)
def test_a_poisoned_account_never_stops_the_others(brands, monkeypatch, poison, run_fails, expected):
    stack, metrics = brands()
    stack.mention("1001", "42", "@AcmeCare my order never came", at=at(0.1))
    stack.mention("1002", "43", "@AcmeHelp where is my refund", at=at(0.2))
    poison(stack, monkeypatch)
    stack.clock.set(at(1))
    # Each account is its own message: only the poisoned one's fails when a person must act (it is
    # delivered again, then lands in the alarmed dead-letter queue).
    assert stack.poll()["retried"] == (["x#9002"] if run_fails else [])
    assert "1001" in [t["post_id"] for t in stack.tickets()]
    emitted = metrics.take()
    assert {name: emitted.get(name) for name in expected} == expected
    stack.deliver_stream()
    assert stack.replies_to("1001"), "the healthy account's mention is acknowledged"
    assert state(stack, BRAND.id)["cursor"] == "1001"


def test_a_rate_limit_reset_far_in_the_future_pauses_for_a_day_at_most(brands):
    stack, _ = brands()
    poison_reset(stack, None)
    stack.clock.set(at(1))
    polls = {poll["account"]: poll for poll in stack.poll()["accounts"]}
    assert polls["x#9002"]["paused_until"] == "2026-11-24T14:01:00Z"


def test_a_post_without_created_at_is_quarantined_and_the_rest_of_its_page_stored(make_stack):
    log = io.StringIO()
    stack, metrics = make_stack(log=log), Metrics(log)
    for n in range(3):
        stack.mention(str(1001 + n), str(42 + n), f"@AcmeCare question {n}", at=at(0.1 * (n + 1)))

    def drop_created_at(body):
        next(post for post in body["data"] if post["id"] == "1002").pop("created_at")

    stack.sim.fail_next("GET", r"/mentions$", with_body(drop_created_at))
    stack.clock.set(at(1))
    result = stack.poll()["accounts"][0]
    assert (result["stored"], result["quarantined"], result["cursor_moved"]) == (2, 1, True)
    assert state(stack, BRAND.id)["cursor"] == "1003", "the cursor moved past it"
    [kept] = quarantined_items(stack)
    assert kept["pk"] == "QUARANTINE#x#9001#1002" and kept["post_id"] == "1002"
    assert "created_at is missing" in kept["reason"] and json.loads(kept["raw_json"])["id"] == "1002"
    assert metrics.take()[metric_names.POSTS_QUARANTINED] == 1
    # Read again from scratch (an overlapping poll): kept once, counted once.
    boto3.client("dynamodb").delete_item(
        TableName=stack.deployment.table_name("StateTable"), Key={"pk": {"S": f"x#{BRAND.id}#mentions"}}
    )
    stack.sim.fail_next("GET", r"/mentions$", with_body(drop_created_at))
    again = stack.poll()["accounts"][0]
    assert (again["duplicates"], again["quarantined"]) == (2, 0)
    assert len(quarantined_items(stack)) == 1 and metrics.take()[metric_names.POSTS_QUARANTINED] == 0


def test_a_stream_failing_for_ten_minutes_raises_poll_stalled_once_per_run_until_it_recovers(make_stack):
    log = io.StringIO()
    stack, metrics = make_stack(log=log), Metrics(log)
    stack.mention("1001", "42", "@AcmeCare hi", at=at(0.1))
    polls = 3
    stack.sim.fail_next("GET", r"/mentions$", *[Fault.status(503)] * (4 * polls))  # 4 tries a poll
    stalled = []
    for minute in (1, 6, 11):  # a brand-new deployment: measured from its first poll
        stack.clock.set(at(minute))
        result = stack.poll()["accounts"][0]  # transient: the run itself does not fail
        assert result["failed"] and not result["broken"]
        stalled.append((result["stalled"], metrics.take()[metric_names.POLL_STALLED]))
    assert stalled == [([], 0), ([], 0), (["mentions"], 1)]
    assert state(stack, BRAND.id)["failing_since"] == "2026-11-23T14:01:00Z"
    stack.clock.set(at(12))
    recovered = stack.poll()["accounts"][0]
    assert (recovered["stored"], recovered["stalled"]) == (1, [])
    assert metrics.take()[metric_names.POLL_STALLED] == 0
    assert "failing_since" not in state(stack, BRAND.id)


def test_a_long_rate_limit_pause_is_a_stall_too(make_stack):
    stack = make_stack()
    stack.clock.set(at(1))
    stack.poll()  # healthy: the last success
    poison_reset_brand = Fault.answer(429, {"title": "Too Many Requests"}, {"x-rate-limit-reset": "9" * 30})
    stack.sim.fail_next("GET", r"/mentions$", poison_reset_brand)
    stack.clock.set(at(2))
    assert stack.poll()["accounts"][0]["stalled"] == []
    stack.clock.set(at(11))
    assert stack.poll()["accounts"][0]["stalled"] == []  # stalls count from the first failed poll
    stack.clock.set(at(12))
    assert stack.poll()["accounts"][0]["stalled"] == ["mentions"]


def test_a_mention_dated_in_the_future_is_stored_once_and_escalates_from_when_it_was_read(make_stack):
    stack = make_stack()
    # X's clock (or ours) is 45 minutes off: the mention claims 14:45 while we read it at 14:00.
    stack.mention("1001", "42", "@AcmeCare my order never came", at=at(45))
    stack.run_until(at(40))
    [ticket] = stack.tickets()
    assert ticket["post_ids"] == ["1001"]
    assert (ticket["created_at"], ticket["detected_at"], ticket["due_at"]) == (
        "2026-11-23T14:00:00Z",
        "2026-11-23T14:00:00Z",
        "2026-11-23T15:00:00Z",
    )
    assert [email["at"] for email in stack.emails()] == ["2026-11-23T14:30:00Z"], "50% of the target, on time"
