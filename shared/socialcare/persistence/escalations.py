"""The escalation sweep's reads and writes: a query of the sparse index, then claim-send-complete
per (ticket, level), each step conditional so two sweeps never send a level twice."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from pynamodb.exceptions import UpdateError

from ..domain.timefmt import to_iso
from .models import OPEN_BUCKET, EscalationRecord, TicketModel


@dataclass
class SweepRead:
    keys: list[str]
    items_read: int  # what the query read from the index: the due tickets, never the table


def due_tickets(now: datetime, page_size: int = 200) -> SweepRead:
    """Keys of tickets whose next escalation step is due. KEYS_ONLY index, so this reads only due
    entries; answered tickets left the index when staff replied."""
    result = TicketModel.awaiting_reply.query(
        OPEN_BUCKET, TicketModel.next_step_at <= to_iso(now), page_size=page_size
    )
    keys = [item.pk for item in result]
    return SweepRead(keys=keys, items_read=result.total_count)


def _condition_failed(error: UpdateError) -> bool:
    return error.cause_response_code == "ConditionalCheckFailedException"


def claim_level(pk: str, now: datetime, token: str, lease: timedelta) -> TicketModel | None:
    """Take the ticket's next due level for this sweep (returned with the whole ticket), or None
    if another sweep holds it, a human answered, or nothing is due. A claim older than `lease` is
    abandoned (its sweep crashed before finishing) and may be taken over."""
    ticket = TicketModel(pk, "TICKET")
    try:
        ticket.update(
            actions=[
                TicketModel.claim_level.set(TicketModel.next_level),
                TicketModel.claim_token.set(token),
                TicketModel.claim_at.set(to_iso(now)),
            ],
            condition=(TicketModel.esc_bucket == OPEN_BUCKET)
            & (TicketModel.next_step_at <= to_iso(now))
            & (TicketModel.claim_token.does_not_exist() | (TicketModel.claim_at < to_iso(now - lease))),
        )
    except UpdateError as error:
        if _condition_failed(error):
            return None
        raise
    return ticket


def complete_level(
    ticket: TicketModel,
    level: int,
    token: str,
    records: list[EscalationRecord],
    next_step: tuple[int, datetime] | None,
) -> bool:
    """Record what was sent and move to the next level (or out of the index after the last one)."""
    actions = [
        TicketModel.escalations.set(
            TicketModel.escalations.append(records) if ticket.escalations else records
        ),
        TicketModel.claim_level.remove(),
        TicketModel.claim_token.remove(),
        TicketModel.claim_at.remove(),
    ]
    if next_step is None:
        actions += [
            TicketModel.esc_bucket.remove(),
            TicketModel.next_step_at.remove(),
            TicketModel.next_level.set(level + 1),
        ]
    else:
        actions += [
            TicketModel.next_level.set(next_step[0]),
            TicketModel.next_step_at.set(to_iso(next_step[1])),
        ]
    try:
        ticket.update(
            actions=actions, condition=(TicketModel.claim_token == token) & (TicketModel.next_level == level)
        )
    except UpdateError as error:
        if _condition_failed(error):
            return False
        raise
    return True


def release_claim(ticket: TicketModel, token: str) -> None:
    """Give a level back after a failed send, so the next sweep retries it at once."""
    try:
        ticket.update(
            actions=[
                TicketModel.claim_level.remove(),
                TicketModel.claim_token.remove(),
                TicketModel.claim_at.remove(),
            ],
            condition=TicketModel.claim_token == token,
        )
    except UpdateError as error:
        if not _condition_failed(error):
            raise
