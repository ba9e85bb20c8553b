"""The DynamoDB event source mapping: filters, batches, partial failures, bisection, on-failure."""

import json
from datetime import timedelta

import boto3
import pytest

from socialcare_local.streams import StreamPump

from .conftest import START, fixture_recorder


@pytest.fixture
def pump(deployment):
    return StreamPump(deployment)


def put_tickets(table, *names, **extra):
    for name in names:
        table.put_item(Item={"pk": name, "sk": "ticket", "kind": "ticket", **extra})


def worker_batches():
    return [
        [r["dynamodb"]["NewImage"]["pk"]["S"] for r in event["Records"]]
        for role, event in fixture_recorder.CALLS
        if role == "worker"
    ]


def processed(table):
    items = table.scan()["Items"]
    return sorted(item["pk"].removeprefix("done#") for item in items if item.get("kind") == "processed")


def on_failure_messages(deployment):
    sqs = boto3.client("sqs", region_name="us-east-1")
    response = sqs.receive_message(QueueUrl=deployment.queue_url("FailuresQueue"), MaxNumberOfMessages=10)
    return [json.loads(message["Body"]) for message in response.get("Messages", [])]


def test_event_is_built_like_lambdas(deployment, pump, table):
    put_tickets(table, "t1")
    assert pump.pump() == 1
    (record,) = fixture_recorder.CALLS[-1][1]["Records"]
    assert set(record) == {
        "eventID",
        "eventName",
        "eventVersion",
        "eventSource",
        "awsRegion",
        "dynamodb",
        "eventSourceARN",
    }
    assert (record["eventName"], record["eventVersion"], record["eventSource"], record["awsRegion"]) == (
        "INSERT",
        "1.1",
        "aws:dynamodb",
        "us-east-1",
    )
    assert record["eventSourceARN"] == deployment.stream_arn("ItemsTable")
    stream = record["dynamodb"]
    assert stream["ApproximateCreationDateTime"] == int(START.timestamp())  # the virtual time it was seen
    assert stream["Keys"] == {"pk": {"S": "t1"}, "sk": {"S": "ticket"}}
    assert stream["NewImage"]["kind"] == {"S": "ticket"} and "OldImage" not in stream
    assert stream["StreamViewType"] == "NEW_AND_OLD_IMAGES" and stream["SequenceNumber"].isdigit()
    assert pump.pump() == 0  # checkpointed


def test_filter_criteria_drop_records_that_match_no_pattern(pump, table):
    put_tickets(table, "t1")
    table.put_item(Item={"pk": "n1", "sk": "note", "kind": "note"})  # INSERT, but not a ticket
    table.update_item(
        Key={"pk": "t1", "sk": "ticket"}, UpdateExpression="SET x = :x", ExpressionAttributeValues={":x": 1}
    )  # a ticket, but MODIFY
    put_tickets(table, "t2")
    assert pump.pump() == 2
    assert worker_batches() == [["t1", "t2"]]
    assert pump.pump() == 0  # dropped records are checkpointed past, never re-read
    assert worker_batches() == [["t1", "t2"]]


def test_batches_hold_at_most_batch_size_records_in_order(pump, table):
    put_tickets(table, *(f"t{n}" for n in range(1, 8)))
    assert pump.pump() == 7
    assert worker_batches() == [["t1", "t2", "t3"], ["t4", "t5", "t6"], ["t7"]]
    assert processed(table) == [f"t{n}" for n in range(1, 8)]


def test_partial_failure_redelivers_from_the_lowest_failed_record(pump, table):
    table.put_item(Item={"pk": "control", "sk": "worker", "fail": {"t2": 1}})
    put_tickets(table, "t1", "t2", "t3")
    assert pump.pump() == 3
    assert worker_batches() == [["t1", "t2", "t3"], ["t2", "t3"]]  # exactly the failed record and later ones
    assert [b.outcome for b in pump.batches] == ["partial", "ok"]
    assert processed(table) == ["t1", "t2", "t3"]


def test_partial_failures_past_the_retry_limit_go_to_the_on_failure_queue(deployment, pump, table):
    table.put_item(Item={"pk": "control", "sk": "worker", "fail": {"t2": 10}})
    put_tickets(table, "t1", "t2", "t3")
    assert pump.pump() == 3
    # First try plus MaximumRetryAttempts (2) retries of the tail, then discarded.
    assert worker_batches() == [["t1", "t2", "t3"], ["t2", "t3"], ["t2", "t3"]]
    (message,) = on_failure_messages(deployment)
    assert message["requestContext"]["condition"] == "RetryAttemptsExhausted"
    assert message["DDBStreamBatchInfo"]["batchSize"] == 2
    assert processed(table) == ["t1", "t3"]  # t3 succeeded each time but is reported within the batch


def test_unknown_or_empty_item_identifier_fails_the_whole_batch():
    from socialcare_local.stream_events import first_failure

    seqs = ["10", "11", "12"]
    assert (
        first_failure({"batchItemFailures": [{"itemIdentifier": "12"}, {"itemIdentifier": "11"}]}, seqs) == 1
    )
    assert first_failure({"batchItemFailures": [{"itemIdentifier": ""}]}, seqs) == 0
    assert first_failure({"batchItemFailures": [{"itemIdentifier": None}]}, seqs) == 0
    assert first_failure({"batchItemFailures": [{"itemIdentifier": "99"}]}, seqs) == 0
    assert first_failure({"batchItemFailures": []}, seqs) is None
    assert first_failure(None, seqs) is None


def test_bisection_isolates_a_poison_record_and_sends_only_it_on(deployment, pump, table):
    table.put_item(Item={"pk": "control", "sk": "worker", "poison": ["t5"]})
    put_tickets(table, *(f"t{n}" for n in range(1, 8)))
    assert pump.pump() == 7
    assert worker_batches() == [
        ["t1", "t2", "t3"],
        ["t4", "t5", "t6"],  # raises: split in two
        ["t4"],
        ["t5", "t6"],  # raises: split again
        ["t5"],
        ["t5"],
        ["t5"],  # first try and two retries, then on to the destination
        ["t6"],
        ["t7"],
    ]
    (message,) = on_failure_messages(deployment)
    info = message["DDBStreamBatchInfo"]
    t5_seq = pump.batches[4].sequence_numbers[0]
    assert (info["startSequenceNumber"], info["endSequenceNumber"], info["batchSize"]) == (t5_seq, t5_seq, 1)
    assert info["streamArn"] == deployment.stream_arn("ItemsTable")
    assert message["responseContext"]["functionError"] == "Unhandled"
    assert message["requestContext"]["approximateInvokeCount"] == 3
    assert processed(table) == ["t1", "t2", "t3", "t4", "t6", "t7"]
    assert pump.pump() == 0


def test_creation_time_is_the_virtual_time_of_the_write(pump, table, clock):
    put_tickets(table, "t1")
    clock.advance(timedelta(minutes=10))
    put_tickets(table, "t2")
    clock.advance(timedelta(minutes=10))
    assert pump.pump() == 2
    (records,) = [event["Records"] for _, event in fixture_recorder.CALLS]
    assert [r["dynamodb"]["ApproximateCreationDateTime"] for r in records] == [
        int(START.timestamp()),
        int((START + timedelta(minutes=10)).timestamp()),
    ]


def test_records_older_than_the_maximum_age_are_discarded_to_the_destination(deployment, pump, table, clock):
    put_tickets(table, "old1", "old2")
    clock.advance(timedelta(hours=1, seconds=1))
    put_tickets(table, "new")
    assert pump.pump() == 3
    assert worker_batches() == [["new"]]
    (message,) = on_failure_messages(deployment)
    assert message["requestContext"]["condition"] == "RecordAgeExceeded"
    assert message["DDBStreamBatchInfo"]["batchSize"] == 2


def test_writes_made_by_handlers_are_pumped_in_the_same_call(deployment, pump, table):
    # A handler (here: the ticker, invoked directly) writes; a later pump picks the records up.
    put_tickets(table, "t1")
    assert pump.pump("TickerFunction") == 0  # not subscribed: nothing delivered
    assert pump.pump("WorkerFunction") == 1
