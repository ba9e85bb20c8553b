"""Faults for the Meta simulator: the X simulator's Fault, plus the ways a Graph call goes wrong that
X's set does not name. Each is used up by the next matching request (MetaSimulator.fail_next)."""

from __future__ import annotations

from ..x.server import Fault


def answer_lost(status: int = 500) -> Fault:
    """The call takes effect (the comment is created), then Meta answers a 5xx error."""
    return Fault("status", code=status, applied=True)


def connection_dropped(*, applied: bool = True) -> Fault:
    """The connection closes with no answer; with applied=True the call took effect first."""
    return Fault("drop", code=0, applied=applied)


def throttle(code: int) -> Fault:
    """A rate-limit error with this Graph code (4, 17, 32, 613, 80001, 80002); the object's budget
    is spent for the rest of its window."""
    return Fault("rate_limited", code=code)


__all__ = ["Fault", "answer_lost", "connection_dropped", "throttle"]
