"""A Mastodon account in the configuration: its id on its instance, `user@instance`, the instance.

Credentials secret: {"access_token": "..."}, a user token of an application registered on the
instance (Preferences > Development) with the scopes read:notifications, read:statuses and
write:statuses."""

from typing import Literal

from pydantic import Field, model_validator

from ...config.account import AccountConfig

# Mastodon's own rules: a username of letters, digits and underscores (dots and dashes inside).
USERNAME = r"[A-Za-z0-9_]+(?:[.-]+[A-Za-z0-9_]+)*"
HOST = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+"


class MastodonAccount(AccountConfig):
    channel: Literal["mastodon"]
    id: str = Field(pattern=r"^[0-9]{1,20}$", description="the brand account's id on its instance")
    handle: str = Field(
        pattern=rf"^{USERNAME}(?:@{HOST})?$", description="user or user@instance, no leading @"
    )
    instance: str = Field(pattern=rf"^{HOST}$", description="the instance's host, e.g. mastodon.social")
    # A public mention is answered in public or unlisted (kept off the public timelines); a private
    # or direct one always with its own visibility, never wider.
    public_reply_visibility: Literal["public", "unlisted"] = "unlisted"

    @model_validator(mode="after")
    def _handle_on_its_instance(self) -> "MastodonAccount":
        _, at, host = self.handle.partition("@")
        if at and host.lower() != self.instance.lower():
            raise ValueError(f"handle {self.handle!r} is not on instance {self.instance!r}")
        return self
