"""The small interface every social network's adapter implements, and the errors it raises."""

from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from ..domain.posts import Post


@dataclass(frozen=True)
class Quarantined:
    """A post the network sent that cannot be read: kept aside with why, never silently dropped."""

    raw_json: str
    reason: str
    post_id: str | None  # None when the post has no usable id


@dataclass(frozen=True)
class Page:
    posts: list[Post]
    newest_id: str | None  # the cursor to resume from once every page is stored
    next_token: str | None = None
    oldest_id: str | None = None  # where a paging interrupted by a rate limit resumes (until_id)
    quarantined: list[Quarantined] = field(default_factory=list)


class ChannelError(Exception):
    """Base of every adapter failure."""


class RateLimited(ChannelError):
    def __init__(self, reset_at: datetime, detail: str = "rate limited"):
        super().__init__(f"{detail}; retry after {reset_at.isoformat()}")
        self.reset_at = reset_at


class TransientError(ChannelError):
    """5xx, timeouts, connection errors, malformed answers: worth retrying."""


class PermanentError(ChannelError):
    """4xx other than 429: retrying the same request will not help."""


class AccountUnavailable(PermanentError):
    """The network says the account is unknown, suspended or closed to us: a person must act."""


class AuthenticationFailed(PermanentError):
    """The network refused the credentials (401, or a 403 about the app or its tokens), or they could
    not be read: a fixed or rotated secret helps, a changed request does not."""


@dataclass
class Credentials:
    values: dict[str, str] = field(default_factory=dict)


class ChannelAdapter(Protocol):
    channel: str
    display_name: str
    max_reply_length: int

    def fetch_mentions(
        self,
        account_id: str,
        *,
        since_id: str | None,
        page_token: str | None,
        start_time: datetime | None,
        until_id: str | None = None,
    ) -> Page:
        """One page of posts mentioning the account, newer than `since_id` and older than `until_id`."""
        ...

    def fetch_own_posts(
        self,
        account_id: str,
        *,
        since_id: str | None,
        page_token: str | None,
        start_time: datetime | None,
        until_id: str | None = None,
    ) -> Page:
        """One page of the account's own posts (its replies included), as fetch_mentions."""
        ...

    def post_reply(self, account_id: str, *, in_reply_to_id: str, text: str) -> str:
        """Reply in the thread; returns the new post's id."""
        ...

    def reply_length(self, text: str) -> int:
        """The length of `text` as the network counts it."""
        ...

    @staticmethod
    def post_url(handle: str | None, post_id: str) -> str:
        """A link a person can open to reply."""
        ...
