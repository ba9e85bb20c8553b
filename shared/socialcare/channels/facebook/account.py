"""A Facebook Page in the configuration: numeric page id, the page's name, Graph API options.

Credentials secret: {"page_access_token": "..."}, a long-lived page access token with
pages_read_engagement, pages_read_user_content and pages_manage_engagement."""

from typing import Literal

from pydantic import Field

from ...config.account import AccountConfig
from ..meta import DEFAULT_VERSION


class FacebookAccount(AccountConfig):
    channel: Literal["facebook"]
    id: str = Field(pattern=r"^[0-9]{1,20}$", description="the page's numeric id")
    # A page's name as Facebook shows it: spaces allowed, no control characters, trimmed.
    handle: str = Field(pattern=r"^[^\s\x00-\x1f\x7f](?:[^\x00-\x1f\x7f]{0,73}[^\s\x00-\x1f\x7f])?$")
    api_version: str = Field(default=DEFAULT_VERSION, pattern=r"^v[0-9]{1,3}\.[0-9]$")
    # Our comments carry the app that made them: with the app's id, only comments made by it are
    # taken for a reply of ours whose answer was lost; without it, any app's.
    app_id: str | None = Field(default=None, pattern=r"^[0-9]{1,20}$")
    # Comments are read on the page's posts of this many days (older threads: the webhook's).
    post_lookback_days: int = Field(default=30, ge=1, le=365)
