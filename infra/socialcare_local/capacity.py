"""What DynamoDB on-demand would charge for each request, in read and write request units.

moto answers requests but reports no consumed capacity, so the local runtime meters them itself,
from each request's parameters and the items as stored before and after it. The rules, from the
Amazon DynamoDB Developer Guide (docs.aws.amazon.com/amazondynamodb/latest/developerguide/, as
published, checked 2026-11-23):

Item size (CapacityUnitCalculations.html): the sum of attribute names and values, all UTF-8 bytes;
a number is 1 byte per two significant digits plus 1 (leading and trailing zeros trimmed); binary
its raw bytes; null and Boolean 1 byte; a list or map 3 bytes plus its elements, each element 1
byte more (a map element also its name); a set the sum of its members.

Reads (read-write-operations.html): a strongly consistent read costs 1 unit per 4 KB, rounded up,
an eventually consistent one half that, a transactional one (TransactGetItems) twice. GetItem and
each item of BatchGetItem or TransactGetItems is rounded up on its own, and costs one 4 KB unit even
when the item does not exist. Query and Scan cost the total size of the items they read (before
any filter or projection), rounded up once, at least one unit; a global secondary index is read
eventually consistently whatever the request asks.

Writes (read-write-operations.html): 1 unit per 1 KB, rounded up per item, of the larger of the item
before and after the write (PutItem, UpdateItem; DeleteItem: the deleted item); at least one unit
when there was no item. A write whose condition fails still costs the units of the item as it is
(at least one). BatchWriteItem costs each put or delete as if written alone. TransactWriteItems
costs twice the units of each item (transaction-apis.html, "Capacity management for transactions"),
a ConditionCheck included, as a write of the checked item. A cancelled transaction is charged in
full on the items as they were (AWS says cancelled transactions consume capacity but not how much:
this is an upper bound).

Global secondary indexes (GSI.html, "Provisioned throughput considerations for writes"): a write
that puts an item into an index costs one index write, one that takes it out one, one that changes
its index key two (out and in again), one that only changes a projected attribute one; each 1 KB of
the index entry (table keys, index keys, projected attributes) rounded up. Index writes are standard
writes, never doubled by a transaction (an assumption: AWS propagates them asynchronously).

Streams (DynamoDB pricing page): GetRecords calls made by Lambda for a DynamoDB trigger are free, so
the acknowledge function's stream costs nothing here; moto's stream reads are not metered at all.
Control-plane requests (DescribeTable, ...) cost no request units either.
"""

import base64
import math
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Protocol

WRITE_UNIT_BYTES = 1024
READ_UNIT_BYTES = 4096
TRANSACTION_FACTOR = 2

AttributeValue = dict[str, Any]  # DynamoDB JSON, e.g. {"S": "text"}
Item = dict[str, AttributeValue]

# Requests that read or write items; anything else a function sends to DynamoDB is control plane.
METERED = {
    "GetItem",
    "BatchGetItem",
    "TransactGetItems",
    "Query",
    "Scan",
    "PutItem",
    "UpdateItem",
    "DeleteItem",
    "BatchWriteItem",
    "TransactWriteItems",
}
# Item requests this meter cannot price (PartiQL): counted, so a figure never hides them.
UNPRICED = {"ExecuteStatement", "BatchExecuteStatement", "ExecuteTransaction"}
_FILTERING = ("FilterExpression", "ScanFilter", "QueryFilter", "ProjectionExpression", "AttributesToGet")


_TYPES = {"S", "N", "B", "BOOL", "NULL", "M", "L", "SS", "NS", "BS"}


def typed(item: dict[str, Any]) -> Item:
    """An item or key in DynamoDB JSON; a boto3 resource's plain Python values (the wrapper sees them
    before boto3 converts them) are converted as boto3 would."""
    if all(isinstance(v, dict) and len(v) == 1 and next(iter(v)) in _TYPES for v in item.values()):
        return item
    from boto3.dynamodb.types import TypeSerializer

    serialize = TypeSerializer().serialize
    return {name: serialize(value) for name, value in item.items()}


# -- sizes and units ------------------------------------------------------------------------------


def _utf8(text: str) -> int:
    return len(text.encode("utf-8"))


def _number_size(text: str) -> int:
    digits = "".join(str(digit) for digit in Decimal(text).as_tuple().digits)
    significant = digits.strip("0")
    return math.ceil(len(significant) / 2) + 1


def _binary_size(value: Any) -> int:
    return len(value) if isinstance(value, bytes | bytearray) else len(base64.b64decode(value))


def value_size(value: AttributeValue) -> int:
    """Bytes of one attribute value (without its name)."""
    ((kind, content),) = value.items()
    if kind == "S":
        return _utf8(content)
    if kind == "N":
        return _number_size(content)
    if kind == "B":
        return _binary_size(content)
    if kind in ("NULL", "BOOL"):
        return 1
    if kind == "SS":
        return sum(_utf8(member) for member in content)
    if kind == "NS":
        return sum(_number_size(member) for member in content)
    if kind == "BS":
        return sum(_binary_size(member) for member in content)
    if kind == "L":
        return 3 + sum(1 + value_size(element) for element in content)
    if kind == "M":
        return 3 + sum(1 + _utf8(name) + value_size(element) for name, element in content.items())
    raise ValueError(f"unknown DynamoDB attribute type {kind!r}")


def item_size(item: Item | None) -> int:
    """Bytes of an item as DynamoDB counts them: attribute names plus values; 0 for no item."""
    if not item:
        return 0
    return sum(_utf8(name) + value_size(value) for name, value in item.items())


def write_units(size: int) -> int:
    """Write request units of writing one item of `size` bytes (1 KB each, at least one)."""
    return max(1, math.ceil(size / WRITE_UNIT_BYTES))


def read_units(size: int, *, consistent: bool) -> float:
    """Read request units of reading `size` bytes at once (4 KB each, at least one; half if eventual)."""
    units = max(1, math.ceil(size / READ_UNIT_BYTES))
    return float(units) if consistent else units / 2


@dataclass(frozen=True)
class Usage:
    """Request units one request or many consumed; write units of the table and of its indexes apart."""

    read_units: float = 0.0
    write_units: float = 0.0
    index_write_units: float = 0.0

    @property
    def all_write_units(self) -> float:
        return self.write_units + self.index_write_units

    def __add__(self, other: "Usage") -> "Usage":
        return Usage(
            self.read_units + other.read_units,
            self.write_units + other.write_units,
            self.index_write_units + other.index_write_units,
        )

    def __sub__(self, other: "Usage") -> "Usage":
        return Usage(
            self.read_units - other.read_units,
            self.write_units - other.write_units,
            self.index_write_units - other.index_write_units,
        )

    def __truediv__(self, count: float) -> "Usage":
        return Usage(self.read_units / count, self.write_units / count, self.index_write_units / count)


def total(usages: "dict[str, Usage] | list[Usage]") -> Usage:
    values = usages.values() if isinstance(usages, dict) else usages
    return sum(values, Usage())


# -- tables as the meter sees them ----------------------------------------------------------------


@dataclass(frozen=True)
class IndexShape:
    name: str
    keys: tuple[str, ...]
    projection: str  # KEYS_ONLY | INCLUDE | ALL
    non_key_attributes: tuple[str, ...] = ()
    is_global: bool = True

    def entry(self, item: Item | None, table_keys: tuple[str, ...]) -> Item | None:
        """The item's entry in this index, None when the item is not in it (sparse index)."""
        if not item or any(key not in item for key in self.keys):
            return None
        if self.projection == "ALL":
            return item
        kept = set(table_keys) | set(self.keys)
        if self.projection == "INCLUDE":
            kept |= set(self.non_key_attributes)
        return {name: value for name, value in item.items() if name in kept}


@dataclass(frozen=True)
class TableShape:
    keys: tuple[str, ...]  # partition key, then sort key if any
    indexes: tuple[IndexShape, ...] = ()

    def key_of(self, item: Item) -> Item:
        return {name: item[name] for name in self.keys if name in item}

    def index(self, name: str | None) -> IndexShape | None:
        return next((index for index in self.indexes if index.name == name), None)


class ItemStore(Protocol):
    """Where the meter looks at tables and items without making a request anyone counts."""

    def shape(self, table: str) -> TableShape | None: ...

    def item(self, table: str, key: Item) -> Item | None: ...

    def read_all(self, operation: str, params: dict[str, Any]) -> list[Item]:
        """The items a Query or Scan reads, as if it had no filter and no projection."""
        ...


def index_write_units(shape: TableShape, before: Item | None, after: Item | None) -> int:
    units = 0
    for index in shape.indexes:
        old, new = index.entry(before, shape.keys), index.entry(after, shape.keys)
        if old is None and new is None:
            continue
        if old is None or new is None:
            units += write_units(item_size(old or new))
        elif any(old.get(key) != new.get(key) for key in index.keys):
            units += write_units(item_size(old)) + write_units(item_size(new))
        elif old != new:
            units += write_units(item_size(new))
    return units


# -- the meter -------------------------------------------------------------------------------------

Finish = Callable[[dict[str, Any] | None, BaseException | None], Usage]


@dataclass
class _Write:
    table: str
    key: Item
    before: Item | None
    check_only: bool = False  # a transaction's ConditionCheck


class CapacityMeter:
    """start(operation, params) before a request, then the returned function with its outcome."""

    def __init__(self, store: ItemStore):
        self.store = store
        self.unpriced: Counter[str] = Counter()  # item requests no rule here prices

    def start(self, operation: str, params: dict[str, Any]) -> Finish | None:
        if operation in UNPRICED:
            self.unpriced[operation] += 1
            return None
        if operation not in METERED:
            return None
        if operation in ("PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem", "TransactWriteItems"):
            writes = self._writes(operation, params)
            return lambda response, error: self._written(operation, writes, response, error)
        return lambda response, error: self._read(operation, params, response) if error is None else Usage()

    # -- writes

    def _writes(self, operation: str, params: dict[str, Any]) -> list[_Write]:
        if operation == "BatchWriteItem":
            found = []
            for table, requests in params.get("RequestItems", {}).items():
                for request in requests:
                    if "PutRequest" in request:
                        found.append(self._write(table, request["PutRequest"]["Item"]))
                    elif "DeleteRequest" in request:
                        found.append(self._write(table, request["DeleteRequest"]["Key"]))
            return found
        if operation == "TransactWriteItems":
            found = []
            for entry in params.get("TransactItems", []):
                ((kind, action),) = entry.items()
                target = action.get("Item") if kind == "Put" else action.get("Key")
                write = self._write(action["TableName"], target)
                write.check_only = kind == "ConditionCheck"
                found.append(write)
            return found
        target = params.get("Item") if operation == "PutItem" else params.get("Key")
        return [self._write(params["TableName"], target)]

    def _write(self, table: str, item_or_key: Item) -> _Write:
        item_or_key = typed(item_or_key)
        shape = self.store.shape(table)
        key = shape.key_of(item_or_key) if shape else item_or_key
        return _Write(table, key, self.store.item(table, key) if shape else None)

    def _written(
        self,
        operation: str,
        writes: list[_Write],
        response: dict[str, Any] | None,
        error: BaseException | None,
    ) -> Usage:
        factor = TRANSACTION_FACTOR if operation == "TransactWriteItems" else 1
        if error is not None:
            if _error_code(error) not in ("ConditionalCheckFailedException", "TransactionCanceledException"):
                return Usage()  # throttled or rejected: DynamoDB charges nothing
            return Usage(write_units=sum(factor * write_units(item_size(w.before)) for w in writes))
        unprocessed = self._unprocessed_writes(response)
        table_units = index_units = 0
        for write in writes:
            if (write.table, _frozen(write.key)) in unprocessed:
                continue
            if write.check_only:
                table_units += factor * write_units(item_size(write.before))
                continue
            after = self.store.item(write.table, write.key)
            table_units += factor * write_units(max(item_size(write.before), item_size(after)))
            shape = self.store.shape(write.table)
            if shape is not None:
                index_units += index_write_units(shape, write.before, after)
        return Usage(write_units=table_units, index_write_units=index_units)

    def _unprocessed_writes(self, response: dict[str, Any] | None) -> set[tuple[str, tuple]]:
        """(table, key) of a BatchWriteItem's requests DynamoDB left undone: not charged."""
        skipped = set()
        for table, requests in ((response or {}).get("UnprocessedItems") or {}).items():
            shape = self.store.shape(table)
            for request in requests:
                target = request.get("PutRequest", {}).get("Item") or request.get("DeleteRequest", {}).get(
                    "Key"
                )
                if target and shape is not None:
                    skipped.add((table, _frozen(shape.key_of(typed(target)))))
        return skipped

    # -- reads

    def _read(self, operation: str, params: dict[str, Any], response: dict[str, Any] | None) -> Usage:
        response = response or {}
        if operation == "GetItem":
            item = self.store.item(params["TableName"], typed(params["Key"]))
            return Usage(
                read_units=read_units(item_size(item), consistent=bool(params.get("ConsistentRead")))
            )
        if operation == "BatchGetItem":
            unprocessed = response.get("UnprocessedKeys") or {}
            units = 0.0
            for table, request in params.get("RequestItems", {}).items():
                skipped = {_frozen(typed(key)) for key in unprocessed.get(table, {}).get("Keys", [])}
                consistent = bool(request.get("ConsistentRead"))
                for key in map(typed, request.get("Keys", [])):
                    if _frozen(key) not in skipped:
                        units += read_units(item_size(self.store.item(table, key)), consistent=consistent)
            return Usage(read_units=units)
        if operation == "TransactGetItems":
            units = 0.0
            for entry in params.get("TransactItems", []):
                get = entry["Get"]
                size = item_size(self.store.item(get["TableName"], typed(get["Key"])))
                units += TRANSACTION_FACTOR * read_units(size, consistent=True)
            return Usage(read_units=units)
        # Query, Scan: what was read, before any filter or projection
        plain = not any(name in params for name in _FILTERING) and params.get("Select") not in (
            "COUNT",
            "SPECIFIC_ATTRIBUTES",
        )
        items = (
            [typed(i) for i in response.get("Items", [])] if plain else self.store.read_all(operation, params)
        )
        shape = self.store.shape(params["TableName"])
        index = shape.index(params.get("IndexName")) if shape else None
        consistent = bool(params.get("ConsistentRead")) and not (index is not None and index.is_global)
        return Usage(read_units=read_units(sum(item_size(item) for item in items), consistent=consistent))


def _error_code(error: BaseException) -> str | None:
    response = getattr(error, "response", None)
    return (response or {}).get("Error", {}).get("Code")


def _frozen(key: Item) -> tuple:
    return tuple(sorted((name, repr(value)) for name, value in key.items()))
