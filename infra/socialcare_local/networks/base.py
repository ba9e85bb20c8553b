"""What the local runtime needs of a network's simulator: the brand accounts registered on it, the
scenario's lines published on it, and what socialcare posted there read back."""

import re
from dataclasses import dataclass
from typing import Any, Protocol


@dataclass(frozen=True)
class ScenarioRules:
    """How a scenario line names things on this network (checked when the scenario is read)."""

    account_id: re.Pattern
    handle: re.Pattern  # a brand account's handle
    post_id: re.Pattern
    author_id: re.Pattern
    author_handle: re.Pattern | None  # None: any text (never evaluated)
    example: str  # what an id looks like, for the error message


class SimulatedNetwork(Protocol):
    channels: tuple[str, ...]  # the scenario channels it serves (one simulator may serve several)
    base_url: str
    spec_violations: list[str]
    spec_unchecked: str | None  # why its answers are not checked against its spec; None when they are

    def start(self) -> str: ...

    def stop(self) -> None: ...

    def add_brand_account(self, channel: str, account_id: str, handle: str) -> dict[str, str]:
        """Register the brand account; returns the credentials its secret holds."""
        ...

    def publish(self, channel: str, event: Any, brand_id: str) -> None:
        """A scenario line (mention, brand_post, brand_reply) appears on the network at its time."""
        ...

    def replies(self) -> list[dict]:
        """What socialcare posted: {"channel", "id", "in_reply_to_id", "text", "created_at"}."""
        ...
