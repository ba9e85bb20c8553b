"""Lambda FilterCriteria patterns (the EventBridge subset)."""

import pytest

from socialcare_local.event_filter import matches, matches_any

RECORD = {
    "eventName": "INSERT",
    "dynamodb": {"NewImage": {"kind": {"S": "ticket"}, "channel": {"S": "x-dm"}, "n": 5, "flag": True}},
}


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        ({"eventName": ["INSERT"]}, True),
        ({"eventName": ["MODIFY", "INSERT"]}, True),
        ({"eventName": ["REMOVE"]}, False),
        ({"dynamodb": {"NewImage": {"kind": {"S": ["ticket"]}}}}, True),
        ({"dynamodb": {"NewImage": {"kind": {"S": ["note"]}}}}, False),
        ({"dynamodb": {"OldImage": {"kind": [{"exists": False}]}}}, True),
        ({"dynamodb": {"NewImage": {"kind": [{"exists": True}]}}}, True),
        ({"dynamodb": {"NewImage": {"missing": [{"exists": True}]}}}, False),
        ({"dynamodb": {"NewImage": {"channel": {"S": [{"prefix": "x-"}]}}}}, True),
        ({"dynamodb": {"NewImage": {"channel": {"S": [{"prefix": "fb"}]}}}}, False),
        ({"dynamodb": {"NewImage": {"channel": {"S": [{"suffix": "-dm"}]}}}}, True),
        ({"eventName": [{"anything-but": ["REMOVE"]}]}, True),
        ({"eventName": [{"anything-but": "INSERT"}]}, False),
        ({"dynamodb": {"NewImage": {"n": [{"numeric": [">", 1, "<=", 5]}]}}}, True),
        ({"dynamodb": {"NewImage": {"n": [{"numeric": ["<", 5]}]}}}, False),
        ({"dynamodb": {"NewImage": {"n": [5]}}}, True),
        ({"dynamodb": {"NewImage": {"flag": [True]}}}, True),
        ({"dynamodb": {"NewImage": {"flag": ["true"]}}}, False),
    ],
)
def test_patterns(pattern, expected):
    assert matches(pattern, RECORD) is expected


def test_no_patterns_match_everything_and_patterns_are_alternatives():
    assert matches_any([], RECORD)
    assert matches_any([{"eventName": ["REMOVE"]}, {"eventName": ["INSERT"]}], RECORD)
    assert not matches_any([{"eventName": ["REMOVE"]}], RECORD)
