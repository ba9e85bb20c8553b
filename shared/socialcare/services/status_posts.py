"""Status posts: a public, top-level post on a brand account's own timeline, through the same
adapters (credentials, rotation, kept sessions) the acknowledgements use.

A network's adapter says whether it can publish one (`can_post_status`); the answer is read from
the adapter's class, so asking never reads a secret or builds an adapter."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from aws_lambda_powertools import Logger

from ..channels.base import ChannelAdapter, PermanentError
from ..channels.registry import network

if TYPE_CHECKING:
    from ..config import AccountConfig

logger = Logger(child=True)


class ChannelStatusPoster:
    """The StatusPoster port over the channel adapters. `adapter_for` is the container's (one
    adapter per account per container, credentials re-read when refused)."""

    def __init__(self, adapter_for: Callable[[AccountConfig], ChannelAdapter]):
        self._adapter_for = adapter_for

    def can_post_status(self, account: AccountConfig) -> bool:
        try:
            adapter_class = network(account.channel).adapter_class()
        except ValueError:  # a channel no network answers to: it cannot post anything
            return False
        return bool(getattr(adapter_class, "can_post_status", False))

    def post_status(self, account: AccountConfig, text: str) -> str:
        """The new post's id. Raises ChannelError: RateLimited (post again after its reset),
        TransientError (the post may exist: the caller decides whether to risk a second one),
        PermanentError (never posted: refused, too long, or a network without status posts)."""
        if not self.can_post_status(account):
            raise PermanentError(f"{account.channel} accounts cannot publish a status post")
        adapter = self._adapter_for(account)
        post_id = adapter.post_status(text)  # type: ignore[attr-defined]  # the optional capability
        logger.info("status post published", account=account.key, post_id=post_id)
        return post_id
