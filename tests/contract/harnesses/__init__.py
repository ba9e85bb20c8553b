"""One harness per network: its simulator, its adapter for a brand account, and the few scenario
moves the adapter contract needs. tests/contract/test_adapter_contract.py runs the same contract
over every harness listed here; a network is done when it passes."""

from .base import Harness, ReadFault
from .bluesky import BlueskyHarness
from .facebook import FacebookHarness
from .instagram import InstagramHarness
from .mastodon import MastodonHarness
from .wordpress import WordPressHarness
from .x import XHarness

HARNESSES: dict[str, type[Harness]] = {
    "x": XHarness,
    "facebook": FacebookHarness,
    "instagram": InstagramHarness,
    "mastodon": MastodonHarness,
    "wordpress": WordPressHarness,
    "bluesky": BlueskyHarness,
}

__all__ = ["HARNESSES", "Harness", "ReadFault"]
