"""Claim links: a link opens only what it was made for, for whom, until it expires."""

import hashlib
import hmac
import json
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from socialcare.domain import claim_links
from socialcare.domain.claim_links import INCIDENT, TICKET, InvalidLink, peek, sign, verify

KEY = b"k" * 32
OTHER_KEY = b"o" * 32
NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def _token(**overrides) -> str:
    args = {"purpose": TICKET, "subject": "TICKET#x#1", "recipient": "Ana", "now": NOW} | overrides
    return sign(KEY, **args)


def test_a_fresh_link_names_its_purpose_subject_recipient_and_expiry():
    link = verify([KEY], _token(), NOW + timedelta(hours=1), purpose=TICKET, subject="TICKET#x#1")
    assert (link.purpose, link.subject, link.recipient) == (TICKET, "TICKET#x#1", "Ana")
    assert link.expires_at == NOW + timedelta(hours=24)


def test_the_token_is_url_safe():
    token = _token(subject="TICKET#x#1/ü?&=", recipient="Zoë O'Brien & co")
    assert set(token) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.")
    assert verify([KEY], token, NOW).recipient == "Zoë O'Brien & co"


def test_a_link_signed_with_another_key_is_refused():
    with pytest.raises(InvalidLink):
        verify([KEY], sign(OTHER_KEY, TICKET, "TICKET#x#1", "Ana", NOW), NOW)


def test_the_previous_key_still_opens_links_during_a_rotation():
    token = sign(OTHER_KEY, TICKET, "TICKET#x#1", "Ana", NOW)
    assert verify([KEY, OTHER_KEY], token, NOW).recipient == "Ana"


def test_a_link_is_refused_once_it_expires():
    token = _token(lifetime=timedelta(hours=2))
    verify([KEY], token, NOW + timedelta(hours=1, minutes=59))
    with pytest.raises(InvalidLink, match="expired"):
        verify([KEY], token, NOW + timedelta(hours=2))


def test_a_link_for_one_ticket_does_not_open_another():
    with pytest.raises(InvalidLink, match="another subject"):
        verify([KEY], _token(), NOW, purpose=TICKET, subject="TICKET#x#2")


def test_a_ticket_link_cannot_resolve_an_incident():
    with pytest.raises(InvalidLink, match="another purpose"):
        verify([KEY], _token(subject="INC1"), NOW, purpose=INCIDENT, subject="INC1")


def test_a_payload_rewritten_with_another_recipient_keeps_no_valid_signature():
    payload, mac = _token().split(".")
    forged_payload = sign(KEY, TICKET, "TICKET#x#1", "Mallory", NOW).split(".")[0]
    with pytest.raises(InvalidLink, match="bad signature"):
        verify([KEY], f"{forged_payload}.{mac}", NOW)


@pytest.mark.parametrize("token", ["", ".", "abc", "a.b.c", "!!!.???", "x" * 3000])
def test_garbage_is_refused_not_crashed_on(token):
    with pytest.raises(InvalidLink):
        verify([KEY], token, NOW)


def test_an_unknown_purpose_or_empty_key_signs_nothing():
    with pytest.raises(ValueError):
        sign(KEY, "admin", "x", "Ana", NOW)
    with pytest.raises(ValueError):
        sign(b"", TICKET, "x", "Ana", NOW)
    with pytest.raises(InvalidLink):
        verify([b""], _token(), NOW)


@given(st.data())
def test_any_altered_character_is_refused(data):
    token = _token()
    index = data.draw(st.integers(0, len(token) - 1))
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_."
    replacement = data.draw(st.sampled_from(alphabet).filter(lambda ch: ch != token[index]))
    altered = token[:index] + replacement + token[index + 1 :]
    try:
        link = verify([KEY], altered, NOW)
    except InvalidLink:
        return
    # base64's final character carries spare bits: an edit there may decode to the same bytes.
    assert claim_links._unb64(altered.split(".")[-1]) == claim_links._unb64(token.split(".")[-1]) or (
        claim_links._unb64(altered.split(".")[0]) == claim_links._unb64(token.split(".")[0])
    )
    assert link == verify([KEY], token, NOW)


@given(st.text(min_size=1, max_size=60), st.text(max_size=60))
def test_any_subject_and_recipient_round_trip(subject, recipient):
    link = verify([KEY], sign(KEY, INCIDENT, subject, recipient, NOW), NOW, subject=subject)
    assert (link.subject, link.recipient) == (subject, recipient)


def _format_1(key: bytes, purpose: str, subject: str, recipient: str, expires: datetime) -> str:
    """A link as sent before format 2 (JSON payload, full MAC), built by hand."""
    payload = json.dumps(["1", purpose, subject, recipient, int(expires.timestamp())], separators=(",", ":"))
    mac = hmac.new(key, b"socialcare-claim." + payload.encode(), hashlib.sha256).digest()
    return f"{claim_links._b64(payload.encode())}.{claim_links._b64(mac)}"


def test_links_sent_in_the_first_format_keep_working_until_they_expire():
    old = _format_1(KEY, TICKET, "TICKET#x#1", "Ana", NOW + timedelta(hours=24))
    assert verify([KEY], old, NOW, subject="TICKET#x#1").recipient == "Ana"
    with pytest.raises(InvalidLink, match="expired"):
        verify([KEY], old, NOW + timedelta(hours=24))
    with pytest.raises(InvalidLink, match="bad signature"):
        verify([b"another key"], old, NOW)


def test_a_ticket_link_is_short_enough_for_an_sms():
    token = sign(KEY, TICKET, "TICKET#x#1860000000000001012", "care_team", NOW)
    assert len(token) <= 80  # format 1 took 130 characters for the same link
    assert peek(token) == verify([KEY], token, NOW)


def test_a_full_mac_on_a_compact_payload_is_refused():
    payload, _ = sign(KEY, TICKET, "TICKET#x#1", "Ana", NOW).split(".")
    raw = claim_links._unb64(payload)
    full = hmac.new(KEY, b"socialcare-claim.2." + raw, hashlib.sha256).digest()
    with pytest.raises(InvalidLink, match="bad signature"):
        verify([KEY], f"{payload}.{claim_links._b64(full)}", NOW)
