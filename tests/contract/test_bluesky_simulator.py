"""The simulated Bluesky through real HTTP: sessions that expire and rotate, logins counted and
limited as Bluesky limits them, notifications paging older, strong refs checked on createRecord,
and every request and answer checked against the official lexicons."""

from datetime import timedelta

import pytest
import requests
from harnesses.base import NOW
from harnesses.bluesky import BRAND_DID, BRAND_HANDLE, CREDENTIALS, JANE_DID, BlueskyHarness

from socialcare.channels.base import PermanentError, ReplyTarget
from socialcare_local.networks.bluesky import Fault

pytestmark = pytest.mark.contract


@pytest.fixture
def bsky():
    harness = BlueskyHarness()
    if harness.spec_missing:
        pytest.skip(f"{harness.spec_missing}; CI has ../shared/specs beside the clone")
    harness.start()
    yield harness
    assert harness.stop() == []


def xrpc(harness, method: str, nsid: str, token: str | None = None, **kwargs) -> requests.Response:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    url = f"{harness.sim.base_url}/xrpc/{nsid}"
    return requests.request(method, url, headers=headers, timeout=5, **kwargs)


def login(harness, password: str = CREDENTIALS["app_password"]) -> requests.Response:
    body = {"identifier": BRAND_HANDLE, "password": password}
    return xrpc(harness, "POST", "com.atproto.server.createSession", json=body)


def test_a_login_is_counted_and_a_wrong_app_password_refused(bsky):
    assert login(bsky, "wrong-pass-word-xxxx").status_code == 401
    answer = login(bsky)
    assert answer.status_code == 200 and answer.json()["did"] == BRAND_DID
    assert bsky.sim.logins == 1


def test_logins_are_limited_to_30_in_5_minutes_as_on_bluesky(bsky):
    for _ in range(30):
        assert login(bsky).status_code == 200
    refused = login(bsky)
    assert refused.status_code == 429 and refused.json()["error"] == "RateLimitExceeded"
    assert int(refused.headers["ratelimit-reset"]) == int((NOW + timedelta(minutes=5)).timestamp())
    assert bsky.sim.logins == 30


def test_an_expired_access_token_is_refused_and_a_refresh_rotates_the_session(bsky):
    session = login(bsky).json()
    feed = {"actor": BRAND_DID}
    assert xrpc(bsky, "GET", "app.bsky.feed.getAuthorFeed", session["accessJwt"], params=feed).ok
    bsky.sim.api.expire_access_tokens()
    expired = xrpc(bsky, "GET", "app.bsky.feed.getAuthorFeed", session["accessJwt"], params=feed)
    assert (expired.status_code, expired.json()["error"]) == (400, "ExpiredToken")
    renewed = xrpc(bsky, "POST", "com.atproto.server.refreshSession", session["refreshJwt"])
    assert renewed.ok and renewed.json()["refreshJwt"] != session["refreshJwt"]
    assert xrpc(bsky, "GET", "app.bsky.feed.getAuthorFeed", renewed.json()["accessJwt"], params=feed).ok
    reused = xrpc(bsky, "POST", "com.atproto.server.refreshSession", session["refreshJwt"])
    assert reused.status_code == 400 and reused.json()["error"] == "InvalidToken"
    assert bsky.sim.logins == 1


def test_notifications_page_towards_older_items_with_the_cursor(bsky):
    posted = [bsky.mention(minute, f"question {minute}") for minute in range(1, 6)]
    token = login(bsky).json()["accessJwt"]
    seen, cursor = [], None
    for _ in range(5):
        params = {"limit": 2, "reasons": ["mention", "reply"], **({"cursor": cursor} if cursor else {})}
        answer = xrpc(bsky, "GET", "app.bsky.notification.listNotifications", token, params=params)
        assert answer.ok and int(answer.headers["ratelimit-remaining"]) < int(
            answer.headers["ratelimit-limit"]
        )
        seen += [note["uri"] for note in answer.json()["notifications"]]
        cursor = answer.json().get("cursor")
        if cursor is None:
            break
    assert seen == list(reversed(posted)), "newest first, each once"


def test_create_record_checks_its_strong_refs(bsky):
    mention = bsky.mention(1, "hello?")
    token = login(bsky).json()["accessJwt"]
    parent = {"uri": mention, "cid": bsky.sim.api.posts[mention].cid}
    record = {"$type": "app.bsky.feed.post", "text": "Thanks!", "createdAt": "2026-11-23T14:20:00.000Z"}

    def create(reply) -> requests.Response:
        body = {"repo": BRAND_DID, "collection": "app.bsky.feed.post", "record": {**record, "reply": reply}}
        return xrpc(bsky, "POST", "com.atproto.repo.createRecord", token, json=body)

    stale = {"uri": mention, "cid": "bafyreistale0000000000000000000000000000000000000000000"}
    assert create({"root": stale, "parent": stale}).status_code == 400
    made = create({"root": parent, "parent": parent})
    assert made.ok and bsky.replies_created() == [(made.json()["uri"], mention)]


def test_requests_and_answers_off_the_lexicons_are_reported(bsky):
    token = login(bsky).json()["accessJwt"]
    params = {"limit": 500, "seenAt": "yesterday"}
    refused = xrpc(bsky, "GET", "app.bsky.notification.listNotifications", token, params=params)
    assert refused.status_code == 400
    bsky.sim.fail_next("GET", "getAuthorFeed", Fault.edit(lambda body: {"feed": [{"post": {"uri": "x"}}]}))
    xrpc(bsky, "GET", "app.bsky.feed.getAuthorFeed", token, params={"actor": JANE_DID})
    violations = list(bsky.sim.spec_violations)
    assert any("limit: 500 outside [1, 100]" in v for v in violations)
    assert any("seenAt" in v and "datetime" in v for v in violations)
    bsky.sim.spec_violations.clear()
    # an edited answer is served as it is, and not checked (only the simulator's own answers are)
    assert all("getAuthorFeed" not in v for v in violations)


def test_a_reply_is_counted_in_graphemes_and_one_over_300_is_refused(bsky):
    mention = bsky.mention(1, "hi")
    adapter = bsky.adapter()
    thumbs = "\U0001f44d\U0001f3fd"  # one grapheme: two code points, four UTF-16 units, 8 bytes
    assert adapter.reply_length(thumbs * 300) == 300
    made = adapter.post_reply(ReplyTarget(mention), thumbs * 300)
    assert bsky.replies_created() == [(made, mention)]
    with pytest.raises(PermanentError):
        adapter.post_reply(ReplyTarget(mention), thumbs * 301)
    assert bsky.sim.spec_violations == [
        "request POST com.atproto.repo.createRecord: input.record.text: 301 graphemes, more than 300"
    ]
    bsky.sim.spec_violations.clear()
