"""Bluesky (the AT Protocol over XRPC). Everything socialcare knows about Bluesky is in this package."""

from typing import TYPE_CHECKING

from ..network import Network, PostRef
from .graphemes import grapheme_length

if TYPE_CHECKING:
    from ...config.account import AccountConfig


def post_url(account: "AccountConfig", post: PostRef) -> str | None:
    # at://<did>/app.bsky.feed.post/<rkey> opens as https://bsky.app/profile/<did>/post/<rkey>
    prefix = "at://"
    if not post.post_id.startswith(prefix):
        return None
    authority, _, rest = post.post_id[len(prefix) :].partition("/")
    collection, _, rkey = rest.partition("/")
    if collection != "app.bsky.feed.post" or not rkey:
        return None
    return f"https://bsky.app/profile/{authority}/post/{rkey}"


NETWORK = Network(
    name="bluesky",
    display_name="Bluesky",
    account_path=".bluesky.account:BlueskyAccount",
    default_base_url="https://bsky.social",
    # Mentions, replies and quotes arrive as notifications; the brand's own posts (staff replies,
    # our acknowledgements) from its author feed: one request a poll, however many tickets are open.
    streams=("notifications", "own"),
    reply_limit=300,
    reply_length=grapheme_length,
    post_url=post_url,
    adapter_path=".bluesky.adapter:BlueskyAdapter",
)
