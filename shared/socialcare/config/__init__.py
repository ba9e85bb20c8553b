"""Configuration: one YAML document, validated at cold start (see schema.py for every field).

Names are resolved on first use: the schema is built from the registered networks, whose account
models build on config.account, so importing this package must not import the schema yet."""

from ..lazy_names import lazy_names

_HOMES = {
    "AccountConfig": ".account",
    "Acknowledgements": ".account",
    "Config": ".schema",
    "EscalationLevel": ".schema",
    "Recipient": ".schema",
    "ConfigError": ".loader",
    "load_config": ".loader",
}

__all__ = sorted(_HOMES)


__getattr__ = lazy_names(__name__, _HOMES)
