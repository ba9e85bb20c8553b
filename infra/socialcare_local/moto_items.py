"""The capacity meter's view of moto's tables: shapes and items read from moto's backend directly,
so looking costs no request that anyone counts (see capacity.py)."""

from typing import Any

import boto3

from . import api_calls
from .capacity import IndexShape, Item, TableShape, typed


class MotoItemStore:
    def __init__(self, region: str):
        self.region = region
        self._tables: dict[str, Any] = {}
        self._shapes: dict[str, TableShape | None] = {}
        self._client: Any = None

    def _table(self, name: str) -> Any:
        name = name.rsplit("table/", 1)[-1]  # a table ARN names the table after "table/"
        if name not in self._tables:
            from moto.dynamodb.models import dynamodb_backends

            found = None
            for regions in list(dict.values(dynamodb_backends)):  # plain dict reads: nothing created
                backend = dict.get(regions, self.region)
                if backend is not None and name in backend.tables:
                    found = backend.tables[name]
                    break
            self._tables[name] = found
        return self._tables[name]

    def shape(self, table: str) -> TableShape | None:
        if table not in self._shapes:
            found = self._table(table)
            if found is None:
                self._shapes[table] = None
            else:
                indexes = tuple(
                    IndexShape(
                        name=index.name,
                        keys=tuple(index.schema_key_attrs),
                        projection=(index.projection or {}).get("ProjectionType", "ALL"),
                        non_key_attributes=tuple((index.projection or {}).get("NonKeyAttributes", [])),
                        is_global=is_global,
                    )
                    for is_global, group in ((True, found.global_indexes), (False, found.indexes))
                    for index in group
                )
                self._shapes[table] = TableShape(keys=tuple(found.table_key_attrs), indexes=indexes)
        return self._shapes[table]

    def item(self, table: str, key: Item) -> Item | None:
        from moto.dynamodb.models.dynamo_type import DynamoType

        found = self._table(table)
        if found is None or found.hash_key_attr not in key:
            return None
        # Not Table.get_item: its defaultdict would leave an empty partition behind for a missing key.
        stored = found.items.get(DynamoType(key[found.hash_key_attr]))
        if found.range_key_attr is not None:
            if stored is None or found.range_key_attr not in key:
                return None
            stored = stored.get(DynamoType(key[found.range_key_attr]))
        return stored.to_json()["Attributes"] if stored is not None else None

    def read_all(self, operation: str, params: dict[str, Any]) -> list[Item]:
        """Runs the Query or Scan again without filter or projection, past every listener."""
        if self._client is None:
            self._client = boto3.client("dynamodb", region_name=self.region)
        plain = {
            name: value
            for name, value in params.items()
            if name
            not in (
                "FilterExpression",
                "ScanFilter",
                "QueryFilter",
                "ProjectionExpression",
                "AttributesToGet",
                "Select",
            )
        }
        names = plain.get("ExpressionAttributeNames")
        values = plain.get("ExpressionAttributeValues")
        # Drop names and values only the filter or projection used (DynamoDB rejects unused ones).
        used = " ".join(str(plain.get(field, "")) for field in ("KeyConditionExpression",))
        if names:
            plain["ExpressionAttributeNames"] = {k: v for k, v in names.items() if k in used}
            if not plain["ExpressionAttributeNames"]:
                del plain["ExpressionAttributeNames"]
        if values:
            plain["ExpressionAttributeValues"] = {k: v for k, v in typed(values).items() if k in used}
            if not plain["ExpressionAttributeValues"]:
                del plain["ExpressionAttributeValues"]
        if "ExclusiveStartKey" in plain:
            plain["ExclusiveStartKey"] = typed(plain["ExclusiveStartKey"])
        return api_calls.call_unobserved(self._client, operation, plain).get("Items", [])
