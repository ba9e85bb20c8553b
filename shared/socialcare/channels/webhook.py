"""What a network that pushes its news (webhooks) provides, beside its adapter.

One webhook may serve several networks (Meta announces Facebook pages and Instagram accounts to one
callback). It answers the network's verification challenge, checks a delivery's signature, and turns
a verified payload into the changes it announces for brand accounts; the webhook service stores
them through the same path as polling. Registered by name in `registry.WEBHOOKS`."""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

from ..domain.posts import Post
from .base import ChannelAdapter


@dataclass(frozen=True)
class WebhookRequest:
    method: str
    query: dict[str, str]
    headers: dict[str, str]  # names lower-cased
    body: bytes  # as the network sent it, byte for byte: the signature covers exactly these


class MalformedPayload(ValueError):
    """The delivery is not what the network sends: refused whole, nothing of it stored."""


@dataclass(frozen=True)
class Change:
    """One post a delivery announces for one brand account: complete in the payload, or only ids
    (`read` fetches it through the account's adapter; None back: the network no longer has it)."""

    channel: str
    account_id: str
    post: Post | None = None
    read: Callable[[ChannelAdapter], Post | None] | None = None
    ref: str = ""  # how logs name it: ids only, never text


@dataclass(frozen=True)
class Announcements:
    changes: list[Change] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)  # why each other change needs nothing from us


class Webhook(Protocol):
    """Built from the webhook's secret (a JSON object in Secrets Manager); a missing key raises
    ValueError naming it."""

    channels: tuple[str, ...]  # the networks whose accounts it announces

    def challenge_answer(self, query: dict[str, str]) -> str | None:
        """The text that proves we own the callback, or None when the request is not the network's
        verification with our token."""
        ...

    def signature_valid(self, request: WebhookRequest) -> bool:
        """Whether the body is signed with the secret; compared in constant time."""
        ...

    def announcements(self, payload: object) -> Announcements:
        """The changes in a verified, JSON-decoded payload; raises MalformedPayload."""
        ...
