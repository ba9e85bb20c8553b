"""Claim from the alert: what the claim page shows and does for a signed link.

The token is the only credential: every request verifies it first (POSTs too, which is also the
CSRF defence: a form on another site cannot hold a valid token for this viewer's ticket)."""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from ..domain import claim_links
from ..domain.claim_links import ClaimLink, InvalidLink
from ..domain.claim_page import (
    IncidentView,
    TicketView,
    render_incident,
    render_refused,
    render_ticket,
)
from ..domain.redaction import redact
from ..domain.tickets import Ticket, TicketStatus
from .ports import ClaimResult, IncidentResolver, TicketClaims

REFUSED = "The link is not valid: it has expired, was altered, or is for something else."
_INCIDENT_FIELDS = (("status", "Status"), ("mentions", "Mentions"), ("top_terms", "Top terms"))


@dataclass(frozen=True)
class PageResponse:
    status: int
    html: str
    outcome: str  # shown | claimed | already_claimed | answered | resolved | refused | missing ...


@dataclass(frozen=True)
class TicketDetails:
    """How the page names a ticket's network, links its post and says its time left."""

    channel_name: Callable[[Ticket], str]
    post_url: Callable[[Ticket], str]
    time_left: Callable[[Ticket, datetime], str]


class ClaimDesk:
    def __init__(
        self,
        keys: Callable[[], Sequence[bytes]],
        tickets: TicketClaims,
        details: TicketDetails,
        incidents: IncidentResolver | None,
    ):
        self._keys = keys
        self._tickets = tickets
        self._details = details
        self._incidents = incidents

    def handle(self, method: str, token: str, action: str | None, full: bool, now: datetime) -> PageResponse:
        try:
            link = claim_links.verify(self._keys(), token, now)
        except InvalidLink:
            return PageResponse(403, render_refused(REFUSED), "refused")
        if link.purpose == claim_links.TICKET:
            return self._ticket(link, token, method == "POST" and action == "claim", full, now)
        return self._incident(link, token, method == "POST" and action == "resolve", now)

    # -- tickets --------------------------------------------------------------------------------

    def _ticket(self, link: ClaimLink, token: str, claim: bool, full: bool, now: datetime) -> PageResponse:
        outcome, notice = "shown", ""
        if claim:
            result = self._tickets.claim(link.subject, link.recipient, now)
            ticket = result.ticket
            if ticket is not None:
                outcome, notice = _claim_outcome(ticket, result)
        else:
            ticket = self._tickets.get(link.subject)
        if ticket is None:
            return PageResponse(404, render_refused("This ticket no longer exists."), "missing")
        view = self._ticket_view(ticket, full, now, notice)
        return PageResponse(200, render_ticket(view, token), outcome)

    def _ticket_view(self, ticket: Ticket, full: bool, now: datetime, notice: str) -> TicketView:
        words = ticket.text if full else redact(ticket.text)
        details = self._details
        return TicketView(
            ref=ticket.ref,
            channel_name=details.channel_name(ticket),
            author=f"@{ticket.author_handle}" if ticket.author_handle else "a customer",
            words=words,
            redacted=not full and words != ticket.text,
            post_url=details.post_url(ticket) or None,
            time_left="answered" if ticket.status != TicketStatus.OPEN else details.time_left(ticket, now),
            state=_ticket_state(ticket),
            can_claim=ticket.status == TicketStatus.OPEN and ticket.claimed_by is None,
            notice=notice,
        )

    # -- incidents ------------------------------------------------------------------------------

    def _incident(self, link: ClaimLink, token: str, resolve: bool, now: datetime) -> PageResponse:
        if self._incidents is None:
            return PageResponse(503, render_refused("Incidents cannot be shown here yet."), "unavailable")
        outcome, notice = "shown", ""
        if resolve:
            resolved = self._incidents.resolve(link.subject, link.recipient, now)
            outcome = "resolved" if resolved else "already_resolved"
            notice = "You resolved the incident." if resolved else "The incident was already over."
        incident = self._incidents.incident(link.subject)
        if incident is None:
            return PageResponse(404, render_refused("This incident no longer exists."), "missing")
        status = str(incident.get("status") or "open")
        summary = tuple(
            (label, _shown(incident[key])) for key, label in _INCIDENT_FIELDS if incident.get(key) is not None
        )
        state = status if status != "resolved" else f"resolved by {incident.get('resolved_by') or 'staff'}"
        view = IncidentView(link.subject, summary, state, status == "open", notice)
        return PageResponse(200, render_incident(view, token), outcome)


def _claim_outcome(ticket: Ticket, result: ClaimResult) -> tuple[str, str]:
    if result.claimed:
        outcome = "claimed" if result.new else "already_yours"
        return outcome, "You have claimed this ticket: no further alerts will be sent for it."
    if ticket.claimed_by:
        return "already_claimed", f"{ticket.claimed_by} has already claimed this ticket."
    return "answered", "This ticket has been answered already."


def _ticket_state(ticket: Ticket) -> str:
    if ticket.status == TicketStatus.ANSWERED:
        return "answered" + (f" (claimed by {ticket.claimed_by})" if ticket.claimed_by else "")
    if ticket.claimed_by:
        return f"claimed by {ticket.claimed_by}"
    return "open, nobody has claimed it"


def _shown(value: object) -> str:
    if isinstance(value, list | tuple):
        return ", ".join(str(item) for item in value)
    return str(value)
