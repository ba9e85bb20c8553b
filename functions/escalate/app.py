"""escalate (every minute): alert staff, level by level, about tickets nobody has answered."""

from aws_lambda_powertools.metrics import MetricUnit

from socialcare import clock
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
    metrics.add_metric("AlertsSent", MetricUnit.Count, report.alerts_sent)
    metrics.add_metric("EscalationItemsRead", MetricUnit.Count, report.items_read)
    if report.failures:
        # Raise so the invocation counts as an error (alarmed); the next sweep retries.
        raise RuntimeError(f"{len(report.failures)} escalations failed: {report.failures[:3]}")
    return vars(report)
