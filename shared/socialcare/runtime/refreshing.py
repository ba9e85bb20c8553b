"""An adapter that survives a credentials rotation: when the network refuses its credentials it
re-reads them once, bypassing the cache, and retries the call once with the new ones. A rotation
therefore never needs a redeploy, for polling and posting alike; a second refusal propagates."""

from collections.abc import Callable
from typing import Any

from aws_lambda_powertools import Logger

from ..channels.base import AuthenticationFailed, ChannelAdapter

logger = Logger(child=True)

Credentials = dict[str, str]


class RefreshingAdapter:
    """Wraps the adapter of one account; everything but the network calls passes straight through."""

    def __init__(
        self,
        name: str,
        read_credentials: Callable[[bool], Credentials],
        build: Callable[[Credentials], ChannelAdapter],
        on_refresh: Callable[[], None],
    ):
        """read_credentials(fresh): fresh=True bypasses any cache. on_refresh: counts a re-read."""
        self._name = name
        self._read = read_credentials
        self._build = build
        self._on_refresh = on_refresh
        try:
            self._credentials = read_credentials(False)
            self._adapter = build(self._credentials)
        except AuthenticationFailed:  # unusable as cached: a fixed secret may be behind the cache
            self._credentials = read_credentials(True)
            on_refresh()
            self._adapter = build(self._credentials)

    def __getattr__(self, name: str) -> Any:  # display_name, max_reply_length, reply_length...
        return getattr(self._adapter, name)

    def read(self, *args, **kwargs):
        return self._call("read", args, kwargs)

    def find_reply(self, *args, **kwargs):
        return self._call("find_reply", args, kwargs)

    def post_reply(self, *args, **kwargs):
        return self._call("post_reply", args, kwargs)

    def hide_post(self, *args, **kwargs):  # only where the adapter `can_hide_posts`
        return self._call("hide_post", args, kwargs)

    def post_status(self, *args, **kwargs):  # only where the adapter `can_post_status`
        return self._call("post_status", args, kwargs)

    def _call(self, method: str, args: tuple, kwargs: dict) -> Any:
        refused_by = self._adapter
        try:
            return getattr(refused_by, method)(*args, **kwargs)
        except AuthenticationFailed as error:
            if not self._refresh(refused_by, error):
                raise
        return getattr(self._adapter, method)(*args, **kwargs)

    def _refresh(self, refused_by: ChannelAdapter, error: AuthenticationFailed) -> bool:
        """True when there are other credentials to try than the ones just refused."""
        if self._adapter is not refused_by:  # an earlier call already refreshed them
            return True
        fresh = self._read(True)
        self._on_refresh()
        if fresh == self._credentials:
            # Retrying would only be refused again; the caller's retry schedule takes over.
            logger.error(
                "credentials refused and unchanged in their secret", account=self._name, error=str(error)
            )
            return False
        logger.warning("credentials refused; using the rotated ones from their secret", account=self._name)
        self._adapter = self._build(fresh)
        self._credentials = fresh
        return True
