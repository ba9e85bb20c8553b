"""acknowledge: new tickets arrive from the DynamoDB stream (filtered to inserts of tickets); a
minute schedule retries acknowledgements that were rate limited or whose attempt died."""

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import DynamoDBRecord

from socialcare import clock
from socialcare.runtime import metric_names
from socialcare.runtime.container import build_container
from socialcare.runtime.logging import build_logger, build_metrics

logger = build_logger()
metrics = build_metrics()
container = build_container()
processor = BatchProcessor(event_type=EventType.DynamoDBStreams)


def _count(outcome: str) -> None:
    name = {
        "posted": "AcknowledgementsPosted",
        "skipped": "AcknowledgementsSkipped",
        "capped": metric_names.ACKNOWLEDGEMENTS_CAPPED,  # held back by limits (author window, ceiling)
    }.get(outcome)
    if name:
        metrics.add_metric(name, MetricUnit.Count, 1)
    elif outcome in ("rate_limited", "deferred"):
        metrics.add_metric("RateLimited", MetricUnit.Count, 1)


def acknowledge_record(record: DynamoDBRecord) -> str:
    pk = record.dynamodb.keys["pk"]
    outcome = container.acknowledger.acknowledge(pk, clock.now())
    logger.info("acknowledgement", ticket_pk=pk, outcome=outcome)
    _count(outcome)
    return outcome


@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics
def lambda_handler(event: dict, context) -> dict:
    container.register_context(context)
    if "Records" in event:  # the stream: a failed record is reported, retried, then sent to the DLQ
        metrics.add_metric("NewTicketsReceived", MetricUnit.Count, len(event["Records"]))
        return process_partial_response(
            event=event, record_handler=acknowledge_record, processor=processor, context=context
        )
    outcomes = []
    due = container.store.due_for_ack_retry(clock.now())
    metrics.add_metric("AcknowledgementsDueForRetry", MetricUnit.Count, len(due))
    for pk in due:
        outcome = container.acknowledger.acknowledge(pk, clock.now())
        _count(outcome)
        outcomes.append(outcome)
    return {"retried": len(outcomes), "outcomes": outcomes}
