"""The environment, read once at cold start into a validated model (names the bad variable)."""

import os
import re

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from ..config.email_address import EmailAddress


class SettingsError(RuntimeError):
    pass


class Settings(BaseModel):
    model_config = ConfigDict(frozen=True)

    tickets_table: str = Field(alias="TICKETS_TABLE", min_length=3)
    state_table: str = Field(alias="STATE_TABLE", min_length=3)
    idempotency_table: str = Field(alias="IDEMPOTENCY_TABLE", min_length=3)
    sender_email: EmailAddress = Field(alias="SENDER_EMAIL")
    config_parameter: str | None = Field(default=None, alias="CONFIG_PARAMETER")
    config_file: str | None = Field(default=None, alias="CONFIG_FILE")
    # Where the stack's secrets live (template: SecretsPrefix); credentials_secret is relative to it.
    secrets_prefix: str = Field(alias="SECRETS_PREFIX", pattern=r"^([A-Za-z0-9_+=.@-]+/)+$")
    # Where each network's API answers, for networks not at their public address (a proxy, a
    # simulator): "network=url" pairs separated by commas. An account's own base_url wins.
    api_base_urls: dict[str, str] = Field(default_factory=dict, alias="API_BASE_URLS")
    http_timeout_seconds: float = Field(default=10.0, alias="HTTP_TIMEOUT_SECONDS", gt=0, le=60)
    # Backoff between retries of a failed network call; the local runtime shortens it.
    retry_base_delay_seconds: float = Field(default=0.5, alias="RETRY_BASE_DELAY_SECONDS", ge=0, le=10)
    sms_sender_id: str | None = Field(default=None, alias="SMS_SENDER_ID", max_length=11)

    @field_validator("api_base_urls", mode="before")
    @classmethod
    def _pairs(cls, value):
        if not isinstance(value, str):
            return value
        pairs = {}
        for item in filter(None, (part.strip() for part in value.split(","))):
            name, equals, url = item.partition("=")
            if not equals or not name.strip() or not re.fullmatch(r"https?://[^\s,]+", url.strip()):
                raise ValueError(f"{item!r} is not network=http(s)://address")
            pairs[name.strip()] = url.strip()
        return pairs


def load_settings(environ: dict[str, str] | None = None) -> Settings:
    env = dict(os.environ if environ is None else environ)
    # Empty strings mean "not set" (CloudFormation passes "" for optional parameters).
    cleaned = {key: value for key, value in env.items() if value != ""}
    try:
        return Settings.model_validate(cleaned)
    except ValidationError as error:
        problems = [f"  {'.'.join(map(str, e['loc']))}: {e['msg']}" for e in error.errors()]
        raise SettingsError("invalid environment:\n" + "\n".join(problems)) from None
