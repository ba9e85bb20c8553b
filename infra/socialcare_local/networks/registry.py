"""The simulators the local runtime runs. Adding a network is its package here plus one line.

Each world module names the scenario CHANNELS it serves, their scenario RULES (one ScenarioRules for
all its channels) and `simulate(now, options)`: a SimulatedNetwork on the given clock, built from
the local stack's options (StackOptions: limits, spec checks)."""

from types import ModuleType
from typing import Any

from .base import ScenarioRules, SimulatedNetwork
from .bluesky import world as bluesky
from .mastodon import world as mastodon
from .meta import world as meta
from .wordpress import world as wordpress
from .x import world as x

WORLDS: tuple[ModuleType, ...] = (x, meta, wordpress, bluesky, mastodon)

SCENARIO_RULES: dict[str, ScenarioRules] = {channel: w.RULES for w in WORLDS for channel in w.CHANNELS}


def simulators(now: Any, options: Any) -> dict[str, SimulatedNetwork]:
    """One simulator per network, by the channels each serves."""
    built = [w.simulate(now, options) for w in WORLDS]
    return {channel: network for network in built for channel in network.channels}
