"""Powertools logging and metrics, with personal data masked in every log line."""

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.logging.formatter import LambdaPowertoolsFormatter

from ..domain.redaction import redact


class RedactingFormatter(LambdaPowertoolsFormatter):
    """Customers' phone numbers, e-mail addresses and order numbers never reach CloudWatch."""

    def serialize(self, log: dict) -> str:
        return redact(super().serialize(log))


def build_logger(service: str = "socialcare") -> Logger:
    return Logger(service=service, logger_formatter=RedactingFormatter())


def build_metrics() -> Metrics:
    return Metrics()
