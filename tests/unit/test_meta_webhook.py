"""Meta's webhook: the verification challenge, the signature over the raw body, and payloads turned
into the posts they announce, or refused whole when they are not Meta's shape."""

import hashlib
import hmac
import json
from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from socialcare.channels.meta_webhook import MetaWebhook
from socialcare.channels.registry import WEBHOOKS, webhook_class
from socialcare.channels.webhook import MalformedPayload, WebhookRequest

SECRET = {"app_secret": "app-secret-1", "verify_token": "verify-me"}
PAGE, IG = "1000001", "17841400000000001"
AT = 1795442400  # 2026-11-23T14:00:00Z


@pytest.fixture
def hook() -> MetaWebhook:
    return MetaWebhook(SECRET)


def signed(body: bytes, secret: str = SECRET["app_secret"]) -> WebhookRequest:
    digest = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return WebhookRequest("POST", {}, {"x-hub-signature-256": f"sha256={digest}"}, body)


def feed(value: dict, page: str = PAGE) -> dict:
    return {
        "object": "page",
        "entry": [{"id": page, "time": AT, "changes": [{"field": "feed", "value": value}]}],
    }


def comment(**overrides) -> dict:
    value = {
        "from": {"id": "555", "name": "Dana Customer"},
        "message": "My order never came",
        "post_id": f"{PAGE}_77",
        "comment_id": "77_901",
        "parent_id": f"{PAGE}_77",
        "created_time": AT,
        "item": "comment",
        "verb": "add",
    }
    return {**value, **overrides}


def test_registered_by_name():
    assert webhook_class("meta") is MetaWebhook and "meta" in WEBHOOKS


def test_a_secret_without_its_keys_is_refused_naming_them():
    with pytest.raises(ValueError, match="verify_token"):
        MetaWebhook({"app_secret": "x"})


# -- verification -----------------------------------------------------------------------------------


def test_the_challenge_is_answered_to_our_verify_token(hook):
    query = {"hub.mode": "subscribe", "hub.verify_token": "verify-me", "hub.challenge": "1158201444"}
    assert hook.challenge_answer(query) == "1158201444"


@pytest.mark.parametrize(
    "query",
    [
        {"hub.mode": "subscribe", "hub.verify_token": "wrong", "hub.challenge": "1"},
        {"hub.mode": "subscribe", "hub.challenge": "1"},
        {"hub.mode": "unsubscribe", "hub.verify_token": "verify-me", "hub.challenge": "1"},
        {"hub.mode": "subscribe", "hub.verify_token": "verify-me"},
        {"hub.mode": "subscribe", "hub.verify_token": "verify-me", "hub.challenge": "9" * 201},
        {"hub.mode": "subscribe", "hub.verify_token": "verify-me\ud800", "hub.challenge": "1"},
        {},
    ],
)
def test_anything_else_is_no_verification(hook, query):
    assert hook.challenge_answer(query) is None


# -- signature --------------------------------------------------------------------------------------


def test_a_body_signed_with_the_app_secret_is_valid(hook):
    assert hook.signature_valid(signed(b'{"object":"page","entry":[]}'))


def test_the_signature_covers_every_byte_of_the_raw_body(hook):
    body = b'{"object":"page","entry":[]}'
    request = signed(body)
    tampered = WebhookRequest("POST", {}, request.headers, body.replace(b"[]", b"[ ]"))
    assert not hook.signature_valid(tampered)


def test_upper_case_hex_is_the_same_signature(hook):
    request = signed(b"{}")
    header = request.headers["x-hub-signature-256"]
    upper = WebhookRequest("POST", {}, {"x-hub-signature-256": "sha256=" + header[7:].upper()}, b"{}")
    assert hook.signature_valid(upper)


@pytest.mark.parametrize(
    "header",
    [None, "", "sha256=", "sha1=" + "0" * 40, "sha256=" + "0" * 64, "sha256=" + "z" * 64, "sha256=abc"],
)
def test_missing_or_wrong_signatures_are_invalid(hook, header):
    headers = {} if header is None else {"x-hub-signature-256": header}
    assert not hook.signature_valid(WebhookRequest("POST", {}, headers, b"{}"))


def test_another_apps_secret_is_invalid(hook):
    assert not hook.signature_valid(signed(b"{}", secret="another-app"))


# -- payloads ---------------------------------------------------------------------------------------


def test_a_facebook_comment_becomes_the_post_polling_would_store(hook):
    (change,) = hook.announcements(feed(comment())).changes
    post = change.post
    assert (change.channel, change.account_id) == ("facebook", PAGE)
    assert (post.channel, post.post_id, post.author_id, post.author_handle) == (
        "facebook",
        "77_901",
        "555",
        "Dana Customer",
    )
    assert post.text == "My order never came" and post.kind == "comment"
    assert post.conversation_id == f"{PAGE}_77" and post.in_reply_to_id == f"{PAGE}_77"
    assert post.created_at == datetime(2026, 11, 23, 14, 0, tzinfo=UTC)


def test_a_reply_to_a_comment_answers_that_comment(hook):
    (change,) = hook.announcements(feed(comment(comment_id="77_902", parent_id="77_901"))).changes
    assert change.post.in_reply_to_id == "77_901" and change.post.conversation_id == f"{PAGE}_77"


def test_a_post_by_someone_else_on_the_page_is_a_tag_and_the_pages_own_post_is_nothing(hook):
    visitor = {"from": {"id": "555", "name": "Dana"}, "message": "@Acme help", "post_id": "555_3"}
    visitor |= {"created_time": AT, "item": "post", "verb": "add"}
    (change,) = hook.announcements(feed(visitor)).changes
    assert change.post.kind == "tag" and change.post.post_id == "555_3"
    own = {**visitor, "from": {"id": PAGE, "name": "Acme"}, "post_id": f"{PAGE}_78"}
    found = hook.announcements(feed(own))
    assert not found.changes and found.ignored


@pytest.mark.parametrize(
    "overrides", [{"verb": "edited"}, {"verb": "remove"}, {"item": "reaction"}, {"item": "like"}]
)
def test_edits_removals_and_reactions_are_ignored_and_counted(hook, overrides):
    found = hook.announcements(feed(comment(**overrides)))
    assert not found.changes and len(found.ignored) == 1


def test_a_photo_comment_without_text_is_still_a_comment(hook):
    value = comment()
    del value["message"]
    (change,) = hook.announcements(feed(value)).changes
    assert change.post.text == ""


def test_an_instagram_comment_on_the_accounts_media(hook):
    value = {
        "from": {"id": "4242", "username": "dana.c"},
        "media": {"id": "1799"},
        "id": "1801",
        "text": "hi",
    }
    payload = {
        "object": "instagram",
        "entry": [{"id": IG, "time": AT, "changes": [{"field": "comments", "value": value}]}],
    }
    (change,) = hook.announcements(payload).changes
    post = change.post
    assert (change.channel, change.account_id, post.post_id, post.author_handle) == (
        "instagram",
        IG,
        "1801",
        "dana.c",
    )
    assert post.conversation_id == "1799" and post.in_reply_to_id == "1799" and post.kind == "comment"
    assert post.created_at == datetime(2026, 11, 23, 14, 0, tzinfo=UTC)  # the entry's time


def test_an_instagram_mention_is_read_through_the_accounts_adapter(hook):
    value = {"media_id": "1900", "comment_id": "1901"}
    payload = {
        "object": "instagram",
        "entry": [{"id": IG, "time": AT, "changes": [{"field": "mentions", "value": value}]}],
    }
    (change,) = hook.announcements(payload).changes
    assert change.post is None and change.account_id == IG

    class Adapter:
        def read_mention(self, media_id, comment_id):
            return ("read", media_id, comment_id)

    assert change.read(Adapter()) == ("read", "1900", "1901")


def test_other_objects_and_fields_are_ignored(hook):
    assert hook.announcements({"object": "user", "entry": []}).ignored
    payload = feed(comment())
    payload["entry"][0]["changes"][0]["field"] = "ratings"
    assert not hook.announcements(payload).changes


def test_a_lone_surrogate_in_text_is_replaced_not_stored(hook):
    (change,) = hook.announcements(json.loads(json.dumps(feed(comment(message="ok \ud800 then"))))).changes
    change.post.text.encode("utf-8")  # would raise on a lone surrogate


def _break(payload: dict, path: list, value) -> dict:
    target = payload
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return payload


VALUE = ["entry", 0, "changes", 0, "value"]


@pytest.mark.parametrize(
    ("path", "value"),
    [
        (["entry"], {"not": "a list"}),
        (["entry", 0], "an entry"),
        (["entry", 0, "id"], "12; DROP"),
        (["entry", 0, "id"], None),
        (["entry", 0, "time"], "yesterday"),
        (["entry", 0, "changes"], None),
        (["entry", 0, "changes", 0], []),
        (["entry", 0, "changes", 0, "value"], "text"),
        ([*VALUE, "from"], None),
        ([*VALUE, "from"], {"name": "no id"}),
        ([*VALUE, "comment_id"], None),
        ([*VALUE, "comment_id"], "../../etc"),
        ([*VALUE, "comment_id"], "1" * 200),
        ([*VALUE, "post_id"], 3.5),
        ([*VALUE, "message"], {"text": "nested"}),
        ([*VALUE, "message"], "x" * 70_001),
        ([*VALUE, "created_time"], "2026-11-23"),
        ([*VALUE, "created_time"], True),
        ([*VALUE, "created_time"], -1),
        ([*VALUE, "created_time"], 10**12),
    ],
)
def test_a_payload_not_of_metas_shape_is_refused_whole(hook, path, value):
    payload = {"object": "page", "entry": [feed(comment())["entry"][0]]}
    payload["entry"].append(feed(comment(comment_id="77_999"))["entry"][0])  # a good one alongside
    with pytest.raises(MalformedPayload):
        hook.announcements(_break(payload, path, value))


@pytest.mark.parametrize("payload", [None, [], "page", 42, {"object": "page"}, {"entry": []}])
def test_top_level_garbage_is_refused(hook, payload):
    with pytest.raises(MalformedPayload):
        hook.announcements(payload)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4),
    max_leaves=30,
)


def near(valid) -> st.SearchStrategy:
    """The valid value or, often, something else: payloads close enough to Meta's to go deep."""
    return st.one_of(st.just(valid), json_values)


feed_values = st.fixed_dictionaries(
    {},
    optional={
        "from": st.fixed_dictionaries({}, optional={"id": near("555"), "name": near("Dana")}) | json_values,
        "message": near("hi"),
        "post_id": near(f"{PAGE}_77"),
        "comment_id": near("77_901"),
        "parent_id": near("77_900"),
        "created_time": near(AT),
        "item": near("comment") | st.just("post"),
        "verb": near("add"),
    },
)
ig_values = st.fixed_dictionaries(
    {},
    optional={
        "from": st.fixed_dictionaries({}, optional={"id": near("4242"), "username": near("dana")}),
        "media": st.fixed_dictionaries({}, optional={"id": near("1799")}) | json_values,
        "id": near("1801"),
        "text": near("hi"),
        "parent_id": near("1800"),
        "media_id": near("1900"),
        "comment_id": near("1901"),
    },
)


@settings(max_examples=400, deadline=None)
@given(
    kind=st.sampled_from(["page", "instagram"]),
    field_=st.sampled_from(["feed", "comments", "mentions", "other"]),
    value=feed_values | ig_values | json_values,
    entry_id=near(PAGE),
    time=near(AT),
)
def test_any_json_gives_changes_or_a_malformed_payload_never_another_error(
    kind, field_, value, entry_id, time
):
    hook = MetaWebhook(SECRET)
    payload = {
        "object": kind,
        "entry": [{"id": entry_id, "time": time, "changes": [{"field": field_, "value": value}]}],
    }
    try:
        found = hook.announcements(payload)
    except MalformedPayload:
        return
    for change in found.changes:  # what is announced is a usable post, or ids to read
        assert change.post is not None or change.read is not None
        if change.post is not None:
            change.post.text.encode("utf-8")
            assert change.post.post_id and change.post.author_id
