"""Per account stream: the network's cursor, rate-limit pauses and polling health, kept between
invocations. A cursor is the adapter's opaque string: stored and compared, never read."""

from collections.abc import Iterable
from datetime import datetime

from pynamodb.exceptions import UpdateError

from ..domain.timefmt import from_iso, to_iso
from .models import StreamStateModel


def state_pk(account_key: str, stream: str) -> str:
    return f"{account_key}#{stream}"


class AccountState:
    """The streams of one account, read together in one request."""

    def __init__(self, account_key: str, streams: Iterable[str], *, read: bool = True):
        self.key = account_key
        self._items = {stream: StreamStateModel(state_pk(account_key, stream)) for stream in streams}
        if read:
            by_pk = {item.pk: stream for stream, item in self._items.items()}
            for item in StreamStateModel.batch_get(list(by_pk), consistent_read=True):
                self._items[by_pk[item.pk]] = item

    @classmethod
    def from_items(cls, account_key: str, streams: Iterable[str], items: Iterable[StreamStateModel]):
        """The streams as already read (with other items, in one request)."""
        state = cls(account_key, streams, read=False)
        by_pk = {item.pk: stream for stream, item in state._items.items()}
        for item in items:
            if item.pk in by_pk:
                state._items[by_pk[item.pk]] = item
        return state

    def cursor(self, stream: str) -> str | None:
        return self._items[stream].cursor

    def paused_until(self, stream: str, now: datetime) -> datetime | None:
        value = self._items[stream].paused_until
        if value and from_iso(value) > now:
            return from_iso(value)
        return None

    def pause(self, stream: str, until: datetime) -> None:
        self._items[stream].update(actions=[StreamStateModel.paused_until.set(to_iso(until))])

    def advance(self, stream: str, expected: str | None, cursor: str) -> bool:
        """Move the cursor only from where this poll started: a poll that overlapped and already
        moved it wins, and nothing is skipped either way (both stored every post they read)."""
        attribute = StreamStateModel.cursor
        condition = attribute.does_not_exist() if expected is None else attribute == expected
        try:
            self._items[stream].update(actions=[attribute.set(cursor)], condition=condition)
        except UpdateError as error:
            if error.cause_response_code == "ConditionalCheckFailedException":
                return False
            raise
        return True

    def record_health(self, succeeded: dict[str, bool], now: datetime) -> dict[str, datetime]:
        """Remember which streams failing this run, and since when. Returns, for each stream that
        did not succeed, the time of its first failure since its last success (so a brand-new
        deployment is measured from its first poll). Only a change is written: a healthy stream costs
        nothing, a failing one one write when it starts failing and one when it recovers."""
        failing: dict[str, datetime] = {}
        for stream, ok in succeeded.items():
            item = self._items[stream]
            if ok and item.failing_since is not None:
                item.update(actions=[StreamStateModel.failing_since.remove()])
            elif not ok:
                if item.failing_since is None:
                    item.update(actions=[StreamStateModel.failing_since.set(to_iso(now))])
                failing[stream] = from_iso(item.failing_since)
        return failing
