"""claim (Lambda function URL, AuthType NONE): the page an alert's link opens, to see a ticket and
claim it (or resolve an incident). The URL is public on purpose: the signed, expiring token in every
request is the authorisation, checked before anything is read or written."""

import base64
from urllib.parse import parse_qs

from aws_lambda_powertools.metrics import MetricUnit

from socialcare import clock
from socialcare.domain.claim_page import SECURITY_HEADERS
from socialcare.runtime import metric_names
from socialcare.runtime.claim_desk import build_claim_desk
from socialcare.runtime.container import build_container
from socialcare.runtime.logging import build_logger, build_metrics

logger = build_logger()
metrics = build_metrics()
container = build_container()
desk = build_claim_desk(container.config)
FORM_LIMIT = 8_192  # bytes: the form holds a token and an action, nothing more


def _fields(event: dict) -> dict[str, str]:
    """The query string's fields, overridden by a form's (a POST carries its token in the body)."""
    fields = {k: v[0] for k, v in parse_qs(event.get("rawQueryString") or "").items()}
    body = event.get("body") or ""
    if body:
        raw = base64.b64decode(body) if event.get("isBase64Encoded") else body.encode()
        if len(raw) <= FORM_LIMIT:
            fields.update({k: v[0] for k, v in parse_qs(raw.decode("utf-8", "replace")).items()})
    return fields


@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics
def lambda_handler(event: dict, context) -> dict:
    method = event.get("requestContext", {}).get("http", {}).get("method", "GET").upper()
    if method not in ("GET", "POST"):
        return {"statusCode": 405, "headers": dict(SECURITY_HEADERS), "body": "GET or POST"}
    _ = container.dynamodb  # one DynamoDB client for every table model, built by the first request
    fields = _fields(event)
    page = desk.handle(
        method, fields.get("t", ""), fields.get("action"), fields.get("full") == "1", clock.now()
    )
    if page.outcome == "refused":
        metrics.add_metric(metric_names.CLAIM_LINKS_REJECTED, MetricUnit.Count, 1)
    if page.outcome == "claimed" and method == "POST":
        metrics.add_metric(metric_names.TICKETS_CLAIMED, MetricUnit.Count, 1)
    logger.info(
        "claim page", method=method, status=page.status, outcome=page.outcome
    )  # no token: it is a credential
    return {"statusCode": page.status, "headers": dict(SECURITY_HEADERS), "body": page.html}
