"""Incidents: spike detection on per-minute mention counts (pure; state kept by the caller).

The names load their modules on first use: storing and acknowledging a mention import only the
small `minutes` and `active` modules, not the detector (cold start)."""

from ...lazy_names import lazy_names

_HOMES = {
    "SpikeDetector": ".detector",
    "epoch_minute": ".minutes",
    "IncidentEnded": ".events",
    "IncidentOngoing": ".events",
    "IncidentStarted": ".events",
    "SpikeEvent": ".events",
    "upper_tail": ".poisson",
    "SpikeSettings": ".settings",
    "SpikeState": ".state",
}

__all__ = sorted(_HOMES)
__getattr__ = lazy_names(__name__, _HOMES)
