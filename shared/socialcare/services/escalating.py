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

Digests: alerts due in the same sweep for the same recipient and way (e-mail, SMS) go as ONE message
(domain/digests.py); one due alert keeps its own. Nothing waits for company: only what is due now is
combined. Exactly once, in order: every due step is claimed; each digest is stored (its key names the
recipient, the way and the sweep) and named on each claimed step it combines, conditionally on the
claim; it is sent with its key as the idempotency key; then the steps complete. A sweep that takes a
stale claim over finds the digest named on the step and re-sends that very record under the same key
(the idempotency table answers if it went), never a new one. Each ticket keeps its own alert records,
with the digest's key. A digest SMS takes one SMS of the recipient's budget.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from aws_lambda_powertools import Logger

from ..channels.network import PostRef
from ..channels.registry import network
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
from ..domain.digests import (
    FoldedNote,
    folded_prefix,
)
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
from .digest_sending import FAILED, REJECTED, SENT, DigestSending, _Claimed, _Send
from .ports import AlertCeilings, EscalationQueue

if TYPE_CHECKING:
    from ..config import AccountConfig, Config

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
    digests_sent: int = 0  # messages combining several tickets' alerts (each alert counted above)
    contended: int = 0
    failures: list[str] = field(default_factory=list)


class Escalator(DigestSending):
    def __init__(
        self,
        config: Config,
        send: SendFn,
        *,
        queue: EscalationQueue,
        ceilings: AlertCeilings,
        combine: bool = True,  # False: every alert its own message (the benchmark's "without digests")
    ):
        self._combine = combine
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
        keys = read.keys
        # Several levels may be due at once (a late detection): one round per level, in order.
        for _ in range(len(self._ladder.levels) + 1):
            if not keys:
                break
            keys = self._round(keys, now, report)
        self._summarise_held_back(now, report)
        return report

    def _round(self, keys: list[str], now: datetime, report: SweepReport) -> list[str]:
        """Claim each due ticket's step, send what the steps hold (combined per recipient and way),
        then complete the steps. Returns the tickets whose next step is due already."""
        claimed: list[_Claimed] = []
        for pk in keys:
            try:
                found = self._claim(pk, now, report)
            except Exception as error:  # noqa: BLE001 - one ticket's failure must not stop the sweep
                _failed(report, pk, error)
                continue
            if found is not None:
                claimed.append(found)
        broken = self._deliver(claimed, now, report)
        again = []
        for step in claimed:
            pk = step.ticket.pk
            if pk in broken:
                self._queue.release_claim(step.ticket, step.token)  # retried next sweep; sends are idempotent
                continue
            try:
                next_at = self._complete(step, report)
            except Exception as error:  # noqa: BLE001
                _failed(report, pk, error)
                self._queue.release_claim(step.ticket, step.token)
                continue
            if next_at is not None and next_at <= now:
                again.append(pk)
        return again

    def _claim(self, pk: str, now: datetime, report: SweepReport) -> _Claimed | None:
        token = uuid.uuid4().hex
        ticket = self._queue.claim_level(pk, now, token, CLAIM_LEASE)
        if ticket is None:
            report.contended += 1
            return None
        try:
            return self._plan(ticket, token, now, report)
        except Exception:
            self._queue.release_claim(ticket, token)
            raise

    def _plan(self, ticket: Ticket, token: str, now: datetime, report: SweepReport) -> _Claimed:
        """What the claimed step is to send: the retries due, then the next level if it is due."""
        claimed = _Claimed(ticket, token, level=ticket.next_level or 1)
        for send in ticket.pending_sends:
            if send.retry_at > now:
                claimed.step.pending.append(send)
            else:
                claimed.sends.append(_Send(send.level, Alert(send.via, send.recipient, send.to), send))
        level = claimed.level
        if level <= len(self._ladder.levels) and self._step_time(ticket, level) <= now:
            account_key = self._account_key(ticket)
            limit = self._config.limits.account_alerts_per_hour
            for alert in self._ladder.level(level).alerts:
                # A unit of the ceiling is taken once per alert, when its level falls due; its retries
                # reuse it. (A crash before the step is recorded costs a unit twice: the safe side.)
                if not self._ceilings.take(account_key, CeilingKind.ALERT, limit, ticket.pk, now):
                    report.alerts_capped += 1
                    claimed.step.records.append(_record(level, alert, now, HELD_BY_CEILING))
                    logger.warning("alert held by the account ceiling", ticket=ticket.ticket_id, level=level)
                    continue
                claimed.sends.append(_Send(level, alert))
            claimed.sent_level, claimed.level = level, level + 1
        return claimed

    def _complete(self, claimed: _Claimed, report: SweepReport) -> datetime | None:
        """Record the step and move the ticket on. Returns when it is next due, or None when nothing
        is ahead of it or the claim was lost meanwhile (stop either way)."""
        ticket, step = claimed.ticket, claimed.step
        upcoming = [send.retry_at for send in step.pending]
        if claimed.level <= len(self._ladder.levels):
            upcoming.append(self._step_time(ticket, claimed.level))
        next_at = min(upcoming, default=None)
        if not self._queue.complete_level(
            ticket, claimed.token, step.records, step.pending, claimed.level, next_at
        ):
            return None
        if claimed.sent_level is not None:
            report.levels_sent += 1
        return next_at

    def _step_time(self, ticket: Ticket, level: int) -> datetime:
        # A reopened ticket's ladder runs from the customer's reply.
        return self._ladder.step_time(
            clock_started_at(ticket), self._response(ticket), ticket.priority, level
        )

    # -- sending what the claimed steps hold ---------------------------------------------------------

    def _deliver(self, claimed: list[_Claimed], now: datetime, report: SweepReport) -> set[str]:
        """Send every claimed step's alerts: digests a crashed sweep named first (the same message
        again), then the SMS budget, then one message per recipient and way. Returns the tickets an
        unexpected failure left unsent (released, so the next sweep retries them)."""
        broken: set[str] = set()
        self._resend_named_digests(claimed, now, report, broken)
        self._apply_sms_budget(claimed, now, report)
        groups: dict[tuple[str, str, str], list[tuple[_Claimed, _Send]]] = {}
        for step in claimed:
            if step.ticket.pk in broken:
                continue
            for send in step.sends:
                groups.setdefault((send.alert.recipient, send.alert.via, send.alert.address), []).append(
                    (step, send)
                )
        sweep_id = uuid.uuid4().hex[:16]
        for group in groups.values():
            singles = [group] if len(group) > 1 and self._combine else [[entry] for entry in group]
            for entries in singles:
                try:
                    if len(entries) == 1:
                        step, send = entries[0]
                        self._attempt(step, send, now, report)
                    else:
                        self._send_digest(entries, sweep_id, now, report)
                except Exception as error:  # noqa: BLE001 - these tickets only; the rest go on
                    for step, _ in entries:
                        if step.ticket.pk not in broken:
                            broken.add(step.ticket.pk)
                            _failed(report, step.ticket.pk, error)
        return broken

    def _apply_sms_budget(self, claimed: list[_Claimed], now: datetime, report: SweepReport) -> None:
        """One SMS of each recipient's hourly budget per message: a digest counts once. When it is
        spent, their alerts of levels falling due now are folded (retries were counted already)."""
        fresh: dict[str, list[tuple[_Claimed, _Send]]] = {}
        for step in claimed:
            for send in step.sends:
                if send.alert.via == "sms" and send.previous is None:
                    fresh.setdefault(send.alert.recipient, []).append((step, send))
        limit = self._config.limits.sms_per_recipient_per_hour
        for recipient, entries in fresh.items():
            if self._ceilings.take_sms(recipient, limit, now):
                continue
            for _ in entries[1:]:  # the note counts folded alerts: each one past the first
                self._ceilings.take_sms(recipient, 0, now)
            for step, send in entries:
                step.sends.remove(send)
                self._fold(step, send, now, report)

    def _fold(self, step: _Claimed, send: _Send, now: datetime, report: SweepReport) -> None:
        ticket, level, alert = step.ticket, send.level, send.alert
        report.alerts_folded += 1
        by_email = any(
            other.via == "email" and other.recipient == alert.recipient
            for other in self._ladder.level(level).alerts
        )
        recipient = self._config.recipients.get(alert.recipient)
        email = recipient.email if recipient is not None else None
        if by_email or email:
            step.step.records.append(_record(level, alert, now, FOLDED_BY_BUDGET))
        else:  # no e-mail to tell them by: summarised with what the ceilings held
            self._ceilings.record_held(self._account_key(ticket), CeilingKind.ALERT, ticket.pk, now)
            step.step.records.append(_record(level, alert, now, HELD_BY_BUDGET))
        logger.info("SMS folded by the recipient's budget", ticket=ticket.ticket_id, level=level)
        if email and not by_email:  # this level texts them only: the alert goes to their e-mail
            step.sends.append(_Send(level, Alert("email", alert.recipient, str(email))))

    def _attempt(self, step: _Claimed, send: _Send, now: datetime, report: SweepReport) -> None:
        """One ticket's own alert, as without digests: its own message and key."""
        folded = self._folded(send.alert)
        outcome = self._try_send(self._request(step.ticket, send.level, send.alert, now, folded))
        self._settle(step, send, outcome, now, report)
        if outcome[0] == SENT and folded is not None:
            self._ceilings.clear_folded_sms(send.alert.recipient, folded.count)

    def _try_send(self, request: AlertRequest) -> tuple[str, str | None]:
        """(SENT, None), (REJECTED, why) for good, or (FAILED, why) to retry."""
        where = {"key": request.key, "via": request.via}
        try:
            self._send(request=request)
        except AlertRejected as error:
            # Bad address, unverified sender, a message refused: record it and go on; retrying won't help.
            logger.error("alert rejected", error=str(error), **where)
            return REJECTED, str(error)[:ERROR_LIMIT]
        except Exception as error:  # noqa: BLE001 - throttling, an outage, anything: this send only
            return FAILED, f"{type(error).__name__}: {error}"[:ERROR_LIMIT]
        return SENT, None

    def _settle(
        self,
        step: _Claimed,
        send: _Send,
        outcome: tuple[str, str | None],
        now: datetime,
        report: SweepReport,
        digest: str | None = None,
    ) -> None:
        """Record one ticket's alert as sent or refused, or keep it for a retry (alone, if it fails)."""
        state, reason = outcome
        level, alert, previous = send.level, send.alert, send.previous
        where = {
            "ticket": step.ticket.ticket_id,
            "level": level,
            "via": alert.via,
            "recipient": alert.recipient,
        }
        if state == SENT:
            report.alerts_sent += 1
            step.step.records.append(_record(level, alert, now, None, digest))
            return
        if state == REJECTED:
            report.alerts_rejected += 1
            step.step.records.append(_record(level, alert, now, reason, digest))
            return
        attempts = previous.attempts + 1 if previous else 1
        first = previous.first_failed_at if previous else now
        if alert_retry.give_up(first, now):
            report.alerts_rejected += 1
            step.step.records.append(
                _record(level, alert, now, f"gave up after {attempts} attempts: {reason}", digest)
            )
            logger.error("alert given up", attempts=attempts, error=reason, **where)
            return
        report.alerts_failed += 1
        retry_at = now + alert_retry.retry_delay(attempts)
        step.step.pending.append(_pending(level, alert, attempts, first, retry_at, reason or ""))
        logger.warning("alert failed, retried later", attempts=attempts, error=reason, **where)

    def _folded(self, alert: Alert) -> FoldedNote | None:
        """The SMS the recipient's budget folded since their last one, told in this one."""
        if alert.via != "sms":
            return None
        found = self._ceilings.folded_sms(alert.recipient)
        return FoldedNote(found[0], from_iso(found[1])) if found else None

    def _request(
        self, ticket: Ticket, level: int, alert: Alert, now: datetime, folded: FoldedNote | None = None
    ) -> AlertRequest:
        subject = self._alert_subject(ticket, level, alert, now)
        # Each round of waiting (a reopened ticket) alerts afresh; round 1 keeps the original key.
        round_ = f"#R{ticket.reply_round}" if ticket.reply_round > 1 else ""
        key = f"{ticket.ticket_id}{round_}#L{level}#{alert.via}#{alert.address}"
        if alert.via == "email":
            email = render_email(subject, now)
            return AlertRequest(key, "email", alert.address, email.text, email.subject, email.html)
        return AlertRequest(key, "sms", alert.address, render_sms(subject, now, folded_prefix(folded)))

    def _alert_subject(self, ticket: Ticket, level: int, alert: Alert, now: datetime) -> AlertSubject:
        link = claim_url("ticket", ticket.pk, alert.recipient, now)  # names who may claim it
        return replace(self._subject(ticket, level), claim_url=link)

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


def _record(
    level: int, alert: Alert, now: datetime, error: str | None, digest: str | None = None
) -> AlertRecord:
    return AlertRecord(
        level=level,
        via=alert.via,
        to=alert.address,
        recipient=alert.recipient,
        at=now,
        error=error,
        digest=digest,
    )


def _failed(report: SweepReport, pk: str, error: Exception) -> None:
    report.failures.append(f"{pk}: {error}")
    logger.exception("escalation failed", ticket_pk=pk)


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
