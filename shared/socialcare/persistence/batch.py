"""One BatchGetItem for items of several kinds (and tables) that one step needs together, so a
step costs one read request instead of one per item."""

from typing import Any

from pynamodb.connection import Connection
from pynamodb.exceptions import GetError

Key = dict[str, dict[str, str]]  # {"pk": {"S": ...}, "sk": {"S": ...}}
Item = dict[str, Any]  # a raw item, as DynamoDB returns it

# DynamoDB leaves keys unprocessed when a partition is throttled; asking again at once usually
# succeeds (botocore already backs off between its own retries). Beyond this, the caller's
# invocation fails and is retried as a whole, which is harmless: every write after it is conditional.
UNPROCESSED_ROUNDS = 3


class ReadIncomplete(GetError):
    """Some items could not be read (throttled through every round)."""


def key(pk: str, sk: str | None = None) -> Key:
    return {"pk": {"S": pk}} | ({"sk": {"S": sk}} if sk is not None else {})


def batch_get(connection: Connection, keys: dict[str, list[Key]]) -> dict[str, dict[tuple, Item]]:
    """Strongly consistent reads of `keys` per table (100 keys at most in all); returns, per table,
    the items found by their key values ((pk,) or (pk, sk)). Items not found are simply absent."""
    found: dict[str, dict[tuple, Item]] = {table: {} for table in keys}
    pending = {
        table: {"Keys": list(table_keys), "ConsistentRead": True}
        for table, table_keys in keys.items()
        if table_keys
    }
    for _ in range(UNPROCESSED_ROUNDS):
        if not pending:
            return found
        answer = connection.dispatch("BatchGetItem", {"RequestItems": pending})
        for table, items in answer.get("Responses", {}).items():
            for item in items:
                found[table][_key_of(item)] = item
        unprocessed = answer.get("UnprocessedKeys") or {}
        pending = {table: {**asked, "ConsistentRead": True} for table, asked in unprocessed.items()}
    if pending:
        raise ReadIncomplete(f"items left unread after {UNPROCESSED_ROUNDS} rounds (throttled)")
    return found


def _key_of(item: Item) -> tuple:
    return (item["pk"]["S"], item["sk"]["S"]) if "sk" in item else (item["pk"]["S"],)
