"""Wiring of the claim page: the DynamoDB claim store, the signing keys, and how a ticket's network,
post link and time left are shown (as in its alerts)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..channels.network import PostRef
from ..channels.registry import network
from ..domain.ladder import describe_time_left
from ..domain.tickets import Ticket
from ..persistence.claims import TicketClaimStore
from ..services.claiming import ClaimDesk, TicketDetails
from .claim_keys import verification_keys

if TYPE_CHECKING:
    from ..config import Config


def ticket_details(config: Config) -> TicketDetails:
    def post_url(ticket: Ticket) -> str:
        account = config.account(ticket.channel, ticket.account_id)
        if account is None:
            return ""
        post = PostRef(ticket.post_id, ticket.conversation_id, ticket.author_handle)
        return network(ticket.channel).post_url(account, post) or ""

    def time_left(ticket: Ticket, now) -> str:
        account = config.account(ticket.channel, ticket.account_id)
        policy = config.response_policy(account) if account is not None else None
        return describe_time_left(ticket.due_at, now, policy, ticket.priority)

    return TicketDetails(lambda ticket: network(ticket.channel).display_name, post_url, time_left)


def build_claim_desk(config: Config) -> ClaimDesk:
    from ..persistence.incidents import IncidentStore  # the IncidentResolver port

    return ClaimDesk(verification_keys, TicketClaimStore(), ticket_details(config), IncidentStore())
