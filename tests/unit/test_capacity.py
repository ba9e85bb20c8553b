"""The request units the local runtime charges match DynamoDB's published rules on known cases."""

from botocore.exceptions import ClientError

from socialcare_local.capacity import (
    CapacityMeter,
    IndexShape,
    TableShape,
    Usage,
    item_size,
    read_units,
    write_units,
)

TICKETS = TableShape(
    keys=("pk", "sk"),
    indexes=(IndexShape("awaiting_reply", ("esc_bucket", "next_step_at"), "KEYS_ONLY"),),
)


class FakeStore:
    """Items by (table, pk, sk); a write request's effect is applied by the test between start and finish."""

    def __init__(self, items=None):
        self.items = dict(items or {})
        self.read_all_calls = []

    def shape(self, table):
        return TICKETS if table == "Tickets" else None

    def item(self, table, key):
        return self.items.get((table, key["pk"]["S"], key["sk"]["S"]))

    def put(self, item):
        self.items[("Tickets", item["pk"]["S"], item["sk"]["S"])] = item

    def read_all(self, operation, params):
        self.read_all_calls.append(params)
        return [item for (table, _, _), item in self.items.items() if table == params["TableName"]]


def _key(pk, sk="TICKET"):
    return {"pk": {"S": pk}, "sk": {"S": sk}}


def _ticket(pk, padding=0, **extra):
    return {**_key(pk), "text": {"S": "x" * padding}, **extra}


def _condition_failed(operation="PutItem", code="ConditionalCheckFailedException"):
    return ClientError({"Error": {"Code": code, "Message": "no"}}, operation)


# -- sizes, from the examples and rules of the Developer Guide --------------------------------------


def test_string_size_is_name_plus_utf8_bytes():
    assert item_size({"name": {"S": "héllo"}}) == 4 + 6


def test_number_size_counts_significant_digits_two_to_a_byte_plus_one():
    assert item_size({"n": {"N": "12345"}}) == 1 + 3 + 1
    assert item_size({"n": {"N": "1000000"}}) == 1 + 1 + 1  # trailing zeros trimmed
    assert item_size({"n": {"N": "0.0012"}}) == 1 + 1 + 1  # leading zeros trimmed


def test_lists_and_maps_cost_three_bytes_plus_one_per_element():
    assert item_size({"l": {"L": []}}) == 1 + 3
    assert item_size({"l": {"L": [{"S": "ab"}, {"BOOL": True}]}}) == 1 + 3 + (1 + 2) + (1 + 1)
    assert item_size({"m": {"M": {"k": {"S": "ab"}}}}) == 1 + 3 + (1 + 1 + 2)


def test_null_boolean_binary_and_sets():
    assert item_size({"a": {"NULL": True}, "b": {"BOOL": False}}) == 2 + 2
    assert item_size({"bin": {"B": b"\x00\x01\x02"}}) == 3 + 3
    assert item_size({"ss": {"SS": ["ab", "c"]}}) == 2 + 3


def test_units_round_up_per_kilobyte_for_writes_and_per_four_for_reads():
    assert [write_units(s) for s in (1, 1024, 1025, 3 * 1024)] == [1, 1, 2, 3]
    assert read_units(3500, consistent=True) == 1  # the guide's 3,500-byte example
    assert read_units(8 * 1024, consistent=True) == 2
    assert read_units(8 * 1024, consistent=False) == 1
    assert read_units(0, consistent=False) == 0.5  # nothing read still costs the minimum


# -- requests ----------------------------------------------------------------------------------------


def _run(meter, store, operation, params, *, effect=None, error=None, response=None):
    finish = meter.start(operation, params)
    if effect is not None:
        effect()
    return finish(response if error is None else None, error)


def test_a_new_small_item_costs_one_write_unit():
    store = FakeStore()
    item = _ticket("T#1")
    used = _run(
        CapacityMeter(store),
        store,
        "PutItem",
        {"TableName": "Tickets", "Item": item},
        effect=lambda: store.put(item),
    )
    assert used == Usage(write_units=1)


def test_an_update_costs_the_larger_of_the_item_before_and_after():
    store = FakeStore({("Tickets", "T#1", "TICKET"): _ticket("T#1", padding=2500)})
    params = {"TableName": "Tickets", "Key": _key("T#1"), "UpdateExpression": "REMOVE #t"}
    used = _run(CapacityMeter(store), store, "UpdateItem", params, effect=lambda: store.put(_key("T#1")))
    assert used.write_units == 3  # 2.5 KB before, a few bytes after


def test_a_failed_conditional_write_still_costs_the_existing_item():
    store = FakeStore({("Tickets", "T#1", "TICKET"): _ticket("T#1", padding=1500)})
    params = {
        "TableName": "Tickets",
        "Item": _ticket("T#1"),
        "ConditionExpression": "attribute_not_exists(pk)",
    }
    used = _run(CapacityMeter(store), store, "PutItem", params, error=_condition_failed())
    assert used == Usage(write_units=2)


def test_a_throttled_request_costs_nothing():
    store = FakeStore()
    params = {"TableName": "Tickets", "Item": _ticket("T#1")}
    used = _run(
        CapacityMeter(store), store, "PutItem", params, error=_condition_failed(code="ThrottlingException")
    )
    assert used == Usage()


def test_a_transaction_costs_twice_per_item_a_condition_check_included():
    store = FakeStore({("Tickets", "CLAIM#1", "POST"): _key("CLAIM#1", "POST")})
    ticket = _ticket("T#1", padding=1100)
    params = {
        "TransactItems": [
            {"Put": {"TableName": "Tickets", "Item": ticket}},
            {
                "ConditionCheck": {
                    "TableName": "Tickets",
                    "Key": _key("CLAIM#1", "POST"),
                    "ConditionExpression": "x",
                }
            },
        ]
    }
    used = _run(CapacityMeter(store), store, "TransactWriteItems", params, effect=lambda: store.put(ticket))
    assert used.write_units == 2 * 2 + 2 * 1


def test_a_cancelled_transaction_is_charged_on_the_items_as_they_were():
    store = FakeStore()
    params = {"TransactItems": [{"Put": {"TableName": "Tickets", "Item": _ticket("T#1")}}] * 2}
    used = _run(
        CapacityMeter(store),
        store,
        "TransactWriteItems",
        params,
        error=_condition_failed(code="TransactionCanceledException"),
    )
    assert used == Usage(write_units=4)


def test_index_writes_follow_the_index_key_in_out_and_changed():
    store = FakeStore({("Tickets", "T#1", "TICKET"): _ticket("T#1")})
    meter = CapacityMeter(store)
    params = {"TableName": "Tickets", "Key": _key("T#1"), "UpdateExpression": "SET ..."}
    due = {"esc_bucket": {"S": "OPEN"}, "next_step_at": {"S": "2026-11-23T08:30:00Z"}}
    later = {"esc_bucket": {"S": "OPEN"}, "next_step_at": {"S": "2026-11-23T09:00:00Z"}}

    into = _run(meter, store, "UpdateItem", params, effect=lambda: store.put(_ticket("T#1", **due)))
    assert into.index_write_units == 1
    moved = _run(meter, store, "UpdateItem", params, effect=lambda: store.put(_ticket("T#1", **later)))
    assert moved.index_write_units == 2  # out of the old place, into the new one
    untouched = _run(
        meter, store, "UpdateItem", params, effect=lambda: store.put(_ticket("T#1", padding=9, **later))
    )
    assert untouched.index_write_units == 0  # KEYS_ONLY: a non-key attribute is not in the index
    out = _run(meter, store, "UpdateItem", params, effect=lambda: store.put(_ticket("T#1")))
    assert out.index_write_units == 1


def test_a_delete_costs_the_deleted_item_and_its_index_entry():
    due = {"esc_bucket": {"S": "OPEN"}, "next_step_at": {"S": "2026-11-23T08:30:00Z"}}
    store = FakeStore({("Tickets", "T#1", "TICKET"): _ticket("T#1", padding=1500, **due)})
    effect = lambda: store.items.clear()  # noqa: E731
    used = _run(
        CapacityMeter(store), store, "DeleteItem", {"TableName": "Tickets", "Key": _key("T#1")}, effect=effect
    )
    assert used == Usage(write_units=2, index_write_units=1)


def test_get_item_rounds_each_item_to_four_kilobytes_and_a_missing_one_still_costs():
    store = FakeStore({("Tickets", "T#1", "TICKET"): _ticket("T#1", padding=5000)})
    meter = CapacityMeter(store)
    found = _run(
        meter, store, "GetItem", {"TableName": "Tickets", "Key": _key("T#1"), "ConsistentRead": True}
    )
    missing = _run(meter, store, "GetItem", {"TableName": "Tickets", "Key": _key("T#2")})
    assert (found.read_units, missing.read_units) == (2, 0.5)


def test_batch_get_rounds_every_item_on_its_own():
    store = FakeStore(
        {
            ("Tickets", "A", "TICKET"): _ticket("A", padding=1500),
            ("Tickets", "B", "TICKET"): _ticket("B", padding=6500),
        }
    )
    params = {"RequestItems": {"Tickets": {"Keys": [_key("A"), _key("B")], "ConsistentRead": True}}}
    assert _run(CapacityMeter(store), store, "BatchGetItem", params).read_units == 1 + 2  # 4 KB + 8 KB


def test_query_costs_the_total_read_rounded_once_and_an_index_is_read_eventually():
    items = [_ticket(f"T#{n}", padding=1500) for n in range(3)]  # 4.5 KB in all
    store = FakeStore()
    meter = CapacityMeter(store)
    table = _run(
        meter, store, "Query", {"TableName": "Tickets", "ConsistentRead": True}, response={"Items": items}
    )
    index = _run(
        meter,
        store,
        "Query",
        {"TableName": "Tickets", "IndexName": "awaiting_reply", "ConsistentRead": True},
        response={"Items": items},
    )
    assert (table.read_units, index.read_units) == (2, 1)


def test_a_filtered_query_costs_what_it_read_not_what_it_returned():
    store = FakeStore({("Tickets", f"T#{n}", "TICKET"): _ticket(f"T#{n}", padding=3000) for n in range(4)})
    params = {"TableName": "Tickets", "ConsistentRead": True, "FilterExpression": "#s = :open"}
    used = _run(CapacityMeter(store), store, "Query", params, response={"Items": []})
    assert used.read_units == 3  # 12 KB read, nothing returned
    assert store.read_all_calls == [params]


def test_control_plane_requests_cost_nothing_and_partiql_is_counted_as_unpriced():
    meter = CapacityMeter(FakeStore())
    assert meter.start("DescribeTable", {"TableName": "Tickets"}) is None
    assert meter.start("ExecuteStatement", {"Statement": "SELECT * FROM Tickets"}) is None
    assert meter.unpriced == {"ExecuteStatement": 1}


def test_a_boto3_resources_plain_values_are_sized_as_dynamodb_stores_them():
    store = FakeStore()
    plain = {"pk": "T#1", "sk": "TICKET", "text": "x" * 1500, "level": 2}
    effect = lambda: store.put(_ticket("T#1", padding=1500, level={"N": "2"}))  # noqa: E731
    used = _run(
        CapacityMeter(store), store, "PutItem", {"TableName": "Tickets", "Item": plain}, effect=effect
    )
    assert used == Usage(write_units=2)
