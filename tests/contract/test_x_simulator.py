"""The simulated X API v2 behaves like X where clients notice, and answers only what the spec allows.

Real HTTP (requests, requests_oauthlib) against the running simulator. When the official spec is
beside the clone, every simulator here validates every exchange and must record no violation.
"""

from datetime import UTC, datetime, timedelta

import pytest
import requests
from requests_oauthlib import OAuth1

from socialcare_local.networks.x import Fault, XSimulator, expected_x_spec_path, find_x_spec

pytestmark = pytest.mark.contract

SPEC = find_x_spec()
needs_spec = pytest.mark.skipif(
    SPEC is None,
    reason=f"official X spec not found at {expected_x_spec_path()}; CI has ../shared/specs beside the clone",
)
BRAND, CUSTOMER = "9001", "42"
T0 = datetime(2026, 11, 23, 14, 0, tzinfo=UTC)
BEARER = {"Authorization": "Bearer sim-bearer"}
USER_AUTH = OAuth1("sim-consumer-key", "sim-consumer-secret", "sim-access-token", "sim-access-secret")
FIELDS = "author_id,created_at,conversation_id,in_reply_to_user_id,referenced_tweets,lang,entities"


class FakeClock:
    def __init__(self, now: datetime):
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kwargs) -> None:
        self.now += timedelta(**kwargs)


@pytest.fixture
def clock():
    return FakeClock(T0)


@pytest.fixture
def make_sim(clock):
    started = []

    def make(**kwargs) -> XSimulator:
        sim = XSimulator(clock, spec_path=SPEC, **kwargs)
        sim.add_user(BRAND, "AcmeCare", "Acme Care")  # first user: the default tokens act as the brand
        sim.add_user(CUSTOMER, "jane", "Jane")
        sim.start()
        started.append(sim)
        return sim

    yield make
    for sim in started:
        sim.stop()
        assert sim.spec_violations == [], "tests that send invalid requests clear what they expect"


@pytest.fixture
def sim(make_sim):
    return make_sim()


def mention(sim, post_id, minute, text="@AcmeCare help", **kwargs):
    sim.publish(
        post_id=post_id,
        author_id=kwargs.pop("author_id", CUSTOMER),
        text=text,
        created_at=T0 + timedelta(minutes=minute),
        **kwargs,
    )


def get(sim, path, auth=None, **params):
    headers = None if auth else BEARER
    return requests.get(sim.base_url + path, params=params, headers=headers, auth=auth, timeout=5)


def post(sim, text, reply_to=None, auth=USER_AUTH, timeout=5):
    body = {"text": text, **({"reply": {"in_reply_to_tweet_id": reply_to}} if reply_to else {})}
    return requests.post(sim.base_url + "/2/tweets", json=body, auth=auth, timeout=timeout)


def ids(response):
    return [t["id"] for t in response.json().get("data", [])]


def test_pages_and_since_id_follow_arrival_order_not_id_values(sim):
    # Arbitrary scenario ids: numerically descending while arriving, so only arrival order works.
    for i in range(12):
        mention(sim, str(900 - i), minute=i)
    first = get(sim, f"/2/users/{BRAND}/mentions", max_results=5)
    assert first.status_code == 200
    assert ids(first) == ["889", "890", "891", "892", "893"]
    assert first.json()["meta"] | {"next_token": "x"} == {
        "result_count": 5,
        "newest_id": "889",
        "oldest_id": "893",
        "next_token": "x",
    }
    mention(sim, "5", minute=20)  # arrives between pages: must not disturb the token
    mention(sim, "4", minute=21)
    token = first.json()["meta"]["next_token"]
    second = get(sim, f"/2/users/{BRAND}/mentions", max_results=5, pagination_token=token)
    assert ids(second) == ["894", "895", "896", "897", "898"]
    assert second.json()["meta"]["newest_id"] == "894"  # newest on this page
    third = get(
        sim, f"/2/users/{BRAND}/mentions", max_results=5, pagination_token=second.json()["meta"]["next_token"]
    )
    assert ids(third) == ["899", "900"] and "next_token" not in third.json()["meta"]

    newer = get(sim, f"/2/users/{BRAND}/mentions", since_id="889")
    assert ids(newer) == ["4", "5"] and newer.json()["meta"]["newest_id"] == "4"
    nothing = get(sim, f"/2/users/{BRAND}/mentions", since_id="4")
    assert nothing.json() == {"meta": {"result_count": 0}}
    assert ids(get(sim, f"/2/users/{BRAND}/mentions", until_id="896")) == [str(n) for n in range(897, 901)]


def test_fields_expansions_and_includes_users(sim):
    mention(sim, "1001", minute=0, text="@AcmeCare my order never came", lang="en")
    mention(sim, "1002", minute=1, text="no tag but mentioned", author_id="77", mentions=[BRAND])
    bare = get(sim, f"/2/users/{BRAND}/mentions")
    assert bare.json()["data"][0] == {
        "id": "1002",
        "text": "no tag but mentioned",
        "edit_history_tweet_ids": ["1002"],
    }
    rich = get(
        sim,
        f"/2/users/{BRAND}/mentions",
        **{"tweet.fields": FIELDS, "expansions": "author_id", "user.fields": "username,name"},
    ).json()
    assert rich["data"][1] == {
        "id": "1001",
        "text": "@AcmeCare my order never came",
        "edit_history_tweet_ids": ["1001"],
        "author_id": CUSTOMER,
        "created_at": "2026-11-23T14:00:00.000Z",
        "conversation_id": "1001",
        "lang": "en",
        "entities": {"mentions": [{"start": 0, "end": 9, "username": "AcmeCare", "id": BRAND}]},
    }
    assert rich["includes"]["users"] == [
        {"id": "77", "name": "user77", "username": "user77"},
        {"id": CUSTOMER, "name": "Jane", "username": "jane"},
    ]
    unknown = get(sim, "/2/users/123/mentions").json()
    assert unknown["errors"][0]["type"] == "https://api.twitter.com/2/problems/resource-not-found"


def test_created_reply_shows_in_own_timeline_in_the_thread(sim, clock):
    mention(sim, "500", minute=0)
    mention(sim, "501", minute=1, text="@AcmeCare still waiting", in_reply_to_id="500")
    clock.advance(minutes=2)
    created = post(sim, "Thanks, we've got this as ref K7Q2", reply_to="501")
    assert created.status_code == 201
    new_id = created.json()["data"]["id"]
    assert created.json()["data"] == {
        "id": new_id,
        "text": "Thanks, we've got this as ref K7Q2",
        "edit_history_tweet_ids": [new_id],
    }
    assert new_id.isdigit() and len(new_id) <= 19
    own = get(sim, f"/2/users/{BRAND}/tweets", **{"tweet.fields": FIELDS}).json()["data"]
    assert own[0] == {
        "id": new_id,
        "text": "Thanks, we've got this as ref K7Q2",
        "edit_history_tweet_ids": [new_id],
        "author_id": BRAND,
        "created_at": "2026-11-23T14:02:00.000Z",
        "conversation_id": "500",
        "in_reply_to_user_id": CUSTOMER,
        "lang": "und",
        "referenced_tweets": [{"type": "replied_to", "id": "501"}],
    }
    assert sim.created_posts() == [
        {
            "id": new_id,
            "author_id": BRAND,
            "text": "Thanks, we've got this as ref K7Q2",
            "in_reply_to_id": "501",
            "created_at": clock.now,
        }
    ]
    second = post(sim, "Another one", reply_to="500").json()["data"]["id"]
    assert second != new_id and int(second) > int(new_id)
    # A native staff reply published by the scenario lands in the same timeline.
    sim.publish(
        post_id="2001",
        author_id=BRAND,
        text="Hi Jane, checking now",
        created_at=clock.now,
        in_reply_to_id="500",
    )
    assert ids(get(sim, f"/2/users/{BRAND}/tweets")) == ["2001", second, new_id]
    assert ids(get(sim, f"/2/users/{CUSTOMER}/mentions"))[:1] == ["2001"]  # replies mention the parent author


def test_post_rejections_match_x(sim):
    assert post(sim, "").status_code == 400
    missing = post(sim, "hello", reply_to="123456")
    assert missing.status_code == 403 and "deleted or not visible" in missing.json()["detail"]
    assert post(sim, "same words").status_code == 201
    duplicate = post(sim, "same words")
    assert duplicate.status_code == 403 and "duplicate content" in duplicate.json()["detail"]
    assert post(sim, "x" * 281).status_code == 403
    bearer = requests.post(sim.base_url + "/2/tweets", json={"text": "hi"}, headers=BEARER, timeout=5)
    assert bearer.status_code == 403 and bearer.json()["type"].endswith("unsupported-authentication")
    assert len(sim.created_posts()) == 1


def test_oauth1_signature_and_bearer_are_checked(sim):
    bad_secret = OAuth1("sim-consumer-key", "wrong-secret", "sim-access-token", "sim-access-secret")
    for auth in (bad_secret, OAuth1("sim-consumer-key", "sim-consumer-secret", "nope", "sim-access-secret")):
        refused = post(sim, "hello", auth=auth)
        assert refused.status_code == 401
        assert refused.headers["Content-Type"] == "application/problem+json"
        assert refused.json() == {
            "title": "Unauthorized",
            "detail": "Unauthorized",
            "type": "about:blank",
            "status": 401,
        }
    assert requests.get(sim.base_url + f"/2/users/{BRAND}/mentions", timeout=5).status_code == 401
    wrong = requests.get(sim.base_url + f"/2/users/{BRAND}/mentions", headers={"Authorization": "Bearer x"})
    assert wrong.status_code == 401
    assert get(sim, f"/2/users/{BRAND}/mentions", auth=USER_AUTH, max_results=10).status_code == 200
    sim.grant_user_token(CUSTOMER, "jane-token", "jane-secret")
    jane = OAuth1("sim-consumer-key", "sim-consumer-secret", "jane-token", "jane-secret")
    assert post(sim, "from jane", auth=jane).status_code == 201
    assert sim.created_posts()[0]["author_id"] == CUSTOMER
    assert get(sim, "/2/users/me", auth=jane).json()["data"]["username"] == "jane"
    assert sim.spec_violations == []  # auth failures are the client's problem, answered with 401


def test_post_limit_gives_429_until_the_window_resets(make_sim, clock):
    sim = make_sim(post_limit=3, post_window=timedelta(minutes=15))
    remaining = [post(sim, f"ack {i}").headers["x-rate-limit-remaining"] for i in range(3)]
    assert remaining == ["2", "1", "0"]
    clock.advance(minutes=14)
    limited = post(sim, "ack 3")
    assert limited.status_code == 429
    assert limited.json() == {
        "title": "Too Many Requests",
        "detail": "Too Many Requests",
        "type": "about:blank",
        "status": 429,
    }
    reset = int((T0 + timedelta(minutes=15)).timestamp())
    assert limited.headers["x-rate-limit-limit"] == "3" and limited.headers["x-rate-limit-remaining"] == "0"
    assert limited.headers["x-rate-limit-reset"] == str(reset)
    clock.advance(minutes=1)
    again = post(sim, "ack 3")
    assert again.status_code == 201 and again.headers["x-rate-limit-remaining"] == "2"
    assert int(again.headers["x-rate-limit-reset"]) == reset + 15 * 60


def test_reads_are_limited_per_endpoint_and_user(make_sim):
    sim = make_sim(read_limit=2)
    assert [get(sim, f"/2/users/{BRAND}/mentions").status_code for _ in range(3)] == [200, 200, 429]
    assert get(sim, f"/2/users/{BRAND}/tweets").status_code == 200
    assert get(sim, f"/2/users/{CUSTOMER}/mentions").status_code == 200


def test_faults_apply_once_in_order(sim):
    path = f"/2/users/{BRAND}/mentions"
    sim.fail_next("GET", r"/mentions$", Fault.status(503), Fault.malformed(), Fault.rate_limited())
    unavailable = get(sim, path)
    assert unavailable.status_code == 503 and unavailable.json()["status"] == 503
    malformed = get(sim, path)
    assert malformed.status_code == 200
    with pytest.raises(ValueError):
        malformed.json()
    limited = get(sim, path)
    assert limited.status_code == 429 and limited.headers["x-rate-limit-remaining"] == "0"
    assert int(limited.headers["x-rate-limit-reset"]) == int((T0 + timedelta(minutes=15)).timestamp())
    assert get(sim, path).status_code == 200
    assert [e["status"] for e in sim.requests_log] == [503, 200, 429, 200]


def test_timeout_faults_outlast_the_client(sim):
    mention(sim, "1001", minute=0)
    sim.fail_next("POST", r"^/2/tweets$", Fault.timeout(0.4), Fault.timeout(0.4, applied=True))
    with pytest.raises(requests.Timeout):
        post(sim, "lost", reply_to="1001", timeout=0.1)
    assert sim.created_posts() == []
    with pytest.raises(requests.Timeout):
        post(sim, "created but unheard", reply_to="1001", timeout=0.1)
    assert [p["text"] for p in sim.created_posts()] == ["created but unheard"]


def test_unknown_route_and_request_log(sim):
    missing = requests.get(sim.base_url + "/2/nothing/here", headers=BEARER, timeout=5)
    assert missing.status_code == 404 and missing.json()["title"]
    assert "x-rate-limit-remaining" in missing.headers
    sim.spec_violations.clear()  # the spec has no such path: expected
    get(sim, f"/2/users/{BRAND}/mentions", max_results=5)
    entry = sim.requests_log[-1]
    assert entry["method"] == "GET" and entry["path"] == f"/2/users/{BRAND}/mentions"
    assert entry["query"] == {"max_results": ["5"]} and entry["status"] == 200 and entry["json"] is None
    assert entry["headers"]["Authorization"] == "Bearer sim-bearer"


def test_max_results_out_of_range_is_400_without_a_spec(clock):
    with XSimulator(clock) as sim:
        sim.add_user(BRAND, "AcmeCare")
        bad = get(sim, f"/2/users/{BRAND}/mentions", max_results=500)
        assert bad.status_code == 400
        assert bad.json()["errors"][0]["parameters"] == {"max_results": ["500"]}
        assert sim.spec_violations == []


@needs_spec
def test_a_whole_session_validates_against_the_spec(sim, clock):
    mention(sim, "1001", minute=0, text="@AcmeCare my order never came", lang="en")
    for i in range(6):
        mention(sim, str(2000 + i), minute=1 + i, author_id=str(300 + i))
    params = {
        "tweet.fields": FIELDS,
        "expansions": "author_id,referenced_tweets.id,in_reply_to_user_id",
        "user.fields": "id,name,username",
        "max_results": 5,
    }
    page = get(sim, f"/2/users/{BRAND}/mentions", **params)
    get(sim, f"/2/users/{BRAND}/mentions", pagination_token=page.json()["meta"]["next_token"], **params)
    get(sim, f"/2/users/{BRAND}/mentions", since_id="2005")
    get(sim, "/2/users/123/mentions")
    get(sim, f"/2/users/{BRAND}/tweets", auth=USER_AUTH, start_time="2026-11-23T13:00:00Z")
    get(sim, "/2/users/by/username/jane")
    get(sim, "/2/users/by/username/nobody")
    post(sim, "ref K7Q2", reply_to="1001")
    post(sim, "ref K7Q2", reply_to="1001")
    post(sim, "", reply_to="1001")
    post(sim, "hi", reply_to="1")
    post(sim, "hi", auth=OAuth1("sim-consumer-key", "bad", "sim-access-token", "sim-access-secret"))
    requests.post(sim.base_url + "/2/tweets", json={"text": "hi"}, headers=BEARER, timeout=5)
    sim.fail_next("GET", "mentions", Fault.status(503))
    get(sim, f"/2/users/{BRAND}/mentions")
    statuses = {e["status"] for e in sim.requests_log}
    assert {200, 201, 400, 401, 403, 503} <= statuses
    assert sim.spec_violations == []


@needs_spec
def test_an_invalid_request_is_reported_and_refused(sim):
    bad = get(sim, f"/2/users/{BRAND}/mentions", max_results=500)
    assert bad.status_code == 400
    assert bad.json()["type"] == "https://api.twitter.com/2/problems/invalid-request"
    assert bad.json()["errors"][0]["parameters"] == {"max_results": ["500"]}
    assert len(sim.spec_violations) == 1 and "greater than the maximum of 100" in sim.spec_violations[0]
    requests.post(sim.base_url + "/2/tweets", json={"text": "hi", "bogus": 1}, auth=USER_AUTH, timeout=5)
    assert "bogus" in sim.spec_violations[-1]
    assert sim.created_posts() == []
    sim.spec_violations.clear()


def test_find_x_spec_honours_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("SOCIALCARE_SPECS_DIR", str(tmp_path))
    assert find_x_spec() is None and expected_x_spec_path() == tmp_path / "x" / "openapi-2.159.json"
    (tmp_path / "x").mkdir()
    (tmp_path / "x" / "openapi-2.159.json").write_text("{}")
    assert find_x_spec() == tmp_path / "x" / "openapi-2.159.json"
