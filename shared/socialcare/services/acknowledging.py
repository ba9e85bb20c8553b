"""acknowledge: one public, templated reply per ticket, at most once whatever the retries.

The ticket's own state is the idempotency record, so no separate one is written. Two layers make
"at most once" hold:
- the intent (with the exact text) is recorded before the post, with a lease, in one conditional
  write that also reserves the author's window and the ceiling's unit: while it holds, no other
  attempt can start; once the reply is recorded (posted, with its id), none ever will;
- an attempt whose outcome is unknown (it crashed or timed out mid-post, or a 5xx answered) is retried
  only after looking for its reply on the channel, and records that reply instead of posting again.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from aws_lambda_powertools import Logger

from ..channels.base import (
    AuthenticationFailed,
    ChannelAdapter,
    ChannelError,
    PermanentError,
    RateLimited,
    ReplyTarget,
    TransientError,
)
from ..domain.incidents.active import ActiveIncident, incident_for
from ..domain.reply_kind import ReplyFacts, reply_kind
from ..domain.templates import INCIDENT, OFFLINE, render_acknowledgement
from ..domain.tickets import (
    FINAL_ACK_STATES,
    OUTCOME_UNKNOWN,
    AckHold,
    AckRequest,
    AckState,
    CeilingKind,
    Ticket,
    TicketWhere,
)
from ..domain.timefmt import from_iso, to_iso
from ..runtime import metric_names
from .ack_gate import HOLD_REASONS, record_skip, reservations, rule_reason
from .ports import POSTING_STREAM, CeilingHolds, Tickets

if TYPE_CHECKING:
    from ..config import AccountConfig, Acknowledgements, Config

logger = Logger(child=True)

# A post attempt older than this is presumed dead (its worker crashed) and may be retried.
ATTEMPT_LEASE = timedelta(minutes=3)


def reply_target(request: AckRequest) -> ReplyTarget:
    return ReplyTarget(request.in_reply_to_id, request.conversation_id, request.post_kind, request.visibility)


def post_acknowledgement(adapter: ChannelAdapter, request: AckRequest) -> dict:
    """The side effect itself: the reply, or the one an earlier attempt already posted."""
    target = reply_target(request)
    if request.reconcile:
        existing = adapter.find_reply(target, from_iso(request.created_at))
        if existing:
            return {"post_id": existing, "reconciled": True}
    return {"post_id": adapter.post_reply(target, request.text), "reconciled": False}


def retry_delay(attempts: int) -> timedelta:
    return timedelta(minutes=min(2 ** max(attempts - 1, 0), 30))


def time_for_one(http_timeout_seconds: float) -> timedelta:
    """What one acknowledgement may take: a post and its retry after a credentials refresh, each up
    to the HTTP timeout, and a few seconds of DynamoDB. (A reconciling retry reads more, but rarely.)"""
    return timedelta(seconds=2 * http_timeout_seconds + 5)


class Acknowledger:
    def __init__(
        self,
        config: Config,
        store: Tickets,
        adapter_for: Callable[[AccountConfig], ChannelAdapter],
        *,
        record_held: CeilingHolds,
        count: Callable[[str], None] = lambda metric: None,
    ):
        """count(metric name): one more of what went wrong beside the outcome (the handler's metrics)."""
        self._config = config
        self._store = store
        self._adapter_for = adapter_for
        self._record_held = record_held
        self._count = count

    def acknowledge(self, pk: str, now: datetime, where: TicketWhere | None = None) -> str:
        """`where`: the ticket's coordinates when the caller has them (the stream's image of a new
        ticket), which saves reading the ticket twice."""
        if where is None:
            found = self._store.get(pk)
            if found is None:
                return self._missing(pk)
            where = TicketWhere.of(found)
        account = self._config.account(where.channel, where.account_id)
        if account is None:
            ticket = self._store.get(pk)
            if ticket is None:
                return self._missing(pk)
            if ticket.ack_state in FINAL_ACK_STATES:
                return "done"
            self._store.record_ack_outcome(ticket, state="skipped", reason="account_not_configured")
            return "skipped"
        context = self._store.ack_context(pk, where, account.key)
        if context is None:
            return self._missing(pk)
        ticket = context.ticket
        if ticket.ack_state in FINAL_ACK_STATES:
            return "done"
        settings = self._config.acknowledgements_for(account)
        reason = rule_reason(self._config, context, account, settings, now)
        if reason is not None:
            return record_skip(self._store, ticket, reason)
        try:
            adapter = self._adapter_for(account)
        except AuthenticationFailed as error:  # its secret is unreadable or incomplete: may be fixed
            unknown = ticket.ack_state in OUTCOME_UNKNOWN
            return self._retry_or_give_up(ticket, account, now, error, posted_maybe=unknown, counted=False)
        kind, text = self._reply(ticket, account, settings, adapter, now, context.active_incidents)
        paused = context.posting.paused_until(POSTING_STREAM, now)
        if paused is not None and ticket.ack_state in (None, AckState.DEFERRED):
            self._store.schedule_ack_retry(
                ticket, paused, "posting paused by a rate limit", posted_maybe=False
            )
            return "deferred"
        # An earlier attempt whose outcome is unknown (crashed mid-post, timed out, 5xx).
        outcome_unknown = ticket.ack_state in OUTCOME_UNKNOWN
        begun = self._begin(ticket, text, now, account, kind)
        if not isinstance(begun, Ticket):
            return begun
        ticket = begun
        request = AckRequest(
            key=ticket.ticket_id,
            channel=account.channel,
            account_id=account.id,
            in_reply_to_id=ticket.post_id,
            conversation_id=ticket.conversation_id,
            post_kind=ticket.post_kind,
            visibility=ticket.visibility,
            text=text,
            created_at=to_iso(ticket.created_at),
            reconcile=outcome_unknown,
        )
        try:
            answer = post_acknowledgement(adapter, request)
        except RateLimited as error:
            context.posting.pause(POSTING_STREAM, error.reset_at)
            self._store.schedule_ack_retry(
                ticket, error.reset_at, str(error), posted_maybe=outcome_unknown, attempts=-1
            )
            logger.warning("acknowledgement rate limited", ticket=ticket.ticket_id, until=str(error.reset_at))
            return "rate_limited"
        except AuthenticationFailed as error:  # refused even after re-reading the credentials
            return self._retry_or_give_up(ticket, account, now, error, posted_maybe=outcome_unknown)
        except TransientError as error:  # a timeout or a 5xx: the reply may be on the channel
            return self._retry_or_give_up(ticket, account, now, error, posted_maybe=True)
        except PermanentError as error:
            # The network refused this very reply (the post was deleted, replies are not allowed,
            # the text was refused): the same request will be refused again, so give up at once.
            return self._give_up(ticket, f"refused by {adapter.display_name}: {error}")
        self._store.record_ack_posted(ticket, answer["post_id"], text, now)
        if kind == OFFLINE and settings.hide_personal_data:
            self._hide(adapter, ticket, reply_target(request))
        return "posted"

    def _hide(self, adapter, ticket: Ticket, target) -> None:
        """After the offline reply: hide the customer's comment where the network allows. A failure
        leaves the reply posted, is counted (alarmed) and logged; staff's alert says personal data."""
        if not getattr(adapter, "can_hide_posts", False):
            return
        try:
            adapter.hide_post(target)
        except ChannelError as error:
            self._count(metric_names.POSTS_HIDE_FAILED)
            logger.warning("comment with personal data not hidden", ticket=ticket.ticket_id, error=str(error))

    def _reply(
        self,
        ticket: Ticket,
        account: AccountConfig,
        settings: Acknowledgements,
        adapter,
        now: datetime,
        active_incidents: tuple[ActiveIncident, ...] = (),
    ) -> tuple[str, str]:
        """The kind of reply and its text. A retry posts what the first attempt meant to (the team
        may have opened since): the same text is also how a reply whose answer was lost is found."""
        if ticket.ack_text is not None and ticket.ack_kind is not None:
            return ticket.ack_kind, ticket.ack_text
        policy = self._config.response_policy(account)
        # Closed now, and this priority does not page at night: say when the team is back.
        resumes = policy.clock_resumes_at(now, ticket.priority)
        in_incident = self._link_incident(ticket, account, active_incidents)
        kind = reply_kind(
            ReplyFacts(ticket.intent, ticket.personal_data, clock_resumes_at=resumes, in_incident=in_incident)
        )
        incidents = self._config.incidents
        text = render_acknowledgement(
            incidents.reply_variants() if kind == INCIDENT else settings.variants(kind),
            ticket_id=ticket.ticket_id,
            ref=ticket.ref,
            target_minutes=policy.promise_minutes(ticket.created_at, ticket.priority),
            opens=(policy.opens_phrase(now) or "") if resumes else "",
            brand_handle=account.handle,
            author_handle=ticket.author_handle,
            mention_text=ticket.text,
            max_length=adapter.max_reply_length,
            length=adapter.reply_length,
            contact=settings.private_contact,
            status_page=(incidents.status_page or "") if kind == INCIDENT else "",
        )
        return kind, text

    def _link_incident(
        self, ticket: Ticket, account: AccountConfig, active_incidents: tuple[ActiveIncident, ...]
    ) -> bool:
        """Whether it belongs to an incident: linked already, or an open one's words match it (it is
        linked now, so its own ladder stops)."""
        if ticket.incident_id is not None:
            return True
        if not self._config.incidents.enabled:
            return False
        incident_id = incident_for(ticket.text, account.key, active_incidents)
        if incident_id is None:
            return False
        self._store.link_incident(ticket.pk, incident_id)
        return True

    def _begin(
        self, ticket: Ticket, text: str, now: datetime, account: AccountConfig, kind: str
    ) -> Ticket | str:
        """The attempt begun (intent and reservations written together), or the outcome without one."""
        reserve = reservations(self._config, ticket, account)
        if reserve.ceiling_account_key is not None and reserve.ceiling_limit <= 0:
            held = AckHold.CEILING_SPENT  # a ceiling of 0: nothing to take
        else:
            begun = self._store.begin_ack(ticket, text, now, ATTEMPT_LEASE, reserve, kind)
            if isinstance(begun, Ticket):
                return begun
            held = begun
        if held is AckHold.IN_PROGRESS:
            # Another attempt holds the post (it may have timed out mid-post): its lease ends within
            # ATTEMPT_LEASE, and the retry sweep then looks for its reply before posting again.
            logger.info("acknowledgement already in progress", ticket=ticket.ticket_id)
            return "in_progress"
        if held is AckHold.CEILING_SPENT:
            self._record_held(account.key, CeilingKind.ACKNOWLEDGEMENT, ticket.pk, now)
        return record_skip(self._store, ticket, HOLD_REASONS[held])

    @staticmethod
    def _missing(pk: str) -> str:
        # Deleted since (expired, or by hand): nothing left to acknowledge.
        logger.warning("acknowledgement for a ticket that no longer exists", ticket_pk=pk)
        return "missing"

    def _retry_or_give_up(
        self,
        ticket: Ticket,
        account: AccountConfig,
        now: datetime,
        error: ChannelError,
        *,
        posted_maybe: bool,
        counted: bool = True,
    ) -> str:
        """A failed attempt is retried with backoff until acknowledgements.max_attempts, then given up.
        `counted`: begin_ack already counted this attempt (False when it failed before reaching it)."""
        attempts = ticket.ack_attempts + (0 if counted else 1)
        if attempts >= self._config.acknowledgements_for(account).max_attempts:
            return self._give_up(ticket, f"gave up after {attempts} attempts: {error}")
        at = now + retry_delay(attempts)
        self._store.schedule_ack_retry(
            ticket, at, str(error), posted_maybe=posted_maybe, attempts=0 if counted else 1
        )
        logger.warning(
            "acknowledgement failed, will retry",
            ticket=ticket.ticket_id,
            attempt=attempts,
            retry_at=str(at),
            error=str(error),
        )
        return "retrying"

    def _give_up(self, ticket: Ticket, reason: str) -> str:
        """Final: the customer got no acknowledgement. The ticket says so (its alerts will too)."""
        self._store.record_ack_failed(ticket, reason)
        logger.error("acknowledgement failed for good", ticket=ticket.ticket_id, error=reason)
        return "failed"
