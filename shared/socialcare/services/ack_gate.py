"""Whether a ticket's public acknowledgement may go out: the skip rules, then the caps against abuse
and cost (one acknowledgement per author per window, the account's hourly ceiling)."""

from datetime import datetime, timedelta

from aws_lambda_powertools import Logger

from ..config import AccountConfig, Acknowledgements, Config
from ..domain.skip_rules import CAPS, AckSituation, SkipReason, skip_reason
from ..domain.tickets import CeilingKind, Ticket
from .ports import Ceilings, Tickets

logger = Logger(child=True)


def hold_back(
    config: Config,
    store: Tickets,
    take_ceiling: Ceilings,
    ticket: Ticket,
    account: AccountConfig,
    settings: Acknowledgements,
    now: datetime,
) -> str | None:
    """Why `ticket` gets no public reply, recorded on it: "skipped" (a rule) or "capped" (a limit);
    None to post. The pure rules first, then the two caps that need a conditional write: the author's
    one acknowledgement per window (before the ceiling, so one author's flood never spends the
    account's ceiling), then the account's hourly ceiling, last so that a skip never uses it."""
    limits = config.limits
    author_window = timedelta(minutes=limits.author_ack_window_minutes)
    reason = skip_reason(
        AckSituation(
            enabled=settings.enabled,
            ticket=ticket.pk,
            author_id=ticket.author_id,
            brand_account_id=account.id,
            human_replied=ticket.human_replied_at is not None,
            created_at=ticket.created_at,
            last_ack_to_author_in_conversation=store.last_ack_to(
                ticket.channel, ticket.conversation_id, ticket.author_id
            ),
            same_author_window=timedelta(minutes=settings.same_author_window_minutes),
            last_ack_to_author_on_account=store.last_ack_to_author(
                ticket.channel, ticket.account_id, ticket.author_id
            ),
            author_window=author_window,
            target=config.target_for(account),
            reply_allowed=ticket.reply_allowed,
        ),
        now,
    )
    if reason is None and author_window and not store.reserve_author_ack(ticket, author_window, now):
        reason = SkipReason.AUTHOR_RECENTLY_ACKNOWLEDGED  # another ticket of theirs took it just now
    # Taken on a ticket's first attempt only: a retry (rate limit, outage) already holds its unit.
    # A crash between here and the post costs one unit, never an extra post.
    if (
        reason is None
        and ticket.ack_state is None
        and not take_ceiling(
            account.key, CeilingKind.ACKNOWLEDGEMENT, limits.account_acks_per_hour, ticket.pk, now
        )
    ):
        reason = SkipReason.ACCOUNT_HOURLY_CEILING  # held, and listed in the summary staff get
    if reason is None:
        return None
    store.record_ack_outcome(ticket, state="skipped", reason=str(reason))
    if reason in CAPS:
        logger.info("acknowledgement capped", ticket=ticket.ticket_id, reason=str(reason))
        return "capped"
    return "skipped"
