"""Incidents in DynamoDB: per-minute mention counts, the detector's state, the incidents themselves.

Counting costs one UpdateItem (an ADD) per mention per key (the account and the brand: two writes,
about $2.50 per million mentions on demand); the first TEXTS_KEPT texts of a minute ride on the same
write while the item is small. Every write that must happen once is conditional."""

import json
from datetime import datetime, timedelta

from pynamodb.exceptions import DoesNotExist, PutError, UpdateError

from ..domain.incidents import SpikeState, epoch_minute
from ..domain.incidents.terms import belongs
from ..domain.timefmt import from_iso, to_iso
from ..services.incidents import BRAND_WIDE, Incident
from .batch import batch_get
from .batch import key as key_of
from .models import OPEN_BUCKET, IncidentModel, MentionMinuteModel, SpikeStateModel, TicketModel

BATCH_LIMIT = 100  # keys per BatchGetItem
SHORT_RANGE = 3  # minutes: a key asking for more is queried instead
TEXTS_KEPT = 40  # per key per minute: enough for top terms and samples, bounded item size
MINUTES_KEPT = timedelta(days=2)
INCIDENTS_KEPT = timedelta(days=400)
_PARTITION = "INCIDENTS"


def _conditional_failed(error: Exception) -> bool:
    return getattr(error, "cause_response_code", None) == "ConditionalCheckFailedException"


def count_mention(account_key: str, created_at: datetime, text: str, now: datetime) -> None:
    """Count a new ticket or a post joining one, for the account and the brand-wide key, in the
    minute it was stored: the job reads completed minutes, and a poll stores a post from the minute
    before (counted by its own time, it would land in a minute the job has already read)."""
    minute = epoch_minute(now)
    expires = int((now + MINUTES_KEPT).timestamp())
    for key in (account_key, BRAND_WIDE):
        item = MentionMinuteModel(f"MINUTES#{key}", str(minute))
        actions = [MentionMinuteModel.mentions.add(1), MentionMinuteModel.expires_at.set(expires)]
        texts = MentionMinuteModel.texts
        try:  # the text too while the minute holds few: still one write
            item.update(
                actions=[*actions, texts.set((texts | []).append([text[:280]]))],
                condition=MentionMinuteModel.mentions.does_not_exist()
                | (MentionMinuteModel.mentions < TEXTS_KEPT),
            )
        except UpdateError as error:
            if not _conditional_failed(error):
                raise
            item.update(actions=actions)


class IncidentStore:
    """The IncidentData port of services/incidents.py, and `resolve` for the claim page."""

    def minute_counts(self, key: str, first: int, last: int) -> dict[int, int]:
        return {int(item.sk): int(item.mentions or 0) for item in self._minutes(key, first, last)}

    def minute_counts_many(self, ranges: dict[str, tuple[int, int]]) -> dict[str, dict[int, int]]:
        """Per key, the counts of its minutes first..last: short ranges (a run after a busy minute
        asks for one) in one BatchGetItem per 100 minutes, longer ones (quiet minutes not saved yet)
        by a query each, which reads only the minutes that had mentions."""
        counts: dict[str, dict[int, int]] = {name: {} for name in ranges}
        short = {name: span for name, span in ranges.items() if span[1] - span[0] < SHORT_RANGE}
        for name, (first, last) in ranges.items():
            if name not in short:
                counts[name] = self.minute_counts(name, first, last)
        wanted = [
            key_of(f"MINUTES#{name}", str(minute))
            for name, (first, last) in short.items()
            for minute in range(first, last + 1)
        ]
        for item in self._batch(wanted):
            counts[item["pk"]["S"].removeprefix("MINUTES#")][int(item["sk"]["S"])] = int(
                item.get("mentions", {}).get("N", "0")
            )
        return counts

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
        table = MentionMinuteModel.Meta.table_name
        connection = MentionMinuteModel._get_connection().connection
        items: list[dict] = []
        for start in range(0, len(keys), BATCH_LIMIT):
            items += batch_get(connection, {table: keys[start : start + BATCH_LIMIT]})[table].values()
        return items

    def minute_texts(self, key: str, first: int, last: int) -> list[str]:
        return [text for item in self._minutes(key, first, last) for text in (item.texts or [])]

    @staticmethod
    def _minutes(key: str, first: int, last: int):
        # Epoch minutes have the same number of digits for centuries: string order is number order.
        return MentionMinuteModel.query(
            f"MINUTES#{key}", MentionMinuteModel.sk.between(str(first), str(last)), consistent_read=True
        )

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
            status="open",
            alerted_level=0,
            expires_at=int((incident.started_at + INCIDENTS_KEPT).timestamp()),
        )
        try:
            item.save(condition=IncidentModel.sk.does_not_exist())
            return True
        except PutError as error:
            if _conditional_failed(error):
                return False
            raise

    def incident_for(self, ticket, account) -> str | None:
        """The open incident of the ticket's account (or brand-wide) whose top terms its words share."""
        for incident in self.open_incidents():
            if incident.account in (account.key, BRAND_WIDE) and belongs(ticket.text, incident.top_terms):
                return incident.incident_id
        return None

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
        items = IncidentModel.query(
            _PARTITION, filter_condition=IncidentModel.status == "open", consistent_read=True
        )
        return [_incident(item) for item in items]

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
            (IncidentModel.status == "open") & (IncidentModel.alerted_level < level),
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
            (IncidentModel.status == "open") & condition & IncidentModel.status_posts.exists(),
        ) or (
            not_before is None
            and self._update(
                incident_id,
                [IncidentModel.last_status_at.set(to_iso(at)), IncidentModel.status_posts.set([entry])],
                (IncidentModel.status == "open") & condition & IncidentModel.status_posts.does_not_exist(),
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
        """True for the one call that ended it (staff from the claim page, or the detector)."""
        return self._update(
            incident_id,
            [
                IncidentModel.status.set("resolved"),
                IncidentModel.resolved_by.set(by),
                IncidentModel.resolved_at.set(to_iso(at)),
            ],
            IncidentModel.status == "open",
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
