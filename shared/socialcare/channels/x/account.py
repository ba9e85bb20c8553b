"""An X account in the configuration: numeric user id, X's handle rule, its API credentials."""

from typing import Literal

from pydantic import Field

from ...config.account import AccountConfig


class XAccount(AccountConfig):
    channel: Literal["x"]
    id: str = Field(pattern=r"^[0-9]{1,19}$", description="the brand account's numeric user id")
    handle: str = Field(pattern=r"^[A-Za-z0-9_]{1,15}$", description="without the @")
