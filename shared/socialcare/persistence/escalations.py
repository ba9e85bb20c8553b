"""The escalation sweep's reads and writes: a query of the sparse index, then claim-send-complete
per ticket step (a level, or retries of failed sends), each conditional so two sweeps never send an
alert twice."""

from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from pynamodb.exceptions import UpdateError

from ..domain.digests import DigestRecord
from ..domain.tickets import AlertRecord, AlertRequest, PendingAlert, Ticket
from ..domain.timefmt import to_iso
from .models import OPEN_BUCKET, DigestEntry, DigestModel, EscalationRecord, PendingSend, TicketModel
from .tickets import to_ticket

DIGEST_KEPT_FOR = timedelta(days=2)  # far beyond any claim's lease: only a takeover reads it


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


def claim_level(pk: str, now: datetime, token: str, lease: timedelta) -> Ticket | None:
    """Take the ticket's due step (its next level, retries of failed sends) for this sweep, returned
    with the whole ticket; None if another sweep holds it, a human answered, or nothing is due.
    A claim older than `lease` is abandoned (its sweep crashed before finishing) and may be taken over."""
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
    return replace(to_ticket(ticket), claim_digests=tuple(ticket.claim_digests or ()))


def complete_level(
    ticket: Ticket,
    token: str,
    records: list[AlertRecord],
    pending: list[PendingAlert],
    next_level: int,
    next_step_at: datetime | None,
) -> bool:
    """Record what was sent (or refused, or held back), keep the sends still to retry, and move the
    ticket to its next step: the next level or the earliest retry, whichever comes first; out of the
    index when there is neither. False if the claim was lost (taken over after its lease ran out)."""
    pending_items = [_pending_item(send) for send in pending]
    record_items = [_record_item(record) for record in records]
    actions = [
        TicketModel.next_level.set(next_level),
        TicketModel.claim_level.remove(),
        TicketModel.claim_token.remove(),
        TicketModel.claim_at.remove(),
        TicketModel.claim_digests.remove(),
        TicketModel.pending_sends.set(pending_items) if pending else TicketModel.pending_sends.remove(),
    ]
    if records:
        actions.append(
            TicketModel.escalations.set(
                TicketModel.escalations.append(record_items) if ticket.alerts_recorded else record_items
            )
        )
    if next_step_at is None:
        actions += [TicketModel.esc_bucket.remove(), TicketModel.next_step_at.remove()]
    else:
        actions.append(TicketModel.next_step_at.set(to_iso(next_step_at)))
    # The same round of waiting: a ticket answered and reopened meanwhile has restarted its ladder.
    same_round = (
        TicketModel.reply_round.does_not_exist()
        if ticket.reply_round == 1
        else TicketModel.reply_round == ticket.reply_round
    )
    try:
        TicketModel(ticket.pk, "TICKET").update(
            actions=actions, condition=(TicketModel.claim_token == token) & same_round
        )
    except UpdateError as error:
        if _condition_failed(error):
            return False
        raise
    return True


def release_claim(ticket: Ticket, token: str) -> None:
    """Give the ticket back after an unexpected failure, so the next sweep retries it at once (its
    digests stay named on it: the next claim re-sends them rather than making new ones)."""
    try:
        TicketModel(ticket.pk, "TICKET").update(
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


def create_digest(digest: DigestRecord, now: datetime) -> bool:
    """Store the digest before it is sent; False if its key exists already (never overwritten).
    An update that creates the item: the sweep's role may update the table, not put whole items."""
    request = digest.request
    values = [
        (DigestModel.kind, "digest"),
        (DigestModel.recipient, digest.recipient),
        (DigestModel.via, request.via),
        (DigestModel.to, str(request.to)),
        (DigestModel.entries, [DigestEntry(ticket_pk=pk, level=level) for pk, level in digest.entries]),
        (DigestModel.text, request.text),
        (DigestModel.subject, request.subject),
        (DigestModel.html, request.html),
        (DigestModel.folded, digest.folded or None),
        (DigestModel.created_at, to_iso(now)),
        (DigestModel.expires_at, int((now + DIGEST_KEPT_FOR).timestamp())),
    ]
    actions = [attribute.set(value) for attribute, value in values if value is not None]
    try:
        DigestModel(f"DIGEST#{request.key}", "DIGEST").update(
            actions=actions, condition=DigestModel.pk.does_not_exist()
        )
    except UpdateError as error:
        if _condition_failed(error):
            return False
        raise
    return True


def digest(key: str) -> DigestRecord | None:
    """The stored digest (for a sweep that took over a claim naming it); None once expired."""
    try:
        item = DigestModel.get(f"DIGEST#{key}", "DIGEST", consistent_read=True)
    except DigestModel.DoesNotExist:
        return None
    request = AlertRequest(key, item.via, item.to, item.text, item.subject, item.html)
    entries = tuple((entry.ticket_pk, int(entry.level)) for entry in item.entries)
    return DigestRecord(request, item.recipient, entries, int(item.folded or 0))


def name_digest(ticket: Ticket, token: str, key: str) -> bool:
    """Name the digest on the ticket's claimed step, before it is sent; False if the claim was lost."""
    try:
        TicketModel(ticket.pk, "TICKET").update(
            actions=[
                TicketModel.claim_digests.set((TicketModel.claim_digests | []).append([key])),
            ],
            condition=TicketModel.claim_token == token,
        )
    except UpdateError as error:
        if _condition_failed(error):
            return False
        raise
    return True


def ticket_by_key(pk: str) -> Ticket | None:
    """One ticket (for the summary of what a ceiling held back); None once it has expired."""
    try:
        return to_ticket(TicketModel.get(pk, "TICKET"))
    except TicketModel.DoesNotExist:
        return None


def _record_item(record: AlertRecord) -> EscalationRecord:
    return EscalationRecord(
        level=record.level,
        via=record.via,
        to=record.to,
        recipient=record.recipient,
        at=to_iso(record.at),
        error=record.error,
        digest=record.digest,
    )


def _pending_item(send: PendingAlert) -> PendingSend:
    return PendingSend(
        level=send.level,
        via=send.via,
        to=send.to,
        recipient=send.recipient,
        attempts=send.attempts,
        first_failed_at=to_iso(send.first_failed_at),
        retry_at=to_iso(send.retry_at),
        error=send.error,
    )
