"""An Instagram professional account in the configuration: numeric IG user id, its username.

Credentials secret: {"access_token": "..."}, a token (the linked page's, or an Instagram login's)
with instagram_basic, instagram_manage_comments and pages_read_engagement."""

from typing import Literal

from pydantic import Field

from ...config.account import AccountConfig
from ..meta import DEFAULT_VERSION


class InstagramAccount(AccountConfig):
    channel: Literal["instagram"]
    id: str = Field(pattern=r"^[0-9]{1,20}$", description="the Instagram user id (not the page's)")
    # Instagram usernames: up to 30 letters, digits, periods and underscores, not starting with a period.
    handle: str = Field(pattern=r"^[A-Za-z0-9_][A-Za-z0-9._]{0,29}$", description="without the @")
    api_version: str = Field(default=DEFAULT_VERSION, pattern=r"^v[0-9]{1,3}\.[0-9]$")
    # Comments are read on the account's media of this many days (older media: the webhook's).
    media_lookback_days: int = Field(default=30, ge=1, le=365)
