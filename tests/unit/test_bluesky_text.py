"""Bluesky's reply length (graphemes, with its byte bound), its account ids and its post links."""

import time

import pytest
from pydantic import ValidationError

from socialcare.channels.bluesky import NETWORK
from socialcare.channels.bluesky.account import BlueskyAccount
from socialcare.channels.bluesky.graphemes import grapheme_count
from socialcare.channels.network import PostRef

length = NETWORK.reply_length


@pytest.mark.parametrize(
    ("text", "graphemes"),
    [
        ("hello", 5),
        ("e\u0301", 1),  # e + combining acute
        ("\U0001f468\u200d\U0001f469\u200d\U0001f467\u200d\U0001f466", 1),  # a family: 7 code points
        ("\U0001f1eb\U0001f1f7\U0001f1e9\U0001f1ea", 2),  # two flags
        ("\U0001f44d\U0001f3fd ok", 4),  # a skin-toned thumb, a space, o, k
        ("\r\n", 1),
        ("\u0928\u092e\u0938\u094d\u0924\u0947", 3),  # Devanagari namaste: conjuncts are clusters
    ],
)
def test_graphemes_are_extended_grapheme_clusters(text, graphemes):
    assert grapheme_count(text) == graphemes


def test_long_runs_of_emoji_sequences_count_towards_the_3000_byte_bound_too():
    family = "\U0001f468\u200d\U0001f469\u200d\U0001f467\u200d\U0001f466"  # 25 bytes, one grapheme
    assert length("plain words " * 25) == 300  # 300 graphemes, 300 bytes
    assert length(family * 100) == 250  # 2,500 bytes: a tenth of them counts more than 100 graphemes
    assert length(family * 120) == NETWORK.reply_limit  # 3,000 bytes: Bluesky's bound, allowed
    assert length(family * 121) > NETWORK.reply_limit


def test_counting_is_linear():
    started = time.perf_counter()
    assert grapheme_count("ab\u0301" * 50_000) == 100_000
    assert time.perf_counter() - started < 3


@pytest.mark.parametrize("did", ["did:plc:acmecare2bsky7brand2acme", "did:web:care.acme.example"])
def test_an_account_is_its_did(did):
    assert (
        BlueskyAccount(channel="bluesky", id=did, handle="acme.bsky.social", credentials_secret="s").id == did
    )


@pytest.mark.parametrize(
    ("did", "handle"),
    [
        ("did:plc:short", "acme.bsky.social"),
        ("acme.bsky.social", "acme.bsky.social"),
        ("did:plc:acmecare2bsky7brand2acme", "@acme.bsky.social"),
        ("did:plc:acmecare2bsky7brand2acme", "acme"),
    ],
)
def test_an_account_that_is_not_a_did_and_a_handle_is_refused(did, handle):
    with pytest.raises(ValidationError):
        BlueskyAccount(channel="bluesky", id=did, handle=handle, credentials_secret="s")


def test_a_post_opens_in_the_bluesky_app():
    account = BlueskyAccount(
        channel="bluesky",
        id="did:plc:acmecare2bsky7brand2acme",
        handle="acme.bsky.social",
        credentials_secret="s",
    )
    post = PostRef("at://did:plc:jane2customer7bsky2abcde/app.bsky.feed.post/3kabc2def3gh4")
    assert NETWORK.post_url(account, post) == (
        "https://bsky.app/profile/did:plc:jane2customer7bsky2abcde/post/3kabc2def3gh4"
    )
    assert NETWORK.post_url(account, PostRef("1234")) is None
