"""Lambda's SQS event source mapping, emulated against moto's SQS.

moto stores messages but never triggers functions. QueuePump receives each subscribed queue's
visible messages in batches of BatchSize, invokes the function, deletes what succeeded and leaves
the rest in flight: they come back after the queue's visibility timeout (on the virtual clock, see
moto_env.use_virtual_time), and moto moves them to the dead-letter queue after maxReceiveCount
receives, as SQS does. Batches run one after another: MaximumConcurrency is a cloud concern
(bench_fanout.py measures what it buys).
"""

import hashlib
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import boto3

from .cfn import QueueSource

if TYPE_CHECKING:
    from .deployment import LocalDeployment

MAX_ROUNDS = 10_000  # a handler that feeds its own queue forever should fail loudly


@dataclass
class QueueBatch:
    function_id: str
    message_ids: list[str]
    outcome: str  # "ok", "partial" or "error"
    response: Any = None
    failed: tuple[str, ...] = ()  # message ids left for a retry
    error: str | None = None


@dataclass
class _Mapping:
    function_id: str
    source: QueueSource
    queue_url: str
    queue_arn: str


class QueuePump:
    """Delivers visible messages to subscribed functions; call pump() after anything sends."""

    def __init__(self, deployment: "LocalDeployment") -> None:
        self.deployment = deployment
        self.batches: list[QueueBatch] = []
        self._sqs = boto3.client("sqs", region_name=deployment.region)
        self._mappings = [
            _Mapping(
                fid,
                source,
                deployment.queue_url(source.queue_logical_id),
                str(deployment.template.get_att(source.queue_logical_id, "Arn")),
            )
            for fid, fn in deployment.functions.items()
            for source in fn.queue_sources
        ]

    @property
    def queue_urls(self) -> list[str]:
        """The queues a function reads from."""
        return [mapping.queue_url for mapping in self._mappings]

    def pump(self, function_id: str | None = None) -> list[QueueBatch]:
        """Deliver until no subscribed queue has a visible message; returns the batches run."""
        delivered: list[QueueBatch] = []
        for _ in range(MAX_ROUNDS):
            batches = [
                batch
                for mapping in self._mappings
                if function_id is None or mapping.function_id == function_id
                if (batch := self._deliver_one(mapping)) is not None
            ]
            if not batches:
                return delivered
            delivered += batches
        raise RuntimeError(f"queue processing did not settle after {MAX_ROUNDS} rounds")

    def _deliver_one(self, mapping: _Mapping) -> QueueBatch | None:
        messages = self._receive(mapping)
        if not messages:
            return None
        records = [self._record(mapping, message) for message in messages]
        ids = [record["messageId"] for record in records]
        try:
            response = self.deployment.invoke(mapping.function_id, {"Records": records})
        except Exception as exc:  # noqa: BLE001 - a function error leaves the whole batch in flight
            batch = QueueBatch(mapping.function_id, ids, "error", failed=tuple(ids), error=repr(exc))
        else:
            failed = _reported_failures(response, ids) if mapping.source.report_batch_item_failures else ()
            outcome = "ok" if not failed else "partial"
            batch = QueueBatch(mapping.function_id, ids, outcome, response, failed)
        done = [m for m in messages if m["MessageId"] not in batch.failed]
        for message in done:
            self._sqs.delete_message(QueueUrl=mapping.queue_url, ReceiptHandle=message["ReceiptHandle"])
        self.batches.append(batch)
        return batch

    def _receive(self, mapping: _Mapping) -> list[dict[str, Any]]:
        messages: list[dict[str, Any]] = []
        while len(messages) < mapping.source.batch_size:
            page = self._sqs.receive_message(
                QueueUrl=mapping.queue_url,
                MaxNumberOfMessages=min(10, mapping.source.batch_size - len(messages)),
                AttributeNames=["All"],
                MessageAttributeNames=["All"],
                WaitTimeSeconds=0,
            ).get("Messages", [])
            if not page:
                break
            messages += page
        return messages

    def _record(self, mapping: _Mapping, message: dict[str, Any]) -> dict[str, Any]:
        """The record Lambda hands the function for one SQS message."""
        return {
            "messageId": message["MessageId"],
            "receiptHandle": message["ReceiptHandle"],
            "body": message["Body"],
            "attributes": message.get("Attributes", {}),
            "messageAttributes": message.get("MessageAttributes", {}),
            "md5OfBody": hashlib.md5(message["Body"].encode()).hexdigest(),  # noqa: S324 - SQS's own
            "eventSource": "aws:sqs",
            "eventSourceARN": mapping.queue_arn,
            "awsRegion": self.deployment.region,
        }


def _reported_failures(response: Any, ids: list[str]) -> tuple[str, ...]:
    """The batchItemFailures' ids; a response Lambda cannot read fails the whole batch, as in AWS."""
    if not isinstance(response, dict) or response.get("batchItemFailures") is None:
        return ()
    failures = response["batchItemFailures"]
    if not isinstance(failures, list):
        return tuple(ids)
    reported = [item.get("itemIdentifier") if isinstance(item, dict) else None for item in failures]
    if any(not item or item not in ids for item in reported):
        return tuple(ids)
    return tuple(dict.fromkeys(reported))
