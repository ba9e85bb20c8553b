"""The simulated Meta Graph API's call budgets, usage headers and throttling codes, and the faults
tests inject: 5xx, malformed answers, given answers, timeouts, and calls that took effect but whose
answer was lost. Real HTTP; every exchange spec-checked when the specs are present."""

from datetime import timedelta

import pytest
import requests
from meta_graph import (
    IG,
    IG_TOKEN,
    OTHER_PAGE,
    OTHER_TOKEN,
    PAGE,
    POST,
    comment,
    error,
    get,
    post,
    usage,
)

from socialcare_local.networks.meta import (
    Fault,
    answer_lost,
    connection_dropped,
    throttle,
)

pytestmark = pytest.mark.contract


def test_usage_headers_then_throttling_until_the_window_ends(make_sim, clock):
    sim = make_sim(usage_window=timedelta(hours=1))
    sim.set_budget(PAGE, 4)
    answers = [get(sim, f"/{POST}/comments") for _ in range(4)]
    assert [usage(a)["call_count"] for a in answers] == [25, 50, 75, 100]
    assert usage(answers[0]) == {
        "type": "pages",
        "call_count": 25,
        "total_cputime": 12,
        "total_time": 25,
        "estimated_time_to_regain_access": 0,
    }
    assert '"call_count"' in answers[0].headers["X-App-Usage"]
    clock.advance(minutes=30)
    refused = get(sim, f"/{POST}/comments")
    assert refused.status_code == 400 and error(refused)["code"] == 80001
    assert usage(refused)["estimated_time_to_regain_access"] == 30
    assert get(sim, f"/{IG}/media", token=IG_TOKEN).status_code == 200  # another object's budget
    clock.advance(minutes=30)
    again = get(sim, f"/{POST}/comments")
    assert again.status_code == 200 and usage(again)["call_count"] == 25


def test_instagram_pages_and_app_limits_have_their_own_codes(make_sim):
    sim = make_sim(page_throttle_code=32, app_budget=5)
    sim.set_budget(IG, 1)
    sim.set_budget(PAGE, 1)
    assert get(sim, f"/{IG}/media", token=IG_TOKEN).status_code == 200
    limited = get(sim, f"/{IG}/media", token=IG_TOKEN)
    assert error(limited)["code"] == 80002 and usage(limited, IG)["type"] == "instagram"
    get(sim, f"/{POST}")
    assert error(get(sim, f"/{POST}"))["code"] == 32
    for _ in range(3):
        get(sim, f"/{OTHER_PAGE}", token=OTHER_TOKEN)
    app = get(sim, f"/{OTHER_PAGE}", token=OTHER_TOKEN)
    assert app.status_code == 403 and error(app)["code"] == 4
    assert '"call_count": 100' in app.headers["X-App-Usage"]


def test_read_faults_apply_once_in_order(sim):
    sim.fail_next(
        "GET",
        r"/feed$",
        Fault.status(500),
        Fault.status(503),
        Fault.malformed(),
        Fault.answer(400, {"error": {"message": "(#613) Calls to this api have exceeded the rate limit."}}),
    )
    unknown = get(sim, f"/{PAGE}/feed")
    assert unknown.status_code == 500 and error(unknown)["code"] == 1
    unavailable = get(sim, f"/{PAGE}/feed")
    assert unavailable.status_code == 503 and error(unavailable)["code"] == 2
    with pytest.raises(ValueError):
        get(sim, f"/{PAGE}/feed").json()
    assert "613" in error(get(sim, f"/{PAGE}/feed"))["message"]
    assert get(sim, f"/{PAGE}/feed").status_code == 200
    sim.fail_next("GET", r"/feed$", throttle(17))
    assert error(get(sim, f"/{PAGE}/feed"))["code"] == 17
    after = get(sim, f"/{PAGE}/feed")  # the page's budget is spent for the rest of the window
    assert error(after)["code"] == 80001 and usage(after)["estimated_time_to_regain_access"] == 60
    assert [e["status"] for e in sim.requests_log] == [500, 503, 200, 400, 200, 400, 400]


def test_posted_but_the_answer_was_lost(sim):
    first = comment(sim, 1, minute=0)
    sim.fail_next(
        "POST",
        r"/comments$",
        answer_lost(),
        connection_dropped(),
        connection_dropped(applied=False),
        Fault.timeout(0.4),
        Fault.timeout(0.4, applied=True),
    )
    lost = post(sim, f"/{first}/comments", message="one")
    assert lost.status_code == 500 and error(lost)["code"] == 1
    with pytest.raises(requests.ConnectionError):
        post(sim, f"/{first}/comments", message="two")
    with pytest.raises(requests.ConnectionError):
        post(sim, f"/{first}/comments", message="never made")
    with pytest.raises(requests.Timeout):
        post(sim, f"/{first}/comments", message="never made either", timeout=0.1)
    with pytest.raises(requests.Timeout):
        post(sim, f"/{first}/comments", message="three", timeout=0.1)
    assert [c["message"] for c in sim.created_comments()] == ["one", "two", "three"]
    thread = get(sim, f"/{first}/comments", fields="message")
    assert [c["message"] for c in thread.json()["data"]] == ["one", "two", "three"]
