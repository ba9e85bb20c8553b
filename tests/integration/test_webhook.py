"""Meta's webhooks through the real webhook function on its (local) function URL: the simulated Meta
verifies the callback, then signs and delivers every comment, tag and mention as Meta does."""

import hashlib
import hmac
import io
import json
from datetime import timedelta

import pytest
import requests
import yaml

from socialcare_local.networks.meta.world import WEBHOOK_SECRET as META_WEBHOOK
from socialcare_local.replay import world
from socialcare_local.replay.scenario import Account
from socialcare_local.stack import StackOptions, local_stack

from .conftest import T0

PAGE = Account(type="account", channel="facebook", id="1000001", handle="AcmeCare")
IG = Account(type="account", channel="instagram", id="17841400000000001", handle="acmecare")
POST = f"{PAGE.id}_77"


@pytest.fixture
def make_meta_stack():
    """make_meta_stack(log=None) -> a running stack with a page and an Instagram account. Called
    in the test itself when its log is read (pytest swaps stdout between setup and the test)."""
    contexts = []

    def make(log: io.StringIO | None = None):
        context = local_stack([PAGE, IG], T0, StackOptions(log=log, log_level="INFO"))
        contexts.append(context)
        stack = context.__enter__()
        stack.meta.publish_page_post(PAGE.id, POST, "Our autumn menu", T0 - timedelta(hours=2))
        stack.meta.publish_media(IG.id, "1799", "New in store", T0 - timedelta(hours=2))
        return stack

    yield make
    for context in reversed(contexts):
        context.__exit__(None, None, None)


@pytest.fixture
def meta_stack(make_meta_stack):
    return make_meta_stack()


def metric_total(log: io.StringIO, name: str) -> float:
    """One metric summed over every flush the functions printed (CloudWatch embedded format)."""
    total = 0.0
    for line in log.getvalue().splitlines():
        if '"_aws"' in line:
            value = json.loads(line).get(name, 0)
            total += sum(value) if isinstance(value, list) else value
    return total


def comment(stack, comment_id: str, text: str = "My order never arrived", *, parent: str = POST, **kw) -> str:
    when = kw.pop("when", stack.clock.now())
    made = stack.meta.comment(parent, comment_id, kw.pop("author", "555"), "Dana Customer", text, when)
    stack.settle()  # the delivery was answered; its ticket's stream record is being acknowledged
    return made


def tickets_for(stack, post_id: str) -> list[dict]:
    return [t for t in stack.tickets() if post_id in t["post_ids"]]


def our_replies(stack, parent_id: str) -> list[dict]:
    return [c for c in stack.meta.created_comments() if c["parent_id"] == parent_id]


def post_raw(stack, body: bytes, headers: dict[str, str]) -> requests.Response:
    return requests.post(stack.function_url.url + "meta", data=body, headers=headers, timeout=10)


def signature(body: bytes, secret: str = META_WEBHOOK["app_secret"]) -> dict[str, str]:
    digest = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return {"X-Hub-Signature-256": f"sha256={digest}", "Content-Type": "application/json"}


def feed_payload(comment_id: str, page: str = PAGE.id) -> bytes:
    value = {
        "from": {"id": "556", "name": "Sam"},
        "message": "Still waiting",
        "post_id": POST,
        "comment_id": comment_id,
        "parent_id": POST,
        "created_time": int(T0.timestamp()),
        "item": "comment",
        "verb": "add",
    }
    entry = {"id": page, "time": int(T0.timestamp()), "changes": [{"field": "feed", "value": value}]}
    return json.dumps({"object": "page", "entry": [entry]}).encode()


# -- a comment is acknowledged at once -------------------------------------------------------------


def test_a_facebook_comment_is_a_ticket_acknowledged_before_the_next_minute(meta_stack):
    stack = meta_stack
    made = comment(stack, "901")
    (ticket,) = tickets_for(stack, made)
    assert ticket["channel"] == "facebook" and ticket["author_id"] == "555"
    (reply,) = our_replies(stack, made)
    assert (ticket["ack_state"], ticket["ack_post_id"], ticket["ack_text"]) == (
        "posted",
        reply["id"],
        reply["message"],
    )
    assert stack.deployment.invocations["PollMentionsFunction"] == 0  # no poll was needed


def test_the_verification_answered_metas_challenge_and_refuses_another_token(meta_stack):
    url = meta_stack.function_url.url + "meta"
    ok = requests.get(
        url,
        params={
            "hub.mode": "subscribe",
            "hub.verify_token": META_WEBHOOK["verify_token"],
            "hub.challenge": "77",
        },
        timeout=10,
    )
    assert (ok.status_code, ok.text) == (200, "77")
    refused = requests.get(
        url, params={"hub.mode": "subscribe", "hub.verify_token": "guess", "hub.challenge": "77"}, timeout=10
    )
    assert refused.status_code == 403 and "77" not in refused.text


def test_an_instagram_comment_and_a_mention_are_tickets_answered_in_their_place(meta_stack):
    stack = meta_stack
    stack.meta.ig_comment("1799", "1801", "4242", "dana.c", "Wrong size again", stack.clock.now())
    stack.meta.ig_mention(
        IG.id,
        media_id="2900",
        comment_id="2901",
        author_id="4343",
        username="sam.k",
        text="@acmecare where is my parcel?",
        created_at=stack.clock.now(),
    )
    stack.settle()
    assert len(tickets_for(stack, "1801")) == 1 and len(tickets_for(stack, "2901")) == 1
    created = stack.meta.created_comments()
    assert [c["via"] for c in created if c["parent_id"] == "1801"] == ["replies"]
    mention_replies = [c for c in created if c["media_id"] == "2900"]
    assert len(mention_replies) == 1  # through the mentioned account: the only way to answer


# -- one ticket, whoever saw it first ----------------------------------------------------------------


def test_a_comment_seen_by_the_webhook_and_then_the_poll_is_one_ticket_one_acknowledgement(meta_stack):
    stack = meta_stack
    made = comment(stack, "901")
    stack.minute()  # the poll reads the same comment (and our acknowledgement under it)
    stack.minute()
    assert len(tickets_for(stack, made)) == 1
    assert len(our_replies(stack, made)) == 1
    assert stack.ticket(made)["status"] == "open"  # our own reply is not taken for staff's


def test_a_comment_polled_before_its_delayed_delivery_is_one_ticket(meta_stack):
    stack = meta_stack
    stack.meta.webhooks.queued = True  # Meta is late with this one
    comment(stack, "901")
    stack.minute()  # the poll finds it first
    assert len(tickets_for(stack, "77_901")) == 1
    statuses = stack.meta.deliver_pending()
    stack.settle()
    assert 200 in statuses
    assert len(tickets_for(stack, "77_901")) == 1 and len(our_replies(stack, "77_901")) == 1


def test_a_delivery_repeated_by_meta_makes_one_ticket(meta_stack):
    stack = meta_stack
    stack.meta.webhooks.queued = True
    comment(stack, "901")
    (delivery,) = [d for d in stack.meta.deliveries_pending() if d.field == "feed"]
    # Meta sends it again later (it repeats what it believes failed), the first one fully handled.
    assert stack.meta.deliver_pending([delivery.id]) == [200]
    stack.settle()
    stack.meta.webhooks.pending.append(delivery)
    assert stack.meta.deliver_pending([delivery.id]) == [200]
    stack.settle()
    assert len(tickets_for(stack, "77_901")) == 1 and len(our_replies(stack, "77_901")) == 1


def test_a_staff_reply_typed_on_facebook_stops_the_clock_without_a_poll(meta_stack):
    stack = meta_stack
    made = comment(stack, "901")
    stack.clock.advance(timedelta(minutes=3))
    stack.meta.comment(
        made, "77_950", PAGE.id, PAGE.handle, "Sorry Dana, sending a new one", stack.clock.now()
    )
    stack.settle()
    ticket = stack.ticket(made)
    assert ticket["status"] == "answered"
    assert stack.deployment.invocations["PollMentionsFunction"] == 0


# -- refused whole -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("headers", "body", "status"),
    [
        ({}, feed_payload("77_990"), 401),
        (signature(feed_payload("77_990"), secret="another-app"), feed_payload("77_990"), 401),
        (
            signature(b'{"object": "page", "entry": [{"id": "x"}]}'),
            b'{"object": "page", "entry": [{"id": "x"}]}',
            400,
        ),
        (signature(b"not json"), b"not json", 400),
        (signature(b" " * 300_000), b" " * 300_000, 413),
    ],
)
def test_a_refused_delivery_stores_nothing_and_is_counted(make_meta_stack, headers, body, status):
    log = io.StringIO()
    meta_stack = make_meta_stack(log)
    answer = post_raw(meta_stack, body, headers)
    assert answer.status_code == status
    assert len(answer.text) < 100 and "Still waiting" not in answer.text
    assert meta_stack.tickets() == []
    assert metric_total(log, "WebhookRejected") == 1
    assert "Still waiting" not in log.getvalue()  # logs never carry the payload


def test_a_signed_binary_body_is_verified_on_its_raw_bytes(meta_stack):
    # Meta escapes non-ASCII (\u00e9); sent raw as UTF-8 the same payload is other bytes: still signed.
    body = feed_payload("77_991").replace(b"Still waiting", "Toujours en attente, déçue".encode())
    answer = post_raw(meta_stack, body, {**signature(body), "Content-Type": "application/octet-stream"})
    assert answer.status_code == 200
    (ticket,) = tickets_for(meta_stack, "77_991")
    assert ticket["channel"] == "facebook"


def test_changes_for_a_page_not_configured_are_ignored(make_meta_stack):
    log = io.StringIO()
    meta_stack = make_meta_stack(log)
    body = feed_payload("88_901", page="2000002")
    assert post_raw(meta_stack, body, signature(body)).status_code == 200
    assert meta_stack.tickets() == []
    assert metric_total(log, "WebhookChangesIgnored") == 1


def test_a_missing_webhook_secret_fails_loudly_and_meta_retries(meta_stack):
    import boto3

    boto3.client("secretsmanager", region_name="us-east-1").delete_secret(
        SecretId=world.SECRETS_PREFIX + world.webhook_secret_name("meta"), ForceDeleteWithoutRecovery=True
    )
    meta_stack.deployment.cold_start("WebhookFunction")  # no cached secret
    body = feed_payload("77_992")
    assert post_raw(meta_stack, body, signature(body)).status_code == 502
    assert meta_stack.tickets() == []


# -- personal data in a public comment -------------------------------------------------------------


def test_a_comment_with_a_phone_number_gets_the_offline_reply_and_is_hidden_when_configured():
    config = yaml.safe_load(world.config_text([PAGE, IG], None))
    config["acknowledgements"]["hide_personal_data"] = True
    with local_stack([PAGE, IG], T0, StackOptions(config_text=yaml.safe_dump(config))) as stack:
        stack.meta.publish_page_post(PAGE.id, POST, "Our autumn menu", T0 - timedelta(hours=2))
        made = comment(stack, "905", "Parcel never came, ring me on +44 7700 900456 please")
        (ticket,) = tickets_for(stack, made)
        (reply,) = our_replies(stack, made)
        assert ticket["ack_kind"] == "offline" and "900456" not in reply["message"]
        assert stack.meta.store.comments[made].is_hidden, "only the customer still sees their number"
        plain = comment(stack, "906", "Parcel never came")
        assert not stack.meta.store.comments[plain].is_hidden


def test_a_comment_with_personal_data_is_left_visible_by_default(meta_stack):
    made = comment(meta_stack, "907", "Parcel never came, ring me on +44 7700 900456 please")
    (ticket,) = tickets_for(meta_stack, made)
    assert ticket["ack_kind"] == "offline" and not meta_stack.meta.store.comments[made].is_hidden
