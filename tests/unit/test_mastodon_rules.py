"""Mastodon's own rules as the adapter applies them: how a status is counted, what an account
configuration may say, how a reply's visibility is chosen, how its HTML reads and when a rate
limit ends."""

import time
from datetime import UTC, datetime, timedelta

import pytest
import yaml
from pydantic import ValidationError

from socialcare import clock
from socialcare.channels.base import PermanentError
from socialcare.channels.mastodon import MENTION_ALLOWANCE, NETWORK, reply_length
from socialcare.channels.mastodon.account import MastodonAccount
from socialcare.channels.mastodon.adapter import MastodonAdapter, html_text, reset_time
from socialcare.channels.mastodon.cursor import Position
from socialcare.channels.mastodon.textlength import graphemes, status_length
from socialcare.channels.network import PostRef
from socialcare.config.loader import BUNDLED_EXAMPLE, parse_config

ACCOUNT = {
    "channel": "mastodon",
    "id": "109000000000000001",
    "handle": "acme",
    "credentials_secret": "m/acme",
}


def account(**overrides) -> MastodonAccount:
    return MastodonAccount(**{**ACCOUNT, "instance": "social.example", **overrides})


def test_a_link_counts_23_and_a_remote_mention_counts_as_its_username():
    assert status_length("see https://example.com/a/very/long/path?with=query") == len("see ") + 23
    assert status_length("hi @jane@mastodon.social!") == len("hi @jane!")
    assert status_length("mail me: jane@example.com") == len("mail me: jane@example.com")


def test_characters_are_counted_as_people_see_them():
    assert graphemes("👨‍👩‍👧‍👦") == 1  # a family joined by zero-width joiners
    assert graphemes("🇫🇷🇩🇪") == 2  # two flags
    assert graphemes("e\u0301te\u0301") == 3  # été, its accents combining
    assert graphemes("👍🏽 ok") == 4


def test_counting_is_linear_in_the_text():
    text = "word https://example.com/x @jane@mastodon.social 😀 " * 2_500  # 130,000 characters
    started = time.perf_counter()
    status_length(text)
    assert time.perf_counter() - started < 5


def test_every_reply_counts_room_for_the_customers_mention():
    assert reply_length("Thanks") == 6 + MENTION_ALLOWANCE
    assert NETWORK.reply_length is reply_length and NETWORK.reply_limit == 500


def test_an_account_names_its_instance_and_its_handle_lives_there():
    assert account(handle="acme@social.example").handle == "acme@social.example"
    with pytest.raises(ValidationError, match="not on instance"):
        account(handle="acme@other.example")
    with pytest.raises(ValidationError):
        MastodonAccount(**ACCOUNT)  # no instance
    with pytest.raises(ValidationError):
        account(instance="https://social.example")  # a host, not a URL


def test_the_configuration_accepts_a_mastodon_account_beside_the_others():
    data = yaml.safe_load(BUNDLED_EXAMPLE.read_text(encoding="utf-8"))
    data["accounts"] = [
        {"channel": "x", "id": "9001", "handle": "AcmeCare", "credentials_secret": "x/acme"},
        {**ACCOUNT, "instance": "social.example", "public_reply_visibility": "public"},
    ]
    parsed = parse_config(yaml.safe_dump(data), "test").accounts[1]
    assert isinstance(parsed, MastodonAccount) and parsed.public_reply_visibility == "public"


def test_a_post_link_is_on_the_brands_instance():
    ref = PostRef("113", author_handle="jane@mastodon.social")
    assert NETWORK.post_url(account(), ref) == "https://social.example/@jane@mastodon.social/113"
    local = PostRef("114", author_handle="bob@social.example")
    assert NETWORK.post_url(account(), local) == "https://social.example/@bob/114"


@pytest.mark.parametrize(
    ("stored", "current", "configured", "expected"),
    [
        ("public", "public", "unlisted", "unlisted"),
        ("public", "public", "public", "public"),
        ("unlisted", "public", "public", "unlisted"),
        ("private", "public", "public", "private"),
        ("direct", "public", "public", "direct"),
        ("public", "direct", "public", "direct"),  # narrowed since it was stored: the narrower
        (None, "private", "public", "private"),
        ("limited", "public", "public", "direct"),  # unknown: never wider than direct
        (None, None, "public", "direct"),
    ],
)
def test_a_reply_is_never_more_visible_than_the_mention(stored, current, configured, expected):
    adapter = MastodonAdapter(
        account(public_reply_visibility=configured), {"access_token": "t"}, base_url="http://127.0.0.1:9"
    )
    assert adapter._visibility(stored, current) == expected


def test_the_instance_fills_the_default_address_and_a_token_is_required():
    adapter = MastodonAdapter(account(), {"access_token": "t"}, base_url=NETWORK.default_base_url)
    assert adapter._base == "https://social.example"
    with pytest.raises(PermanentError):
        MastodonAdapter(account(), {}, base_url=NETWORK.default_base_url)


def test_status_html_reads_as_text():
    content = (
        '<p><span class="h-card"><a href="https://social.example/@acme" class="u-url mention">@<span>acme'
        "</span></a></span> my order &amp; refund</p><p>line one<br />line two</p>"
    )
    assert html_text(content) == "@acme my order & refund\n\nline one\nline two"


def test_a_rate_limit_ends_at_its_iso_reset_within_sane_bounds(monkeypatch):
    now = datetime(2026, 11, 23, 14, 0, tzinfo=UTC)
    monkeypatch.setattr(clock, "now", lambda: now)
    assert reset_time({"X-RateLimit-Reset": "2026-11-23T14:03:00.000Z"}) == now + timedelta(minutes=3)
    assert reset_time({"X-RateLimit-Reset": "2026-11-23T13:00:00Z"}) == now + timedelta(seconds=1)
    assert reset_time({"X-RateLimit-Reset": "2030-01-01T00:00:00Z"}) == now + timedelta(hours=24)
    assert reset_time({"X-RateLimit-Reset": "1795449600"}) == now + timedelta(minutes=5)
    assert reset_time({}) == now + timedelta(minutes=5)


def test_a_cursor_it_did_not_write_is_refused():
    assert Position.parse("12345") == Position(since="12345")
    for broken in ("abc", '{"until": "x"}', '{"start": "yesterday!"}', "[1]"):
        with pytest.raises(PermanentError):
            Position.parse(broken)
