"""Incidents in DynamoDB: per-minute mention counts, the detector's state, the incidents themselves.

Counting costs no request of its own: a stored mention's claim carries the minute and account it
was stored under, indexed by the sparse mention_minutes index (one index write per mention). The
job reads every account's minutes in one query of that index. Index reads are eventually consistent:
a mention stored in the last instant of a minute may be missed by the run that reads that minute
(its count is one short; the detector's thresholds are far above one). Every write that must happen
once is conditional."""

import json
from collections import defaultdict
from dataclasses import replace
from datetime import datetime, timedelta

from pynamodb.exceptions import DoesNotExist, PutError, UpdateError

from ..domain.incidents import SpikeState
from ..domain.incidents.active import BRAND_WIDE, OPEN, RESOLVED, ActiveIncident
from ..domain.incidents.terms import belongs
from ..domain.timefmt import from_iso, to_iso
from ..services.incidents import Incident
from . import active_incidents as active
from .batch import batch_get
from .batch import key as key_of
from .models import (
    MENTIONS_BUCKET,
    OPEN_BUCKET,
    IncidentModel,
    PostClaimModel,
    SpikeStateModel,
    TicketModel,
    minute_key,
)

BATCH_LIMIT = 100  # keys per BatchGetItem
TEXTS_KEPT = 40  # per key per minute, for top terms and samples: an incident's opening reads no more
INCIDENTS_KEPT = timedelta(days=400)
_PARTITION = "INCIDENTS"


def _conditional_failed(error: Exception) -> bool:
    return getattr(error, "cause_response_code", None) == "ConditionalCheckFailedException"


def _counted(first: int, last: int):
    """(minute, account key, claim's keys) of every mention counted in minutes first..last."""
    items = PostClaimModel.mention_minutes.query(
        MENTIONS_BUCKET,
        PostClaimModel.counted_at.between(minute_key(first, ""), minute_key(last, "\uffff")),
    )
    for item in items:
        minute, account = item.counted_at.split("#", 1)
        yield int(minute), account, (item.pk, item.sk)


def _wanted(name: str, account: str) -> bool:
    return name in (account, BRAND_WIDE)


class IncidentStore:
    """The IncidentData port of services/incidents.py, and `resolve` for the claim page."""

    def minute_counts(self, key: str, first: int, last: int) -> dict[int, int]:
        return self.minute_counts_many({key: (first, last)})[key]

    def minute_counts_many(self, ranges: dict[str, tuple[int, int]]) -> dict[str, dict[int, int]]:
        """Per key (an account, or * for all of them), the counts of its minutes first..last that
        had mentions: one query of the index (paged), whatever the number of accounts."""
        counts: dict[str, dict[int, int]] = {name: defaultdict(int) for name in ranges}
        if not ranges:
            return {}
        first = min(span[0] for span in ranges.values())
        last = max(span[1] for span in ranges.values())
        for minute, account, _ in _counted(first, last):
            for name, (start, end) in ranges.items():
                if start <= minute <= end and _wanted(name, account):
                    counts[name][minute] += 1
        return {name: dict(minutes) for name, minutes in counts.items()}

    def load_states(self, keys: list[str]) -> dict[str, tuple[SpikeState, int]]:
        """Every key's detector state and version (0: none yet), in one BatchGetItem."""
        states = {name: (SpikeState(), 0) for name in keys}
        for item in self._batch([key_of(f"SPIKE#{name}", "STATE") for name in keys]):
            states[item["pk"]["S"].removeprefix("SPIKE#")] = (
                SpikeState.from_dict(json.loads(item["state"]["S"])),
                int(item["version"]["N"]),
            )
        return states

    @staticmethod
    def _batch(keys: list) -> list[dict]:
        table = PostClaimModel.Meta.table_name
        connection = PostClaimModel._get_connection().connection
        items: list[dict] = []
        for start in range(0, len(keys), BATCH_LIMIT):
            items += batch_get(connection, {table: keys[start : start + BATCH_LIMIT]})[table].values()
        return items

    def minute_texts(self, key: str, first: int, last: int) -> list[str]:
        """The first TEXTS_KEPT texts of each of key's minutes first..last, oldest minute first: read
        from the mentions' claims only when an incident opens."""
        per_minute: dict[int, int] = defaultdict(int)
        claims = []
        for minute, account, claim in _counted(first, last):
            if _wanted(key, account) and per_minute[minute] < TEXTS_KEPT:
                per_minute[minute] += 1
                claims.append(claim)
        found = {
            (item["pk"]["S"], item["sk"]["S"]): item.get("text", {}).get("S")
            for item in self._batch([key_of(*claim) for claim in claims])
        }
        return [text for text in (found.get(claim) for claim in claims) if text]

    def load_state(self, key: str) -> tuple[SpikeState, int]:
        try:
            item = SpikeStateModel.get(f"SPIKE#{key}", "STATE", consistent_read=True)
        except DoesNotExist:
            return SpikeState(), 0
        return SpikeState.from_dict(json.loads(item.state)), int(item.version)

    def save_state(self, key: str, state: SpikeState, version: int) -> bool:
        item = SpikeStateModel(
            f"SPIKE#{key}", "STATE", state=json.dumps(state.to_dict()), version=version + 1
        )
        condition = (
            SpikeStateModel.pk.does_not_exist() if version == 0 else SpikeStateModel.version == version
        )
        try:
            item.save(condition=condition)
            return True
        except PutError as error:
            if _conditional_failed(error):
                return False
            raise

    def create(self, incident: Incident) -> bool:
        """Created once (the id is derived from the spike), with its entry in the active summary."""
        item = IncidentModel(
            _PARTITION,
            incident.incident_id,
            account=incident.account,
            started_at=to_iso(incident.started_at),
            mentions=incident.mentions,
            expected=incident.expected,
            window_minutes=incident.window_minutes,
            top_terms=incident.top_terms,
            samples=incident.samples,
            status=OPEN,
            alerted_level=0,
            expires_at=int((incident.started_at + INCIDENTS_KEPT).timestamp()),
        )
        entry = ActiveIncident(incident.incident_id, incident.account, tuple(incident.top_terms), OPEN)
        return active.change(
            lambda tx: tx.save(item, condition=IncidentModel.sk.does_not_exist()),
            lambda entries: entries.__setitem__(entry.incident_id, entry),
        )

    def link_spike_tickets(self, incident: Incident, since: datetime) -> int:
        """Tickets of the spike opened before it was detected, still on their own ladder, that
        share its terms: linked now, so their ladder stops (no later per-ticket alert)."""
        from .tickets import TicketStore

        store, linked = TicketStore(), 0
        for key in TicketModel.awaiting_reply.query(OPEN_BUCKET):
            try:
                ticket = TicketModel.get(key.pk, key.sk, consistent_read=True)
            except DoesNotExist:
                continue
            account = f"{ticket.channel}#{ticket.account_id}"
            if incident.account not in (account, BRAND_WIDE) or from_iso(ticket.created_at) < since:
                continue
            if belongs(ticket.text, incident.top_terms) and store.link_incident(
                ticket.pk, incident.incident_id
            ):
                linked += 1
        return linked

    def open_incidents(self) -> list[Incident]:
        return self.active_incidents(OPEN)

    def active_incidents(self, status: str) -> list[Incident]:
        """The incidents of the active summary in `status`, read whole in one BatchGetItem (none: no
        request beyond the summary): not a query of every incident ever opened."""
        entries, _ = active.read()
        wanted = [key_of(_PARTITION, entry.incident_id) for entry in entries if entry.status == status]
        items = [IncidentModel.from_raw_data(raw) for raw in self._batch(wanted)]
        return sorted(
            (_incident(item) for item in items if item.status == status), key=lambda i: i.started_at
        )

    def all_incidents(self) -> list[dict]:
        """For the report: every incident, with its status posts."""
        return [_incident(item).__dict__ for item in IncidentModel.query(_PARTITION, consistent_read=True)]

    def incident(self, incident_id: str) -> dict | None:
        try:
            return _incident(IncidentModel.get(_PARTITION, incident_id, consistent_read=True)).__dict__
        except DoesNotExist:
            return None

    def claim_level(self, incident_id: str, level: int) -> bool:
        return self._update(
            incident_id,
            [IncidentModel.alerted_level.set(level)],
            (IncidentModel.status == OPEN) & (IncidentModel.alerted_level < level),
        )

    def claim_status_post(
        self, incident_id: str, at: datetime, text: str, not_before: datetime | None
    ) -> bool:
        """Record the intent before posting: a second run (or a retry after a crash) finds it and
        does not post again."""
        last = IncidentModel.last_status_at
        condition = last.does_not_exist() if not_before is None else last == to_iso(not_before)
        entry = {"at": to_iso(at), "text": text}
        return self._update(
            incident_id,
            [
                IncidentModel.last_status_at.set(to_iso(at)),
                IncidentModel.status_posts.set(IncidentModel.status_posts.append([entry])),
            ],
            (IncidentModel.status == OPEN) & condition & IncidentModel.status_posts.exists(),
        ) or (
            not_before is None
            and self._update(
                incident_id,
                [IncidentModel.last_status_at.set(to_iso(at)), IncidentModel.status_posts.set([entry])],
                (IncidentModel.status == OPEN) & condition & IncidentModel.status_posts.does_not_exist(),
            )
        )

    def record_status_post(self, incident_id: str, at: datetime, post_id: str) -> None:
        item = IncidentModel.get(_PARTITION, incident_id, consistent_read=True)
        posts = list(item.status_posts or [])
        for index, post in enumerate(posts):
            if post["at"] == to_iso(at):
                item.update(actions=[IncidentModel.status_posts[index]["post_id"].set(post_id)])
                return

    def resolve(self, incident_id: str, by: str, at: datetime) -> bool:
        """True for the one call that ended it (staff from the claim page, or the detector). It stays
        in the active summary, resolved, until its end step has run (IncidentEndings.wound_up)."""
        incident = IncidentModel(_PARTITION, incident_id)

        def ended(entries: dict[str, ActiveIncident]) -> None:
            if incident_id in entries:
                entries[incident_id] = replace(entries[incident_id], status=RESOLVED)

        return active.change(
            lambda tx: tx.update(
                incident,
                actions=[
                    IncidentModel.status.set(RESOLVED),
                    IncidentModel.resolved_by.set(by),
                    IncidentModel.resolved_at.set(to_iso(at)),
                ],
                condition=IncidentModel.status == OPEN,
            ),
            ended,
        )

    @staticmethod
    def _update(incident_id: str, actions, condition) -> bool:
        try:
            IncidentModel(_PARTITION, incident_id).update(actions=actions, condition=condition)
            return True
        except UpdateError as error:
            if _conditional_failed(error):
                return False
            raise


def _incident(item: IncidentModel) -> Incident:
    posts = [
        {
            "at": from_iso(_plain(post)["at"]),
            "post_id": _plain(post).get("post_id"),
            "text": _plain(post)["text"],
        }
        for post in (item.status_posts or [])
    ]
    return Incident(
        incident_id=item.sk,
        account=item.account,
        started_at=from_iso(item.started_at),
        mentions=int(item.mentions),
        expected=float(item.expected),
        window_minutes=int(item.window_minutes),
        top_terms=list(item.top_terms),
        samples=list(item.samples),
        status=item.status,
        resolved_at=from_iso(item.resolved_at) if item.resolved_at else None,
        resolved_by=item.resolved_by,
        alerted_level=int(item.alerted_level or 0),
        status_posts=posts,
    )


def _plain(post) -> dict:
    return post if isinstance(post, dict) else post.as_dict()
