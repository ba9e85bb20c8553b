"""The incidents job, once a minute: per account (and across accounts, when no account's incident
explains it) feed the completed minutes' mention counts to the spike detector, open an incident
once, alert on-call through the incident's own ladder, keep customers posted, and end it.

Exactly once, with overlapping runs: an incident's id is derived from its key and first minute, so a
second run that sees the same spike writes the same incident (created only if absent); the
detector's state is saved conditionally on the version it was read at (a run that lost the race
drops its copy); each ladder level and each status post is claimed on the incident before it is
sent (a crash after the claim loses at most that one send, and is counted, never repeated).
A failure is contained to its account: counted, logged, the next account goes on."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Protocol

from aws_lambda_powertools import Logger

from ..domain.alerts import Email
from ..domain.incidents import IncidentEnded, IncidentStarted, SpikeDetector, SpikeState, epoch_minute
from ..domain.incidents.active import BRAND_WIDE
from ..domain.incidents.alert_text import IncidentFacts, incident_alert, redacted_samples
from ..domain.incidents.terms import top_terms
from ..runtime import metric_names

if TYPE_CHECKING:
    from ..config import Config

logger = Logger(child=True)
# Minutes are fed every run but the state is saved only now and then: a run that sees no event and
# no open incident writes nothing (feeding is deterministic, and the counts stay stored, so the next
# run re-feeds them from the last saved state to the same result). An idle deployment then costs
# reads only, the local runtime's clock can jump over idle hours, and a busy minute costs no write
# (requests per mention): a run re-reads at most an hour of mentions from the mention index, about
# 100 bytes each (at 25 mentions a minute, 8 read units a run: as cheap as a write a minute).
SAVE_AFTER_MINUTES = 60
CATCH_UP_MINUTES = 24 * 60  # after a longer gap (the job failing for a day) the windows start afresh
FIRST_MINUTES = 15


@dataclass
class Incident:
    incident_id: str
    account: str
    started_at: datetime
    mentions: int
    expected: float
    window_minutes: int
    top_terms: list[str]
    samples: list[str]
    status: str = "open"  # open | resolved
    resolved_at: datetime | None = None
    resolved_by: str | None = None  # "detector", or the staff member
    alerted_level: int = 0
    status_posts: list[dict] = field(default_factory=list)  # {at, post_id (None: not known), text}


class IncidentData(Protocol):
    def minute_counts_many(self, ranges: dict[str, tuple[int, int]]) -> dict[str, dict[int, int]]: ...
    def minute_texts(self, key: str, first: int, last: int) -> list[str]: ...
    def load_states(self, keys: list[str]) -> dict[str, tuple[SpikeState, int]]: ...
    def save_state(self, key: str, state: SpikeState, version: int) -> bool: ...
    def create(self, incident: Incident) -> bool: ...
    def link_spike_tickets(self, incident: Incident, since: datetime) -> int: ...
    def open_incidents(self) -> list[Incident]: ...
    def claim_level(self, incident_id: str, level: int) -> bool: ...
    def claim_status_post(
        self, incident_id: str, at: datetime, text: str, not_before: datetime | None
    ) -> bool: ...
    def record_status_post(self, incident_id: str, at: datetime, post_id: str) -> None: ...
    def resolve(self, incident_id: str, by: str, at: datetime) -> bool: ...


class Alerting(Protocol):
    def email(self, to: str, message: Email, key: str) -> None: ...
    def sms(self, to: str, text: str, key: str) -> None: ...


def incident_id_for(key: str, minute: int) -> str:
    return "inc-" + hashlib.sha256(f"{key}|{minute}".encode()).hexdigest()[:12]


class IncidentService:
    def __init__(
        self,
        config: Config,
        data: IncidentData,
        alerting: Alerting,
        status_poster,  # services.ports.StatusPoster, or None
        count: Callable[[str, int], None],
        # The signed link that lets a recipient resolve it: (incident id, recipient name, now).
        links: Callable[[str, str, datetime], str | None] = lambda incident_id, recipient, now: None,
    ):
        self._config, self._data, self._alerting = config, data, alerting
        self._poster, self._count, self._links = status_poster, count, links

    def run(self, now: datetime) -> list[Incident]:
        """Feed every completed minute; returns the incidents opened by this run. The reads are
        shared: the open incidents once, every key's detector state in one batch, the minutes' counts
        in another (a run costs a few requests whatever the number of accounts)."""
        if not self._config.incidents.enabled:
            return []
        keys = [account.key for account in self._config.accounts]
        brand_wide = len(keys) > 1
        last_complete = epoch_minute(now) - 1
        try:
            open_now = self._data.open_incidents()
            states = self._data.load_states([*keys, BRAND_WIDE] if brand_wide else keys)
            ranges = {key: _unread(state, last_complete) for key, (state, _) in states.items()}
            counts = self._data.minute_counts_many({k: r for k, r in ranges.items() if r is not None})
        except Exception:  # nothing read: the next run catches up on the minutes
            logger.exception("incident detection could not read its state")
            self._count(metric_names.INCIDENT_JOB_FAILURES, 1)
            return []

        def detect(key: str, quiet: bool = False) -> list[Incident]:
            if ranges[key] is None:
                return []
            state, version = states[key]
            return self._detect(key, state, version, ranges[key], counts.get(key, {}), open_now, quiet)

        opened: list[Incident] = []
        explained = False
        for key in keys:
            try:
                found = detect(key)
                opened += found
                explained = explained or bool(found) or any(i.account == key for i in open_now)
            except Exception:  # contained: the next account still runs
                logger.exception("incident detection failed for an account", account=key)
                self._count(metric_names.INCIDENT_JOB_FAILURES, 1)
        if brand_wide:
            try:
                opened += detect(BRAND_WIDE, quiet=explained)
            except Exception:
                logger.exception("brand-wide incident detection failed")
                self._count(metric_names.INCIDENT_JOB_FAILURES, 1)
        still_open = {i.incident_id for i in open_now if i.status == "open"}
        for incident in [*(i for i in open_now if i.incident_id in still_open), *opened]:
            try:
                self._keep_up(incident, now)
            except Exception:
                logger.exception("incident follow-up failed", incident=incident.incident_id)
                self._count(metric_names.INCIDENT_JOB_FAILURES, 1)
        return opened

    def resolve(self, incident: Incident, by: str, at: datetime) -> bool:
        """Staff resolved it, or the detector ended it (once): the end step (services/incident_endings.py)
        then closes or resumes its tickets."""
        if not self._data.resolve(incident.incident_id, by, at):
            return False
        incident.status, incident.resolved_by, incident.resolved_at = "resolved", by, at
        return True

    def _detect(
        self,
        key: str,
        state: SpikeState,
        version: int,
        minutes: tuple[int, int],
        counts: dict[int, int],
        open_now: list[Incident],
        quiet: bool,
    ) -> list[Incident]:
        first, last = minutes
        saved_up_to = state.last_minute
        detector = SpikeDetector(self._config.incidents.detection.settings(), state)
        opened, ended = [], []
        for minute in range(first, last + 1):
            event = detector.observe(minute, counts.get(minute, 0))
            if isinstance(event, IncidentStarted) and not quiet:
                opened.append(self._open(key, event))
            elif isinstance(event, IncidentEnded):
                ended.append(event)
        quiet_so_far = (
            saved_up_to is not None
            and last - saved_up_to < SAVE_AFTER_MINUTES
            and not opened
            and not ended
            and detector.state.incident is None
        )
        if not quiet_so_far and not self._data.save_state(key, detector.state, version):
            logger.info("another run fed these minutes first", key=key)
        for event in ended:
            incident_id = incident_id_for(key, event.started_at)
            for incident in open_now:
                if incident.incident_id == incident_id and incident.status == "open":
                    self.resolve(incident, "detector", _at(event.minute))
        return [incident for incident in opened if incident is not None]

    def _open(self, key: str, event: IncidentStarted) -> Incident | None:
        first = event.minute - event.window_minutes + 1
        texts = self._data.minute_texts(key, first, event.minute)
        incident = Incident(
            incident_id=incident_id_for(key, event.minute),
            account=key,
            started_at=_at(event.minute),
            mentions=event.mentions,
            expected=event.expected,
            window_minutes=event.window_minutes,
            top_terms=top_terms(texts),
            samples=redacted_samples(texts),
        )
        if not self._data.create(incident):
            return None  # an overlapping run opened it
        self._count(metric_names.INCIDENTS_OPENED, 1)
        # The spike's tickets opened before detection: into the incident, out of their own ladders.
        linked = self._data.link_spike_tickets(incident, _at(first))
        logger.info(
            "incident opened",
            incident=incident.incident_id,
            account=key,
            terms=incident.top_terms,
            linked=linked,
        )
        return incident

    def _keep_up(self, incident: Incident, now: datetime) -> None:
        elapsed = now - incident.started_at
        for number, (after_minutes, alerts) in enumerate(self._config.incident_ladder(), start=1):
            if number <= incident.alerted_level or elapsed < timedelta(minutes=after_minutes):
                continue
            if self._data.claim_level(incident.incident_id, number):
                self._alert(incident, number, alerts, now)
        self._status_post(incident, now)

    def _alert(
        self, incident: Incident, level: int, alerts: list[tuple[str, str, str]], now: datetime
    ) -> None:
        facts = IncidentFacts(
            incident.incident_id,
            incident.account,
            incident.started_at.isoformat(),
            incident.mentions,
            incident.expected,
            incident.window_minutes,
            tuple(incident.top_terms),
            tuple(incident.samples),
        )
        for via, name, address in alerts:
            key = f"{incident.incident_id}#{level}#{via}#{name}"
            try:
                link = self._links(incident.incident_id, name, now)  # names who resolves it
                subject, body, sms = incident_alert(facts, level, link)
                if via == "email":
                    self._alerting.email(address, Email(subject, body, ""), key)
                else:
                    self._alerting.sms(address, sms, key)
            except Exception as error:  # one recipient's failure does not silence the others
                logger.warning(
                    "incident alert failed", incident=incident.incident_id, via=via, error=str(error)
                )
                self._count(metric_names.ALERTS_FAILED, 1)

    def _status_post(self, incident: Incident, now: datetime) -> None:
        settings = self._config.incidents.status_posts
        if not settings.enabled or self._poster is None:
            return
        account = next((a for a in self._config.accounts if a.key == incident.account), None)
        if account is None or not self._poster.can_post_status(account):
            return
        last = incident.status_posts[-1]["at"] if incident.status_posts else None
        if last is not None and now - last < timedelta(minutes=settings.interval_minutes):
            return
        text = settings.render(settings.text, now.strftime("%H:%M"), repeat=last is not None)
        if not self._data.claim_status_post(incident.incident_id, now, text, last):
            return  # another run posted (or meant to)
        try:
            post_id = self._poster.post_status(account, text)
        except Exception as error:
            logger.warning("status post failed", incident=incident.incident_id, error=str(error))
            self._count(metric_names.STATUS_POSTS_FAILED, 1)
            return
        self._data.record_status_post(incident.incident_id, now, post_id)


def _unread(state: SpikeState, last_complete: int) -> tuple[int, int] | None:
    """The completed minutes the detector has not seen (at most CATCH_UP_MINUTES), or None. A new
    key starts with the last FIRST_MINUTES: minutes before its first run are not zeros to learn."""
    if state.last_minute is None:
        first = last_complete - FIRST_MINUTES + 1
    else:
        first = max(last_complete - CATCH_UP_MINUTES + 1, state.last_minute + 1)
    return (first, last_complete) if first <= last_complete else None


def _at(minute: int) -> datetime:
    return datetime.fromtimestamp(minute * 60, UTC)
