"""The Meta simulator's webhooks: Meta's verification handshake, then every customer comment, tag
and mention POSTed as Meta does, signed with the app secret (the HMAC is checked here, over the raw
body); queued deliveries can be lost, duplicated and reordered; failed ones are retried, then given up."""

import hashlib
import hmac
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest
from meta_graph import IG, MEDIA, PAGE, POST, T0, FakeClock, brand_world, comment, post

from socialcare_local.networks.meta import WebhookVerificationError

pytestmark = pytest.mark.contract

SECRET, VERIFY = "app-secret", "verify-me"  # noqa: S105


class Endpoint:
    """A webhook endpoint over real HTTP: answers the handshake when the verify token matches, and
    records every POST, answering `statuses` in turn (then 200)."""

    def __init__(self, statuses=()):
        self.statuses, self.handshakes, self.received = list(statuses), [], []
        endpoint = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                query = {k: v[0] for k, v in parse_qs(urlsplit(self.path).query).items()}
                endpoint.handshakes.append(query)
                ok = query.get("hub.mode") == "subscribe" and query.get("hub.verify_token") == VERIFY
                self._answer(200 if ok else 403, query.get("hub.challenge", "").encode() if ok else b"no")

            def do_POST(self):
                raw = self.rfile.read(int(self.headers["Content-Length"]))
                endpoint.received.append((dict(self.headers.items()), raw))
                self._answer(endpoint.statuses.pop(0) if endpoint.statuses else 200, b"")

            def _answer(self, status, body):
                self.send_response(status)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        ).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/webhook"

    def payloads(self):
        return [json.loads(raw) for _, raw in self.received]

    def wait_for(self, count: int) -> None:
        deadline = time.monotonic() + 5
        while len(self.received) < count and time.monotonic() < deadline:
            time.sleep(0.01)

    def close(self):
        self.server.shutdown()
        self.server.server_close()


class Recorder:
    """A webhook endpoint that is a Python callable, as the local function URL is."""

    def __init__(self, statuses=()):
        self.statuses, self.received = list(statuses), []

    def __call__(self, request):
        if request.method == "GET":
            return 200, request.query["hub.challenge"]
        self.received.append(json.loads(request.body))
        return (self.statuses.pop(0) if self.statuses else 200), ""


def signed(headers: dict, raw: bytes, secret: str = SECRET) -> bool:
    expected = "sha256=" + hmac.new(secret.encode(), raw, hashlib.sha256).hexdigest()
    return hmac.compare_digest(headers["X-Hub-Signature-256"], expected)


@pytest.fixture
def clock():
    return FakeClock(T0)


@pytest.fixture
def make_sim(clock):
    started = []

    def make(**kwargs):
        started.append(brand_world(clock, **kwargs))
        return started[-1]

    yield make
    for sim in started:
        sim.stop()
        assert sim.spec_violations == []


@pytest.fixture
def endpoint():
    endpoint = Endpoint()
    yield endpoint
    endpoint.close()


def test_subscribing_needs_the_challenge_echoed(make_sim, endpoint):
    sim = make_sim()
    comment(sim, 1, minute=0)  # nobody subscribed yet: nothing to send
    with pytest.raises(WebhookVerificationError):
        sim.subscribe(endpoint.url, "wrong-token", SECRET, ["feed"])
    with pytest.raises(WebhookVerificationError):
        sim.subscribe(lambda request: (200, "not the challenge"), VERIFY, SECRET, ["feed"])
    sim.subscribe(endpoint.url, VERIFY, SECRET, ["feed"])
    handshake = endpoint.handshakes[-1]
    assert set(handshake) == {"hub.mode", "hub.challenge", "hub.verify_token"}
    assert handshake["hub.mode"] == "subscribe" and handshake["hub.challenge"].isdigit()
    assert handshake["hub.challenge"] != endpoint.handshakes[0]["hub.challenge"]
    assert endpoint.received == []


def test_facebook_comments_and_tags_arrive_signed(make_sim, endpoint, clock):
    sim = make_sim()
    sim.subscribe(endpoint.url, VERIFY, SECRET, ["feed"])
    first = comment(sim, 1, minute=0, message="Café ☕ order never came")
    comment(sim, 2, minute=1, parent=first, author=("43", "Bob"))
    sim.tag_page(PAGE, "900100", "42", "Jane Doe", "@Acme my parcel", T0)
    sim.ig_comment(MEDIA, "17800000000000001", "55", "jane", "@acme hi", T0)  # not subscribed to comments
    headers, raw = endpoint.received[0]
    assert signed(headers, raw) and not signed(headers, raw, "another-secret")
    assert headers["Content-Type"] == "application/json"
    assert b"\\u2615" in raw  # escaped as Meta sends it: verify the raw bytes, never re-serialised JSON
    assert endpoint.payloads()[0] == {
        "entry": [
            {
                "id": PAGE,
                "time": int(T0.timestamp()),
                "changes": [
                    {
                        "field": "feed",
                        "value": {
                            "from": {"id": "42", "name": "Jane Doe"},
                            "message": "Café ☕ order never came",
                            "post_id": POST,
                            "comment_id": first,
                            "parent_id": POST,
                            "created_time": int(T0.timestamp()),
                            "item": "comment",
                            "verb": "add",
                        },
                    }
                ],
            }
        ],
        "object": "page",
    }
    values = [p["entry"][0]["changes"][0]["value"] for p in endpoint.payloads()]
    assert values[1]["parent_id"] == first and values[1]["comment_id"] == "880001_2"
    assert (values[2]["item"], values[2]["post_id"], values[2]["verb"]) == ("post", "42_900100", "add")
    assert len(values) == 3 and all(signed(h, r) for h, r in endpoint.received)


def test_the_pages_own_comments_are_announced_too(make_sim, endpoint):
    sim = make_sim()
    sim.subscribe(endpoint.url, VERIFY, SECRET, ["feed"])
    first = comment(sim, 1, minute=0)
    made = post(sim, f"/{first}/comments", message="We're on it").json()["id"]
    endpoint.wait_for(2)  # sent once the API call has answered
    sim.comment(first, "880001_50", PAGE, "Acme", "Staff reply", T0)
    announced = [p["entry"][0]["changes"][0]["value"] for p in endpoint.payloads()]
    assert [(v["comment_id"], v["from"]["id"]) for v in announced] == [
        (first, "42"),
        (made, PAGE),
        ("880001_50", PAGE),
    ]
    quiet = make_sim(echo_page_comments=False)
    recorder = Recorder()
    quiet.subscribe(recorder, VERIFY, SECRET, ["feed"])
    own = comment(quiet, 1, minute=0)
    quiet.comment(own, "880001_50", PAGE, "Acme", "Staff reply", T0)
    assert len(recorder.received) == 1


def test_instagram_comments_and_mentions_arrive_as_meta_sends_them(make_sim, endpoint):
    sim = make_sim()
    sim.subscribe(endpoint.url, VERIFY, SECRET, ["comments", "mentions"])
    first = sim.ig_comment(MEDIA, "17800000000000001", "55", "jane", "@acme where is it", T0)
    sim.ig_comment(first, "17800000000000002", "56", "bob", "same", T0)
    sim.ig_comment(first, "17800000000000003", IG, "acme", "Our own reply", T0)  # not announced to itself
    sim.ig_mention(
        IG, media_id="17900000000000900", author_id="77", username="bob", text="@acme", created_at=T0
    )
    mention = {"author_id": "78", "username": "c", "text": "@acme", "created_at": T0}
    sim.ig_mention(IG, media_id="17900000000000901", comment_id="17800000000000900", **mention)
    comment(sim, 1, minute=0)  # not subscribed to feed
    payloads = endpoint.payloads()
    assert {p["object"] for p in payloads} == {"instagram"} and {p["entry"][0]["id"] for p in payloads} == {
        IG
    }
    changes = [p["entry"][0]["changes"][0] for p in payloads]
    assert changes == [
        {
            "field": "comments",
            "value": {
                "from": {"id": "55", "username": "jane"},
                "media": {"id": MEDIA, "media_product_type": "FEED"},
                "id": first,
                "text": "@acme where is it",
            },
        },
        {
            "field": "comments",
            "value": {
                "from": {"id": "56", "username": "bob"},
                "media": {"id": MEDIA, "media_product_type": "FEED"},
                "id": "17800000000000002",
                "text": "same",
                "parent_id": first,
            },
        },
        {"field": "mentions", "value": {"media_id": "17900000000000900"}},
        {"field": "mentions", "value": {"media_id": "17900000000000901", "comment_id": "17800000000000900"}},
    ]
    assert all(signed(h, r) for h, r in endpoint.received)


def test_queued_deliveries_can_be_lost_duplicated_and_reordered(make_sim):
    sim = make_sim(queued_webhooks=True)
    recorder = Recorder()
    sim.subscribe(recorder, VERIFY, SECRET, ["feed"])
    for n in range(3):
        comment(sim, n + 1, minute=n)
    pending = sim.deliveries_pending()
    assert [d.payload["entry"][0]["changes"][0]["value"]["comment_id"] for d in pending] == [
        "880001_1",
        "880001_2",
        "880001_3",
    ]
    assert recorder.received == []
    sim.drop_pending([pending[0].id])
    assert sim.deliver_pending([pending[2].id, pending[1].id, pending[2].id]) == [200, 200, 200]
    delivered = [p["entry"][0]["changes"][0]["value"]["comment_id"] for p in recorder.received]
    assert delivered == ["880001_3", "880001_2", "880001_3"]
    assert sim.deliveries_pending() == []
    assert sim.webhooks.stats == {"delivered": 3, "failed_attempts": 0, "given_up": 0, "dropped": 1}


def test_failed_deliveries_are_retried_later_then_given_up(make_sim, clock):
    sim = make_sim()
    recorder = Recorder(statuses=[500, 503])
    sim.subscribe(recorder, VERIFY, SECRET, ["feed"])
    comment(sim, 1, minute=0)
    assert sim.deliver_due() == []  # not yet time
    clock.advance(seconds=30)
    assert sim.deliver_due() == [503]
    clock.advance(minutes=2)
    assert sim.deliver_due() == [200]
    assert len(recorder.received) == 3 and recorder.received[0] == recorder.received[2]
    assert sim.webhooks.stats == {"delivered": 1, "failed_attempts": 2, "given_up": 0, "dropped": 0}

    unreachable, gone = make_sim(), Endpoint()
    unreachable.subscribe(gone.url, VERIFY, SECRET, ["feed"])
    gone.close()  # the endpoint goes away: no answer at all
    comment(unreachable, 1, minute=0)
    for _ in range(6):
        clock.advance(hours=1)
        unreachable.deliver_due()
    assert unreachable.webhooks.stats["given_up"] == 1
    assert unreachable.webhooks.log[-1].statuses == [None] * 5
