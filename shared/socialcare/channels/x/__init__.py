"""X (Twitter) API v2. Everything socialcare knows about X is in this package."""

from ...config.account import AccountConfig
from ..network import Network, PostRef
from .account import XAccount
from .textlength import weighted_length


def post_url(account: AccountConfig, post: PostRef) -> str:
    # X redirects /i/status/<id> to the post whoever wrote it; the author's handle reads better.
    return f"https://x.com/{post.author_handle or 'i'}/status/{post.post_id}"


NETWORK = Network(
    name="x",
    display_name="X",
    account_model=XAccount,
    default_base_url="https://api.x.com",
    streams=("mentions", "own"),
    reply_limit=280,
    reply_length=weighted_length,
    post_url=post_url,
    adapter_path=".x.adapter:XAdapter",
)
