"""A faster TransactWriteItems for moto, atomic like moto's own.

moto deep-copies every table a transaction touches so it can roll back; with thousands of items
each transaction then costs a full table copy. A transaction touches at most 100 items, so saving
just those (and the length of each table's stream) is enough to undo it: before anything is
written, every item is resolved to its table and key and its current state saved; then moto's own
code validates and applies the writes, with its whole-table copy turned off. If any write fails (a
condition, a type, an item too large, an update expression, or anything unexpected) the saved items
and stream lengths are put back before moto's error is raised, so either every item is applied or
none is. Anything the resolution does not understand goes to moto's own path unchanged.
"""

import contextlib
import copy
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

_original = None


class _NoTableCopy:
    """Stands in for the copy module inside moto's DynamoDB models while a transaction runs under
    a _Snapshot: whole tables (moto's rollback backup) are not copied; items (an update's old image
    for the stream) still are."""

    @staticmethod
    def deepcopy(value: Any, memo: Any = None) -> Any:
        from moto.dynamodb.models.table import Table

        return value if isinstance(value, Table) else copy.deepcopy(value, memo)


@dataclass
class _SavedItem:
    table: Any
    hash_key: Any
    range_key: Any
    item: Any  # a deep copy of the item before the transaction, None when there was none
    partition_existed: bool


class _Snapshot:
    """The state of every item a transaction touches, and of its tables' streams, before it runs."""

    def __init__(self, backend: Any, transact_items: list[dict[str, Any]]):
        self.items: list[_SavedItem] = []
        self.streams: list[tuple[Any, list, int]] = []
        tables = {}
        for entry in transact_items:
            table, hash_key, range_key = _target(backend, entry)
            tables[table.name] = table
            current = table.items.get(hash_key)
            if range_key is not None:
                current = current.get(range_key) if current is not None else None
            self.items.append(
                _SavedItem(table, hash_key, range_key, copy.deepcopy(current), hash_key in table.items)
            )
        for table in tables.values():
            if table.stream_shard is not None:
                self.streams.append(
                    (table.stream_shard, table.stream_shard.items, len(table.stream_shard.items))
                )

    def restore(self) -> None:
        for saved in reversed(self.items):
            items = saved.table.items
            if saved.range_key is None:
                if saved.item is None:
                    items.pop(saved.hash_key, None)
                else:
                    items[saved.hash_key] = saved.item
                continue
            partition = items.setdefault(saved.hash_key, {})
            if saved.item is None:
                partition.pop(saved.range_key, None)
            else:
                partition[saved.range_key] = saved.item
            if not partition and not saved.partition_existed:
                del items[saved.hash_key]
        for shard, records, length in self.streams:
            if shard.items is records:  # records handed to a moto event source mapping are gone anyway
                del records[length:]


class _Unresolved(Exception):
    """An item this module does not resolve itself: moto's own path handles the transaction."""


def _target(backend: Any, entry: dict[str, Any]) -> tuple[Any, Any, Any]:
    """(table, hash key, range key) of one transaction item, as moto stores them."""
    from moto.dynamodb.models.dynamo_type import DynamoType

    if len(entry) != 1:
        raise _Unresolved
    op_type, op = next(iter(entry.items()))
    if op_type not in {"ConditionCheck", "Put", "Delete", "Update"} or not isinstance(op, dict):
        raise _Unresolved
    table = backend.tables.get(op.get("TableName"))
    if table is None:
        raise _Unresolved
    key = op.get("Item") if op_type == "Put" else op.get("Key")
    if not isinstance(key, dict) or table.hash_key_attr not in key:
        raise _Unresolved
    if table.range_key_attr is not None and table.range_key_attr not in key:
        raise _Unresolved
    try:
        hash_key = DynamoType(key[table.hash_key_attr])
        range_key = DynamoType(key[table.range_key_attr]) if table.range_key_attr is not None else None
        hash(hash_key), hash(range_key)
    except Exception as error:  # noqa: BLE001 - a key moto cannot even read: its own path reports it
        raise _Unresolved from error
    return table, hash_key, range_key


def _fast_transact_write_items(self: Any, transact_items: list[dict[str, Any]]) -> None:
    from moto.dynamodb import models

    if not isinstance(transact_items, list) or len(transact_items) > 100:
        return _original(self, transact_items)
    try:
        snapshot = _Snapshot(self, transact_items)
    except _Unresolved:
        return _original(self, transact_items)
    real_copy = models.copy
    models.copy = _NoTableCopy  # the snapshot replaces moto's whole-table rollback copy
    try:
        return _original(self, transact_items)
    except BaseException:
        snapshot.restore()
        raise
    finally:
        models.copy = real_copy


@contextlib.contextmanager
def fast_transactions() -> Iterator[None]:
    global _original
    from moto.dynamodb.models import DynamoDBBackend

    if _original is not None:  # already patched by an outer replay
        yield
        return
    _original = DynamoDBBackend.transact_write_items
    DynamoDBBackend.transact_write_items = _fast_transact_write_items
    try:
        yield
    finally:
        DynamoDBBackend.transact_write_items = _original
        _original = None
