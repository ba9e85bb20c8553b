"""Incidents: spike detection on per-minute mention counts (pure; state kept by the caller)."""

from .detector import SpikeDetector, epoch_minute
from .events import IncidentEnded, IncidentOngoing, IncidentStarted, SpikeEvent
from .poisson import upper_tail
from .settings import SpikeSettings
from .state import SpikeState

__all__ = [
    "IncidentEnded",
    "IncidentOngoing",
    "IncidentStarted",
    "SpikeDetector",
    "SpikeEvent",
    "SpikeSettings",
    "SpikeState",
    "epoch_minute",
    "upper_tail",
]
