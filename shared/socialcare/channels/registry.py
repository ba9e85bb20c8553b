"""Which adapter serves which channel. Adding a network is one module plus one line here."""

from collections.abc import Callable

from .base import ChannelAdapter
from .x import XAdapter

AdapterFactory = Callable[..., ChannelAdapter]

ADAPTERS: dict[str, AdapterFactory] = {"x": XAdapter}


def build_adapter(channel: str, credentials: dict[str, str], **options) -> ChannelAdapter:
    try:
        factory = ADAPTERS[channel]
    except KeyError:
        raise ValueError(
            f"no adapter for channel {channel!r}; known: {', '.join(sorted(ADAPTERS))}"
        ) from None
    return factory(credentials, **options)
