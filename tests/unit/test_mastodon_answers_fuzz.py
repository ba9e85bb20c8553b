"""Property: whatever a Mastodon instance answers (status, headers, any JSON or bytes, a notification
or status with any field broken), the adapter ends with data or a ChannelError, never another
exception, and never a reply wider than the mention's visibility."""

import contextlib
import json
from datetime import UTC, datetime

import pytest
import requests
from hypothesis import given, settings
from hypothesis import strategies as st
from requests.structures import CaseInsensitiveDict

from socialcare import clock
from socialcare.channels.base import ChannelError, Page, ReplyTarget
from socialcare.channels.mastodon.account import MastodonAccount
from socialcare.channels.mastodon.adapter import MastodonAdapter

NOW = datetime(2026, 11, 23, 14, 0, tzinfo=UTC)
ACCOUNT = MastodonAccount(
    channel="mastodon", id="109", handle="acme", instance="social.example", credentials_secret="m/acme"
)
FUZZ = settings(max_examples=200, deadline=None)


@pytest.fixture(autouse=True)
def pinned_clock():
    clock.set_clock(lambda: NOW)
    yield
    clock.set_clock(None)


text = st.text(st.one_of(st.characters(), st.sampled_from("<>&;/p0123456789Z:-T.@")), max_size=30)
json_values = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), text),
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(text, inner, max_size=4)),
    max_leaves=20,
)
ACCT = {"id": "42", "acct": "jane@mastodon.social", "username": "jane"}
STATUS = {
    "id": "1001",
    "account": ACCT,
    "content": "<p>@<span>acme</span> help</p>",
    "created_at": "2026-11-23T13:30:00.000Z",
    "visibility": "direct",
    "in_reply_to_id": None,
    "language": "en",
    "application": {"name": "Web"},
}
NOTIFICATION = {
    "id": "7",
    "type": "mention",
    "created_at": "2026-11-23T13:30:00Z",
    "account": ACCT,
    "status": STATUS,
}
FIELDS = ["id", "type", "created_at", "status"]
STATUS_FIELDS = list(STATUS)


def corrupt(valid: dict, fields: list[str]):
    return st.tuples(st.sampled_from(fields), json_values).map(lambda change: {**valid, change[0]: change[1]})


def broken_notification():
    broken_status = corrupt(STATUS, STATUS_FIELDS).map(lambda status: {**NOTIFICATION, "status": status})
    return st.one_of(corrupt(NOTIFICATION, FIELDS), broken_status)


answers = st.one_of(
    json_values,
    st.lists(broken_notification(), max_size=3),
    st.lists(corrupt(STATUS, STATUS_FIELDS), max_size=3),
    st.binary(max_size=20),
)
headers = st.dictionaries(st.sampled_from(["X-RateLimit-Reset", "Link"]), text, max_size=2)


class Canned:
    def __init__(self, status: int, body, headers: dict):
        self.status, self.headers = status, headers
        self.content = body if isinstance(body, bytes) else json.dumps(body).encode()
        self.sent: list[dict] = []

    def request(self, method: str, url: str, **kwargs) -> requests.Response:
        self.sent.append({"method": method, **kwargs})
        response = requests.Response()
        response.status_code, response._content = self.status, self.content
        response.headers, response.url = CaseInsensitiveDict(self.headers), url
        return response


def adapter(session: Canned) -> MastodonAdapter:
    return MastodonAdapter(ACCOUNT, {"access_token": "t"}, base_url="http://mastodon.test", session=session)


@FUZZ
@given(
    st.sampled_from([200, 200, 200, 404, 410, 429, 503]),
    answers,
    headers,
    st.sampled_from(["mentions", "own"]),
)
def test_reading_any_answer_ends_in_a_page_or_a_channel_error(status, body, head, stream):
    for cursor in (None, "5"):
        try:
            page = adapter(Canned(status, body, head)).read(stream, cursor, start_time=NOW.replace(hour=13))
        except ChannelError:
            continue
        assert isinstance(page, Page)


@FUZZ
@given(st.sampled_from([200, 200, 404, 422, 503]), st.one_of(json_values, corrupt(STATUS, STATUS_FIELDS)))
def test_posting_against_any_answer_ends_in_an_id_or_a_channel_error_and_is_never_wider(status, body):
    session = Canned(status, body, {})
    with contextlib.suppress(ChannelError):
        adapter(session).post_reply(ReplyTarget("1001", visibility="direct"), "Thanks, ref K7Q2X")
    for sent in session.sent:
        if sent["method"] == "POST":
            assert sent["json"]["visibility"] == "direct"
    with contextlib.suppress(ChannelError):
        adapter(Canned(status, body, {})).find_reply(ReplyTarget("1001"), NOW)
    assert isinstance(adapter(Canned(status, body, {})).max_reply_length, int)
