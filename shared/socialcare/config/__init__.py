"""Configuration: one YAML document, validated at cold start (see schema.py for every field).

Names are resolved on first use: the schema is built from the registered networks, whose account
models build on config.account, so importing this package must not import the schema yet."""

from importlib import import_module

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


def __getattr__(name: str):
    if name not in _HOMES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(import_module(_HOMES[name], __name__), name)
