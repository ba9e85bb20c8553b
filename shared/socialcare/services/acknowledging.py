"""acknowledge: one public, templated reply per ticket, at most once whatever the retries.

Three layers make "at most once" hold: the intent (with the exact text) is recorded before the
post; the post itself runs under Powertools idempotency keyed by ticket, so a retry after a
successful post returns the stored post id; and a retry of an attempt whose outcome is unknown
first looks for the reply on the brand's own timeline before posting again.
"""

from collections.abc import Callable
from datetime import datetime, timedelta

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
from ..config import AccountConfig, Config
from ..domain.templates import render_acknowledgement
from ..domain.tickets import FINAL_ACK_STATES, OUTCOME_UNKNOWN, AckRequest, AckState, Ticket
from ..domain.timefmt import from_iso, to_iso
from .ack_gate import hold_back
from .ports import AccountStates, Ceilings, Tickets

logger = Logger(child=True)

# A post attempt older than this is presumed dead (its worker crashed) and may be retried.
ATTEMPT_LEASE = timedelta(minutes=3)

PostFn = Callable[..., dict]


class PostInProgress(Exception):
    """Another invocation holds this ticket's post (it may have timed out mid-post)."""


def post_acknowledgement(adapter: ChannelAdapter, request: AckRequest) -> dict:
    """The side effect itself; wrapped in Powertools idempotency by the runtime."""
    target = ReplyTarget(
        request.in_reply_to_id, request.conversation_id, request.post_kind, request.visibility
    )
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
        post: PostFn,
        *,
        account_states: AccountStates,
        take_ceiling: Ceilings,
    ):
        self._config = config
        self._store = store
        self._adapter_for = adapter_for
        self._post = post  # post(request=AckRequest) -> {"post_id": ...}, idempotent per ticket
        self._account_states = account_states
        self._take_ceiling = take_ceiling

    def acknowledge(self, pk: str, now: datetime) -> str:
        ticket = self._store.get(pk)
        if ticket is None:  # deleted since (expired, or by hand): nothing left to acknowledge
            logger.warning("acknowledgement for a ticket that no longer exists", ticket_pk=pk)
            return "missing"
        if ticket.ack_state in FINAL_ACK_STATES:
            return "done"
        account = self._config.account(ticket.channel, ticket.account_id)
        if account is None:
            self._store.record_ack_outcome(ticket, state="skipped", reason="account_not_configured")
            return "skipped"
        settings = self._config.acknowledgements_for(account)
        held = hold_back(self._config, self._store, self._take_ceiling, ticket, account, settings, now)
        if held is not None:
            return held
        try:
            adapter = self._adapter_for(account)
        except AuthenticationFailed as error:  # its secret is unreadable or incomplete: may be fixed
            unknown = ticket.ack_state in OUTCOME_UNKNOWN
            return self._retry_or_give_up(ticket, account, now, error, posted_maybe=unknown, counted=False)
        text = render_acknowledgement(
            settings.templates,
            ticket_id=ticket.ticket_id,
            ref=ticket.ref,
            target_minutes=int(self._config.target_for(account).total_seconds() // 60),
            brand_handle=account.handle,
            author_handle=ticket.author_handle,
            mention_text=ticket.text,
            max_length=adapter.max_reply_length,
            length=adapter.reply_length,
        )
        state = self._account_states(account.key, ["posting"])
        paused = state.paused_until("posting", now)
        if paused is not None and ticket.ack_state in (None, AckState.DEFERRED):
            self._store.schedule_ack_retry(
                ticket, paused, "posting paused by a rate limit", posted_maybe=False
            )
            return "deferred"
        # An earlier attempt whose outcome is unknown (crashed mid-post, timed out, 5xx).
        outcome_unknown = ticket.ack_state in OUTCOME_UNKNOWN
        ticket = self._store.begin_ack(ticket, text, now, ATTEMPT_LEASE)
        if ticket is None:
            return "in_progress"
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
            answer = self._post(request=request)
        except RateLimited as error:
            state.pause("posting", error.reset_at)
            self._store.schedule_ack_retry(
                ticket, error.reset_at, str(error), posted_maybe=outcome_unknown, attempts=-1
            )
            logger.warning("acknowledgement rate limited", ticket=ticket.ticket_id, until=str(error.reset_at))
            return "rate_limited"
        except PostInProgress as error:
            # Not an attempt of ours: another one holds the post. It may have posted, so look first.
            self._store.schedule_ack_retry(
                ticket, now + ATTEMPT_LEASE, str(error), posted_maybe=True, attempts=-1
            )
            logger.warning("acknowledgement already in progress, will retry", ticket=ticket.ticket_id)
            return "in_progress"
        except AuthenticationFailed as error:  # refused even after re-reading the credentials
            return self._retry_or_give_up(ticket, account, now, error, posted_maybe=outcome_unknown)
        except TransientError as error:  # a timeout or a 5xx: the reply may be on the channel
            return self._retry_or_give_up(ticket, account, now, error, posted_maybe=True)
        except PermanentError as error:
            # The network refused this very reply (the post was deleted, replies are not allowed,
            # the text was refused): the same request will be refused again, so give up at once.
            return self._give_up(ticket, f"refused by {adapter.display_name}: {error}")
        self._store.record_ack_posted(ticket, answer["post_id"], text, now)
        return "posted"

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
