"""The small ports the services work through. DynamoDB implements them in persistence/; the
service unit tests use in-memory fakes (tests/unit/fakes.py)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Protocol

from ..domain.digests import DigestRecord
from ..domain.incidents.active import ActiveIncident
from ..domain.posts import Post
from ..domain.skip_rules import LastAck
from ..domain.tickets import (
    AckHold,
    AckReservations,
    AlertRecord,
    HeldBack,
    NewTicketPolicy,
    PendingAlert,
    Stored,
    Ticket,
    TicketWhere,
)

if TYPE_CHECKING:
    from ..config import AccountConfig

POSTING_STREAM = "posting"  # an account's posting state: a rate-limit pause on its replies


class Tickets(Protocol):
    def store_mention(self, post: Post, policy: NewTicketPolicy, now: datetime) -> Stored: ...

    def get(self, pk: str) -> Ticket | None: ...

    def open_tickets_in_conversation(self, channel: str, conversation_id: str) -> list[str]: ...

    def tickets_replied_to(self, channel: str, in_reply_to_id: str, conversation_id: str) -> list[Ticket]:
        """The tickets a brand reply to that post answers: the one holding it, else the open ones."""
        ...

    def ack_context(self, pk: str, where: TicketWhere, account_key: str) -> AckContext | None:
        """The ticket with what acknowledging it needs, read together; None if it no longer exists."""
        ...

    def record_human_reply(self, ticket: Ticket, reply_post_id: str, replied_at: datetime) -> bool: ...

    def begin_ack(
        self,
        ticket: Ticket,
        text: str,
        now: datetime,
        lease: timedelta,
        reserve: AckReservations,
        kind: str = "acknowledgement",
    ) -> Ticket | AckHold:
        """The ticket with this attempt counted and its reservations held, or why not (nothing written)."""
        ...

    def schedule_ack_retry(
        self, ticket: Ticket, at: datetime, error: str, *, posted_maybe: bool, attempts: int = 0
    ) -> bool: ...

    def record_ack_outcome(self, ticket: Ticket, *, state: str, reason: str | None) -> bool: ...

    def record_ack_failed(self, ticket: Ticket, error: str) -> bool: ...

    def record_ack_posted(self, ticket: Ticket, post_id: str, text: str, now: datetime) -> None: ...

    def due_for_ack_retry(self, now: datetime) -> list[str]: ...

    def link_incident(self, pk: str, incident_id: str) -> bool: ...


class StreamStates(Protocol):
    """The streams of one account: cursors, rate-limit pauses, health."""

    def cursor(self, stream: str) -> str | None: ...

    def paused_until(self, stream: str, now: datetime) -> datetime | None: ...

    def pause(self, stream: str, until: datetime) -> None: ...

    def advance(self, stream: str, expected: str | None, cursor: str) -> bool: ...

    def record_health(self, succeeded: dict[str, bool], now: datetime) -> dict[str, datetime]: ...


@dataclass(frozen=True)
class AckContext:
    """A ticket with what acknowledging it needs: its author's last public acknowledgements (in the
    thread; on the account, with the ticket it was for) and its account's posting state."""

    ticket: Ticket
    last_ack_in_conversation: datetime | None
    last_ack_to_author: LastAck | None
    posting: StreamStates
    # Incidents still active (read in the same request): a new ticket whose words match an open
    # one is answered with the incident's status update.
    active_incidents: tuple[ActiveIncident, ...] = ()


class AccountStates(Protocol):
    def __call__(self, account_key: str, streams: Iterable[str]) -> StreamStates: ...


class Quarantine(Protocol):
    def __call__(
        self, account_key: str, *, post_id: str | None, raw_json: str, reason: str, now: datetime, retention
    ) -> bool: ...


class CeilingHolds(Protocol):
    def __call__(self, account_key: str, kind: str, ticket_pk: str, now: datetime) -> None:
        """Count a ticket the account's hourly ceiling of `kind` held back (for the hour's summary)."""
        ...


class SweepRead(Protocol):
    keys: list[str]
    items_read: int


class EscalationQueue(Protocol):
    """Tickets with an escalation step ahead of them, claimed one step at a time."""

    def due_tickets(self, now: datetime) -> SweepRead: ...

    def claim_level(self, pk: str, now: datetime, token: str, lease: timedelta) -> Ticket | None:
        """The ticket's due step for this sweep; None if another sweep holds it or nothing is due."""
        ...

    def complete_level(
        self,
        ticket: Ticket,
        token: str,
        records: list[AlertRecord],
        pending: list[PendingAlert],
        next_level: int,
        next_step_at: datetime | None,
    ) -> bool: ...

    def release_claim(self, ticket: Ticket, token: str) -> None: ...

    def ticket_by_key(self, pk: str) -> Ticket | None: ...

    # Digests: stored before they are sent, and named on each claimed step they combine.
    def create_digest(self, digest: DigestRecord, now: datetime) -> bool: ...

    def digest(self, key: str) -> DigestRecord | None: ...

    def name_digest(self, ticket: Ticket, token: str, key: str) -> bool: ...


class AlertCeilings(Protocol):
    def hour_of(self, moment: datetime) -> str:
        """The clock hour the ceilings count in, e.g. "2026-11-23T14"."""
        ...

    def take(self, account_key: str, kind: str, limit: int, ticket_pk: str, now: datetime) -> bool: ...

    def held_back(self, account_key: str, now: datetime) -> list[HeldBack]: ...

    def mark_summarised(self, held: HeldBack, now: datetime) -> bool: ...

    def record_held(self, account_key: str, kind: str, ticket_pk: str, now: datetime) -> None: ...

    # The per-recipient SMS budget: take one SMS, read and clear what it folded into e-mail.
    def take_sms(self, recipient: str, limit: int, now: datetime) -> bool: ...

    def folded_sms(self, recipient: str) -> tuple[int, str] | None: ...

    def clear_folded_sms(self, recipient: str, count: int) -> None: ...


class StatusPoster(Protocol):
    """Public, top-level posts on a brand account's own timeline (status updates while an incident
    lasts), where its network can publish one."""

    def can_post_status(self, account: AccountConfig) -> bool: ...

    def post_status(self, account: AccountConfig, text: str) -> str:
        """The new post's id; raises ChannelError (RateLimited, TransientError, PermanentError)."""
        ...


# -- claim from the alert -----------------------------------------------------------------------


@dataclass(frozen=True)
class ClaimResult:
    claimed: bool  # this person holds the claim (now, or since an earlier click)
    ticket: Ticket | None  # as it is now; None when it no longer exists
    new: bool = False  # this very request claimed it (a repeat is not counted twice)


class TicketClaims(Protocol):
    def get(self, pk: str) -> Ticket | None: ...

    def claim(self, pk: str, by: str, at: datetime) -> ClaimResult:
        """`by` claims the open ticket: recorded once, the ladder's later levels stop."""
        ...


class IncidentResolver(Protocol):
    def resolve(self, incident_id: str, by: str, at: datetime) -> bool:
        """Resolve the open incident; False when it was not open (resolved or ended already)."""
        ...

    def incident(self, incident_id: str) -> dict | None: ...
