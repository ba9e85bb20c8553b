"""Read the YAML configuration from the bundled file, a file path, or an SSM parameter."""

import os
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from .schema import Config

BUNDLED_EXAMPLE = Path(__file__).with_name("example.yaml")


class ConfigError(RuntimeError):
    """Raised at cold start; the message names the source and every bad field."""


def parse_config(text: str, source: str, defaults: dict[str, Any] | None = None) -> Config:
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise ConfigError(f"configuration from {source} is not valid YAML: {error}") from None
    if not isinstance(data, dict):
        raise ConfigError(f"configuration from {source} must be a YAML mapping at the top level")
    for key, value in (defaults or {}).items():
        data.setdefault(key, value)
    try:
        return Config.model_validate(data)
    except ValidationError as error:
        problems = []
        for item in error.errors():
            field = ".".join(str(part) for part in item["loc"]) or "(top level)"
            problems.append(f"  {field}: {item['msg']}")
        raise ConfigError(f"invalid configuration from {source}:\n" + "\n".join(problems)) from None


def load_config(
    *, parameter_name: str | None = None, path: str | None = None, ssm_client: Any = None
) -> Config:
    """The SSM parameter wins when named; otherwise `path`, otherwise the bundled example.

    TARGET_MINUTES (the stack parameter) fills `target_minutes` when the YAML leaves it out.
    """
    defaults: dict[str, Any] = {}
    if os.environ.get("TARGET_MINUTES"):
        try:
            defaults["target_minutes"] = int(os.environ["TARGET_MINUTES"])
        except ValueError:
            raise ConfigError(
                f"TARGET_MINUTES must be a whole number, not {os.environ['TARGET_MINUTES']!r}"
            ) from None
    if parameter_name:
        if ssm_client is None:
            import boto3  # only the AWS path needs it

            ssm_client = boto3.client("ssm")
        try:
            value = ssm_client.get_parameter(Name=parameter_name, WithDecryption=True)["Parameter"]["Value"]
        except Exception as error:  # noqa: BLE001 - any failure here must stop the cold start clearly
            raise ConfigError(f"cannot read configuration parameter {parameter_name}: {error}") from None
        return parse_config(value, f"SSM parameter {parameter_name}", defaults)
    file = Path(path) if path else BUNDLED_EXAMPLE
    try:
        text = file.read_text(encoding="utf-8")
    except OSError as error:
        raise ConfigError(f"cannot read configuration file {file}: {error}") from None
    return parse_config(text, str(file), defaults)
