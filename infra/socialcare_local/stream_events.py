"""The JSON Lambda exchanges with a DynamoDB stream mapping: the event record it builds, the
partial batch response it reads back, and the on-failure message it sends when it gives up."""

import uuid
from datetime import UTC, datetime
from typing import Any


def lambda_record(raw: dict[str, Any], region: str, stream_arn: str) -> dict[str, Any]:
    """A record as Lambda delivers it, from one GetRecords record (as boto3 returns it)."""
    stream = raw["dynamodb"]
    # moto stamps the write's time (virtual, see deployment.py); boto3 parses it to a datetime.
    created = int(stream["ApproximateCreationDateTime"].timestamp())
    dynamodb: dict[str, Any] = {"ApproximateCreationDateTime": created, "Keys": stream["Keys"]}
    for name in ("NewImage", "OldImage"):
        if name in stream:
            dynamodb[name] = stream[name]
    dynamodb.update(
        SequenceNumber=stream["SequenceNumber"],
        SizeBytes=stream["SizeBytes"],
        StreamViewType=stream["StreamViewType"],
    )
    return {
        "eventID": raw["eventID"],
        "eventName": raw["eventName"],
        "eventVersion": "1.1",
        "eventSource": "aws:dynamodb",
        "awsRegion": region,
        "dynamodb": dynamodb,
        "eventSourceARN": stream_arn,
    }


def first_failure(response: Any, sequence_numbers: list[str]) -> int | None:
    """Lambda's partial batch response rules: retry from the lowest failed record; malformed = all."""
    if not isinstance(response, dict) or not response.get("batchItemFailures"):
        return None
    indexes = []
    for failure in response["batchItemFailures"]:
        identifier = failure.get("itemIdentifier") if isinstance(failure, dict) else None
        if not identifier or identifier not in sequence_numbers:
            return 0
        indexes.append(sequence_numbers.index(identifier))
    return min(indexes)


def on_failure_message(
    *,
    function_arn: str,
    stream_arn: str,
    shard_id: str,
    records: list[dict[str, Any]],
    attempts: int,
    function_error: bool,
    condition: str,
    now: datetime,
) -> dict[str, Any]:
    """What Lambda sends to the OnFailure destination: where the discarded records are, not them."""
    return {
        "requestContext": {
            "requestId": str(uuid.uuid4()),
            "functionArn": function_arn,
            "condition": condition,
            "approximateInvokeCount": attempts,
        },
        "responseContext": {
            "statusCode": 200,
            "executedVersion": "$LATEST",
            **({"functionError": "Unhandled"} if function_error else {}),
        },
        "version": "1.0",
        "timestamp": _iso_millis(now),
        "DDBStreamBatchInfo": {
            "shardId": shard_id,
            "startSequenceNumber": seq_str(records[0]),
            "endSequenceNumber": seq_str(records[-1]),
            "approximateArrivalOfFirstRecord": _iso_millis(_created(records[0])),
            "approximateArrivalOfLastRecord": _iso_millis(_created(records[-1])),
            "batchSize": len(records),
            "streamArn": stream_arn,
        },
    }


def seq_str(record: dict[str, Any]) -> str:
    return record["dynamodb"]["SequenceNumber"]


def _created(record: dict[str, Any]) -> datetime:
    return datetime.fromtimestamp(record["dynamodb"]["ApproximateCreationDateTime"], UTC)


def _iso_millis(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"
