"""Mastodon, one brand account per instance account. Everything socialcare knows about Mastodon is
in this package; several instances in one deployment, each account naming its own."""

from typing import TYPE_CHECKING

from ..network import Network, PostRef
from .textlength import status_length

if TYPE_CHECKING:
    from ...config.account import AccountConfig

REPLY_LIMIT = 500  # Mastodon's default max_characters; each instance says its own (read once)
# A reply starts with the customer's @mention, or they are never told of it (and a direct reply
# would reach nobody). Mastodon counts @user@domain as @user, usernames are up to 30 characters:
# every reply's length counts room for "@" + 30 + " ".
MENTION_ALLOWANCE = 32


def reply_length(text: str) -> int:
    return status_length(text) + MENTION_ALLOWANCE


def post_url(account: "AccountConfig", post: PostRef) -> str:
    # The brand's instance shows any status it knows at /@acct/id, remote authors as user@host.
    instance = getattr(account, "instance", "")
    user, _, host = (post.author_handle or account.handle).partition("@")
    acct = user if not host or host.lower() == instance.lower() else f"{user}@{host}"
    return f"https://{instance}/@{acct}/{post.post_id}"


NETWORK = Network(
    name="mastodon",
    display_name="Mastodon",
    account_path=".mastodon.account:MastodonAccount",
    # No deployment-wide address: each account's instance ("{instance}" is filled in by the adapter).
    default_base_url="https://{instance}",
    streams=("mentions", "own"),
    reply_limit=REPLY_LIMIT,
    reply_length=reply_length,
    post_url=post_url,
    adapter_path=".mastodon.adapter:MastodonAdapter",
)
