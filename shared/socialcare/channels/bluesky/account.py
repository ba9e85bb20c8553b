"""A Bluesky account in the configuration: its DID, its handle, and the secret with its app password."""

from typing import Literal

from pydantic import Field

from ...config.account import AccountConfig

# did:plc is 24 base32 characters; did:web is a host name (":"-separated path segments, %-escaped port).
DID = r"did:(?:plc:[a-z2-7]{24}|web:[a-zA-Z0-9._%-]+(?::[a-zA-Z0-9._%-]+)*)"
HANDLE = r"(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?\.)+[a-zA-Z](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?"


class BlueskyAccount(AccountConfig):
    channel: Literal["bluesky"]
    id: str = Field(pattern=rf"^{DID}$", max_length=200, description="the brand account's DID")
    handle: str = Field(
        pattern=rf"^{HANDLE}$", max_length=253, description="e.g. acme.bsky.social, without @"
    )
