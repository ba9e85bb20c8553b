"""incidents (every minute): spike detection on the minutes' mention counts, one incident per spike,
its on-call alerts, status posts, and its end (services/incidents.py)."""

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
    # A data point every run (failures are added by the service): the alarm reads zeros, not gaps.
    metrics.add_metric(metric_names.INCIDENT_JOB_FAILURES, MetricUnit.Count, 0)
    now = clock.now()
    opened = container.incidents.run(now)
    wound_up = container.incident_endings.run(now)
    return {"opened": [incident.incident_id for incident in opened], "wound_up": wound_up}
