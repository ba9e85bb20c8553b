"""The summary of active incidents (models.ActiveIncidentsModel): read by acknowledging with its
ticket (no request of its own), and by the incidents job instead of every incident ever opened.

Each change of an incident's state (created, ended, wound up) writes the incident and the summary
in one transaction, conditional on the summary's version as read: two changes at once cannot lose
one another's entry; the loser reads again and retries."""

import json
from collections.abc import Callable

from pynamodb.exceptions import DoesNotExist, PutError, TransactWriteError
from pynamodb.transactions import TransactWrite

from ..domain.incidents.active import OPEN, RESOLVED, ActiveIncident
from .models import ActiveIncidentsModel, IncidentModel

ATTEMPTS = 5  # changes of one summary racing: incidents change a few times an hour


def active_incidents(raw: dict | None) -> tuple[ActiveIncident, ...]:
    """From the summary item as DynamoDB returned it (None: there is none, no incident yet)."""
    if raw is None:
        return ()
    return _entries(raw.get("incidents", {}).get("S", "{}"))


def _entries(text: str) -> tuple[ActiveIncident, ...]:
    return tuple(
        ActiveIncident.from_dict(incident_id, data) for incident_id, data in json.loads(text).items()
    )


def read() -> tuple[tuple[ActiveIncident, ...], int]:
    """The active incidents and the summary's version. The first read of a deployment writes the
    summary, from its incidents (one upgraded from before the summary may have some)."""
    for _ in range(ATTEMPTS):
        try:
            item = ActiveIncidentsModel.get(*_key(), consistent_read=True)
            return _entries(item.incidents), int(item.version)
        except DoesNotExist:
            pass
        entries = _from_incidents()
        written = ActiveIncidentsModel(*_key(), incidents=_json(entries), version=1)
        try:  # once per deployment: afterwards, reading the summary is one GetItem
            written.save(condition=ActiveIncidentsModel.pk.does_not_exist())
            return entries, 1
        except PutError as error:
            if getattr(error, "cause_response_code", None) != "ConditionalCheckFailedException":
                raise
    raise RuntimeError("the active incidents' summary could not be read; the next run retries")


def _json(entries) -> str:
    return json.dumps({entry.incident_id: entry.to_dict() for entry in entries}, sort_keys=True)


def _key() -> tuple[str, str]:
    return ActiveIncidentsModel.pk.default, ActiveIncidentsModel.sk.default


def _from_incidents() -> tuple[ActiveIncident, ...]:
    items = IncidentModel.query(
        IncidentModel.pk.default,
        filter_condition=(IncidentModel.status == OPEN)
        | ((IncidentModel.status == RESOLVED) & IncidentModel.wound_up_at.does_not_exist()),
        consistent_read=True,
    )
    return tuple(ActiveIncident(i.sk, i.account, tuple(i.top_terms), i.status) for i in items)


def change(
    write: Callable[[TransactWrite], None], update: Callable[[dict[str, ActiveIncident]], None]
) -> bool:
    """`write` adds the incident's own conditional write (the transaction's first item); `update`
    changes the summary's entries in place. False when the incident's condition failed (another
    run made this change first)."""
    for _ in range(ATTEMPTS):
        entries, version = read()
        changed = {entry.incident_id: entry for entry in entries}
        update(changed)
        summary = [
            ActiveIncidentsModel.incidents.set(_json(changed.values())),
            ActiveIncidentsModel.version.set(version + 1),
            ActiveIncidentsModel.kind.set("active_incidents"),
        ]
        condition = ActiveIncidentsModel.version == version
        try:
            # The models' connection: its client is the one the function shares (runtime/dynamodb.py).
            with TransactWrite(connection=IncidentModel._get_connection().connection) as tx:
                write(tx)
                # An update: PynamoDB sends puts before updates, so the summary is always second.
                tx.update(ActiveIncidentsModel(*_key()), actions=summary, condition=condition)
            return True
        except TransactWriteError as error:
            reasons = [reason.code if reason else None for reason in (error.cancellation_reasons or [])]
            if reasons[:1] == ["ConditionalCheckFailed"]:
                return False
            if len(reasons) > 1 and reasons[1] in ("ConditionalCheckFailed", "TransactionConflict"):
                continue  # the summary changed since it was read: read it again
            raise
    raise RuntimeError("the active incidents' summary kept changing under this write; the next run retries")
