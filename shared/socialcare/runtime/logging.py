"""Powertools logging and metrics, with personal data masked in every log line."""

from typing import Any

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.logging.formatter import LambdaPowertoolsFormatter

from ..domain.redaction import MASK, redact


class RedactingFormatter(LambdaPowertoolsFormatter):
    """Customers' phone numbers, e-mail addresses and order numbers never reach CloudWatch.

    Each value is redacted before the record is serialised (message, extra keys, exception text,
    nested dicts and lists), so masking can never cut through JSON escaping: every line stays
    valid JSON, and data after an escaped newline or quote is found like any other.
    """

    def serialize(self, log: dict) -> str:
        return super().serialize(self._redacted(log))

    def _redacted(self, value: Any) -> Any:
        if isinstance(value, str):
            return redact(value)
        if isinstance(value, dict):
            return {key: self._redacted(item) for key, item in value.items()}
        if isinstance(value, list | tuple):
            return [self._redacted(item) for item in value]
        if value is None or isinstance(value, bool | float):
            return value
        if isinstance(value, int):  # a phone number logged as a number
            return value if redact(str(value)) == str(value) else MASK
        # Anything else is written as json_default makes it (str by default): redact that text.
        converted = self.json_default(value)
        return redact(converted) if isinstance(converted, str) else converted


def build_logger(service: str = "socialcare") -> Logger:
    return Logger(service=service, logger_formatter=RedactingFormatter())


def build_metrics() -> Metrics:
    return Metrics()
