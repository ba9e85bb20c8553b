"""Per-account cursors, rate-limit pauses and polling health, kept between invocations."""

from datetime import datetime

from pynamodb.exceptions import DoesNotExist, UpdateError

from ..domain.timefmt import from_iso, to_iso
from .models import AccountStateModel

PAUSE_FIELDS = {
    "mentions": AccountStateModel.mentions_paused_until,
    "own": AccountStateModel.own_paused_until,
    "posting": AccountStateModel.posting_paused_until,
}
CURSOR_FIELDS = {"mentions": AccountStateModel.mentions_since_id, "own": AccountStateModel.own_since_id}


class AccountState:
    def __init__(self, account_key: str):
        self.key = account_key
        try:
            self._item = AccountStateModel.get(account_key, consistent_read=True)
        except DoesNotExist:
            self._item = AccountStateModel(account_key)

    def cursor(self, stream: str) -> str | None:
        return getattr(self._item, CURSOR_FIELDS[stream].attr_name)

    def progress(self, stream: str) -> tuple[str | None, str | None]:
        """(newest id seen, oldest id stored) of a paging cut short, or (None, None)."""
        return getattr(self._item, f"{stream}_pending_newest"), getattr(self._item, f"{stream}_until_id")

    def save_progress(self, stream: str, pending_newest: str, until_id: str) -> None:
        """Everything from `until_id` up to `pending_newest` is stored; the next run reads below it."""
        model = AccountStateModel
        self._item.update(
            actions=[
                getattr(model, f"{stream}_pending_newest").set(pending_newest),
                getattr(model, f"{stream}_until_id").set(until_id),
            ]
        )

    def paused_until(self, stream: str, now: datetime) -> datetime | None:
        value = getattr(self._item, PAUSE_FIELDS[stream].attr_name)
        if value and from_iso(value) > now:
            return from_iso(value)
        return None

    def pause(self, stream: str, until: datetime) -> None:
        attribute = PAUSE_FIELDS[stream]
        self._item.update(actions=[attribute.set(to_iso(until))])

    def advance(self, stream: str, expected: str | None, newest: str) -> bool:
        """Move the cursor only from where this poll started: a poll that overlapped and already
        moved it wins, and nothing is skipped either way (both stored every post they read)."""
        attribute = CURSOR_FIELDS[stream]
        condition = attribute.does_not_exist() if expected is None else attribute == expected
        model = AccountStateModel
        try:
            self._item.update(
                actions=[
                    attribute.set(newest),
                    getattr(model, f"{stream}_pending_newest").remove(),
                    getattr(model, f"{stream}_until_id").remove(),
                ],
                condition=condition,
            )
        except UpdateError as error:
            if error.cause_response_code == "ConditionalCheckFailedException":
                return False
            raise
        return True

    def record_health(self, succeeded: dict[str, bool], now: datetime) -> dict[str, datetime]:
        """Remember which streams were read completely this run. For each that was not, returns since
        when it has gone without success: its last success, else its first failure (so a brand-new
        deployment is measured from its first poll, not from the beginning of time)."""
        model = AccountStateModel
        actions = []
        for stream, ok in succeeded.items():
            ok_at, failing = getattr(model, f"{stream}_ok_at"), getattr(model, f"{stream}_failing_since")
            if ok:
                actions += [ok_at.set(to_iso(now)), failing.remove()]
            else:
                actions.append(failing.set(failing | to_iso(now)))  # if_not_exists: the first failure
        self._item.update(actions=actions)
        return {
            stream: from_iso(
                getattr(self._item, f"{stream}_ok_at") or getattr(self._item, f"{stream}_failing_since")
            )
            for stream, ok in succeeded.items()
            if not ok
        }


def paused_until_for(account_key: str, stream: str, now: datetime) -> datetime | None:
    return AccountState(account_key).paused_until(stream, now)
