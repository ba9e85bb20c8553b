"""The simulators the local runtime runs, by the scenario channel they serve."""

from .base import ScenarioRules
from .meta.world import RULES as META_RULES
from .x.world import RULES as X_RULES

SCENARIO_RULES: dict[str, ScenarioRules] = {"x": X_RULES, "facebook": META_RULES, "instagram": META_RULES}
