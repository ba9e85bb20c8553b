"""Claiming a ticket from an alert's link: one conditional update records who took it and takes the
ticket out of the escalation index, so the ladder's later levels never fire."""

from datetime import datetime

from pynamodb.exceptions import UpdateError

from ..domain.tickets import Ticket, TicketStatus
from ..domain.timefmt import to_iso
from ..services.ports import ClaimResult
from .models import TicketModel
from .tickets import to_ticket


class TicketClaimStore:
    """The TicketClaims port on DynamoDB."""

    def get(self, pk: str) -> Ticket | None:
        try:
            return to_ticket(TicketModel.get(pk, "TICKET"))
        except TicketModel.DoesNotExist:
            return None

    def claim(self, pk: str, by: str, at: datetime) -> ClaimResult:
        return claim_ticket(pk, by, at)


def claim_ticket(pk: str, by: str, at: datetime) -> ClaimResult:
    """`by` claims the open ticket `pk`. Repeating it changes nothing (idempotent); a ticket claimed
    by someone else, or answered, stays as it is and is returned so the page can say why."""
    item = TicketModel(pk, "TICKET")
    try:
        item.update(
            actions=[
                TicketModel.claimed_by.set(by),
                TicketModel.claimed_at.set(to_iso(at)),
                # Out of the sparse escalation index: no later level is ever due.
                TicketModel.esc_bucket.remove(),
                TicketModel.next_step_at.remove(),
            ],
            condition=(TicketModel.status == TicketStatus.OPEN.value)
            & TicketModel.claimed_by.does_not_exist(),
        )
    except UpdateError as error:
        if error.cause_response_code != "ConditionalCheckFailedException":
            raise
        try:
            ticket = to_ticket(TicketModel.get(pk, "TICKET"))
        except TicketModel.DoesNotExist:
            return ClaimResult(False, None)
        return ClaimResult(ticket.claimed_by == by, ticket)
    return ClaimResult(True, to_ticket(item), new=True)
