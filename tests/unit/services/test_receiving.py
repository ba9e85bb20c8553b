"""The webhook service on in-memory fakes: what a request must be before anything of it is stored,
which changes are stored, ignored or failed, and when the network is asked to retry."""

from datetime import timedelta

import pytest
from conftest import T0, post

from socialcare.channels.base import PermanentError, TransientError
from socialcare.channels.webhook import Announcements, Change, MalformedPayload, WebhookRequest
from socialcare.domain.tickets import TicketStatus
from socialcare.services.receiving import Receiver

NOW = T0 + timedelta(minutes=5)
BRAND = "9001"  # the bundled example's account


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


def request(body: bytes = b'{"shape": "ok"}', signature: str = "good") -> WebhookRequest:
    return WebhookRequest("POST", {}, {"signature": signature}, body)


def receiver(config, world, adapter=None) -> Receiver:
    return Receiver(config, world.tickets, lambda account: adapter, max_body_bytes=1000)


def mention(post_id: str, minute: float = 1, **kwargs) -> Change:
    return Change("x", BRAND, post=post(post_id, minute, **kwargs), ref=post_id)


def staff(post_id: str, in_reply_to: str, minute: float = 1) -> Change:
    reply = post(post_id, minute, author=BRAND, text="Sorry, sending a new one", in_reply_to_id=in_reply_to)
    return Change("x", BRAND, post=reply, ref=post_id)


def stored(world) -> list[str]:
    return sorted(world.tickets.tickets)


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
def test_a_refused_request_stores_nothing(config, world, req, status):
    receipt = receiver(config, world).receive(FakeWebhook([mention("1")]), req, NOW)
    assert (receipt.status, receipt.rejected) == (status, True)
    assert stored(world) == [] and receipt.kept == 0
    assert "help" not in receipt.message  # answers never echo what was sent


def test_deeply_nested_json_within_the_size_limit_is_refused_not_crashed(config, world):
    body = b'{"shape": "ok", "x": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"
    receipt = Receiver(config, world.tickets, lambda account: None).receive(
        FakeWebhook([mention("1")]), request(body), NOW
    )
    assert (receipt.status, receipt.rejected, stored(world)) == (400, True, [])


def test_verification_answers_the_challenge_or_403(config, world):
    hook = FakeWebhook([])
    ok = receiver(config, world).verify(
        hook, WebhookRequest("GET", {"token": "ours", "challenge": "42"}, {}, b"")
    )
    assert (ok.status, ok.message) == (200, "42")
    refused = receiver(config, world).verify(
        hook, WebhookRequest("GET", {"token": "x", "challenge": "42"}, {}, b"")
    )
    assert (refused.status, refused.rejected) == (403, True)


# -- stored -----------------------------------------------------------------------------------------


def test_mentions_are_stored_once_across_duplicate_deliveries(config, world):
    hook = FakeWebhook([mention("1"), mention("2", author="43")])
    first = receiver(config, world).receive(hook, request(), NOW)
    again = receiver(config, world).receive(hook, request(), NOW)
    assert (first.status, first.stored) == (200, 2)
    assert (again.status, again.stored, again.duplicates) == (200, 0, 2)
    assert stored(world) == ["TICKET#x:1", "TICKET#x:2"]


def test_changes_for_accounts_not_configured_are_ignored_and_counted(config, world):
    other = Change("x", "12345", post=post("3", 1), ref="3")
    receipt = receiver(config, world).receive(FakeWebhook([other, mention("1")], ignored=2), request(), NOW)
    assert (receipt.stored, receipt.ignored) == (1, 3)
    assert stored(world) == ["TICKET#x:1"]


def test_the_brands_own_reply_stops_the_clock_of_the_ticket_it_answers(config, world):
    receipt = receiver(config, world).receive(FakeWebhook([mention("1"), staff("2", "1", 2)]), request(), NOW)
    assert (receipt.stored, receipt.human_replies) == (1, 1)
    assert world.tickets.get("TICKET#x:1").status is TicketStatus.ANSWERED


def test_our_own_acknowledgement_announced_back_is_not_taken_for_staff(config, world):
    receiver(config, world).receive(FakeWebhook([mention("1")]), request(), NOW)
    ticket = world.tickets.get("TICKET#x:1")
    world.tickets.record_ack_posted(ticket, "r1", "Sorry, sending a new one", NOW)
    receipt = receiver(config, world).receive(FakeWebhook([staff("r1", "1", 5)]), request(), NOW)
    assert receipt.human_replies == 0
    assert world.tickets.get("TICKET#x:1").status is TicketStatus.OPEN


def test_a_mention_and_a_staff_reply_of_the_same_second_are_stored_mention_first(config, world):
    receipt = receiver(config, world).receive(
        FakeWebhook([staff("2", "1", 1), mention("1", 1)]), request(), NOW
    )
    assert (receipt.stored, receipt.human_replies) == (1, 1)  # in the other order the reply finds no ticket


def test_a_post_dated_in_the_future_counts_from_now(config, world):
    receiver(config, world).receive(FakeWebhook([mention("1", 120)]), request(), NOW)
    assert world.tickets.get("TICKET#x:1").created_at == NOW


def test_a_change_announced_by_ids_is_read_through_the_accounts_adapter(config, world):
    class Adapter:
        def read_mention(self, media_id, comment_id):
            return post(comment_id, 1) if comment_id != "gone" else None

    changes = [
        Change("x", BRAND, read=lambda adapter: adapter.read_mention("m", "7")),
        Change("x", BRAND, read=lambda adapter: adapter.read_mention("m", "gone")),
    ]
    receipt = receiver(config, world, Adapter()).receive(FakeWebhook(changes), request(), NOW)
    assert (receipt.stored, receipt.ignored) == (1, 1) and stored(world) == ["TICKET#x:7"]


# -- partial failure --------------------------------------------------------------------------------


def test_what_was_stored_stays_when_another_change_fails(config, world):
    world.tickets.fail_on_post.add("2")
    changes = [mention("1"), mention("2", author="43"), mention("3", author="44")]
    receipt = receiver(config, world).receive(FakeWebhook(changes), request(), NOW)
    assert (receipt.status, receipt.stored, receipt.failed) == (200, 2, 1)
    assert stored(world) == ["TICKET#x:1", "TICKET#x:3"]  # "2" waits for the poll's reconciliation


def test_nothing_stored_and_a_retry_may_help_asks_for_a_retry(config, world):
    world.tickets.fail_on_post.add("1")
    receipt = receiver(config, world).receive(FakeWebhook([mention("1")]), request(), NOW)
    assert (receipt.status, receipt.failed, receipt.rejected) == (500, 1, False)


def test_a_read_failing_for_good_is_not_retried(config, world):
    def refused(adapter):
        raise PermanentError("the media is gone")

    def flaky(adapter):
        raise TransientError("503")

    gone = receiver(config, world).receive(FakeWebhook([Change("x", BRAND, read=refused)]), request(), NOW)
    busy = receiver(config, world).receive(FakeWebhook([Change("x", BRAND, read=flaky)]), request(), NOW)
    assert (gone.status, gone.failed) == (200, 1)
    assert (busy.status, busy.failed) == (500, 1)


def test_a_delivery_with_only_ignored_changes_is_fine(config, world):
    receipt = receiver(config, world).receive(FakeWebhook([], ignored=3), request(), NOW)
    assert (receipt.status, receipt.ignored, receipt.failed) == (200, 3, 0)
