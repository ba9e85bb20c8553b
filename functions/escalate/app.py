"""escalate (every minute): alert staff, level by level, about tickets nobody has answered."""

from aws_lambda_powertools.metrics import MetricUnit

from socialcare import clock
from socialcare.runtime import metric_names
from socialcare.runtime.container import build_container
from socialcare.runtime.logging import build_logger, build_metrics

logger = build_logger()
metrics = build_metrics()
container = build_container()


@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics
def lambda_handler(event: dict, context) -> dict:
    container.register_context(context)
    report = container.escalator.sweep(clock.now())
    for name, count in (
        (metric_names.ALERTS_SENT, report.alerts_sent),
        (metric_names.ALERTS_FAILED, report.alerts_failed),
        (metric_names.ALERTS_REJECTED, report.alerts_rejected),
        (metric_names.ALERTS_CAPPED, report.alerts_capped),
        (metric_names.ALERTS_FOLDED_BY_BUDGET, report.alerts_folded),
        (metric_names.DIGESTS_SENT, report.digests_sent),
        (metric_names.ESCALATION_ITEMS_READ, report.items_read),
    ):
        metrics.add_metric(name, MetricUnit.Count, count)
    if report.failures:
        # A ticket or summary that could not be processed at all (not one failed send: those are
        # counted and retried): raise so the invocation counts as an error (alarmed).
        raise RuntimeError(f"{len(report.failures)} escalations failed: {report.failures[:3]}")
    return vars(report)
