"""Per-account hourly ceilings on acknowledgements and alerts, against abuse and runaway cost.

One conditional counter per (account, kind, clock hour): taking a unit succeeds while the count is
under the ceiling, so concurrent functions can never exceed it together. What the ceiling holds back
is counted on the same item (with the first tickets' keys) and summarised to staff once the hour is
over, so nothing held back goes unseen.
"""

from datetime import datetime, timedelta

from pynamodb.exceptions import UpdateError
from pynamodb.expressions.condition import size

from ..domain.tickets import CeilingKind, HeldBack
from ..domain.timefmt import to_iso
from .models import CeilingModel

HELD_LISTED = 50  # ticket keys kept per bucket for the summary; the count goes on beyond it
KEEP_FOR = timedelta(days=2)  # TTL: long enough for any late summary
SUMMARY_LOOKBACK = timedelta(hours=24)


def _pk(account_key: str) -> str:
    return f"CEILING#{account_key}"


def hour_of(moment: datetime) -> str:
    return to_iso(moment)[:13]


def _sk(kind: CeilingKind, hour: str) -> str:
    return f"{kind}#{hour}"


def _expiry(now: datetime) -> int:
    return int((now + KEEP_FOR).timestamp())


def take(account_key: str, kind: CeilingKind, limit: int, ticket_pk: str, now: datetime) -> bool:
    """Use one unit of this hour's ceiling; False (and the ticket recorded as held) when it is spent."""
    if limit > 0:
        item, actions, condition = taking(account_key, kind, limit, now)
        try:
            item.update(actions=actions, condition=condition)
            return True
        except UpdateError as error:
            if error.cause_response_code != "ConditionalCheckFailedException":
                raise
    record_held(account_key, kind, ticket_pk, now)
    return False


def taking(account_key: str, kind: CeilingKind, limit: int, now: datetime):
    """The conditional write that takes one unit (item, actions, condition), for a caller that makes
    it part of a transaction; it fails when the ceiling is spent. A ceiling of 0 is spent before
    any write: the caller checks it."""
    if limit <= 0:
        raise ValueError("a ceiling of 0 holds everything back: nothing to take")
    item = CeilingModel(_pk(account_key), _sk(kind, hour_of(now)))
    actions = [CeilingModel.used.add(1), CeilingModel.expires_at.set(_expiry(now))]
    condition = CeilingModel.used.does_not_exist() | (CeilingModel.used < limit)
    return item, actions, condition


def record_held(account_key: str, kind: CeilingKind, ticket_pk: str, now: datetime) -> None:
    """Count a ticket this hour's ceiling held back (listed for the summary while the list is short)."""
    _record_held(CeilingModel(_pk(account_key), _sk(kind, hour_of(now))), ticket_pk, now)


def _record_held(item: CeilingModel, ticket_pk: str, now: datetime) -> None:
    try:  # keep the first tickets' keys for the summary
        item.update(
            actions=[
                CeilingModel.held.add(1),
                CeilingModel.expires_at.set(_expiry(now)),
                CeilingModel.held_tickets.set((CeilingModel.held_tickets | []).append([ticket_pk])),
            ],
            condition=CeilingModel.held_tickets.does_not_exist()
            | (size(CeilingModel.held_tickets) < HELD_LISTED),
        )
    except UpdateError as error:
        if error.cause_response_code != "ConditionalCheckFailedException":
            raise
        item.update(actions=[CeilingModel.held.add(1), CeilingModel.expires_at.set(_expiry(now))])


def held_back(account_key: str, now: datetime) -> list[HeldBack]:
    """Closed hours of the last day in which a ceiling held something back and staff have not had the
    summary yet. Reads at most one item per kind per hour of one account."""
    current = hour_of(now)
    since = hour_of(now - SUMMARY_LOOKBACK)
    found = []
    for kind in CeilingKind:
        for item in CeilingModel.query(
            _pk(account_key),
            CeilingModel.sk.between(_sk(kind, since), _sk(kind, current)),
            consistent_read=True,
        ):
            hour = item.sk.split("#", 1)[1]
            if hour == current or not item.held or item.summarised_at:
                continue
            found.append(HeldBack(account_key, kind, hour, int(item.held), list(item.held_tickets or [])))
    return found


def mark_summarised(held: HeldBack, now: datetime) -> bool:
    """Record that staff had the summary of this bucket; False if another sweep did it first."""
    item = CeilingModel(_pk(held.account_key), _sk(held.kind, held.hour))
    try:
        item.update(
            actions=[CeilingModel.summarised_at.set(to_iso(now))],
            condition=CeilingModel.summarised_at.does_not_exist(),
        )
    except UpdateError as error:
        if error.cause_response_code == "ConditionalCheckFailedException":
            return False
        raise
    return True


# -- the SMS budget of one recipient ------------------------------------------------------------------
# pk CEILING#recipient#<name>: sk sms#<hour> counts the SMS sent to them in the clock hour; sk
# sms#folded counts those sent by e-mail only since the last SMS that went out (and since when), so
# the next SMS can say "+5 more since 14:10 by e-mail".

FOLDED_SK = "sms#folded"


def _recipient_pk(recipient: str) -> str:
    return f"CEILING#recipient#{recipient}"


def take_sms(recipient: str, limit: int, now: datetime) -> bool:
    """Use one SMS of the recipient's hourly budget; False (and the SMS counted as folded into the
    e-mail) when it is spent. A budget of 0 sends no SMS at all."""
    if limit > 0:
        item = CeilingModel(_recipient_pk(recipient), f"sms#{hour_of(now)}")
        try:
            item.update(
                actions=[CeilingModel.used.add(1), CeilingModel.expires_at.set(_expiry(now))],
                condition=CeilingModel.used.does_not_exist() | (CeilingModel.used < limit),
            )
            return True
        except UpdateError as error:
            if error.cause_response_code != "ConditionalCheckFailedException":
                raise
    CeilingModel(_recipient_pk(recipient), FOLDED_SK).update(
        actions=[
            CeilingModel.held.add(1),
            CeilingModel.summarised_at.set(CeilingModel.summarised_at | to_iso(now)),  # the first
            CeilingModel.expires_at.set(_expiry(now)),
        ]
    )
    return False


def folded_sms(recipient: str) -> tuple[int, str] | None:
    """(how many SMS went by e-mail only since the last SMS, since when as ISO), or None."""
    try:
        item = CeilingModel.get(_recipient_pk(recipient), FOLDED_SK, consistent_read=True)
    except CeilingModel.DoesNotExist:
        return None
    if not item.held or item.held <= 0:
        return None
    return int(item.held), item.summarised_at or ""


def clear_folded_sms(recipient: str, count: int) -> None:
    """After an SMS that told of `count` folded ones went out: those are told. Folds counted meanwhile
    stay for the next SMS (only `count` is taken off); once nothing is left its "since" goes, so the
    next fold starts a new one. (Updates only: the escalation role may not delete items.)"""
    item = CeilingModel(_recipient_pk(recipient), FOLDED_SK)
    item.update(actions=[CeilingModel.held.add(-count)])
    try:
        item.update(actions=[CeilingModel.summarised_at.remove()], condition=CeilingModel.held <= 0)
    except UpdateError as error:  # a fold arrived meanwhile: it waits for the next SMS
        if error.cause_response_code != "ConditionalCheckFailedException":
            raise
