"""The small ports the services work through. DynamoDB implements them in persistence/; the
service unit tests use in-memory fakes (tests/unit/fakes.py)."""

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Protocol

from ..domain.posts import Post
from ..domain.skip_rules import LastAck
from ..domain.tickets import NewTicketPolicy, PostClaim, Stored, Ticket


class Tickets(Protocol):
    def store_mention(self, post: Post, policy: NewTicketPolicy, now: datetime) -> Stored: ...

    def get(self, pk: str) -> Ticket | None: ...

    def claim_of(self, channel: str, post_id: str) -> PostClaim | None: ...

    def open_tickets_in_conversation(self, channel: str, conversation_id: str) -> list[str]: ...

    def last_ack_to(self, channel: str, conversation_id: str, author_id: str) -> datetime | None: ...

    def last_ack_to_author(self, channel: str, account_id: str, author_id: str) -> LastAck | None: ...

    def reserve_author_ack(self, ticket: Ticket, window: timedelta, now: datetime) -> bool: ...

    def record_human_reply(self, pk: str, reply_post_id: str, replied_at: datetime) -> bool: ...

    def begin_ack(self, ticket: Ticket, text: str, now: datetime, lease: timedelta) -> Ticket | None:
        """The ticket with this attempt counted, or None when another attempt holds it."""
        ...

    def schedule_ack_retry(
        self, ticket: Ticket, at: datetime, error: str, *, posted_maybe: bool, attempts: int = 0
    ) -> bool: ...

    def record_ack_outcome(self, ticket: Ticket, *, state: str, reason: str | None) -> bool: ...

    def record_ack_failed(self, ticket: Ticket, error: str) -> bool: ...

    def record_ack_posted(self, ticket: Ticket, post_id: str, text: str, now: datetime) -> None: ...

    def due_for_ack_retry(self, now: datetime) -> list[str]: ...


class StreamStates(Protocol):
    """The streams of one account: cursors, rate-limit pauses, health."""

    def cursor(self, stream: str) -> str | None: ...

    def paused_until(self, stream: str, now: datetime) -> datetime | None: ...

    def pause(self, stream: str, until: datetime) -> None: ...

    def advance(self, stream: str, expected: str | None, cursor: str) -> bool: ...

    def record_health(self, succeeded: dict[str, bool], now: datetime) -> dict[str, datetime]: ...


class AccountStates(Protocol):
    def __call__(self, account_key: str, streams: Iterable[str]) -> StreamStates: ...


class Quarantine(Protocol):
    def __call__(
        self, account_key: str, *, post_id: str | None, raw_json: str, reason: str, now: datetime, retention
    ) -> bool: ...


class Ceilings(Protocol):
    def __call__(self, account_key: str, kind: str, limit: int, ticket_pk: str, now: datetime) -> bool:
        """Take one unit of the account's hourly ceiling of `kind` for the ticket; False: held back."""
        ...
