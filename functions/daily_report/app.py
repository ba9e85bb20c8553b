"""daily_report (once a day, at the configured local hour): yesterday's figures by e-mail to
reports.daily.to, and as metrics. An event {"date": "YYYY-MM-DD"} reports that day instead."""

from datetime import date

from aws_lambda_powertools.metrics import MetricUnit, single_metric
from aws_lambda_powertools.utilities.idempotency import idempotent_function

from socialcare import clock
from socialcare.domain.alerts import Email
from socialcare.domain.daily_report import ReportDay
from socialcare.notify.senders import EmailSender
from socialcare.persistence.daily import tickets_created_between
from socialcare.runtime import metric_names
from socialcare.runtime.container import ClientOnFirstCall, build_container
from socialcare.runtime.logging import build_logger, build_metrics
from socialcare.services.daily_reporting import DailyReporter, IncidentsInMemory, daily_metrics, team_zone

logger = build_logger()
metrics = build_metrics()
container = build_container()
email = EmailSender(ClientOnFirstCall("sesv2"), container.settings.sender_email)
idempotency_config = container.idempotency_config()


@idempotent_function(
    data_keyword_argument="request", persistence_store=container.idempotency, config=idempotency_config
)
def send_once(request: dict) -> dict:
    message = Email(request["subject"], request["text"], request["html"])
    sent_now.append(request["key"])
    return {"message_id": email.send(request["to"], message)}


sent_now: list[str] = []  # the keys this invocation sent (a repeat returns the first send's record)


def send(key: str, to: list[str], message: Email) -> None:
    # The idempotency key is the day's key alone: the same day is sent once, whatever its figures.
    send_once(
        request={"key": key, "to": to, "subject": message.subject, "text": message.text, "html": message.html}
    )


_ = container.dynamodb  # the tickets model shares the one client
reporter = DailyReporter(container.config, tickets_created_between, IncidentsInMemory(), send)
_logged_no_recipients = False


@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics
def lambda_handler(event: dict, context) -> dict:
    global _logged_no_recipients
    idempotency_config.register_lambda_context(context)
    now = clock.now()
    day = None
    if isinstance(event, dict) and event.get("date"):
        zone, name = team_zone(container.config)
        day = ReportDay(date.fromisoformat(event["date"]), zone, name)
    sent_now.clear()
    outcome = reporter.run(now, day)
    sent = outcome.sent and outcome.key in sent_now  # not: no recipients, or an earlier invocation sent it
    metrics.add_metric(metric_names.DAILY_REPORTS_SENT, MetricUnit.Count, int(sent))
    if not outcome.sent:
        if not _logged_no_recipients:
            logger.info("no daily report", reason=outcome.why_not)
            _logged_no_recipients = True
        return {"day": outcome.day, "sent": False}
    if outcome.key not in sent_now:  # sent by an earlier invocation: figures already emitted
        return {"day": outcome.day, "sent": False, "already_sent": True}
    for name, value, dimensions in daily_metrics(outcome.figures):
        unit = MetricUnit.Seconds if name.endswith("Seconds") else MetricUnit.Count
        if not dimensions:
            metrics.add_metric(name, unit, value)
            continue
        with single_metric(name=name, unit=unit, value=value, namespace="socialcare") as metric:
            metric.add_dimension("service", "socialcare")
            for key, label in dimensions.items():
                metric.add_dimension(key, label)
    return {"day": outcome.day, "sent": True, "tickets": outcome.figures.tickets}
