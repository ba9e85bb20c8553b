"""Reading a step's items in one BatchGetItem: what DynamoDB leaves unprocessed (a throttled
partition) is asked again, and what stays unread fails the step rather than reading as absent."""

import pytest

from socialcare.persistence.batch import ReadIncomplete, batch_get, key


class Throttled:
    """A connection whose first `rounds` answers leave the second key unprocessed."""

    def __init__(self, rounds: int):
        self.rounds, self.requests = rounds, []

    def dispatch(self, operation: str, kwargs: dict) -> dict:
        self.requests.append(kwargs["RequestItems"])
        keys = kwargs["RequestItems"]["T"]["Keys"]
        assert kwargs["RequestItems"]["T"]["ConsistentRead"] is True
        if self.rounds:
            self.rounds -= 1
            return {"Responses": {"T": [dict(keys[0])]}, "UnprocessedKeys": {"T": {"Keys": keys[1:]}}}
        return {"Responses": {"T": [dict(k) for k in keys]}}


def test_unprocessed_keys_are_asked_again_and_found():
    connection = Throttled(rounds=1)
    found = batch_get(connection, {"T": [key("A", "1"), key("B", "1")]})["T"]
    assert set(found) == {("A", "1"), ("B", "1")}
    assert len(connection.requests) == 2 and connection.requests[1]["T"]["Keys"] == [key("B", "1")]


def test_keys_still_unread_after_every_round_fail_the_read_instead_of_reading_as_missing():
    class AlwaysThrottled(Throttled):
        def dispatch(self, operation, kwargs):
            self.requests.append(kwargs["RequestItems"])
            return {"Responses": {"T": []}, "UnprocessedKeys": kwargs["RequestItems"]}

    with pytest.raises(ReadIncomplete):
        batch_get(AlwaysThrottled(rounds=0), {"T": [key("A", "1"), key("B", "1")]})


def test_items_not_found_are_absent_and_empty_tables_are_not_asked():
    class Empty(Throttled):
        def dispatch(self, operation, kwargs):
            self.requests.append(kwargs["RequestItems"])
            return {"Responses": {table: [] for table in kwargs["RequestItems"]}}

    connection = Empty(rounds=0)
    assert batch_get(connection, {"T": [key("A")], "S": []}) == {"T": {}, "S": {}}
    assert list(connection.requests[0]) == ["T"]
