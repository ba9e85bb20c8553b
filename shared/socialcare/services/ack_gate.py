"""Whether a ticket's public acknowledgement may go out: the skip rules, then the caps against abuse
and cost (one acknowledgement per author per window, the account's hourly ceiling). The caps are
reserved in the same write that starts the attempt (see TicketStore.begin_ack)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from aws_lambda_powertools import Logger

from ..domain.skip_rules import CAPS, AckSituation, SkipReason, skip_reason
from ..domain.tickets import AckHold, AckReservations, Ticket
from .ports import AckContext, Tickets

if TYPE_CHECKING:
    from ..config import AccountConfig, Acknowledgements, Config

logger = Logger(child=True)

# A reservation that did not hold, as the reason recorded on the ticket.
HOLD_REASONS = {
    AckHold.AUTHOR_TAKEN: SkipReason.AUTHOR_RECENTLY_ACKNOWLEDGED,  # another ticket of theirs took it
    AckHold.CEILING_SPENT: SkipReason.ACCOUNT_HOURLY_CEILING,  # held, and listed in the summary staff get
}


def rule_reason(
    config: Config, context: AckContext, account: AccountConfig, settings: Acknowledgements, now: datetime
) -> SkipReason | None:
    """The first skip rule that says no, from the ticket and its author's last acknowledgements."""
    ticket = context.ticket
    return skip_reason(
        AckSituation(
            enabled=settings.enabled,
            ticket=ticket.pk,
            author_id=ticket.author_id,
            brand_account_id=account.id,
            human_replied=ticket.human_replied_at is not None,
            created_at=ticket.created_at,
            last_ack_to_author_in_conversation=context.last_ack_in_conversation,
            same_author_window=timedelta(minutes=settings.same_author_window_minutes),
            last_ack_to_author_on_account=context.last_ack_to_author,
            author_window=timedelta(minutes=config.limits.author_ack_window_minutes),
            target=ticket.due_at - ticket.created_at,  # its target, in business time
            reply_allowed=ticket.reply_allowed,
        ),
        now,
    )


def reservations(config: Config, ticket: Ticket, account: AccountConfig) -> AckReservations:
    """The author's window always (a retry of this ticket takes it again, harmlessly); a unit of the
    hourly ceiling only if the ticket holds none yet, so retries after a rate limit or an outage never
    spend another, and a skip never spends one. A crash after the post costs a unit, never a post."""
    limits = config.limits
    return AckReservations(
        author_window=timedelta(minutes=limits.author_ack_window_minutes),
        ceiling_account_key=None if ticket.ack_unit_taken else account.key,
        ceiling_limit=limits.account_acks_per_hour,
    )


def record_skip(store: Tickets, ticket: Ticket, reason: SkipReason) -> str:
    """Final: no public reply, and why, on the ticket. "capped" for a limit, "skipped" for a rule."""
    store.record_ack_outcome(ticket, state="skipped", reason=str(reason))
    if reason in CAPS:
        logger.info("acknowledgement capped", ticket=ticket.ticket_id, reason=str(reason))
        return "capped"
    return "skipped"
