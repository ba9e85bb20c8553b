"""acknowledge: one public, templated reply per ticket, at most once whatever the retries.

Three layers make "at most once" hold: the intent (with the exact text) is recorded before the
post; the post itself runs under Powertools idempotency keyed by ticket, so a retry after a
successful post returns the stored post id; and a retry of an attempt whose outcome is unknown
first looks for the reply on the brand's own timeline before posting again.
"""

from collections.abc import Callable
from datetime import datetime, timedelta

from aws_lambda_powertools import Logger

from ..channels.base import ChannelAdapter, PermanentError, RateLimited, TransientError
from ..config import AccountConfig, Config
from ..domain.templates import render_acknowledgement
from ..domain.timefmt import from_iso
from ..persistence.state import AccountState
from ..persistence.tickets import TicketStore
from .ack_gate import hold_back

logger = Logger(child=True)

# A post attempt older than this is presumed dead (its worker crashed) and may be retried.
ATTEMPT_LEASE = timedelta(minutes=3)
RECONCILE_PAGES = 3

PostFn = Callable[..., dict]


def find_existing_reply(
    adapter: ChannelAdapter, account_id: str, in_reply_to_id: str, since: datetime
) -> str | None:
    """The brand's reply to `in_reply_to_id` if it is already on the channel."""
    token = None
    for _ in range(RECONCILE_PAGES):
        page = adapter.fetch_own_posts(account_id, since_id=None, page_token=token, start_time=since)
        for post in page.posts:
            if post.in_reply_to_id == in_reply_to_id:
                return post.post_id
        token = page.next_token
        if not token:
            break
    return None


def post_acknowledgement(adapter: ChannelAdapter, request: dict) -> dict:
    """The side effect itself; wrapped in Powertools idempotency by the runtime."""
    if request["reconcile"]:
        existing = find_existing_reply(
            adapter, request["account_id"], request["in_reply_to_id"], from_iso(request["created_at"])
        )
        if existing:
            return {"post_id": existing, "reconciled": True}
    post_id = adapter.post_reply(
        request["account_id"], in_reply_to_id=request["in_reply_to_id"], text=request["text"]
    )
    return {"post_id": post_id, "reconciled": False}


def retry_delay(attempts: int) -> timedelta:
    return timedelta(minutes=min(2 ** max(attempts - 1, 0), 30))


class Acknowledger:
    def __init__(
        self,
        config: Config,
        store: TicketStore,
        adapter_for: Callable[[AccountConfig], ChannelAdapter],
        post: PostFn,
    ):
        self._config = config
        self._store = store
        self._adapter_for = adapter_for
        self._post = post  # post(request=dict) -> {"post_id": ...}, idempotent per ticket

    def acknowledge(self, pk: str, now: datetime) -> str:
        ticket = self._store.get(pk)
        if ticket is None:
            return "missing"
        if ticket.ack_state in ("posted", "skipped", "failed"):
            return "done"
        account = self._config.account(ticket.channel, ticket.account_id)
        if account is None:
            self._store.record_ack_outcome(ticket, state="skipped", reason="account_not_configured")
            return "skipped"
        settings = self._config.acknowledgements_for(account)
        held = hold_back(self._config, self._store, ticket, account, settings, now)
        if held is not None:
            return held
        adapter = self._adapter_for(account)
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
        state = AccountState(account.key)
        paused = state.paused_until("posting", now)
        if paused is not None and ticket.ack_state in (None, "deferred"):
            self._store.schedule_ack_retry(
                ticket, paused, "posting paused by a rate limit", posted_maybe=False
            )
            return "deferred"
        # An earlier attempt whose outcome is unknown (crashed mid-post, timed out, 5xx).
        outcome_unknown = ticket.ack_state in ("posting", "retrying")
        if not self._store.begin_ack(ticket, text, now, ATTEMPT_LEASE):
            return "in_progress"
        request = {
            "key": ticket.ticket_id,
            "channel": account.channel,
            "account_id": account.id,
            "in_reply_to_id": ticket.post_id,
            "text": text,
            "created_at": ticket.created_at,
            "reconcile": outcome_unknown,
        }
        try:
            answer = self._post(request=request)
        except RateLimited as error:
            state.pause("posting", error.reset_at)
            self._store.schedule_ack_retry(ticket, error.reset_at, str(error), posted_maybe=False)
            logger.warning("acknowledgement rate limited", ticket=ticket.ticket_id, until=str(error.reset_at))
            return "rate_limited"
        except TransientError as error:
            delay = retry_delay(ticket.ack_attempts or 1)
            self._store.schedule_ack_retry(ticket, now + delay, str(error), posted_maybe=True)
            logger.warning("acknowledgement failed, will retry", ticket=ticket.ticket_id, error=str(error))
            return "retrying"
        except PermanentError as error:
            self._store.record_ack_outcome(
                ticket, state="failed", reason=f"rejected by {adapter.display_name}: {error}"
            )
            logger.error("acknowledgement rejected", ticket=ticket.ticket_id, error=str(error))
            return "failed"
        self._store.record_ack_posted(ticket, answer["post_id"], text, now)
        return "posted"
