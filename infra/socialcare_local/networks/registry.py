"""The simulators the local runtime runs, by the scenario channel they serve."""

from .base import ScenarioRules
from .x.world import RULES as X_RULES

SCENARIO_RULES: dict[str, ScenarioRules] = {"x": X_RULES}
