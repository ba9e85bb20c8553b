"""The end of an incident, run by the incidents job each minute for every incident that ended
(resolved by staff from the claim page, or by the detector) and is not wound up yet:

- its tickets close with the follow-up reply or go back on their own ladders
  (domain/incidents/endings.py says which);
- if customers were kept posted on the brand's timeline, one last status post says it is fixed.

At most once, with crashes and overlapping runs: a follow-up is claimed on its ticket before it is
posted, and a claim found unfinished is never posted again (the ticket resumes: a person looks). A
follow-up the network refuses is counted and its ticket resumes. The incident is marked wound up
only when every ticket is settled, so a run that failed halfway is finished by the next one."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Protocol

from aws_lambda_powertools import Logger

from ..channels.base import ChannelAdapter, RateLimited, ReplyTarget
from ..domain.incidents.endings import Ending, ending_for, resume_step
from ..domain.templates import render_acknowledgement
from ..domain.tickets import Ticket
from ..runtime import metric_names
from .incidents import Incident

if TYPE_CHECKING:
    from ..config import AccountConfig, Config

logger = Logger(child=True)
POSTING = "posting"  # a ticket's incident_outcome while its follow-up is claimed and not recorded


class IncidentEndingData(Protocol):
    def ended_incidents(self) -> list[Incident]: ...
    def members(self, incident_id: str) -> list[Ticket]: ...
    def claim_follow_up(self, ticket: Ticket, incident_id: str) -> bool: ...
    def record_follow_up(self, ticket: Ticket, post_id: str, text: str, at: datetime) -> bool: ...
    def release_follow_up(self, ticket: Ticket) -> bool: ...
    def resume(
        self,
        ticket: Ticket,
        incident_id: str,
        step: tuple[int, datetime] | None,
        *,
        after_claim: bool = False,
    ) -> bool: ...
    def claim_resolved_post(self, incident_id: str, at: datetime, text: str) -> bool: ...
    def record_resolved_post(self, incident_id: str, at: datetime, post_id: str) -> None: ...
    def wound_up(self, incident_id: str, at: datetime) -> bool: ...


class FollowUpReplier(Protocol):
    def reply(
        self, account: AccountConfig, ticket: Ticket, render: Callable[[int, Callable], str]
    ) -> tuple[str, str]:
        """(post id, text): `render(max_length, length)` gives the text for the network's limits."""
        ...


class ChannelFollowUps:
    """The FollowUpReplier port over the channel adapters (the acknowledgements' own)."""

    def __init__(self, adapter_for: Callable[[AccountConfig], ChannelAdapter]):
        self._adapter_for = adapter_for

    def reply(self, account, ticket, render):
        adapter = self._adapter_for(account)
        text = render(adapter.max_reply_length, adapter.reply_length)
        target = ReplyTarget(ticket.post_id, ticket.conversation_id, ticket.post_kind, ticket.visibility)
        return adapter.post_reply(target, text), text


class IncidentEnder:
    def __init__(
        self,
        config: Config,
        data: IncidentEndingData,
        replier: FollowUpReplier,
        status_poster,  # services.ports.StatusPoster, or None
        count: Callable[[str, int], None],
    ):
        self._config, self._data, self._replier = config, data, replier
        self._poster, self._count = status_poster, count

    def run(self, now: datetime) -> int:
        """Wind up every ended incident; returns how many were wound up."""
        done = 0
        for incident in self._data.ended_incidents():
            try:
                done += self._wind_up(incident, now)
            except Exception:  # contained: the next incident goes on, this one is retried
                logger.exception("incident end step failed", incident=incident.incident_id)
                self._count(metric_names.INCIDENT_JOB_FAILURES, 1)
        return done

    def _wind_up(self, incident: Incident, now: datetime) -> bool:
        after = self._config.incidents.after
        settled = {"closed": 0, "resumed": 0, "left": 0, "waiting": 0}
        limited: set[str] = set()  # accounts whose posting limit refused a follow-up this run
        for ticket in self._data.members(incident.incident_id):
            if ticket.incident_outcome == POSTING:  # a run died mid-post: the reply may be out
                settled["resumed"] += self._resume(ticket, incident, now, after_claim=True)
                continue
            ending = ending_for(ticket, after) if ticket.incident_outcome is None else Ending.LEAVE
            account_key = f"{ticket.channel}#{ticket.account_id}"
            if ending == Ending.FOLLOW_UP and account_key in limited:
                ending = Ending.WAIT
            if ending == Ending.FOLLOW_UP:
                outcome = self._follow_up(ticket, incident, now)
                if outcome == "limited":
                    limited.add(account_key)
                settled[outcome] += 1
            elif ending == Ending.RESUME:
                settled["resumed"] += self._resume(ticket, incident, now)
            elif ending == Ending.WAIT:
                settled["waiting"] += 1
            else:
                settled["left"] += 1
        if settled["waiting"] or limited:
            logger.info("incident end step waits", incident=incident.incident_id, **settled)
            return False  # the next run settles the rest
        self._resolved_post(incident, now)
        if not self._data.wound_up(incident.incident_id, now):
            return False  # an overlapping run finished it
        logger.info("incident wound up", incident=incident.incident_id, after=after, **settled)
        return True

    def _follow_up(self, ticket: Ticket, incident: Incident, now: datetime) -> str:
        """closed | resumed | limited (not posted: the network's posting limit; retried next run)
        | left (someone else has it)."""
        account = self._config.account(ticket.channel, ticket.account_id)
        if account is None:  # the account was removed: nobody can reply from it
            self._resume(ticket, incident, now)
            return "resumed"
        if not self._data.claim_follow_up(ticket, incident.incident_id):
            return "left"  # staff replied or claimed it meanwhile, or another run has it
        incidents = self._config.incidents

        def render(max_length: int, length: Callable) -> str:
            return render_acknowledgement(
                [incidents.follow_up],
                ticket_id=ticket.ticket_id,
                ref=ticket.ref,
                target_minutes=0,
                brand_handle=account.handle,
                author_handle=ticket.author_handle,
                mention_text=ticket.text,
                max_length=max_length,
                length=length,
                status_page=incidents.status_page or "",
            )

        try:
            post_id, text = self._replier.reply(account, ticket, render)
        except RateLimited:  # refused before posting: surely not out, so it may be tried again
            self._data.release_follow_up(ticket)
            return "limited"
        except Exception as error:  # refused, down: a person answers it instead
            logger.warning("incident follow-up failed", ticket=ticket.ticket_id, error=str(error))
            self._count(metric_names.FOLLOW_UPS_FAILED, 1)
            self._resume(ticket, incident, now, after_claim=True)
            return "resumed"
        self._data.record_follow_up(ticket, post_id, text, now)
        return "closed"

    def _resume(
        self, ticket: Ticket, incident: Incident, now: datetime, *, after_claim: bool = False
    ) -> bool:
        account = self._config.account(ticket.channel, ticket.account_id)
        response = (
            self._config.response_policy(account) if account else self._config.default_response_policy()
        )
        step = resume_step(self._config.ladder(), ticket, response, now)
        return self._data.resume(ticket, incident.incident_id, step, after_claim=after_claim)

    def _resolved_post(self, incident: Incident, now: datetime) -> None:
        settings = self._config.incidents.status_posts
        if not incident.status_posts or not settings.resolved_text or self._poster is None:
            return
        account = next((a for a in self._config.accounts if a.key == incident.account), None)
        if account is None or not self._poster.can_post_status(account):
            return
        text = settings.render(settings.resolved_text, now.strftime("%H:%M"), repeat=True)
        if not self._data.claim_resolved_post(incident.incident_id, now, text):
            return
        try:
            post_id = self._poster.post_status(account, text)
        except Exception as error:
            logger.warning("resolved status post failed", incident=incident.incident_id, error=str(error))
            self._count(metric_names.STATUS_POSTS_FAILED, 1)
            return
        self._data.record_resolved_post(incident.incident_id, now, post_id)
