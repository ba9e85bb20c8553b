"""The environment, read once at cold start into frozen settings (names every bad variable).

Checked by hand rather than by a pydantic model: its validator would cost every cold start about
20 ms to build, for a dozen variables."""

import math
import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ..domain.email_address import InvalidEmailAddress, check_email_address


class SettingsError(RuntimeError):
    pass


@dataclass(frozen=True)
class Settings:
    tickets_table: str
    state_table: str
    idempotency_table: str
    sender_email: str
    # Where the stack's secrets live (template: SecretsPrefix); credentials_secret is relative to it.
    secrets_prefix: str
    config_parameter: str | None = None
    config_file: str | None = None
    # Where each network's API answers, for networks not at their public address (a proxy, a
    # simulator): "network=url" pairs separated by commas. An account's own base_url wins.
    api_base_urls: dict[str, str] = field(default_factory=dict)
    http_timeout_seconds: float = 10.0
    # Backoff between retries of a failed network call; the local runtime shortens it.
    retry_base_delay_seconds: float = 0.5
    sms_sender_id: str | None = None


def _table(value: str) -> str:
    if len(value) < 3:
        raise ValueError("String should have at least 3 characters")
    return value


def _email(value: str) -> str:
    try:
        return check_email_address(value)
    except InvalidEmailAddress as error:
        raise ValueError(f"value is not a valid email address: {error}") from None


_PREFIX = re.compile(r"^([A-Za-z0-9_+=.@-]+/)+$")


def _prefix(value: str) -> str:
    if not _PREFIX.match(value):
        raise ValueError(f"String should match pattern '{_PREFIX.pattern}'")
    return value


def _pairs(value: str) -> dict[str, str]:
    pairs = {}
    for item in filter(None, (part.strip() for part in value.split(","))):
        name, equals, url = item.partition("=")
        if not equals or not name.strip() or not re.fullmatch(r"https?://[^\s,]+", url.strip()):
            raise ValueError(f"Value error, {item!r} is not network=http(s)://address")
        pairs[name.strip()] = url.strip()
    return pairs


def _seconds(low: float, high: float, low_included: bool) -> Callable[[str], float]:
    def parse(value: str) -> float:
        try:
            number = float(value)
        except ValueError:
            raise ValueError("Input should be a valid number, unable to parse string as a number") from None
        if math.isnan(number) or number > high or number < low or (number == low and not low_included):
            bound = f"{'>=' if low_included else '>'} {low:g} and <= {high:g}"
            raise ValueError(f"Input should be {bound}")
        return number

    return parse


def _sender_id(value: str) -> str:
    if len(value) > 11:
        raise ValueError("String should have at most 11 characters")
    return value


# Variable -> (setting, check of its text, whether it is required).
_VARIABLES: dict[str, tuple[str, Callable[[str], Any], bool]] = {
    "TICKETS_TABLE": ("tickets_table", _table, True),
    "STATE_TABLE": ("state_table", _table, True),
    "IDEMPOTENCY_TABLE": ("idempotency_table", _table, True),
    "SENDER_EMAIL": ("sender_email", _email, True),
    "CONFIG_PARAMETER": ("config_parameter", str, False),
    "CONFIG_FILE": ("config_file", str, False),
    "SECRETS_PREFIX": ("secrets_prefix", _prefix, True),
    "API_BASE_URLS": ("api_base_urls", _pairs, False),
    "HTTP_TIMEOUT_SECONDS": ("http_timeout_seconds", _seconds(0, 60, low_included=False), False),
    "RETRY_BASE_DELAY_SECONDS": ("retry_base_delay_seconds", _seconds(0, 10, low_included=True), False),
    "SMS_SENDER_ID": ("sms_sender_id", _sender_id, False),
}


def load_settings(environ: dict[str, str] | None = None) -> Settings:
    env = os.environ if environ is None else environ
    values: dict[str, Any] = {}
    problems = []
    for variable, (name, check, required) in _VARIABLES.items():
        value = env.get(variable, "")
        if value == "":  # CloudFormation passes "" for optional parameters: not set
            if required:
                problems.append(f"  {variable}: Field required")
            continue
        try:
            values[name] = check(value)
        except ValueError as error:
            problems.append(f"  {variable}: {error}")
    if problems:
        raise SettingsError("invalid environment:\n" + "\n".join(problems))
    return Settings(**values)
