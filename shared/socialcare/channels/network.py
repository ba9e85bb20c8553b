"""What the rest of socialcare may know about a network, without importing its HTTP client.

Each channel module registers one `Network`: its account schema, how it counts a reply, how a person
opens a post, and where its adapter lives (imported only when an account of it is polled or posted
for). Configuration, persistence, services and the domain reach a network only through this."""

from collections.abc import Callable
from dataclasses import dataclass
from importlib import import_module
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..config.account import AccountConfig
    from .base import ChannelAdapter


@dataclass(frozen=True)
class PostRef:
    """Enough of a stored post to link to it."""

    post_id: str
    conversation_id: str | None = None
    author_handle: str | None = None


@dataclass(frozen=True)
class Network:
    name: str  # the `channel` of its accounts, tickets and scenario lines
    display_name: str  # as people call it, in alerts
    account_path: str  # "module:Class" of its account schema, relative to this package
    default_base_url: str
    # What each poll reads, each with its own cursor, pause and health (e.g. mentions and own posts).
    streams: tuple[str, ...]
    reply_limit: int  # the longest reply, as `reply_length` counts it
    reply_length: Callable[[str], int]
    post_url: "Callable[[AccountConfig, PostRef], str | None]"
    adapter_path: str  # "module:Class", relative to this package; built per account

    def account_model(self) -> "type[AccountConfig]":
        """Its accounts' pydantic model: imported by validation (publishing, the YAML), never by a cold
        start that reads the compiled configuration."""
        module, _, name = self.account_path.partition(":")
        return getattr(import_module(module, __package__), name)

    def adapter_class(self) -> "Callable[..., ChannelAdapter]":
        module, _, name = self.adapter_path.partition(":")
        return getattr(import_module(module, __package__), name)
