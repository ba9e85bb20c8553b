"""escalate: alert staff, level by level, about tickets nobody has answered.

Each ticket step (its next level, and retries of sends that failed) is claimed with a conditional
update, each alert is sent through Powertools idempotency keyed by (ticket, level, channel, address),
and the step is completed conditionally. Two sweeps at once: one claim wins. A crash between claim and
send: the claim goes stale and the next sweep takes it over; alerts already sent are answered from the
idempotency table.

Every send stands alone: one that fails (throttling, an outage for one number) is kept on the ticket
and retried by a later sweep, while the level's other alerts, the next levels and other tickets go on
as if nothing happened. A refusal for good (a rejected message or address) is recorded, not retried.

An hourly ceiling per account bounds how many alerts go out; what it holds back is recorded on the
ticket and, once the hour is over, summarised to staff in one e-mail per account and hour (which also
covers the acknowledgements the acknowledgement ceiling held back).

Each recipient has an hourly SMS budget (limits.sms_per_recipient_per_hour): beyond it their SMS is
not sent (the level's e-mail to them still goes; one without e-mail is held like the ceiling's, and
summarised), and their next SMS starts with how many were folded ("+5 more since 14:10 by e-mail").
A crash after an SMS went but before its note was cleared repeats the count once: the safe side.
"""

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from aws_lambda_powertools import Logger

from ..channels.network import PostRef
from ..channels.registry import network
from ..config import AccountConfig, Config
from ..domain import alert_retry
from ..domain.alerts import (
    AlertSubject,
    HeldBackSummary,
    HeldSection,
    HeldTicket,
    render_email,
    render_held_back_summary,
    render_sms,
)
from ..domain.business_hours import ResponsePolicy
from ..domain.digests import FoldedNote, folded_prefix
from ..domain.ladder import Alert, Ladder
from ..domain.tickets import (
    AckState,
    AlertRecord,
    AlertRequest,
    CeilingKind,
    HeldBack,
    PendingAlert,
    Ticket,
    TicketStatus,
    clock_started_at,
)
from ..domain.timefmt import from_iso
from ..notify.senders import AlertRejected
from ..runtime.claim_keys import claim_url
from .ports import AlertCeilings, EscalationQueue

logger = Logger(child=True)

CLAIM_LEASE = timedelta(minutes=2)
HELD_BY_CEILING = "held: account alert ceiling"
FOLDED_BY_BUDGET = "folded: recipient SMS budget (sent by e-mail)"
HELD_BY_BUDGET = "held: recipient SMS budget (no e-mail)"
ERROR_LIMIT = 500  # characters of a provider's error kept on the ticket

SendFn = Callable[..., dict]  # send(request=AlertRequest) -> {"message_id": ...}, idempotent per key


@dataclass
class SweepReport:
    items_read: int = 0
    due: int = 0
    levels_sent: int = 0
    alerts_sent: int = 0
    alerts_failed: int = 0  # kept for a retry
    alerts_rejected: int = 0  # refused for good, or given up on
    alerts_capped: int = 0  # held back by the account's hourly ceiling
    alerts_folded: int = 0  # SMS not sent: the recipient's hourly SMS budget was spent
    summaries_sent: int = 0
    contended: int = 0
    failures: list[str] = field(default_factory=list)


@dataclass
class _Step:
    """What one claimed step of one ticket did, to be written in one conditional update."""

    records: list[AlertRecord] = field(default_factory=list)
    pending: list[PendingAlert] = field(default_factory=list)


class Escalator:
    def __init__(
        self,
        config: Config,
        send: SendFn,
        *,
        queue: EscalationQueue,
        ceilings: AlertCeilings,
    ):
        self._config = config
        self._send = send
        self._queue = queue
        self._ceilings = ceilings
        self._ladder: Ladder = config.ladder()
        self._summaries_done_for: str | None = None  # the clock hour whose summaries all went out

    def sweep(self, now: datetime) -> SweepReport:
        report = SweepReport()
        read = self._queue.due_tickets(now)
        report.items_read, report.due = read.items_read, len(read.keys)
        for pk in read.keys:
            try:
                self._escalate(pk, now, report)
            except Exception as error:  # noqa: BLE001 - one ticket's failure must not stop the sweep
                report.failures.append(f"{pk}: {error}")
                logger.exception("escalation failed", ticket_pk=pk)
        self._summarise_held_back(now, report)
        return report

    # -- one ticket -------------------------------------------------------------------------------

    def _escalate(self, pk: str, now: datetime, report: SweepReport) -> None:
        # Several levels may be due at once (a late detection): one step per level, in order.
        for _ in range(len(self._ladder.levels) + 1):
            token = uuid.uuid4().hex
            ticket = self._queue.claim_level(pk, now, token, CLAIM_LEASE)
            if ticket is None:
                report.contended += 1
                return
            try:
                next_at = self._step(ticket, token, now, report)
            except Exception:
                self._queue.release_claim(ticket, token)  # the next sweep retries; sent ones are idempotent
                raise
            if next_at is None or next_at > now:
                return

    def _step(self, ticket: Ticket, token: str, now: datetime, report: SweepReport) -> datetime | None:
        """Retry the sends due for it, then send the next level if due. Returns when the ticket is next
        due, or None when nothing is ahead of it or the claim was lost meanwhile (stop either way)."""
        step = _Step()
        for send in ticket.pending_sends:
            if send.retry_at > now:
                step.pending.append(send)
            else:
                alert = Alert(send.via, send.recipient, send.to)
                self._attempt(ticket, send.level, alert, now, report, step, previous=send)
        level = ticket.next_level or 1
        response = self._response(ticket)
        priority = ticket.priority
        created = clock_started_at(ticket)  # a reopened ticket's ladder runs from the customer's reply
        sent_level = None
        if (
            level <= len(self._ladder.levels)
            and self._ladder.step_time(created, response, priority, level) <= now
        ):
            step = self._send_level(ticket, level, now, report, step)
            sent_level, level = level, level + 1
        upcoming = [send.retry_at for send in step.pending]
        if level <= len(self._ladder.levels):
            upcoming.append(self._ladder.step_time(created, response, priority, level))
        next_at = min(upcoming, default=None)
        if not self._queue.complete_level(ticket, token, step.records, step.pending, level, next_at):
            return None
        if sent_level is not None:
            report.levels_sent += 1
        return next_at

    def _send_level(
        self, ticket: Ticket, level: int, now: datetime, report: SweepReport, step: _Step
    ) -> _Step:
        account_key = self._account_key(ticket)
        limit = self._config.limits.account_alerts_per_hour
        for alert in self._ladder.level(level).alerts:
            # A unit of the ceiling is taken once per alert, when its level falls due; its retries
            # reuse it. (A crash before the step is recorded costs a unit twice: the safe side.)
            if not self._ceilings.take(account_key, CeilingKind.ALERT, limit, ticket.pk, now):
                report.alerts_capped += 1
                step.records.append(_record(level, alert, now, HELD_BY_CEILING))
                logger.warning("alert held by the account ceiling", ticket=ticket.ticket_id, level=level)
                continue
            if alert.via == "sms" and not self._within_sms_budget(ticket, level, alert, now, report, step):
                continue
            self._attempt(ticket, level, alert, now, report, step)
        return step

    def _within_sms_budget(
        self, ticket: Ticket, level: int, alert: Alert, now: datetime, report: SweepReport, step: _Step
    ) -> bool:
        """Take one SMS of the recipient's hourly budget; when it is spent, record the fold instead."""
        limit = self._config.limits.sms_per_recipient_per_hour
        if self._ceilings.take_sms(alert.recipient, limit, now):
            return True
        report.alerts_folded += 1
        by_email = any(
            other.via == "email" and other.recipient == alert.recipient
            for other in self._ladder.level(level).alerts
        )
        recipient = self._config.recipients.get(alert.recipient)
        email = recipient.email if recipient is not None else None
        if by_email or email:
            step.records.append(_record(level, alert, now, FOLDED_BY_BUDGET))
        else:  # no e-mail to tell them by: summarised with what the ceilings held
            self._ceilings.record_held(self._account_key(ticket), CeilingKind.ALERT, ticket.pk, now)
            step.records.append(_record(level, alert, now, HELD_BY_BUDGET))
        logger.info("SMS folded by the recipient's budget", ticket=ticket.ticket_id, level=level)
        if email and not by_email:  # this level texts them only: the alert goes to their e-mail
            self._attempt(ticket, level, Alert("email", alert.recipient, str(email)), now, report, step)
        return False

    def _attempt(
        self,
        ticket: Ticket,
        level: int,
        alert: Alert,
        now: datetime,
        report: SweepReport,
        step: _Step,
        previous: PendingAlert | None = None,
    ) -> None:
        where = {"ticket": ticket.ticket_id, "level": level, "via": alert.via, "recipient": alert.recipient}
        folded = self._folded(alert)
        try:
            self._send(request=self._request(ticket, level, alert, now, folded))
        except AlertRejected as error:
            # Bad address, unverified sender, a message refused: record it and go on; retrying won't help.
            report.alerts_rejected += 1
            step.records.append(_record(level, alert, now, str(error)[:ERROR_LIMIT]))
            logger.error("alert rejected", error=str(error), **where)
            return
        except Exception as error:  # noqa: BLE001 - throttling, an outage, anything: this send only
            attempts = previous.attempts + 1 if previous else 1
            first = previous.first_failed_at if previous else now
            reason = f"{type(error).__name__}: {error}"[:ERROR_LIMIT]
            if alert_retry.give_up(first, now):
                report.alerts_rejected += 1
                step.records.append(
                    _record(level, alert, now, f"gave up after {attempts} attempts: {reason}")
                )
                logger.error("alert given up", attempts=attempts, error=reason, **where)
                return
            report.alerts_failed += 1
            retry_at = now + alert_retry.retry_delay(attempts)
            step.pending.append(_pending(level, alert, attempts, first, retry_at, reason))
            logger.warning("alert failed, retried later", attempts=attempts, error=reason, **where)
            return
        report.alerts_sent += 1
        step.records.append(_record(level, alert, now, None))
        if folded is not None:
            self._ceilings.clear_folded_sms(alert.recipient, folded.count)

    def _folded(self, alert: Alert) -> FoldedNote | None:
        """The SMS the recipient's budget folded since their last one, told in this one."""
        if alert.via != "sms":
            return None
        found = self._ceilings.folded_sms(alert.recipient)
        return FoldedNote(found[0], from_iso(found[1])) if found else None

    def _request(
        self, ticket: Ticket, level: int, alert: Alert, now: datetime, folded: FoldedNote | None = None
    ) -> AlertRequest:
        link = claim_url("ticket", ticket.pk, alert.recipient, now)  # names who may claim it
        subject = replace(self._subject(ticket, level), claim_url=link)
        # Each round of waiting (a reopened ticket) alerts afresh; round 1 keeps the original key.
        round_ = f"#R{ticket.reply_round}" if ticket.reply_round > 1 else ""
        key = f"{ticket.ticket_id}{round_}#L{level}#{alert.via}#{alert.address}"
        if alert.via == "email":
            email = render_email(subject, now)
            return AlertRequest(key, "email", alert.address, email.text, email.subject, email.html)
        return AlertRequest(key, "sms", alert.address, render_sms(subject, now, folded_prefix(folded)))

    def _subject(self, ticket: Ticket, level: int) -> AlertSubject:
        known = level <= len(self._ladder.levels)  # a retry may outlive a shortened ladder
        return AlertSubject(
            ref=ticket.ref,
            channel_name=network(ticket.channel).display_name,
            author_handle=ticket.author_handle,
            text=ticket.text,
            post_url=self._link(ticket),
            created_at=ticket.created_at,
            due_at=ticket.due_at,
            level=level,
            level_count=len(self._ladder.levels),
            breached=self._ladder.level(level).at_percent >= 100 if known else True,
            ack_failed=ticket.ack_state is AckState.FAILED,
            ack_error=ticket.ack_error,
            priority=ticket.priority,
            intent=ticket.intent,
            personal_data=ticket.personal_data,
            response=self._response(ticket),
        )

    def _link(self, ticket: Ticket) -> str:
        """Where staff open the post to reply; empty when no link can be made (alerts say so)."""
        account = self._config.account(ticket.channel, ticket.account_id)
        if account is None:
            return ""
        post = PostRef(ticket.post_id, ticket.conversation_id, ticket.author_handle)
        return network(ticket.channel).post_url(account, post) or ""

    def _response(self, ticket: Ticket) -> ResponsePolicy:
        account = self._config.account(ticket.channel, ticket.account_id)
        if account is not None:
            return self._config.response_policy(account)
        return self._config.default_response_policy()

    def _account_key(self, ticket: Ticket) -> str:
        account = self._config.account(ticket.channel, ticket.account_id)
        return account.key if account is not None else f"{ticket.channel}#{ticket.account_id}"

    # -- what the ceilings held back ----------------------------------------------------------------

    def _summarise_held_back(self, now: datetime, report: SweepReport) -> None:
        """Once a clock hour is over, one e-mail per account and hour about what its ceilings held.
        Closed hours get no new holds, so once every summary went out this container looks again
        only when the hour changes (a sweep that misses one: the next hour's finds it, 24 h back)."""
        hour = self._ceilings.hour_of(now)
        if self._summaries_done_for == hour:
            return
        done = True
        for account in self._config.accounts:
            try:
                held = self._ceilings.held_back(account.key, now)
                for hour_held in sorted({h.hour for h in held}):
                    buckets = [h for h in held if h.hour == hour_held]
                    done = self._send_summary(account, buckets, now, report) and done
            except Exception as error:  # noqa: BLE001 - one account's summary must not stop the others
                done = False
                report.failures.append(f"summary {account.key}: {error}")
                logger.exception("held-back summary failed", account=account.key)
        if done:
            self._summaries_done_for = hour

    def _send_summary(
        self, account: AccountConfig, buckets: list[HeldBack], now: datetime, report: SweepReport
    ) -> bool:
        """True when this account-hour needs nothing more (sent, or refused for good)."""
        hour = buckets[0].hour
        where = {"account": account.key, "hour": hour}
        recipients = self._config.summary_recipients()
        if recipients:
            email = render_held_back_summary(self._summary(account, buckets), now)
            request = AlertRequest(
                f"summary#{account.key}#{hour}", "email", recipients, email.text, email.subject, email.html
            )
            try:
                self._send(request=request)
                report.summaries_sent += 1
            except AlertRejected as error:
                report.alerts_rejected += 1
                logger.error("held-back summary rejected", error=str(error), **where)
            except Exception as error:  # noqa: BLE001 - retried by the next sweep
                report.alerts_failed += 1
                logger.warning("held-back summary failed, retried later", error=str(error), **where)
                return False
        else:
            report.alerts_rejected += 1
            logger.error("nobody to send the held-back summary to (limits.summary_to)", **where)
        for bucket in buckets:
            self._ceilings.mark_summarised(bucket, now)
        return True

    def _summary(self, account: AccountConfig, buckets: list[HeldBack]) -> HeldBackSummary:
        sections = {bucket.kind: self._section(bucket) for bucket in buckets}
        return HeldBackSummary(
            account_name=f"{network(account.channel).display_name} @{account.handle}",
            hour_start=from_iso(buckets[0].starts_at),
            alerts=sections.get(CeilingKind.ALERT),
            acknowledgements=sections.get(CeilingKind.ACKNOWLEDGEMENT),
        )

    def _section(self, bucket: HeldBack) -> HeldSection:
        listed = list(dict.fromkeys(bucket.ticket_pks))  # a ticket held at two levels is listed once
        found = [t for t in map(self._queue.ticket_by_key, listed) if t is not None]
        tickets = tuple(
            HeldTicket(
                ref=t.ref,
                channel_name=network(t.channel).display_name,
                author_handle=t.author_handle,
                post_url=self._link(t),
                due_at=t.due_at,
                answered=t.status is not TicketStatus.OPEN,
                response=self._response(t),
                priority=t.priority,
            )
            for t in found
        )
        complete = len(bucket.ticket_pks) >= bucket.held and len(found) == len(listed)
        return HeldSection(held=bucket.held, tickets=tickets, complete=complete)


def _record(level: int, alert: Alert, now: datetime, error: str | None) -> AlertRecord:
    return AlertRecord(
        level=level, via=alert.via, to=alert.address, recipient=alert.recipient, at=now, error=error
    )


def _pending(
    level: int, alert: Alert, attempts: int, first: datetime, retry_at: datetime, error: str
) -> PendingAlert:
    return PendingAlert(
        level=level,
        via=alert.via,
        to=alert.address,
        recipient=alert.recipient,
        attempts=attempts,
        first_failed_at=first,
        retry_at=retry_at,
        error=error,
    )
