"""A faster TransactWriteItems for moto, with the same outcomes.

moto deep-copies every table a transaction touches so it can roll back; with thousands of items
each transaction then costs a full table copy. DynamoDB evaluates every condition of a transaction
against the state before it, so checking all conditions first and writing only when all hold
gives the same result with nothing to roll back. Anything unusual falls back to moto's own code.
"""

import contextlib
import copy
from collections.abc import Iterator
from typing import Any

_original = None


class _NoTableCopy:
    """Stands in for the copy module inside moto's DynamoDB models once every condition held:
    whole tables (the rollback backup) are not copied; items (stream old images) still are."""

    @staticmethod
    def deepcopy(value: Any, memo: Any = None) -> Any:
        from moto.dynamodb.models.table import Table

        return value if isinstance(value, Table) else copy.deepcopy(value, memo)


def _conditions_hold(backend: Any, transact_items: list[dict[str, Any]]) -> list[tuple] | None:
    """moto's own per-item error list when some condition fails, [] when all hold, None to fall back."""
    from moto.dynamodb.exceptions import ConditionalCheckFailed
    from moto.dynamodb.models import get_filter_expression

    errors: list[tuple] = []
    seen: set[tuple[str, str]] = set()
    for item in transact_items:
        if len(item) != 1:
            return None
        op_type, op = next(iter(item.items()))
        if op_type not in {"ConditionCheck", "Put", "Delete", "Update"}:
            return None
        table = backend.tables.get(op.get("TableName"))
        if table is None:
            return None
        if op_type == "Put":
            attrs = op["Item"]
            key = {table.hash_key_attr: attrs[table.hash_key_attr]}
            if table.range_key_attr is not None:
                key[table.range_key_attr] = attrs[table.range_key_attr]
        else:
            key = op["Key"]
        marker = (table.name, str(sorted(key.items())))
        if marker in seen:
            return None  # moto raises its validation error itself
        seen.add(marker)
        expression = op.get("ConditionExpression")
        if expression is None:
            errors.append((None, None, None))
            continue
        current = backend.get_item(table.name, key)
        condition = get_filter_expression(
            expression, op.get("ExpressionAttributeNames"), op.get("ExpressionAttributeValues")
        )
        if condition.expr(current):
            errors.append((None, None, None))
        else:
            old = None
            if op.get("ReturnValuesOnConditionCheckFailure") == "ALL_OLD" and current:
                old = current.to_json()["Attributes"]
            errors.append(("ConditionalCheckFailed", str(ConditionalCheckFailed(item=old).message), old))
    return errors


def _fast_transact_write_items(self: Any, transact_items: list[dict[str, Any]]) -> None:
    from moto.dynamodb import models
    from moto.dynamodb.exceptions import TransactionCanceledException

    errors = _conditions_hold(self, transact_items) if len(transact_items) <= 100 else None
    if errors is None:
        return _original(self, transact_items)
    if any(code is not None for code, _, _ in errors):
        raise TransactionCanceledException(errors)
    real_copy = models.copy
    models.copy = _NoTableCopy  # every condition holds: moto's rollback copy would never be used
    try:
        return _original(self, transact_items)
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
