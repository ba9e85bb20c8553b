"""Facebook Pages through Meta's Graph API. Everything socialcare knows about Facebook is here (and
what it shares with Instagram in ../meta)."""

from typing import TYPE_CHECKING

from ..meta import DEFAULT_BASE_URL
from ..network import Network, PostRef

if TYPE_CHECKING:
    from ...config.account import AccountConfig

REPLY_LIMIT = 8000  # characters in a comment


def reply_length(text: str) -> int:
    return len(text)


def post_url(account: "AccountConfig", post: PostRef) -> str:
    """Comment ids are `{post number}_{comment number}`, post ids `{author id}_{post number}`;
    Facebook opens a comment at its post's address with `comment_id`."""
    conversation = post.conversation_id or post.post_id
    author, _, number = conversation.partition("_")
    if not number:
        return f"https://www.facebook.com/{conversation}"
    link = f"https://www.facebook.com/{author}/posts/{number}"
    if post.post_id != conversation and "_" in post.post_id:
        link += f"?comment_id={post.post_id.rpartition('_')[2]}"
    return link


NETWORK = Network(
    name="facebook",
    display_name="Facebook",
    account_path=".facebook.account:FacebookAccount",
    default_base_url=DEFAULT_BASE_URL,
    # comments (and replies) on the page's posts; posts by others that tag the page
    streams=("comments", "tagged"),
    reply_limit=REPLY_LIMIT,
    reply_length=reply_length,
    post_url=post_url,
    adapter_path=".facebook.adapter:FacebookAdapter",
)
