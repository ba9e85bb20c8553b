"""A Bluesky account in the configuration: its DID, its handle, and the secret with its app password."""

from typing import Literal

from pydantic import Field

from ...config.account import AccountConfig
from .identifiers import DID, HANDLE


class BlueskyAccount(AccountConfig):
    channel: Literal["bluesky"]
    id: str = Field(pattern=rf"^{DID}$", max_length=200, description="the brand account's DID")
    handle: str = Field(
        pattern=rf"^{HANDLE}$", max_length=253, description="e.g. acme.bsky.social, without @"
    )
