"""A WordPress site in the configuration: the acknowledging user, the site, who counts as staff."""

from typing import Any, Literal

from pydantic import Field, model_validator

from ...config.account import AccountConfig
from .site import INSTANCE, qualified_user_id


class WordPressAccount(AccountConfig):
    channel: Literal["wordpress"]
    # Written as the user's number (2) or qualified (blog.example.com/2); always held qualified, so
    # two sites whose acknowledging users are both user 2 are two accounts (see site.py).
    id: str = Field(description="the acknowledging user's WordPress user id")
    instance: str = Field(
        pattern=INSTANCE.pattern, description="the site's address, e.g. https://blog.example.com"
    )
    # WordPress user ids whose comments are staff replies; empty: see registered_users_are_staff.
    staff_user_ids: list[str] = Field(default_factory=list, max_length=500)
    # With no staff_user_ids: a comment by any logged-in user of the site is a staff reply.
    registered_users_are_staff: bool = True
    # Also read comments held for moderation (not public: a ticket and escalation, no public reply).
    include_held: bool = False

    @model_validator(mode="before")
    @classmethod
    def _qualify(cls, data: Any) -> Any:
        instance = data.get("instance") if isinstance(data, dict) else None
        if (
            isinstance(instance, str)
            and INSTANCE.fullmatch(instance)
            and isinstance(data.get("id"), str | int)
        ):
            data = {**data, "id": qualified_user_id(instance, str(data["id"]))}
        return data

    @model_validator(mode="after")
    def _staff_are_numbers(self) -> "WordPressAccount":
        if not all(each.isascii() and each.isdigit() and len(each) <= 19 for each in self.staff_user_ids):
            raise ValueError("staff_user_ids: WordPress user ids are digits, e.g. ['3', '7']")
        return self
