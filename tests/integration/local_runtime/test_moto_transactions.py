"""The local runtime's fast TransactWriteItems: all or nothing, with moto's own outcome."""

import itertools

import boto3
import pytest
from botocore.exceptions import ClientError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from moto.dynamodb.models import dynamodb_backends
from moto.dynamodb.models.table import Table

from socialcare_local.deployment import local_aws
from socialcare_local.moto_transactions import fast_transactions

REGION = "us-east-1"
ACCOUNT = "123456789012"
TOO_BIG = "x" * 410_000  # over DynamoDB's 400 KB item limit


def create_table(client, name: str) -> None:
    client.create_table(
        TableName=name,
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
        AttributeDefinitions=[
            {"AttributeName": "pk", "AttributeType": "S"},
            {"AttributeName": "sk", "AttributeType": "S"},
        ],
        BillingMode="PAY_PER_REQUEST",
        StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
    )


def key(pk: str, sk: str) -> dict:
    return {"pk": {"S": pk}, "sk": {"S": sk}}


def items(client, table: str) -> list[dict]:
    return sorted(client.scan(TableName=table, ConsistentRead=True)["Items"], key=repr)


def stream(table: str) -> list[tuple]:
    """What the table's stream holds: (event, keys, new image, old image) per record."""
    shard = dynamodb_backends[ACCOUNT][REGION].tables[table].stream_shard
    records = [record.to_json() for record in shard.items]
    return [
        (r["eventName"], r["dynamodb"]["Keys"], r["dynamodb"].get("NewImage"), r["dynamodb"].get("OldImage"))
        for r in records
    ]


def new_ticket_transaction(table: str) -> list[dict]:
    """The shape of storing a mention: the post's claim, its ticket, the author's marker."""
    absent = "attribute_not_exists(pk)"
    return [
        {"Put": {"TableName": table, "Item": key("POST#x#1001", "POST"), "ConditionExpression": absent}},
        {"Put": {"TableName": table, "Item": key("TICKET#x#1001", "TICKET"), "ConditionExpression": absent}},
        {
            "Update": {
                "TableName": table,
                "Key": key("CONV#x#1001", "AUTHOR#42"),
                "UpdateExpression": "SET open_ticket_pk = :pk",
                "ExpressionAttributeValues": {":pk": {"S": "TICKET#x#1001"}},
            }
        },
    ]


@pytest.fixture
def client():
    with local_aws(REGION), fast_transactions():
        dynamodb = boto3.client("dynamodb", region_name=REGION)
        create_table(dynamodb, "tickets")
        yield dynamodb


def test_a_write_failing_after_the_conditions_pass_leaves_nothing_behind(client, monkeypatch):
    client.put_item(TableName="tickets", Item={**key("CONV#x#1001", "AUTHOR#42"), "last_ack_at": {"S": "t"}})
    before_items, before_stream = items(client, "tickets"), stream("tickets")
    real_put = Table.put_item

    def put_failing_on_the_ticket(self, item_attrs, *args, **kwargs):
        if item_attrs.get("sk") == {"S": "TICKET"}:
            raise RuntimeError("disk full")
        return real_put(self, item_attrs, *args, **kwargs)

    monkeypatch.setattr(Table, "put_item", put_failing_on_the_ticket)
    with pytest.raises(ClientError) as failure:
        client.transact_write_items(TransactItems=new_ticket_transaction("tickets"))
    assert failure.value.response["Error"]["Code"] == "TransactionCanceledException"
    # The post's claim never exists without its ticket (a later poll would call the post a duplicate),
    # the marker written after the failure is undone too, and no stream record announces any of it.
    assert items(client, "tickets") == before_items
    assert stream("tickets") == before_stream

    monkeypatch.setattr(Table, "put_item", real_put)
    client.transact_write_items(TransactItems=new_ticket_transaction("tickets"))
    assert {item["pk"]["S"] for item in items(client, "tickets")} == {
        "POST#x#1001",
        "TICKET#x#1001",
        "CONV#x#1001",
    }
    assert [event for event, *_ in stream("tickets")][len(before_stream) :] == ["INSERT", "INSERT", "MODIFY"]


def test_an_update_that_fails_midway_leaves_the_item_as_it_was(client):
    client.put_item(TableName="tickets", Item={**key("TICKET#x#1", "TICKET"), "n": {"N": "1"}})
    before = items(client, "tickets")
    with pytest.raises(ClientError):
        client.transact_write_items(
            TransactItems=[
                {"Put": {"TableName": "tickets", "Item": key("POST#x#1", "POST")}},
                {
                    "Update": {
                        "TableName": "tickets",
                        "Key": key("TICKET#x#1", "TICKET"),
                        "UpdateExpression": "SET n = n + :one, big = :big",
                        "ExpressionAttributeValues": {":one": {"N": "1"}, ":big": {"S": TOO_BIG}},
                    }
                },
            ]
        )
    assert items(client, "tickets") == before


# -- the fast path against moto's own, on any mix of transactions ---------------------------------

KEYS = [("a", "1"), ("a", "2"), ("b", "1")]
CONDITIONS = [None, "attribute_not_exists(pk)", "attribute_exists(pk)", "n < :limit"]
UPDATES = ["SET n = n + :one", "SET tag = :tag", "REMOVE tag", "ADD n :one", "SET big = :big", "SET = broken"]


@st.composite
def operations(draw) -> dict:
    kind = draw(st.sampled_from(["Put", "Update", "Delete", "ConditionCheck"]))
    pk, sk = draw(st.sampled_from(KEYS))
    op: dict = {}
    values: dict = {}
    condition = draw(st.sampled_from(CONDITIONS if kind != "ConditionCheck" else CONDITIONS[1:]))
    if condition:
        op["ConditionExpression"] = condition
        if ":limit" in condition:
            values[":limit"] = {"N": str(draw(st.integers(0, 5)))}
    if kind == "Put":
        item = {**key(pk, sk), "n": {"N": str(draw(st.integers(0, 5)))}}
        if draw(st.booleans()):
            item["big"] = {"S": TOO_BIG}
        if draw(st.integers(0, 9)) == 0:
            item["sk"] = {"N": "1"}  # the wrong type for the range key
        op["Item"] = item
    else:
        op["Key"] = key(pk, sk)
    if kind == "Update":
        expression = draw(st.sampled_from(UPDATES))
        op["UpdateExpression"] = expression
        for name, value in ((":one", {"N": "1"}), (":tag", {"S": "t"}), (":big", {"S": TOO_BIG})):
            if name in expression:
                values[name] = value
    if values:
        op["ExpressionAttributeValues"] = values
    return {kind: op}


def with_table(transaction: list[dict], table: str) -> list[dict]:
    return [{kind: {**op, "TableName": table}} for entry in transaction for kind, op in entry.items()]


def outcome(client, table: str, transaction: list[dict]) -> tuple:
    try:
        client.transact_write_items(TransactItems=with_table(transaction, table))
        error = None
    except ClientError as failure:
        response = failure.response
        reasons = [(r.get("Code"), r.get("Message")) for r in response.get("CancellationReasons", [])]
        error = (response["Error"]["Code"], response["Error"]["Message"].replace(table, "T"), reasons)
    return error, items(client, table), stream(table)


def test_the_fast_path_gives_moto_s_own_outcome_on_any_transaction():
    examples = itertools.count()
    with local_aws(REGION):
        client = boto3.client("dynamodb", region_name=REGION)

        @settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
        @given(
            existing=st.lists(st.tuples(st.sampled_from(KEYS), st.integers(0, 5), st.booleans()), max_size=3),
            transaction=st.lists(operations(), min_size=1, max_size=4),
        )
        def same_outcome(existing, transaction):
            n = next(examples)
            fast, slow = f"fast-{n}", f"moto-{n}"
            for table in (fast, slow):
                create_table(client, table)
                for (pk, sk), number, tagged in existing:
                    item = {**key(pk, sk), "n": {"N": str(number)}} | ({"tag": {"S": "t"}} if tagged else {})
                    client.put_item(TableName=table, Item=item)
            with fast_transactions():
                fast_outcome = outcome(client, fast, transaction)
            assert fast_outcome == outcome(client, slow, transaction)

        same_outcome()
        assert next(examples) >= 300
