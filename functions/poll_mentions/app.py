"""poll_mentions (every minute): new mentions become tickets; staff's native replies stop the clock."""

from aws_lambda_powertools.metrics import MetricUnit

from socialcare import clock
from socialcare.runtime import metric_names
from socialcare.runtime.container import build_container
from socialcare.runtime.logging import build_logger, build_metrics

logger = build_logger()
metrics = build_metrics()
container = build_container()  # cold start: a bad setting fails here, naming the field


@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics
def lambda_handler(event: dict, context) -> dict:
    polls = container.poller(context.get_remaining_time_in_millis).poll_all(clock.now())
    for poll in polls:
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
    broken = [f"{poll.account}: {'; '.join(poll.errors)}" for poll in polls if poll.broken]
    if broken:
        # Every account was polled; failing the invocation raises the errors alarm (see AccountPoll).
        raise RuntimeError("accounts that cannot be polled: " + " | ".join(broken))
    return {"accounts": [vars(poll) for poll in polls]}
