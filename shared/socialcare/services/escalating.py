"""escalate: alert staff, level by level, about tickets nobody has answered.

Each (ticket, level) is claimed with a conditional update, its alerts are sent through Powertools
idempotency keyed by (ticket, level, channel, address), and the level is completed conditionally.
Two sweeps at once: one claim wins. A crash between claim and send: the claim goes stale and the
next sweep takes it over; alerts already sent are answered from the idempotency table.
"""

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from aws_lambda_powertools import Logger

from ..config import Config
from ..domain.alerts import AlertSubject, render_email, render_sms
from ..domain.ladder import Alert, Ladder
from ..domain.timefmt import from_iso, to_iso
from ..notify.senders import AlertRejected
from ..persistence import escalations
from ..persistence.models import EscalationRecord, TicketModel

logger = Logger(child=True)

CLAIM_LEASE = timedelta(minutes=2)

SendFn = Callable[..., dict]  # send(request=dict) -> {"message_id": ...}, idempotent per request["key"]


@dataclass
class SweepReport:
    items_read: int = 0
    due: int = 0
    levels_sent: int = 0
    alerts_sent: int = 0
    alerts_rejected: int = 0
    contended: int = 0
    failures: list[str] = field(default_factory=list)


class Escalator:
    def __init__(
        self,
        config: Config,
        send: SendFn,
        post_url: Callable[[str, str | None, str], str],
        channel_name: Callable[[str], str],
    ):
        self._config = config
        self._send = send
        self._post_url = post_url
        self._channel_name = channel_name
        self._ladder: Ladder = config.ladder()

    def sweep(self, now: datetime) -> SweepReport:
        report = SweepReport()
        read = escalations.due_tickets(now)
        report.items_read, report.due = read.items_read, len(read.keys)
        for pk in read.keys:
            try:
                self._escalate(pk, now, report)
            except Exception as error:  # noqa: BLE001 - one ticket's failure must not stop the sweep
                report.failures.append(f"{pk}: {error}")
                logger.exception("escalation failed", ticket_pk=pk)
        return report

    def _escalate(self, pk: str, now: datetime, report: SweepReport) -> None:
        # Several levels may be due at once (a late detection): send them in order, each once.
        while True:
            token = uuid.uuid4().hex
            ticket = escalations.claim_level(pk, now, token, CLAIM_LEASE)
            if ticket is None:
                report.contended += 1
                return
            level = int(ticket.next_level)
            if level > len(self._ladder.levels):  # the ladder was shortened since
                escalations.complete_level(ticket, level, token, [], None)
                return
            records = self._send_level(ticket, level, now, token, report)
            if records is None:
                return
            target = self._target(ticket)
            following = self._ladder.next_step(from_iso(ticket.created_at), target, level)
            if not escalations.complete_level(ticket, level, token, records, following):
                return
            report.levels_sent += 1
            if following is None or following[1] > now:
                return

    def _send_level(self, ticket: TicketModel, level: int, now: datetime, token: str, report) -> list | None:
        spec = self._ladder.level(level)
        subject = AlertSubject(
            ref=ticket.ref,
            channel_name=self._channel_name(ticket.channel),
            author_handle=ticket.author_handle,
            text=ticket.text,
            post_url=self._post_url(ticket.channel, ticket.author_handle, ticket.post_id),
            created_at=from_iso(ticket.created_at),
            due_at=from_iso(ticket.due_at),
            level=level,
            level_count=len(self._ladder.levels),
            breached=spec.at_percent >= 100,
        )
        records = []
        for alert in spec.alerts:
            try:
                self._send(request=self._request(ticket, level, alert, subject, now))
                records.append(_record(level, alert, now, None))
                report.alerts_sent += 1
            except AlertRejected as error:
                # Bad address or unverified sender: record it and go on; retrying won't help.
                records.append(_record(level, alert, now, str(error)))
                report.alerts_rejected += 1
                logger.error(
                    "alert rejected", ticket=ticket.ticket_id, level=level, via=alert.via, error=str(error)
                )
            except Exception:
                escalations.release_claim(ticket, token)  # the next sweep retries; sent ones are idempotent
                raise
        return records

    def _request(
        self, ticket: TicketModel, level: int, alert: Alert, subject: AlertSubject, now: datetime
    ) -> dict:
        request = {
            "key": f"{ticket.ticket_id}#L{level}#{alert.via}#{alert.address}",
            "via": alert.via,
            "to": alert.address,
        }
        if alert.via == "email":
            email = render_email(subject, now)
            request.update(subject=email.subject, text=email.text, html=email.html)
        else:
            request.update(text=render_sms(subject, now))
        return request

    def _target(self, ticket: TicketModel) -> timedelta:
        account = self._config.account(ticket.channel, ticket.account_id)
        if account is not None:
            return self._config.target_for(account)
        return timedelta(minutes=self._config.target_minutes)


def _record(level: int, alert: Alert, now: datetime, error: str | None) -> EscalationRecord:
    return EscalationRecord(
        level=level, via=alert.via, to=alert.address, recipient=alert.recipient, at=to_iso(now), error=error
    )
