"""A ticket as the services see it: one customer's open question, its acknowledgement and its clock.
Plain data with states as enums; persistence maps it to and from its table."""

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from enum import StrEnum

from .business_hours import ResponsePolicy
from .ladder import Ladder
from .posts import Post


class TicketStatus(StrEnum):
    OPEN = "open"  # waiting for staff
    ANSWERED = "answered"  # staff replied on the channel
    INTERNAL = "internal"  # the brand's own post: recorded, never answered or escalated
    CLOSED = "closed"  # its incident ended and the follow-up reply told the customer it is fixed


class AckState(StrEnum):
    POSTING = "posting"  # an attempt is under way (or died mid-post)
    RETRYING = "retrying"  # failed, may have posted: the retry looks for it first
    DEFERRED = "deferred"  # waits (a rate limit, a pause): surely not posted
    POSTED = "posted"
    SKIPPED = "skipped"  # a rule or a cap said no
    FAILED = "failed"  # given up: the customer got no acknowledgement


FINAL_ACK_STATES = frozenset({AckState.POSTED, AckState.SKIPPED, AckState.FAILED})
# An attempt whose outcome is unknown: its reply may be on the channel.
OUTCOME_UNKNOWN = frozenset({AckState.POSTING, AckState.RETRYING})


class CeilingKind(StrEnum):
    """What an account's hourly ceiling counts."""

    ACKNOWLEDGEMENT = "ack"
    ALERT = "alert"


class Stored(StrEnum):
    CREATED = "created"
    JOINED = "joined"  # folded into the author's open ticket (or kept with an answered one)
    REOPENED = "reopened"  # the customer answered staff: their answered ticket waits again
    DUPLICATE = "duplicate"


@dataclass(frozen=True)
class NewTicketPolicy:
    account_id: str
    response: ResponsePolicy  # the account's calendar and targets: the deadline and the ladder's times
    ladder: Ladder
    retention: timedelta
    # limits.one_open_ticket_per_author: an author's mentions in any thread join their open ticket.
    one_open_ticket_per_author: bool = True
    # What triage made of the post that opens the ticket: `triager` reads a post (the mention path
    # gives it), called only when a post opens a ticket or may close a conversation (for_post).
    triage: "TicketTriage" = field(default_factory=lambda: TicketTriage())
    triager: "Callable[[Post], TicketTriage] | None" = None

    def for_post(self, post: "Post") -> "NewTicketPolicy":
        """This policy with `triage` of the post (as is, without a triager)."""
        return replace(self, triage=self.triager(post), triager=None) if self.triager else self


@dataclass(frozen=True)
class TicketTriage:
    """What a ticket is about, as triage read its first post: kept on the ticket for the reply, the
    response target, the alerts and the report."""

    intent: str | None = None  # complaint | question | praise | other; None: not triaged
    priority: str = "normal"  # urgent | normal | low
    personal_data: bool = False
    # It only thanks or closes ("sorted, thanks!"): in a conversation staff answered, it opens no
    # new ticket and is kept with the answered one.
    closing: bool = False
    escalates: bool = True  # False: recorded and replied to, but no ladder (praise, by default)


@dataclass(frozen=True)
class PostClaim:
    """Which ticket a stored post id belongs to (kind "post"; claims of kind "ack", of our own
    replies, were written before the ticket kept its reply's id, and are no longer read)."""

    kind: str
    ticket_pk: str


@dataclass(frozen=True)
class AlertRecord:
    """One alert of a ticket's ladder: sent (error None), refused, given up, or held by a ceiling."""

    level: int
    via: str
    to: str
    recipient: str
    at: datetime
    error: str | None = None
    digest: str | None = None  # the key of the digest it went in, with other tickets' alerts


@dataclass(frozen=True)
class PendingAlert:
    """One alert whose send failed and waits for its retry; its level's other alerts went on."""

    level: int
    via: str
    to: str
    recipient: str
    attempts: int
    first_failed_at: datetime
    retry_at: datetime
    error: str


@dataclass(frozen=True)
class HeldBack:
    """One closed hour of one account in which a ceiling held something back."""

    account_key: str
    kind: CeilingKind
    hour: str  # "2026-11-23T14"
    held: int
    ticket_pks: list[str]

    @property
    def starts_at(self) -> str:
        return f"{self.hour}:00:00Z"


@dataclass(frozen=True)
class Ticket:
    pk: str
    ticket_id: str
    ref: str
    channel: str
    account_id: str
    post_id: str
    post_ids: tuple[str, ...]
    author_id: str
    author_handle: str | None
    text: str
    conversation_id: str
    created_at: datetime
    due_at: datetime
    status: TicketStatus
    in_reply_to_id: str | None = None
    lang: str | None = None
    post_kind: str | None = None
    visibility: str | None = None
    reply_allowed: bool = True
    intent: str | None = None
    priority: str = "normal"
    personal_data: bool = False
    ack_kind: str | None = None  # acknowledgement | thanks | offline | after_hours (the reply chosen)
    ack_state: AckState | None = None
    ack_text: str | None = None
    ack_attempts: int = 0
    ack_error: str | None = None
    ack_post_id: str | None = None
    # This ticket already holds a unit of the account's hourly acknowledgement ceiling (taken with its
    # first attempt; retries after a pause or an outage never take another).
    ack_unit_taken: bool = False
    human_replied_at: datetime | None = None  # staff's first reply
    # Next reply: a customer who answers staff in the conversation reopens the ticket; its clock and
    # ladder restart from their message (round 2, 3...). Absent on a ticket never reopened.
    reply_round: int = 1
    waiting_since: datetime | None = None
    latest_replied_at: datetime | None = None  # staff's latest reply
    expires_at: int | None = None
    # The escalation ladder: the next level to send, the sends waiting for a retry, how many alerts
    # are recorded so far.
    next_level: int | None = None
    pending_sends: tuple[PendingAlert, ...] = ()
    alerts_recorded: int = 0
    # The digests the claimed step put its alerts in (a sweep that takes the claim over re-sends them).
    claim_digests: tuple[str, ...] = ()
    # Claimed from an alert's link: who took it, and when (the ladder's later levels stop).
    claimed_by: str | None = None
    claimed_at: datetime | None = None
    incident_id: str | None = None  # the open incident it belongs to: out of its own ladder
    incident_outcome: str | None = None  # when it ended: posting (a follow-up claimed) | closed | resumed


def clock_started_at(ticket: "Ticket") -> datetime:
    """When the customer started waiting for the reply now due: their first post, or the message
    that reopened the ticket."""
    return ticket.waiting_since or ticket.created_at


@dataclass(frozen=True)
class TicketWhere:
    """A ticket's fixed coordinates (they never change once stored): enough to find, in one read,
    the ticket with its author's markers and its account's posting state. The stream that announces
    a new ticket carries them, so the acknowledgement reads all of that in one request."""

    channel: str
    account_id: str
    conversation_id: str
    author_id: str

    @classmethod
    def of(cls, ticket: "Ticket") -> "TicketWhere":
        return cls(ticket.channel, ticket.account_id, ticket.conversation_id, ticket.author_id)


class AckHold(StrEnum):
    """Why the write that starts an acknowledgement did not happen."""

    IN_PROGRESS = "in_progress"  # another attempt holds the ticket, or it changed since it was read
    AUTHOR_TAKEN = "author_taken"  # another ticket of the author took their acknowledgement window
    CEILING_SPENT = "ceiling_spent"  # the account's hourly ceiling is spent


@dataclass(frozen=True)
class AckReservations:
    """What starting an acknowledgement reserves in the same write as the intent: the author's one
    acknowledgement per window (when the window is set), and a unit of the account's hourly
    ceiling (on the ticket's first attempt only)."""

    author_window: timedelta
    ceiling_account_key: str | None  # None: this ticket already holds its unit
    ceiling_limit: int = 0


@dataclass(frozen=True)
class AckRequest:
    """The one side effect of acknowledging: what to post, where. Once per ticket because the
    ticket's own conditional state is the lock (see services/acknowledging.py)."""

    key: str  # the ticket id
    channel: str
    account_id: str
    in_reply_to_id: str
    text: str
    created_at: str  # ISO 8601: when the mention was posted (a lost reply is looked for after it)
    reconcile: bool  # an earlier attempt's outcome is unknown: look for its reply first
    conversation_id: str | None = None
    post_kind: str | None = None
    visibility: str | None = None


@dataclass(frozen=True)
class AlertRequest:
    """One alert to send, keyed for idempotency: the same key twice sends once."""

    key: str  # (ticket, level, via, address), or the summary's (account, hour)
    via: str  # "email" | "sms"
    to: str | list[str]  # an address or number; several addresses for a summary
    text: str
    subject: str | None = None  # e-mail only
    html: str | None = None  # e-mail only
