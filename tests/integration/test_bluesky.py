"""Bluesky through the real handlers: a mention read from the notifications, stored once and
acknowledged in its thread with strong refs; staff's native reply (from the brand's author feed)
stops escalation; a quote that does not tag the brand is a ticket without a public reply; and the
login session is kept in the state table, renewed with refreshSession, never logged in again."""

import io
import json
from datetime import timedelta

import boto3
import pytest

from socialcare_local.replay.scenario import Account
from socialcare_local.stack import StackOptions, local_stack

from .conftest import T0, at

BRAND_DID = "did:plc:acmecare2bsky7brand2acme"
BRAND = Account(type="account", channel="bluesky", id=BRAND_DID, handle="acme.bsky.social")
JANE = "did:plc:jane2customer7bsky2abcde"
BOB = "did:plc:bob2customer77bsky2abcde"


@pytest.fixture
def bluesky():
    log = io.StringIO()
    context = local_stack([BRAND], T0, StackOptions(log=log, log_level="INFO"))
    stack = context.__enter__()
    stack.log = log
    yield stack
    context.__exit__(None, None, None)


def sim(stack):
    return stack.networks["bluesky"].sim


def post(stack, author: str, rkey: str, text: str, *, minutes: float, **options) -> str:
    uri = f"at://{author}/app.bsky.feed.post/{rkey}"
    sim(stack).publish(uri=uri, text=text, at=at(minutes), **options)
    return uri


def session_item(stack) -> dict:
    table = stack.deployment.table_name("StateTable")
    key = {"pk": {"S": f"session#bluesky#{BRAND_DID}"}}
    return boto3.client("dynamodb").get_item(TableName=table, Key=key).get("Item", {})


def test_a_mention_is_acknowledged_in_its_thread_and_staffs_reply_stops_escalation(bluesky):
    stack = bluesky
    root = post(stack, BRAND_DID, "3kbrandpost22", "Our winter sale starts today!", minutes=-60)
    mention = post(
        stack,
        JANE,
        "3kjanemention",
        "@acme.bsky.social my parcel never came",
        minutes=0.2,
        handle="jane.bsky.social",
        in_reply_to=root,
        lang="en",
    )
    stack.minute()
    stack.minute()
    (ticket,) = stack.tickets()
    assert ticket["post_ids"] == [mention] and ticket["author_handle"] == "jane.bsky.social"
    (reply,) = stack.replies_to(mention)
    assert reply["id"] == ticket["ack_post_id"]
    created = sim(stack).api.posts[reply["id"]].record["reply"]
    assert created["parent"]["uri"] == mention and created["root"]["uri"] == root  # the thread's root
    stack.minute()
    assert len(stack.tickets()) == 1, "our acknowledgement is not a new mention"

    staff = post(
        stack,
        BRAND_DID,
        "3kstaffreply2",
        "@jane.bsky.social so sorry, checking",
        minutes=4,
        in_reply_to=mention,
    )
    stack.minute()
    stack.minute()
    answered = stack.ticket(mention)
    assert answered["status"] == "answered" and answered["human_replied_at"] is not None
    stack.run_until(T0 + timedelta(hours=3))
    assert stack.emails() == [] and stack.sms() == [], f"no escalation once staff answered ({staff})"
    assert stack.spec_violations()["bluesky"] == 0


def test_a_quote_that_does_not_tag_the_brand_is_a_ticket_but_gets_no_public_reply(bluesky):
    stack = bluesky
    launch = post(stack, BRAND_DID, "3kbrandlaunch", "New boots are in!", minutes=-30)
    quote = post(
        stack,
        BOB,
        "3kbobquotes22",
        "these fell apart in a week, avoid",
        minutes=0.3,
        handle="bob.bsky.social",
        quote=launch,
    )
    tagged = post(
        stack,
        JANE,
        "3kjanequote22",
        "@acme.bsky.social mine too",
        minutes=0.4,
        handle="jane.bsky.social",
        quote=launch,
    )
    stack.minute()
    stack.minute()
    assert stack.ticket(quote)["ack_post_id"] is None and stack.replies_to(quote) == []
    assert stack.ticket(tagged)["ack_post_id"] is not None  # tagged: Bluesky's bot rules allow it


def test_the_session_is_kept_in_the_state_table_and_renewed_without_a_new_login(bluesky):
    stack = bluesky
    for minute in range(30):
        if minute % 10 == 0:  # three customers, each acknowledged once
            customer = "did:plc:" + (f"cust{chr(97 + minute // 10)}" * 5)[:24]
            post(
                stack,
                customer,
                f"3kquestion{minute:03d}",
                f"@acme.bsky.social question {minute}",
                minutes=minute + 0.1,
                handle=f"customer{minute}.bsky.social",
            )
        stack.minute()
    assert sim(stack).logins == 1
    stored = session_item(stack)["session"]["S"]
    assert BRAND_DID in stored
    sim(stack).api.expire_access_tokens()  # two hours later, as far as the tokens know
    post(
        stack, JANE, "3kjanequery99", "@acme.bsky.social still there?", minutes=31, handle="jane.bsky.social"
    )
    stack.minute()
    stack.minute()
    assert sim(stack).logins == 1 and sim(stack).api.refreshes >= 1
    assert session_item(stack)["session"]["S"] != stored, "the renewed session is kept for the next container"
    assert len(stack.replies()) == 4
    tokens = [json.loads(stored)[name] for name in ("access", "refresh")]
    assert not any(token in stack.log.getvalue() for token in tokens), "tokens are never logged"
