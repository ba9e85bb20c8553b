"""WordPress blog comments through the site's REST API. Everything socialcare knows about WordPress
is in this package; ids carry their site (see site.py)."""

from typing import TYPE_CHECKING

from ..network import Network, PostRef
from .content import REPLY_LIMIT, reply_length
from .site import Site

if TYPE_CHECKING:
    from ...config.account import AccountConfig


def post_url(account: "AccountConfig", post: PostRef) -> str | None:
    instance = getattr(account, "instance", None)
    if not instance:
        return None
    site = Site.of(instance)
    article = site.article_number(post.conversation_id)
    comment = site.comment_number(post.post_id)
    if article is None:
        return None
    return f"{site.origin}{site.path}/?p={article}" + (f"#comment-{comment}" if comment is not None else "")


NETWORK = Network(
    name="wordpress",
    display_name="WordPress",
    account_path=".wordpress.account:WordPressAccount",
    default_base_url="",  # none: each account's API is its own site's /wp-json
    streams=("comments",),
    reply_limit=REPLY_LIMIT,
    reply_length=reply_length,
    post_url=post_url,
    adapter_path=".wordpress.adapter:WordPressAdapter",
)
