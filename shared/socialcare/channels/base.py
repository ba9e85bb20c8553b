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
    """One page of a stream. `cursor` is where to resume once this page's posts are stored: the
    network's own notion (ids, times, tokens), opaque to everyone else, who only store it. None: the
    stream has nothing to remember yet. `complete`: nothing more to read until new posts arrive."""

    posts: list[Post]
    cursor: str | None
    complete: bool
    quarantined: list[Quarantined] = field(default_factory=list)


@dataclass(frozen=True)
class ReplyTarget:
    """The post to answer, as stored: some networks reply differently to a comment, a mention or a
    tag, and a reply never reaches further than the post it answers (visibility)."""

    post_id: str
    conversation_id: str | None = None
    kind: str | None = None
    visibility: str | None = None


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


class SessionStore(Protocol):
    """Where an adapter keeps a login session between invocations and containers (a network whose
    logins are scarce, e.g. a few a day). The value is the adapter's own opaque string, secret: it is
    stored encrypted and never logged. An adapter class that needs one declares `keeps_session = True`
    and takes it as the keyword argument `session_store`."""

    def load(self, account_key: str) -> str | None: ...

    def save(self, account_key: str, value: str) -> None: ...


@dataclass
class Credentials:
    values: dict[str, str] = field(default_factory=dict)


class ChannelAdapter(Protocol):
    """One brand account on one network, built with its account configuration and credentials.

    Posts whose author is the account itself are the brand's own (staff replies, our
    acknowledgements); every other post read is a mention to care for."""

    display_name: str
    max_reply_length: int

    def read(self, stream: str, cursor: str | None, *, start_time: datetime) -> Page:
        """The page of `stream` (one of its network's streams) after `cursor`; with no cursor, from
        `start_time` (nothing older is worth reading)."""
        ...

    def post_reply(self, target: ReplyTarget, text: str) -> str:
        """Reply to the post, in its thread; returns the new post's id."""
        ...

    def find_reply(self, target: ReplyTarget, since: datetime) -> str | None:
        """The account's reply to the post, if one is already there (an attempt whose answer was
        lost may have posted): posted no earlier than `since`."""
        ...

    def reply_length(self, text: str) -> int:
        """The length of `text` as the network counts it."""
        ...


# Optional: networks whose comments the brand may hide (Facebook, Instagram) set `can_hide_posts`
# and implement `hide_post(target)`; an offline reply may then hide the customer's comment that
# holds personal data (acknowledgements.hide_personal_data).

# Optional: networks that can publish a public, top-level post on the brand's own timeline (a
# status update while an incident lasts) set `can_post_status = True` and implement
# `post_status(text) -> the new post's id`, raising ChannelError as post_reply does, with
# `max_status_length` and `status_length(text)` (a status needs no room for a mention, so its
# rule may differ from a reply's). Networks that cannot (media-only, or where a post is not a
# short status) set `can_post_status = False`.


class _Measures(Protocol):
    max_status_length: int

    def status_length(self, text: str) -> int: ...


class StatusesLikeReplies:
    """For an adapter whose status posts follow its replies' length rule (it has `max_reply_length`
    and `reply_length`): it can post statuses, measured as replies are."""

    can_post_status = True

    @property
    def max_status_length(self) -> int:
        return self.max_reply_length  # type: ignore[attr-defined]

    def status_length(self, text: str) -> int:
        return self.reply_length(text)  # type: ignore[attr-defined]


def ensure_fits(adapter: _Measures, text: str) -> None:
    """A status post is never cut (a truncated status misleads): too long, or empty, is refused
    before anything is sent."""
    if not text.strip():
        raise PermanentError("a status post needs text")
    length, limit = adapter.status_length(text), adapter.max_status_length
    if length > limit:
        raise PermanentError(f"the status post is {length} characters, over the network's {limit}")
