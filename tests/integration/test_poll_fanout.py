"""Polling fanned out per account through the real template: the minutely PollFanOutFunction
queues one message per account on PollQueue, and PollMentionsFunction polls one account a message.
A failing account fails only its own message, which SQS delivers again and then dead-letters."""

import json

import boto3
import pytest

from socialcare_local.aws_faults import AwsFaults
from socialcare_local.replay.scenario import Account
from socialcare_local.stack import StackOptions, local_stack

from .conftest import T0, at

ACCOUNTS = [Account(type="account", channel="x", id=str(9001 + n), handle=f"Brand{n:02d}") for n in range(12)]


@pytest.fixture
def brands():
    with local_stack(ACCOUNTS, T0, StackOptions(validate_spec=False)) as stack:
        stack.run_until(T0)  # the first minute, on an empty world
        stack.scheduler.runs.clear()
        yield stack


def mention(stack, post_id: str, account: Account, minutes: float) -> None:
    stack.mention(post_id, f"4{post_id}", f"@{account.handle} my order never came", at=at(minutes))


def poll_invocations(stack) -> list:
    return [
        b for run in stack.scheduler.runs for b in run.deliveries if b.function_id == "PollMentionsFunction"
    ]


def queue_depth(stack, queue: str) -> int:
    attributes = boto3.client("sqs").get_queue_attributes(
        QueueUrl=stack.deployment.queue_url(queue), AttributeNames=["ApproximateNumberOfMessages"]
    )
    return int(attributes["Attributes"]["ApproximateNumberOfMessages"])


def test_every_account_is_polled_once_a_minute_by_its_own_invocation(brands):
    for n, account in enumerate(ACCOUNTS):
        mention(brands, str(1001 + n), account, 0.1)
    brands.deployment.reset_request_counts()
    brands.run_until(at(1))
    sends = brands.deployment.request_counts("PollFanOutFunction")
    assert sends[("sqs", "SendMessageBatch")] == 2, "12 accounts: 10 a request"
    batches = poll_invocations(brands)
    assert [len(batch.message_ids) for batch in batches] == [1] * 12
    polled = sorted(poll["account"] for batch in batches for poll in batch.response["accounts"])
    assert polled == sorted(f"x#{a.id}" for a in ACCOUNTS)
    assert len(brands.tickets()) == 12
    [fanout] = [run for run in brands.scheduler.runs if run.function_id == "PollFanOutFunction"]
    assert fanout.result == {"minute": "2026-11-23T14:01:00Z", "queued": 12}
    assert queue_depth(brands, "PollQueue") == 0, "every message handled is deleted"


def test_a_broken_account_is_retried_then_dead_lettered_while_the_others_are_polled_every_minute(brands):
    broken, healthy = ACCOUNTS[0], ACCOUNTS[1]
    brands.sim.remove_user(broken.id)  # X answers its timelines with errors: a person must act
    brands.run_until(at(1))
    assert [b.failed != () for b in poll_invocations(brands)].count(True) == 1
    for minute in range(2, 9):
        mention(brands, str(2000 + minute), healthy, minute - 0.5)
        brands.run_until(at(minute))
        assert str(2000 + minute) in [t["post_id"] for t in brands.tickets()], f"minute {minute}"
    # Each failed message came back after the visibility timeout, and after maxReceiveCount
    # receives it waits in the alarmed dead-letter queue.
    retried = [b for b in poll_invocations(brands) if b.response and b.failed]
    receives = {}
    for batch in retried:
        for message_id in batch.message_ids:
            receives[message_id] = receives.get(message_id, 0) + 1
    assert max(receives.values()) == 3
    assert queue_depth(brands, "PollDeadLetterQueue") >= 1
    [dead] = boto3.client("sqs").receive_message(
        QueueUrl=brands.deployment.queue_url("PollDeadLetterQueue"), MaxNumberOfMessages=1
    )["Messages"]
    assert json.loads(dead["Body"])["account"] == f"x#{broken.id}"


def test_a_malformed_poll_message_fails_alone(brands):
    sqs = boto3.client("sqs")
    sqs.send_message(QueueUrl=brands.deployment.queue_url("PollQueue"), MessageBody="not json")
    mention(brands, "1001", ACCOUNTS[0], 0.1)
    brands.run_until(at(1))
    outcomes = [batch.outcome for batch in poll_invocations(brands)]
    assert outcomes.count("partial") == 1 and outcomes.count("ok") == 12
    assert [t["post_id"] for t in brands.tickets()] == ["1001"]


def test_accounts_sqs_refuses_are_named_and_fail_the_run_after_the_others_are_queued(brands):
    with AwsFaults() as faults:
        # the first request (accounts 1-10) fails, and so does its one retry
        faults.fail("sqs", "SendMessageBatch", "InternalError", times=2)
        mention(brands, "1001", ACCOUNTS[11], 0.1)
        brands.run_until(at(1))
    [run] = [run for run in brands.scheduler.runs if run.function_id == "PollFanOutFunction"]
    assert run.error_type == "PollQueueError"
    assert "10 accounts not queued for polling: x#9001, x#9002" in run.error_message
    assert [t["post_id"] for t in brands.tickets()] == ["1001"], "the last two accounts were polled"
    brands.run_until(at(2))  # the next minute queues everyone again
    assert len([b for b in poll_invocations(brands)]) == 2 + 12
