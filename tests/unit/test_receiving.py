"""The webhook service on in-memory fakes: what a request must be before anything of it is stored,
which changes are stored, ignored or failed, and when the network is asked to retry."""

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import pytest

from socialcare.channels.base import PermanentError, TransientError
from socialcare.channels.webhook import Announcements, Change, MalformedPayload, WebhookRequest
from socialcare.config.loader import parse_config
from socialcare.domain.posts import Post
from socialcare.persistence.tickets import Stored
from socialcare.services.receiving import Receiver

NOW = datetime(2026, 11, 23, 14, 0, tzinfo=UTC)
BRAND = "9001"
CONFIG = parse_config(
    f"""
accounts: [{{channel: x, id: "{BRAND}", handle: AcmeCare, credentials_secret: x/AcmeCare}}]
recipients: {{care: {{email: care@example.com}}}}
escalation: [{{at_percent: 50, email: [care]}}]
""",
    "test",
)


def post(post_id: str, author: str = "555", *, reply_to: str | None = None, seconds: int = 0) -> Post:
    return Post(
        channel="x",
        post_id=post_id,
        author_id=author,
        author_handle="dana",
        text="hello",
        created_at=NOW - timedelta(minutes=1) + timedelta(seconds=seconds),
        conversation_id="100",
        in_reply_to_id=reply_to,
        kind="mention" if author != BRAND else None,
    )


class FakeWebhook:
    """Announces what the test says; the signature is valid when the header says "good"."""

    channels = ("x",)

    def __init__(self, changes: list[Change], ignored: int = 0):
        self._found = Announcements(changes, ["other"] * ignored)

    def challenge_answer(self, query):
        return query.get("challenge") if query.get("token") == "ours" else None

    def signature_valid(self, request):
        return request.headers.get("signature") == "good"

    def announcements(self, payload):
        if payload.get("shape") != "ok":
            raise MalformedPayload("not our shape")
        return self._found


@dataclass
class Claim:
    ticket_pk: str
    kind: str = "mention"


@dataclass
class FakeStore:
    """Tickets by post id claim, as TicketStore: a post stored twice is a duplicate."""

    claims: dict[str, Claim] = field(default_factory=dict)
    human_replies: list[tuple[str, str]] = field(default_factory=list)
    stored_order: list[str] = field(default_factory=list)
    failing: set[str] = field(default_factory=set)

    def store_mention(self, post, policy, now):
        if post.post_id in self.failing:
            raise RuntimeError("DynamoDB throttled")
        if post.post_id in self.claims:
            return Stored.DUPLICATE
        self.claims[post.post_id] = Claim(f"TICKET#{post.post_id}")
        self.stored_order.append(post.post_id)
        return Stored.CREATED

    def claim_of(self, channel, post_id):
        return self.claims.get(post_id)

    def open_tickets_in_conversation(self, channel, conversation):
        return []

    def get(self, pk):
        return type("Ticket", (), {"ack_state": "posted", "ack_text": "", "post_id": pk})()

    def record_human_reply(self, pk, reply_post_id, replied_at):
        self.human_replies.append((pk, reply_post_id))
        self.stored_order.append(reply_post_id)
        return True


def request(body: bytes = b'{"shape": "ok"}', signature: str = "good") -> WebhookRequest:
    return WebhookRequest("POST", {}, {"signature": signature}, body)


def receiver(store: FakeStore, adapter=None) -> Receiver:
    return Receiver(CONFIG, store, lambda account: adapter, max_body_bytes=1000)


def mention(post_id: str, **kwargs) -> Change:
    return Change("x", BRAND, post=post(post_id, **kwargs), ref=post_id)


# -- refused whole ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("req", "status"),
    [
        (request(b'{"shape": "ok", "pad": "' + b"x" * 1000 + b'"}'), 413),
        (request(signature="bad"), 401),
        (request(signature=""), 401),
        (request(b'{"shape": "ok"'), 400),
        (request(b'{"shape": "other"}'), 400),
        (request(b"\xff\xfe"), 400),
        (request(b"[" * 999), 400),
    ],
)
def test_a_refused_request_stores_nothing(req, status):
    store = FakeStore()
    receipt = receiver(store).receive(FakeWebhook([mention("1")]), req, NOW)
    assert (receipt.status, receipt.rejected) == (status, True)
    assert not store.claims and receipt.kept == 0
    assert "hello" not in receipt.message  # answers never echo what was sent


def test_deeply_nested_json_within_the_size_limit_is_refused_not_crashed():
    store = FakeStore()
    body = b'{"shape": "ok", "x": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"
    receipt = Receiver(CONFIG, store, lambda account: None).receive(
        FakeWebhook([mention("1")]), request(body), NOW
    )
    assert (receipt.status, receipt.rejected, store.claims) == (400, True, {})


def test_verification_answers_the_challenge_or_403():
    hook = FakeWebhook([])
    ok = receiver(FakeStore()).verify(
        hook, WebhookRequest("GET", {"token": "ours", "challenge": "42"}, {}, b"")
    )
    assert (ok.status, ok.message) == (200, "42")
    refused = receiver(FakeStore()).verify(
        hook, WebhookRequest("GET", {"token": "x", "challenge": "42"}, {}, b"")
    )
    assert (refused.status, refused.rejected) == (403, True)


# -- stored -----------------------------------------------------------------------------------------


def test_mentions_are_stored_once_across_duplicate_deliveries():
    store = FakeStore()
    hook = FakeWebhook([mention("1"), mention("2")])
    first = receiver(store).receive(hook, request(), NOW)
    again = receiver(store).receive(hook, request(), NOW)
    assert (first.status, first.stored) == (200, 2)
    assert (again.status, again.stored, again.duplicates) == (200, 0, 2)
    assert sorted(store.claims) == ["1", "2"]


def test_changes_for_accounts_not_configured_are_ignored_and_counted():
    store = FakeStore()
    other = Change("x", "12345", post=post("3"), ref="3")
    receipt = receiver(store).receive(FakeWebhook([other, mention("1")], ignored=2), request(), NOW)
    assert (receipt.stored, receipt.ignored) == (1, 3)
    assert list(store.claims) == ["1"]


def test_the_brands_own_reply_stops_the_clock_of_the_ticket_it_answers():
    store = FakeStore()
    hook = FakeWebhook([mention("1"), Change("x", BRAND, post=post("2", author=BRAND, reply_to="1"))])
    receipt = receiver(store).receive(hook, request(), NOW)
    assert (receipt.stored, receipt.human_replies) == (1, 1)
    assert store.human_replies == [("TICKET#1", "2")]


def test_a_mention_and_a_staff_reply_of_the_same_second_are_stored_mention_first():
    store = FakeStore()
    reply = Change("x", BRAND, post=post("2", author=BRAND, reply_to="1"))
    receiver(store).receive(FakeWebhook([reply, mention("1")]), request(), NOW)
    assert store.stored_order == ["1", "2"]


def test_a_post_dated_in_the_future_counts_from_now():
    store = FakeStore()
    seen = []
    store.store_mention = lambda p, policy, now: seen.append(p.created_at) or Stored.CREATED
    receiver(store).receive(FakeWebhook([mention("1", seconds=3600)]), request(), NOW)
    assert seen == [NOW]


def test_a_change_announced_by_ids_is_read_through_the_accounts_adapter():
    class Adapter:
        def read_mention(self, media_id, comment_id):
            return post(comment_id) if comment_id != "gone" else None

    store = FakeStore()
    changes = [
        Change("x", BRAND, read=lambda adapter: adapter.read_mention("m", "7")),
        Change("x", BRAND, read=lambda adapter: adapter.read_mention("m", "gone")),
    ]
    receipt = receiver(store, Adapter()).receive(FakeWebhook(changes), request(), NOW)
    assert (receipt.stored, receipt.ignored) == (1, 1) and list(store.claims) == ["7"]


# -- partial failure --------------------------------------------------------------------------------


def test_what_was_stored_stays_when_another_change_fails():
    store = FakeStore(failing={"2"})
    receipt = receiver(store).receive(FakeWebhook([mention("1"), mention("2"), mention("3")]), request(), NOW)
    assert (receipt.status, receipt.stored, receipt.failed) == (200, 2, 1)
    assert sorted(store.claims) == ["1", "3"]  # "2" waits for the poll's reconciliation


def test_nothing_stored_and_a_retry_may_help_asks_for_a_retry():
    store = FakeStore(failing={"1"})
    receipt = receiver(store).receive(FakeWebhook([mention("1")]), request(), NOW)
    assert (receipt.status, receipt.failed, receipt.rejected) == (500, 1, False)


def test_a_read_failing_for_good_is_not_retried():
    def refused(adapter):
        raise PermanentError("the media is gone")

    def flaky(adapter):
        raise TransientError("503")

    gone = receiver(FakeStore()).receive(FakeWebhook([Change("x", BRAND, read=refused)]), request(), NOW)
    busy = receiver(FakeStore()).receive(FakeWebhook([Change("x", BRAND, read=flaky)]), request(), NOW)
    assert (gone.status, gone.failed) == (200, 1)
    assert (busy.status, busy.failed) == (500, 1)


def test_a_delivery_with_only_ignored_changes_is_fine():
    receipt = receiver(FakeStore()).receive(FakeWebhook([], ignored=3), request(), NOW)
    assert (receipt.status, receipt.ignored, receipt.failed) == (200, 3, 0)
