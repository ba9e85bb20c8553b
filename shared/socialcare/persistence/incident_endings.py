"""The end step's writes: each conditional, so that a crash or an overlapping run never posts a
follow-up twice nor resumes a ticket twice.

A follow-up is claimed on the ticket (`incident_outcome` "posting") before it is posted; a run that
finds a claim it did not make cannot know whether the reply went out, so it resumes the ticket (a
person looks) instead of risking a second public reply."""

from datetime import datetime

from pynamodb.exceptions import UpdateError

from ..domain.incidents.active import RESOLVED
from ..domain.tickets import Ticket, TicketStatus
from ..domain.timefmt import to_iso
from ..services.incidents import Incident
from . import active_incidents as active
from .incidents import _PARTITION, IncidentStore
from .models import OPEN_BUCKET, IncidentMemberModel, IncidentModel, TicketModel
from .tickets import to_ticket

POSTING, CLOSED, RESUMED = "posting", "closed", "resumed"


def _applied(item, actions, condition) -> bool:
    try:
        item.update(actions=actions, condition=condition)
        return True
    except UpdateError as error:
        if getattr(error, "cause_response_code", None) == "ConditionalCheckFailedException":
            return False
        raise


class IncidentEndings:
    """The IncidentEndingData port of services/incident_endings.py."""

    def ended_incidents(self) -> list[Incident]:
        """Resolved (by staff or the detector) and their tickets not yet closed or resumed."""
        return IncidentStore().active_incidents(RESOLVED)

    def members(self, incident_id: str) -> list[Ticket]:
        tickets = []
        for member in IncidentMemberModel.query(f"INCIDENT#{incident_id}", consistent_read=True):
            try:
                tickets.append(to_ticket(TicketModel.get(member.sk, "TICKET", consistent_read=True)))
            except TicketModel.DoesNotExist:  # expired with its retention: nothing to end
                continue
        return tickets

    def claim_follow_up(self, ticket: Ticket, incident_id: str) -> bool:
        return _applied(
            TicketModel(ticket.pk, "TICKET"),
            [TicketModel.incident_outcome.set(POSTING)],
            (TicketModel.status == TicketStatus.OPEN.value)
            & (TicketModel.incident_id == incident_id)
            & TicketModel.incident_outcome.does_not_exist()
            & TicketModel.claimed_by.does_not_exist(),
        )

    def record_follow_up(self, ticket: Ticket, post_id: str, text: str, at: datetime) -> bool:
        """Closed: the customer was told it is fixed. A staff reply recorded meanwhile wins."""
        return _applied(
            TicketModel(ticket.pk, "TICKET"),
            [
                TicketModel.incident_outcome.set(CLOSED),
                TicketModel.status.set(TicketStatus.CLOSED.value),
                TicketModel.follow_up_post_id.set(post_id),
                TicketModel.follow_up_at.set(to_iso(at)),
                TicketModel.follow_up_text.set(text),
                TicketModel.esc_bucket.remove(),
                TicketModel.next_step_at.remove(),
            ],
            (TicketModel.status == TicketStatus.OPEN.value) & (TicketModel.incident_outcome == POSTING),
        )

    def release_follow_up(self, ticket: Ticket) -> bool:
        """The network refused the follow-up before posting it (a posting limit): tried again later."""
        return _applied(
            TicketModel(ticket.pk, "TICKET"),
            [TicketModel.incident_outcome.remove()],
            TicketModel.incident_outcome == POSTING,
        )

    def resume(
        self,
        ticket: Ticket,
        incident_id: str,
        step: tuple[int, datetime] | None,
        *,
        after_claim: bool = False,
    ) -> bool:
        """Back on its own ladder at `step` (None: past its top level, nothing more to send).
        `after_claim`: a follow-up was claimed (by this run, which failed, or by one that crashed)."""
        actions = [TicketModel.incident_outcome.set(RESUMED)]
        if step is not None:
            actions += [
                TicketModel.esc_bucket.set(OPEN_BUCKET),
                TicketModel.next_level.set(step[0]),
                TicketModel.next_step_at.set(to_iso(step[1])),
            ]
        outcome = TicketModel.incident_outcome
        return _applied(
            TicketModel(ticket.pk, "TICKET"),
            actions,
            (TicketModel.status == TicketStatus.OPEN.value)
            & (TicketModel.incident_id == incident_id)
            & TicketModel.claimed_by.does_not_exist()
            & ((outcome == POSTING) if after_claim else outcome.does_not_exist()),
        )

    def claim_resolved_post(self, incident_id: str, at: datetime, text: str) -> bool:
        entry = {"at": to_iso(at), "text": text}
        return _applied(
            IncidentModel(_PARTITION, incident_id),
            [
                IncidentModel.resolved_post_at.set(to_iso(at)),
                IncidentModel.status_posts.set(IncidentModel.status_posts.append([entry])),
            ],
            IncidentModel.resolved_post_at.does_not_exist() & IncidentModel.status_posts.exists(),
        )

    def record_resolved_post(self, incident_id: str, at: datetime, post_id: str) -> None:
        IncidentStore().record_status_post(incident_id, at, post_id)

    def wound_up(self, incident_id: str, at: datetime) -> bool:
        """Its end step has run: it leaves the active summary in the same write."""
        return active.change(
            lambda tx: tx.update(
                IncidentModel(_PARTITION, incident_id),
                actions=[IncidentModel.wound_up_at.set(to_iso(at))],
                condition=IncidentModel.wound_up_at.does_not_exist(),
            ),
            lambda entries: entries.pop(incident_id, None),
        )
