"""Digests in the escalation sweep (services/escalating.py): the working types of one sweep's claimed
steps, and the sending of digests, exactly once.

A digest is stored (key: recipient, way, sweep), then named on each claimed step it combines
(conditionally on the claim), then sent with its key as the idempotency key; the steps complete after.
A sweep that takes a crashed one's claim over re-sends the digest named on the step from its record,
under the same key, so the sender's idempotency answers instead of a second message going out.
"""

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from aws_lambda_powertools import Logger

from ..domain.digests import DigestRecord, FoldedNote, digest_key, render_digest_email, render_digest_sms
from ..domain.ladder import Alert
from ..domain.tickets import AlertRecord, AlertRequest, PendingAlert, Ticket

if TYPE_CHECKING:
    from .escalating import SweepReport

logger = Logger(child=True)

SENT, REJECTED, FAILED = "sent", "rejected", "failed"  # a send's outcome


@dataclass
class _Step:
    """What one claimed step of one ticket did, to be written in one conditional update."""

    records: list[AlertRecord] = field(default_factory=list)
    pending: list[PendingAlert] = field(default_factory=list)


@dataclass
class _Send:
    """One alert a claimed step is to send: of the level falling due, or a retry of a failed one."""

    level: int
    alert: Alert
    previous: PendingAlert | None = None


@dataclass(eq=False)
class _Claimed:
    """One ticket's claimed step: what it is to send, and what it did."""

    ticket: Ticket
    token: str
    level: int  # the next level once this step completes
    sent_level: int | None = None
    sends: list[_Send] = field(default_factory=list)
    step: _Step = field(default_factory=_Step)


class DigestSending:
    """The Escalator's digest half: it relies on the Escalator's queue, ceilings and senders
    (_queue, _ceilings, _folded, _alert_subject, _try_send, _settle)."""

    def _resend_named_digests(
        self, claimed: list["_Claimed"], now: datetime, report: "SweepReport", broken: set[str]
    ) -> None:
        """A step taken over from a crashed sweep names the digests its alerts went in: re-send each
        from its record under the same key (the sender's idempotency answers if it went already)."""
        outcomes: dict[str, tuple[str, str | None]] = {}
        for step in claimed:
            for key in step.ticket.claim_digests:
                try:
                    digest = self._queue.digest(key)
                    if digest is None:  # never written, or long expired: the alerts go afresh
                        continue
                    levels = {level for pk, level in digest.entries if pk == step.ticket.pk}
                    mine = [
                        send
                        for send in step.sends
                        if send.level in levels
                        and send.alert.via == digest.request.via
                        and send.alert.recipient == digest.recipient
                    ]
                    if not mine:
                        continue
                    if key not in outcomes:
                        outcomes[key] = self._try_send(digest.request)
                        if outcomes[key][0] == SENT:
                            report.digests_sent += 1
                except Exception as error:  # noqa: BLE001 - this ticket only; released, retried next sweep
                    broken.add(step.ticket.pk)
                    report.failures.append(f"{step.ticket.pk}: {error}")
                    logger.exception("re-sending a digest failed", ticket_pk=step.ticket.pk, digest=key)
                    break
                step.sends = [send for send in step.sends if send not in mine]
                for send in mine:
                    self._settle(step, send, outcomes[key], now, report, digest=key)

    def _send_digest(
        self, entries: list[tuple["_Claimed", "_Send"]], sweep_id: str, now: datetime, report: "SweepReport"
    ) -> None:
        """Store the digest, name it on each claimed step, send it under its key, then settle each
        ticket's alert; a sweep taking a claim over from here on re-sends this very digest."""
        alert = entries[0][1].alert
        folded = self._folded(alert)
        digest = self._digest(entries, digest_key(alert.recipient, alert.via, sweep_id), folded, now)
        key = digest.request.key
        if not self._queue.create_digest(digest, now):
            raise RuntimeError(f"digest {key} exists already")
        lost = {
            step.ticket.pk
            for step in {id(step): step for step, _ in entries}.values()
            if not self._queue.name_digest(step.ticket, step.token, key)
        }
        if lost:  # taken over by another sweep (our lease ran out): theirs now, settled by them
            logger.warning("claims lost before a digest was sent", digest=key, tickets=len(lost))
        outcome = self._try_send(digest.request)
        for step, send in entries:
            if step.ticket.pk not in lost:
                self._settle(step, send, outcome, now, report, digest=key)
        if outcome[0] == SENT:
            report.digests_sent += 1
            if folded is not None:
                self._ceilings.clear_folded_sms(alert.recipient, folded.count)

    def _digest(
        self,
        entries: list[tuple["_Claimed", "_Send"]],
        key: str,
        folded: FoldedNote | None,
        now: datetime,
    ) -> DigestRecord:
        alert = entries[0][1].alert
        subjects = [self._alert_subject(step.ticket, send.level, alert, now) for step, send in entries]
        if alert.via == "email":
            email = render_digest_email(subjects, now)
            request = AlertRequest(key, "email", alert.address, email.text, email.subject, email.html)
        else:
            request = AlertRequest(key, "sms", alert.address, render_digest_sms(subjects, now, folded))
        listed = tuple((step.ticket.pk, send.level) for step, send in entries)
        return DigestRecord(request, alert.recipient, listed, folded.count if folded else 0)
