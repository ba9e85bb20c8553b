"""The capacity meter on moto: items read from moto's backend, every request priced as DynamoDB would."""

import boto3
import pytest
from botocore.exceptions import ClientError

from socialcare_local import api_calls
from socialcare_local.capacity import CapacityMeter, Usage, total
from socialcare_local.moto_items import MotoItemStore


@pytest.fixture
def metered(aws):
    client = boto3.client("dynamodb", region_name="us-east-1")
    client.create_table(
        TableName="Tickets",
        BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[
            {"AttributeName": name, "AttributeType": "S"}
            for name in ("pk", "sk", "esc_bucket", "next_step_at")
        ],
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
        GlobalSecondaryIndexes=[
            {
                "IndexName": "awaiting_reply",
                "KeySchema": [
                    {"AttributeName": "esc_bucket", "KeyType": "HASH"},
                    {"AttributeName": "next_step_at", "KeyType": "RANGE"},
                ],
                "Projection": {"ProjectionType": "KEYS_ONLY"},
            }
        ],
    )
    meter = CapacityMeter(MotoItemStore("us-east-1"))
    used: list[tuple[str, Usage]] = []

    def listen(service, operation, params):
        priced = meter.start(operation, params) if service == "dynamodb" else None
        if priced is None:
            return None
        return lambda response, error: used.append((operation, priced(response, error)))

    api_calls.subscribe(listen)
    try:
        yield client, used
    finally:
        api_calls.unsubscribe(listen)


KEY = {"pk": {"S": "TICKET#x#1"}, "sk": {"S": "TICKET"}}


def test_a_ticket_written_updated_into_the_index_and_read_back_costs_what_dynamodb_charges(metered):
    client, used = metered
    client.put_item(TableName="Tickets", Item={**KEY, "text": {"S": "x" * 1500}})
    client.update_item(
        TableName="Tickets",
        Key=KEY,
        UpdateExpression="SET esc_bucket = :b, next_step_at = :at",
        ExpressionAttributeValues={":b": {"S": "OPEN"}, ":at": {"S": "2026-11-23T08:30:00Z"}},
    )
    with pytest.raises(ClientError):
        client.put_item(TableName="Tickets", Item=KEY, ConditionExpression="attribute_not_exists(pk)")
    client.get_item(TableName="Tickets", Key=KEY, ConsistentRead=True)
    client.query(
        TableName="Tickets",
        IndexName="awaiting_reply",
        KeyConditionExpression="esc_bucket = :b",
        ExpressionAttributeValues={":b": {"S": "OPEN"}},
    )
    assert used == [
        ("PutItem", Usage(write_units=2)),  # 1.5 KB
        ("UpdateItem", Usage(write_units=2, index_write_units=1)),  # into the sparse index
        ("PutItem", Usage(write_units=2)),  # the condition failed on the 1.5 KB item: still charged
        ("GetItem", Usage(read_units=1)),
        ("Query", Usage(read_units=0.5)),  # a few keys from a global index: eventually consistent
    ]


def test_looking_up_a_missing_item_leaves_moto_unchanged_and_still_costs_a_read(metered):
    client, used = metered
    client.get_item(TableName="Tickets", Key={"pk": {"S": "nobody"}, "sk": {"S": "TICKET"}})
    assert used == [("GetItem", Usage(read_units=0.5))]
    assert client.scan(TableName="Tickets")["Count"] == 0


def test_a_transaction_with_a_condition_check_costs_twice_per_item(metered):
    client, used = metered
    client.put_item(TableName="Tickets", Item={"pk": {"S": "POST#x#1"}, "sk": {"S": "POST"}})
    used.clear()
    client.transact_write_items(
        TransactItems=[
            {
                "Put": {
                    "TableName": "Tickets",
                    "Item": {**KEY, "esc_bucket": {"S": "OPEN"}, "next_step_at": {"S": "t"}},
                }
            },
            {
                "ConditionCheck": {
                    "TableName": "Tickets",
                    "Key": {"pk": {"S": "POST#x#1"}, "sk": {"S": "POST"}},
                    "ConditionExpression": "attribute_exists(pk)",
                }
            },
        ]
    )
    assert total([usage for _, usage in used]) == Usage(write_units=4, index_write_units=1)
