"""poll_mentions (one SQS message per account and minute, from poll_fanout): the account's new
mentions become tickets; staff's native replies stop the clock.

Each message is one account, so an account's slow network or failure delays no other. A poll a
person must act on (see AccountPoll.broken) fails only its own message: SQS delivers it again after
the visibility timeout, then moves it to PollDeadLetterQueue (alarmed). A transient failure does not
fail the message: the next minute's message polls the account again anyway.
"""

from aws_lambda_powertools.metrics import MetricUnit

from socialcare import clock
from socialcare.runtime import metric_names
from socialcare.runtime.container import build_container
from socialcare.runtime.logging import build_logger, build_metrics
from socialcare.runtime.poll_queue import read_poll_message
from socialcare.services.polling import AccountPoll

logger = build_logger()
metrics = build_metrics()
container = build_container()  # cold start: a bad setting fails here, naming the field


@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics
def lambda_handler(event: dict, context) -> dict:
    poller = container.poller(context.get_remaining_time_in_millis)
    failures, polls = [], []
    for record in event.get("Records", []):
        try:
            key, minute = read_poll_message(record["body"])
        except (KeyError, TypeError, ValueError) as error:
            logger.error("malformed poll message", message_id=record.get("messageId"), error=str(error))
            metrics.add_metric(metric_names.POLL_FAILED, MetricUnit.Count, 1)
            failures.append({"itemIdentifier": record.get("messageId", "")})
            continue
        poll = poller.poll_by_key(key, clock.now())
        if poll is None:
            logger.info("account no longer configured; nothing to poll", account=key, minute=minute)
            continue
        _count(poll)
        polls.append(vars(poll))
        if poll.broken:
            logger.error("account cannot be polled", account=key, minute=minute, errors=poll.errors)
            failures.append({"itemIdentifier": record["messageId"]})
    # Lambda reads batchItemFailures only; "accounts" is what each poll did, for tests and replays.
    return {"batchItemFailures": failures, "accounts": polls}


def _count(poll: AccountPoll) -> None:
    count = MetricUnit.Count
    metrics.add_metric(metric_names.MENTIONS_STORED, count, poll.stored + poll.joined)
    metrics.add_metric(metric_names.HUMAN_REPLIES_NOTICED, count, poll.human_replies)
    # Emitted at zero too, so the alarms on them see data every minute.
    metrics.add_metric(metric_names.POSTS_QUARANTINED, count, poll.quarantined)
    metrics.add_metric(metric_names.POLL_FAILED, count, int(poll.failed))
    metrics.add_metric(metric_names.ACCOUNT_UNAVAILABLE, count, int(poll.unavailable))
    metrics.add_metric(metric_names.POLL_STALLED, count, len(poll.stalled))  # one per stalled stream
    if poll.paused_until:
        metrics.add_metric(metric_names.RATE_LIMITED, count, 1)
    if poll.errors:
        logger.warning("account poll incomplete", account=poll.account, errors=poll.errors)
