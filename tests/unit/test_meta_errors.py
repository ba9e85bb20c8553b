"""Meta's error answers and usage headers, as the poller and acknowledger need them: a rate limit
with the time to call again, credentials to fix, a post that is gone, or a glitch worth retrying;
and a pause before Meta's limit, not after it."""

import json
from datetime import UTC, datetime, timedelta

import pytest

from socialcare.channels.base import (
    AccountUnavailable,
    AuthenticationFailed,
    PermanentError,
    RateLimited,
    TransientError,
)
from socialcare.channels.meta.errors import SLOW_DOWN_PERCENT, WAIT_BOUNDS, failure, pause_until

NOW = datetime(2026, 11, 23, 14, 0, tzinfo=UTC)
PAGE = "104857600"


def graph_error(code, subcode=None, **extra) -> dict:
    error = {"message": f"(#{code}) something", "type": "OAuthException", "code": code, "fbtrace_id": "Axyz"}
    if subcode is not None:
        error["error_subcode"] = subcode
    return {"error": {**error, **extra}}


def usage(owner=PAGE, **figures) -> dict:
    entry = {"type": "pages", "call_count": 10, "total_cputime": 5, "total_time": 10}
    return {"X-Business-Use-Case-Usage": json.dumps({owner: [{**entry, **figures}]})}


def mapped(status, body, headers=None, on_account=False):
    return failure(
        status, body, headers or {}, owner_id=PAGE, now=NOW, where="Facebook GET /x", on_account=on_account
    )


@pytest.mark.parametrize("code", [4, 17, 32, 613, 80001, 80002, 80014])
def test_throttling_codes_are_rate_limited_until_meta_says_access_returns(code):
    error = mapped(400, graph_error(code), usage(call_count=100, estimated_time_to_regain_access=42))
    assert isinstance(error, RateLimited)
    assert error.reset_at == NOW + timedelta(minutes=42)


@pytest.mark.parametrize("minutes", [None, 0, -5, "soon", 10**12, float("nan")])
def test_a_missing_or_absurd_estimate_still_waits_a_bounded_time(minutes):
    error = mapped(400, graph_error(32), usage(estimated_time_to_regain_access=minutes))
    assert isinstance(error, RateLimited)
    assert NOW + WAIT_BOUNDS[0] <= error.reset_at <= NOW + WAIT_BOUNDS[1]


@pytest.mark.parametrize("code, subcode", [(190, None), (190, 463), (190, 460), (102, None), (2500, 467)])
def test_a_refused_or_expired_token_is_an_authentication_failure(code, subcode):
    assert isinstance(mapped(400, graph_error(code, subcode)), AuthenticationFailed)


def missing(object_id: str) -> dict:
    message = f"Unsupported get request. Object with ID '{object_id}' does not exist"
    return graph_error(100, 33, type="GraphMethodException", message=message)


def test_a_missing_object_is_permanent_and_a_missing_account_says_so():
    assert type(mapped(400, missing("880001_5"))) is PermanentError
    assert type(mapped(400, missing("17900000000000999"), on_account=True)) is PermanentError
    assert isinstance(mapped(400, missing(PAGE), on_account=True), AccountUnavailable)


@pytest.mark.parametrize(
    "status, body",
    [
        (500, graph_error(1)),
        (503, graph_error(2)),
        (400, graph_error(1)),
        (502, b"<html>Bad gateway</html>"),
        (500, None),
        (400, graph_error(9007, is_transient=True)),
    ],
)
def test_glitches_are_transient(status, body):
    assert isinstance(mapped(status, body), TransientError)


@pytest.mark.parametrize(
    "body", [{"error": "nope"}, {"error": {"code": "abc"}}, [1, 2], "text", {"error": {}}]
)
def test_error_answers_of_any_shape_end_as_a_channel_error(body):
    assert isinstance(mapped(400, body), PermanentError | TransientError)


def test_a_lone_surrogate_in_a_message_never_reaches_the_error_text():
    error = mapped(400, {"error": {"code": 100, "message": "bad \ud800 value"}})
    str(error).encode("utf-8")


def test_usage_below_the_threshold_never_pauses():
    assert pause_until(usage(call_count=SLOW_DOWN_PERCENT - 1), PAGE, NOW) is None
    assert pause_until({}, PAGE, NOW) is None
    assert pause_until({"X-Business-Use-Case-Usage": "{not json"}, PAGE, NOW) is None


@pytest.mark.parametrize("share", ["call_count", "total_cputime", "total_time"])
def test_usage_near_the_limit_pauses_for_the_estimated_window(share):
    headers = usage(**{share: SLOW_DOWN_PERCENT}, estimated_time_to_regain_access=7)
    assert pause_until(headers, PAGE, NOW) == NOW + timedelta(minutes=7)


def test_the_apps_usage_near_its_limit_pauses_too():
    headers = {"X-App-Usage": json.dumps({"call_count": 95, "total_cputime": 3, "total_time": 4})}
    assert pause_until(headers, PAGE, NOW) > NOW


def test_another_accounts_usage_does_not_pause_this_one():
    assert pause_until(usage(owner="999", call_count=100), PAGE, NOW) is None
