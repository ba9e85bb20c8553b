"""Configuration: one YAML document, validated at cold start (see schema.py for every field)."""

from .loader import ConfigError, load_config
from .schema import AccountConfig, Acknowledgements, Config, EscalationLevel, Recipient

__all__ = [
    "AccountConfig",
    "Acknowledgements",
    "Config",
    "ConfigError",
    "EscalationLevel",
    "Recipient",
    "load_config",
]
