"""Instagram professional accounts through Meta's Graph API. Everything socialcare knows about
Instagram is here (and what it shares with Facebook in ../meta)."""

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ...config.account import AccountConfig

from ..meta import DEFAULT_BASE_URL
from ..network import Network, PostRef

REPLY_LIMIT = 2200  # characters in a comment
MAX_HASHTAGS, MAX_MENTIONS = 4, 5  # more, and Instagram refuses the comment
_HASHTAG = re.compile(r"(?<![\w&])#\w+")
_MENTION = re.compile(r"(?<![\w@])@[A-Za-z0-9._]+")


def reply_length(text: str) -> int:
    """Characters; a comment Instagram would refuse for its hashtags or mentions counts as too long,
    so a template with them is refused by the configuration check, and a reply is never sent."""
    if len(_HASHTAG.findall(text)) > MAX_HASHTAGS or len(_MENTION.findall(text)) > MAX_MENTIONS:
        return max(len(text), REPLY_LIMIT + 1)
    return len(text)


def post_url(account: "AccountConfig", post: PostRef) -> str:
    # A comment's address needs its media's permalink (a shortcode only the Graph API gives, not
    # stored): the account's profile, where its media and their comments are, is the nearest link.
    return f"https://www.instagram.com/{account.handle}/"


NETWORK = Network(
    name="instagram",
    display_name="Instagram",
    account_path=".instagram.account:InstagramAccount",
    default_base_url=DEFAULT_BASE_URL,
    streams=("comments",),  # @mentions arrive by webhook (InstagramAdapter.read_mention)
    reply_limit=REPLY_LIMIT,
    reply_length=reply_length,
    post_url=post_url,
    adapter_path=".instagram.adapter:InstagramAdapter",
)
