"""X (Twitter) API v2. Everything socialcare knows about X is in this package."""

from typing import TYPE_CHECKING

from ..network import Network, PostRef
from .textlength import weighted_length

if TYPE_CHECKING:
    from ...config.account import AccountConfig


def post_url(account: "AccountConfig", post: PostRef) -> str:
    # X redirects /i/status/<id> to the post whoever wrote it; the author's handle reads better.
    return f"https://x.com/{post.author_handle or 'i'}/status/{post.post_id}"


NETWORK = Network(
    name="x",
    display_name="X",
    account_path=".x.account:XAccount",
    default_base_url="https://api.x.com",
    streams=("mentions", "own"),
    reply_limit=280,
    reply_length=weighted_length,
    post_url=post_url,
    adapter_path=".x.adapter:XAdapter",
)
