"""Incidents: spike detection on per-minute mention counts (pure; state kept by the caller).

The names load their modules on first use: storing and acknowledging a mention import only the
small `minutes` and `active` modules, not the detector (cold start)."""

from importlib import import_module

_MODULES = {
    "SpikeDetector": "detector",
    "epoch_minute": "minutes",
    "IncidentEnded": "events",
    "IncidentOngoing": "events",
    "IncidentStarted": "events",
    "SpikeEvent": "events",
    "upper_tail": "poisson",
    "SpikeSettings": "settings",
    "SpikeState": "state",
}

__all__ = sorted(_MODULES)


def __getattr__(name: str):
    if name not in _MODULES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(f"{__name__}.{_MODULES[name]}"), name)
    globals()[name] = value
    return value
