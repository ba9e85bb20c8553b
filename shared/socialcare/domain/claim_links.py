"""Signed, expiring links that let the person an alert went to act on it without logging in.

A token names its purpose ("ticket": view and claim; "incident": view and resolve), the subject (a
ticket's pk or an incident's id), the recipient and when it expires, signed with HMAC-SHA256. The
token is the only credential the claim page accepts, so everything in it is covered by the MAC and
checked: a wrong key or any altered byte fails, an expired token fails, and a token for one ticket
or purpose never opens another. Verification accepts several keys (the current one first, then the
previous one during a rotation's grace period); signing always uses the first.
"""

import base64
import binascii
import hashlib
import hmac
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

TICKET = "ticket"
INCIDENT = "incident"
PURPOSES = (TICKET, INCIDENT)
DEFAULT_LIFETIME = timedelta(hours=24)
TOKEN_LIMIT = 2_000  # characters: anything longer is not one of ours, and is not parsed
_VERSION = "1"


class InvalidLink(ValueError):
    """The token is malformed, forged, expired or for something else. The message is for logs only:
    the page says no more than that the link cannot be used."""


@dataclass(frozen=True)
class ClaimLink:
    purpose: str
    subject: str
    recipient: str
    expires_at: datetime


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError) as error:
        raise InvalidLink("not base64") from error


def _mac(key: bytes, payload: bytes) -> bytes:
    return hmac.new(key, b"socialcare-claim." + payload, hashlib.sha256).digest()


def sign(
    key: bytes,
    purpose: str,
    subject: str,
    recipient: str,
    now: datetime,
    lifetime: timedelta = DEFAULT_LIFETIME,
) -> str:
    """A URL-safe token (base64url payload, a dot, base64url MAC) for `recipient` to act on `subject`."""
    if purpose not in PURPOSES:
        raise ValueError(f"unknown purpose {purpose!r}")
    if not key:
        raise ValueError("an empty key signs nothing")
    expires = int((now + lifetime).timestamp())
    payload = json.dumps([_VERSION, purpose, subject, recipient, expires], separators=(",", ":")).encode()
    return f"{_b64(payload)}.{_b64(_mac(key, payload))}"


def verify(
    keys: Sequence[bytes],
    token: str,
    now: datetime,
    *,
    purpose: str | None = None,
    subject: str | None = None,
) -> ClaimLink:
    """The link `token` grants; raises InvalidLink unless one of `keys` signed it, it has not expired,
    and it is for `purpose` and `subject` when those are given."""
    if not isinstance(token, str) or len(token) > TOKEN_LIMIT or token.count(".") != 1:
        raise InvalidLink("malformed")
    encoded, encoded_mac = token.split(".")
    payload, mac = _unb64(encoded), _unb64(encoded_mac)
    # Every key is tried (no early exit), each compare constant-time: timing tells nothing.
    matched = False
    for key in keys:
        matched |= bool(key) and hmac.compare_digest(_mac(key, payload), mac)
    if not matched:
        raise InvalidLink("bad signature")
    try:
        version, got_purpose, got_subject, recipient, expires = json.loads(payload)
        expires_at = datetime.fromtimestamp(int(expires), UTC)
    except (ValueError, TypeError, OverflowError) as error:  # signed by us, so only an old format
        raise InvalidLink("unreadable payload") from error
    if version != _VERSION or got_purpose not in PURPOSES:
        raise InvalidLink("unknown version or purpose")
    if now >= expires_at:
        raise InvalidLink("expired")
    if purpose is not None and got_purpose != purpose:
        raise InvalidLink("for another purpose")
    if subject is not None and got_subject != subject:
        raise InvalidLink("for another subject")
    return ClaimLink(str(got_purpose), str(got_subject), str(recipient), expires_at)
