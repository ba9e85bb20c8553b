"""acknowledge: new tickets arrive from the DynamoDB stream (filtered to inserts of tickets); a
minute schedule retries acknowledgements that were rate limited, failed, or whose attempt died."""

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import DynamoDBRecord

from socialcare import clock
from socialcare.domain.tickets import TicketWhere
from socialcare.runtime import metric_names
from socialcare.runtime.container import build_container
from socialcare.runtime.logging import build_logger, build_metrics
from socialcare.services.acknowledging import time_for_one

logger = build_logger()
metrics = build_metrics()
container = build_container()
processor = BatchProcessor(event_type=EventType.DynamoDBStreams)
# Start an acknowledgement only with time to finish it: one killed mid-post waits for its lease.
TIME_FOR_ONE_MS = int(time_for_one(container.settings.http_timeout_seconds).total_seconds() * 1000)

OUTCOME_METRICS = {
    "posted": metric_names.ACKNOWLEDGEMENTS_POSTED,
    "skipped": metric_names.ACKNOWLEDGEMENTS_SKIPPED,
    "missing": metric_names.ACKNOWLEDGEMENTS_SKIPPED,  # the ticket was deleted: nothing to acknowledge
    "capped": metric_names.ACKNOWLEDGEMENTS_CAPPED,  # held back by limits (author window, ceiling)
    "failed": metric_names.ACKNOWLEDGEMENTS_FAILED,  # for good: the customer got no acknowledgement
    "rate_limited": metric_names.RATE_LIMITED,
    "deferred": metric_names.RATE_LIMITED,
}


class OutOfTime(RuntimeError):
    """Reported as a batch item failure: the stream delivers the record again to a fresh invocation."""


def _count(outcome: str) -> None:
    name = OUTCOME_METRICS.get(outcome)
    if name:
        metrics.add_metric(name, MetricUnit.Count, 1)


def _where(image: dict | None) -> TicketWhere | None:
    """The new ticket's coordinates from the stream's image; None (read them) if any is missing."""
    try:
        return TicketWhere(
            image["channel"], image["account_id"], image["conversation_id"], image["author_id"]
        )
    except (KeyError, TypeError):
        return None


def acknowledge_record(record: DynamoDBRecord, lambda_context) -> str:
    pk = record.dynamodb.keys["pk"]
    if lambda_context.get_remaining_time_in_millis() < TIME_FOR_ONE_MS:
        logger.warning("no time left in this invocation; the stream retries the record", ticket_pk=pk)
        raise OutOfTime(f"{pk}: not started, too little time left")
    where = _where(record.dynamodb.new_image)
    outcome = container.acknowledger.acknowledge(pk, clock.now(), where)
    logger.info("acknowledgement", ticket_pk=pk, outcome=outcome)
    _count(outcome)
    return outcome


def retry_due(context) -> dict:
    """Each due ticket on its own: one that raises is logged and the others still go."""
    due = container.store.due_for_ack_retry(clock.now())
    metrics.add_metric(metric_names.ACKNOWLEDGEMENTS_DUE_FOR_RETRY, MetricUnit.Count, len(due))
    outcomes, errors = [], []
    for pk in due:
        if context.get_remaining_time_in_millis() < TIME_FOR_ONE_MS:
            break  # the rest stay due: the next sweep, a minute from now, takes them
        try:
            outcome = container.acknowledger.acknowledge(pk, clock.now())
        except Exception as error:  # noqa: BLE001 - contained to this ticket, raised below
            logger.exception("acknowledgement retry failed", ticket_pk=pk)
            errors.append(f"{pk}: {type(error).__name__}")
            continue
        _count(outcome)
        outcomes.append(outcome)
    if errors:  # fails the invocation, so the errors alarm fires
        raise RuntimeError("acknowledgement retries that raised: " + ", ".join(errors))
    return {"retried": len(outcomes), "outcomes": outcomes}


@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics
def lambda_handler(event: dict, context) -> dict:
    if "Records" in event:  # the stream: a failed record is reported, retried, then sent to the DLQ
        metrics.add_metric(metric_names.NEW_TICKETS_RECEIVED, MetricUnit.Count, len(event["Records"]))
        return process_partial_response(
            event=event, record_handler=acknowledge_record, processor=processor, context=context
        )
    return retry_due(context)
