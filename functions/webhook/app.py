"""webhook (Lambda function URL): networks push their news here; /<name> is the registered webhook
(e.g. /meta). GET answers the network's verification, POST stores what a signed delivery announces."""

import base64
from urllib.parse import parse_qs

from aws_lambda_powertools.metrics import MetricUnit

from socialcare import clock
from socialcare.channels.registry import WEBHOOKS
from socialcare.channels.webhook import WebhookRequest
from socialcare.runtime import metric_names
from socialcare.runtime.container import build_container
from socialcare.runtime.logging import build_logger, build_metrics
from socialcare.services.receiving import Receipt

logger = build_logger()
metrics = build_metrics()
container = build_container()


def _answer(status: int, text: str) -> dict:
    return {"statusCode": status, "headers": {"content-type": "text/plain; charset=utf-8"}, "body": text}


def _request(event: dict) -> WebhookRequest:
    """A function URL event (payload format 2.0) as the network sent it; raises ValueError."""
    body = event.get("body") or ""
    raw = base64.b64decode(body, validate=True) if event.get("isBase64Encoded") else body.encode()
    query = {key: values[0] for key, values in parse_qs(event.get("rawQueryString") or "").items()}
    headers = {str(key).lower(): str(value) for key, value in (event.get("headers") or {}).items()}
    method = event["requestContext"]["http"]["method"].upper()
    return WebhookRequest(method=method, query=query, headers=headers, body=raw)


def _count(receipt: Receipt) -> None:
    count = MetricUnit.Count
    metrics.add_metric(metric_names.WEBHOOK_REJECTED, count, int(receipt.rejected))
    metrics.add_metric(metric_names.MENTIONS_STORED, count, receipt.stored + receipt.joined)
    metrics.add_metric(metric_names.HUMAN_REPLIES_NOTICED, count, receipt.human_replies)
    metrics.add_metric(metric_names.WEBHOOK_CHANGES_IGNORED, count, receipt.ignored)
    metrics.add_metric(metric_names.WEBHOOK_CHANGES_FAILED, count, receipt.failed)


@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics
def lambda_handler(event: dict, context) -> dict:
    name = (event.get("rawPath") or "/").strip("/")
    if name not in WEBHOOKS:
        return _answer(404, "no such webhook")
    try:
        request = _request(event)
    except (KeyError, TypeError, AttributeError, ValueError):  # bad base64 is a ValueError
        metrics.add_metric(metric_names.WEBHOOK_REJECTED, MetricUnit.Count, 1)
        return _answer(400, "unreadable request")
    # An unreadable secret raises: the errors alarm fires, the network retries the delivery.
    webhook = container.webhook(name)
    if request.method == "GET":
        receipt = container.receiver.verify(webhook, request)
    elif request.method == "POST":
        receipt = container.receiver.receive(webhook, request, clock.now())
    else:
        return _answer(405, "GET or POST")
    _count(receipt)
    counts = {key: value for key, value in vars(receipt).items() if key not in ("message", "status")}
    logger.info("webhook request", webhook=name, method=request.method, status=receipt.status, **counts)
    return _answer(receipt.status, receipt.message)
