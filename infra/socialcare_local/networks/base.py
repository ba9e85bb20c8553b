"""What the local runtime needs of a network's simulator: the brand accounts registered on it, the
scenario's lines published on it, and what socialcare posted there read back."""

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
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


@dataclass(frozen=True)
class SimulatedWebhook:
    """A network that pushes: what its operator stores and subscribes when connecting it."""

    name: str  # as in socialcare's channels.registry.WEBHOOKS: its path and its secret webhooks/<name>
    secret: dict[str, str]  # what the secret holds (app secret, verify token, ...)
    subscribe: Callable[[str], None]  # register the callback URL with the network


class SimulatedNetwork(Protocol):
    channels: tuple[str, ...]  # the scenario channels it serves (one simulator may serve several)
    base_url: str
    spec_violations: list[str]
    spec_unchecked: str | None  # why its answers are not checked against its spec; None when they are

    def start(self) -> str: ...

    def stop(self) -> None: ...

    def add_brand_account(self, account: Any) -> dict[str, str]:
        """Register the brand account (its parsed AccountConfig: channel, id, handle and the
        network's own fields, e.g. a Mastodon instance); returns the credentials its secret holds."""
        ...

    def publish(self, channel: str, event: Any, brand_id: str) -> None:
        """A scenario line (mention, brand_post, brand_reply) appears on the network at its time."""
        ...

    def replies(self) -> list[dict]:
        """What socialcare posted: {"channel", "id", "in_reply_to_id", "text", "created_at"}."""
        ...


# Optional hooks, asked through these functions. A network that pushes defines `webhook` (a
# SimulatedWebhook): the world stores its secret and the stack subscribes the function URL.


def webhook_of(network: object) -> SimulatedWebhook | None:
    return getattr(network, "webhook", None)


# Optional hooks, asked through these two functions: a simulator that has work of its own (the
# simulated Meta retries a webhook delivery that failed) defines `next_wake()` and `run_due()`, so a
# replay that jumps its clock never jumps over that work.


def next_wake(network: object) -> datetime | None:
    """When the network itself next has something to do; None (the default): nothing pending."""
    hook = getattr(network, "next_wake", None)
    return hook() if hook is not None else None


def run_due(network: object) -> None:
    """Let the network do what it has due at the clock's time (nothing, without the hook)."""
    hook = getattr(network, "run_due", None)
    if hook is not None:
        hook()
