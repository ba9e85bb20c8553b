"""How the X adapter reads answers that are not the happy path: an account X will not serve, a
malformed post among good ones, a cursor that is not one, rate-limit resets out of range."""

import json
from datetime import UTC, datetime, timedelta

import pytest
from fake_http import mentions, x_answering

from socialcare import clock
from socialcare.channels.base import (
    AccountUnavailable,
    PermanentError,
    RateLimited,
    ReplyTarget,
    TransientError,
)

NOW = datetime(2026, 11, 23, 14, 0, tzinfo=UTC)
PROBLEMS = "https://api.twitter.com/2/problems/"


@pytest.fixture(autouse=True)
def fixed_clock():
    clock.set_clock(lambda: NOW)
    yield
    clock.set_clock(None)


def post(post_id: str, **fields) -> dict:
    base = {
        "id": post_id,
        "author_id": "42",
        "text": f"@AcmeCare question {post_id}",
        "created_at": "2026-11-23T13:59:00.000Z",
        "conversation_id": post_id,
    }
    return {key: value for key, value in {**base, **fields}.items() if value is not None}


def page(*posts, **meta) -> dict:
    return {"data": list(posts), "meta": {"result_count": len(posts), **meta}}


def account_problem(kind: str, detail: str) -> dict:
    return {
        "errors": [
            {
                "value": "9001",
                "detail": detail,
                "title": "Forbidden",
                "resource_type": "user",
                "parameter": "id",
                "resource_id": "9001",
                "type": PROBLEMS + kind,
            }
        ]
    }


@pytest.mark.parametrize(
    ("kind", "detail"),
    [
        ("resource-not-found", "Could not find user with id: [9001]."),
        ("resource-unavailable", "User has been suspended: [9001]."),
        ("not-authorized-for-resource", "Sorry, you are not authorized to see the user with id: [9001]."),
    ],
)
def test_an_account_x_will_not_serve_is_permanent_and_says_why(kind, detail):
    with pytest.raises(AccountUnavailable, match=r"\[9001\]"):
        mentions(x_answering(200, account_problem(kind, detail)))


def test_other_errors_without_data_are_retried_not_taken_for_a_lost_account():
    body = {"errors": [{"title": "Service Unavailable", "detail": "try later", "type": "about:blank"}]}
    with pytest.raises(TransientError, match="try later") as raised:
        mentions(x_answering(200, body))
    assert not isinstance(raised.value, PermanentError)


@pytest.mark.parametrize(
    ("bad", "reason"),
    [
        (post("1002", created_at=None), "created_at is missing"),
        (post("1002", created_at="yesterday"), "not an ISO 8601 time"),
        (post("1002", created_at="1970-01-01T00:00:00Z"), "before X existed"),
        (post("1002", text=None), "text is missing"),
        (post("1002", author_id=42), "author_id"),
        (post("1002", referenced_tweets=[{"type": "replied_to"}]), "id is missing"),
        (post("1002", referenced_tweets="1001"), "referenced_tweets"),
    ],
)
def test_a_malformed_post_is_quarantined_with_its_id_and_the_rest_of_the_page_is_read(bad, reason):
    answer = page(post("1003"), bad, post("1001"), newest_id="1003", oldest_id="1001")
    result = mentions(x_answering(200, answer))
    assert [p.post_id for p in result.posts] == ["1003", "1001"]
    assert result.cursor == "1003", "the cursor still moves past the quarantined post"
    [quarantined] = result.quarantined
    assert reason in quarantined.reason and quarantined.post_id == "1002"
    assert json.loads(quarantined.raw_json) == bad


@pytest.mark.parametrize("bad", [42, "1002", None, ["1002"]])
def test_a_post_that_is_not_an_object_is_quarantined_without_an_id(bad):
    result = mentions(x_answering(200, page(bad, post("1001"), newest_id="1001")))
    assert [p.post_id for p in result.posts] == ["1001"]
    [quarantined] = result.quarantined
    assert quarantined.post_id is None and json.loads(quarantined.raw_json) == bad


@pytest.mark.parametrize(
    "meta", [{"newest_id": 1001}, {"newest_id": "abc"}, {"next_token": {"t": 1}}, {"oldest_id": ["1"]}]
)
def test_a_cursor_that_is_not_one_fails_the_page_as_transient(meta):
    with pytest.raises(TransientError, match="meta"):
        mentions(x_answering(200, page(post("1001"), **meta)))


@pytest.mark.parametrize("data", [{"id": "1001"}, "posts", 7])
def test_data_that_is_not_a_list_fails_the_page_as_transient(data):
    with pytest.raises(TransientError):
        mentions(x_answering(200, {"data": data, "meta": {}}))


def test_lone_surrogates_in_text_and_handles_are_replaced_so_the_post_can_be_stored():
    answer = page(post("1001", text="help \ud83d please"), newest_id="1001")
    answer["includes"] = {"users": [{"id": "42", "username": "ja\udc00ne"}]}
    [read] = mentions(x_answering(200, answer)).posts
    assert read.text == "help \ufffd please" and read.author_handle == "ja\ufffdne"
    read.text.encode("utf-8")  # DynamoDB needs valid UTF-8


def test_includes_of_the_wrong_shape_only_cost_the_handles():
    answer = page(post("1001"), newest_id="1001")
    answer["includes"] = ["users"]
    [read] = mentions(x_answering(200, answer)).posts
    assert read.post_id == "1001" and read.author_handle is None


@pytest.mark.parametrize(
    ("header", "wait"),
    [
        (str(int((NOW + timedelta(minutes=7)).timestamp())), timedelta(minutes=7)),
        (str(10**25), timedelta(hours=24)),
        ("9" * 30, timedelta(hours=24)),
        (str(int((NOW - timedelta(hours=1)).timestamp())), timedelta(seconds=1)),
        ("0", timedelta(seconds=1)),
        ("soon", timedelta(minutes=15)),
        ("-5", timedelta(minutes=15)),
        ("1.7e9", timedelta(minutes=15)),
        (None, timedelta(minutes=15)),
    ],
)
def test_a_rate_limit_reset_is_clamped_between_a_second_and_a_day(header, wait):
    headers = {"x-rate-limit-reset": header} if header is not None else {}
    with pytest.raises(RateLimited) as limited:
        mentions(x_answering(429, {"title": "Too Many Requests"}, headers))
    assert limited.value.reset_at == NOW + wait


@pytest.mark.parametrize("status", [401, 403])
def test_refused_credentials_are_permanent_whatever_the_body(status):
    with pytest.raises(PermanentError):
        mentions(x_answering(status, b"<html>Forbidden</html>"))


@pytest.mark.parametrize(
    ("status", "body"),
    [(302, page(post("1001"))), (204, b""), (200, b"[" * 100_000), (200, b"\xff\xfe\x00garbage"), (200, [1])],
)
def test_unexpected_statuses_and_bodies_are_transient(status, body):
    with pytest.raises(TransientError):
        mentions(x_answering(status, body))


@pytest.mark.parametrize("data", [{"id": 2001}, {"id": {"x": 1}}, {"text": "hi"}, None])
def test_a_post_created_without_a_readable_id_is_transient_so_the_retry_looks_for_it(data):
    adapter = x_answering(201, {"data": data} if data is not None else {})
    with pytest.raises(TransientError, match=r"data\.id"):
        adapter.post_reply(ReplyTarget("1001"), "Thanks")


def test_a_created_post_returns_its_id():
    adapter = x_answering(201, {"data": {"id": "2001", "text": "Thanks"}})
    assert adapter.post_reply(ReplyTarget("1001"), "Thanks") == "2001"
