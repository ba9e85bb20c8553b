"""Lambda's DynamoDB event source mapping, emulated against moto's DynamoDB Streams API.

moto records stream records but never runs triggers. StreamPump reads each subscribed table's
stream from a per-mapping checkpoint, filters, batches, invokes the handler, and on failure
applies partial batch responses, bisection, retries and the on-failure destination.
"""

import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import boto3

from .cfn import StreamSource
from .event_filter import matches_any
from .stream_events import first_failure, lambda_record, on_failure_message, seq_str

if TYPE_CHECKING:
    from .deployment import LocalDeployment

MAX_ROUNDS = 1000  # a handler that rewrites its own trigger's items forever should fail loudly


@dataclass
class BatchResult:
    function_id: str
    sequence_numbers: list[str]
    outcome: str  # "ok", "partial" or "error"
    error: str | None = None


@dataclass
class _Mapping:
    function_id: str
    source: StreamSource
    stream_arn: str
    checkpoints: dict[str, int] = field(default_factory=dict)  # shard id -> last consumed sequence number


class StreamPump:
    """Delivers pending stream records to subscribed functions; call pump() after anything writes."""

    def __init__(self, deployment: "LocalDeployment") -> None:
        """Create it right after deployment.start(): StartingPosition LATEST means "from now"."""
        self.deployment = deployment
        self.batches: list[BatchResult] = []
        self.discarded: list[dict[str, Any]] = []  # on-failure messages (also sent to the queue)
        self._client = boto3.client("dynamodbstreams", region_name=deployment.region)
        self._sqs = boto3.client("sqs", region_name=deployment.region)
        self._mappings = [
            _Mapping(fid, source, deployment.stream_arn(source.table_logical_id))
            for fid, fn in deployment.functions.items()
            for source in fn.streams
        ]
        for mapping in self._mappings:
            if mapping.source.starting_position == "LATEST":
                for shard_id in self._shards(mapping):
                    records = self._read(mapping, shard_id)
                    if records:
                        mapping.checkpoints[shard_id] = int(records[-1]["dynamodb"]["SequenceNumber"])

    def pump(self, function_id: str | None = None) -> int:
        """Deliver until no subscribed stream has pending records; returns the records consumed
        (handled or sent to the on-failure destination; filtered-out records are not counted)."""
        with self.deployment.lock:  # a function URL's invocation may pump from another thread
            return self._pump(function_id)

    def _pump(self, function_id: str | None) -> int:
        total = 0
        for _ in range(MAX_ROUNDS):
            consumed = sum(
                self._pump_mapping(m)
                for m in self._mappings
                if function_id is None or m.function_id == function_id
            )
            if not consumed:  # handlers may write records for each other: stop only when quiet
                return total
            total += consumed
        raise RuntimeError(f"stream processing did not settle after {MAX_ROUNDS} rounds")

    # -- one mapping ---------------------------------------------------------------------------

    def _pump_mapping(self, mapping: _Mapping) -> int:
        consumed = 0
        for shard_id in self._shards(mapping):
            records = [
                lambda_record(raw, self.deployment.region, mapping.stream_arn)
                for raw in self._read(mapping, shard_id)
            ]
            position = 0
            while position < len(records):
                # A batch: up to BatchSize matching records; non-matching ones are skipped (checkpointed).
                # Records older than MaximumRecordAgeInSeconds are discarded before any invocation.
                batch, expired, end = [], [], position
                while end < len(records) and len(batch) + len(expired) < mapping.source.batch_size:
                    if matches_any(mapping.source.filter_patterns, records[end]):
                        too_old = self._too_old(mapping, records[end])
                        if (expired and not too_old) or (batch and too_old):
                            break
                        (expired if too_old else batch).append(records[end])
                    end += 1
                if expired:
                    self._on_failure(mapping, shard_id, expired, 0, None, "RecordAgeExceeded")
                done, blocked = self._deliver(mapping, shard_id, batch) if batch else (0, False)
                consumed += done + len(expired)
                if blocked:
                    break  # retried on the next pump(): the shard waits, as in AWS
                mapping.checkpoints[shard_id] = _seq(records[end - 1])
                position = end
        return consumed

    def _deliver(self, mapping: _Mapping, shard_id: str, batch: list[dict[str, Any]]) -> tuple[int, bool]:
        """Run one batch to completion; returns (records consumed, blocked on an unlimited retry)."""
        source, consumed = mapping.source, 0
        pending: list[tuple[list[dict[str, Any]], int]] = [(batch, 0)]  # (records, failures so far)
        while pending:
            records, failures = pending.pop(0)
            failed_at, error = self._invoke(mapping, records)
            ok = records if failed_at is None else records[:failed_at]
            if ok:
                mapping.checkpoints[shard_id] = _seq(ok[-1])
                consumed += len(ok)
            if failed_at is None:
                continue
            failed, failures = records[failed_at:], failures + 1
            if error and source.bisect and len(failed) > 1:
                half = len(failed) // 2  # a split is not a retry: each half starts afresh
                pending[:0] = [(failed[:half], 0), (failed[half:], 0)]
            elif source.max_retries < 0:
                return consumed, True
            elif failures > source.max_retries:
                self._on_failure(mapping, shard_id, failed, failures, error)
                mapping.checkpoints[shard_id] = _seq(failed[-1])
                consumed += len(failed)
            else:
                pending.insert(0, (failed, failures))
        return consumed, False

    def _invoke(self, mapping: _Mapping, records: list[dict[str, Any]]) -> tuple[int | None, str | None]:
        """Index of the first record to retry (None: all done) and the error, if the handler raised."""
        sequence_numbers = [seq_str(r) for r in records]
        try:
            response = self.deployment.invoke(mapping.function_id, {"Records": records})
        except Exception as exc:  # noqa: BLE001 - any handler error fails the batch, as in Lambda
            self.batches.append(BatchResult(mapping.function_id, sequence_numbers, "error", repr(exc)))
            return 0, repr(exc)
        failed_at = (
            first_failure(response, sequence_numbers) if mapping.source.report_batch_item_failures else None
        )
        self.batches.append(
            BatchResult(mapping.function_id, sequence_numbers, "ok" if failed_at is None else "partial")
        )
        return failed_at, None

    def _too_old(self, mapping: _Mapping, record: dict[str, Any]) -> bool:
        max_age = mapping.source.max_record_age_seconds
        created = record["dynamodb"]["ApproximateCreationDateTime"]
        # Ages compare with the virtual clock, so only when moto stamps virtual times too.
        return (
            self.deployment.virtual_time
            and max_age >= 0
            and self.deployment.clock.now().timestamp() - created > max_age
        )

    def _on_failure(
        self,
        mapping: _Mapping,
        shard_id: str,
        records: list[dict[str, Any]],
        attempts: int,
        error: str | None,
        condition: str = "RetryAttemptsExhausted",
    ) -> None:
        message = on_failure_message(
            function_arn=self.deployment.template.get_att(mapping.function_id, "Arn"),
            stream_arn=mapping.stream_arn,
            shard_id=shard_id,
            records=records,
            attempts=attempts,
            function_error=error is not None,
            condition=condition,
            now=self.deployment.clock.now(),
        )
        self.discarded.append(message)
        if mapping.source.on_failure_queue:
            self._sqs.send_message(
                QueueUrl=self.deployment.queue_url(mapping.source.on_failure_queue),
                MessageBody=json.dumps(message),
            )

    # -- reading the stream ----------------------------------------------------------------------

    def _shards(self, mapping: _Mapping) -> list[str]:
        description = self._client.describe_stream(StreamArn=mapping.stream_arn)["StreamDescription"]
        return [shard["ShardId"] for shard in description.get("Shards", [])]

    def _read(self, mapping: _Mapping, shard_id: str) -> list[dict[str, Any]]:
        checkpoint = mapping.checkpoints.get(shard_id)
        position = (
            {"ShardIteratorType": "AFTER_SEQUENCE_NUMBER", "SequenceNumber": str(checkpoint)}
            if checkpoint is not None
            else {"ShardIteratorType": "TRIM_HORIZON"}
        )
        iterator = self._client.get_shard_iterator(
            StreamArn=mapping.stream_arn, ShardId=shard_id, **position
        )["ShardIterator"]
        records: list[dict[str, Any]] = []
        while iterator:
            page = self._client.get_records(ShardIterator=iterator, Limit=1000)
            records.extend(page["Records"])
            if not page["Records"]:
                break
            iterator = page.get("NextShardIterator")
        return records


def _seq(record: dict[str, Any]) -> int:
    return int(seq_str(record))
