"""Signed, expiring links that let the person an alert went to act on it without logging in.

A token names its purpose ("ticket": view and claim; "incident": view and resolve), the subject (a
ticket's pk or an incident's id), the recipient and when it expires, signed with HMAC-SHA256. The
token is the only credential the claim page accepts, so everything in it is covered by the MAC and
checked: a wrong key or any altered byte fails, an expired token fails, and a token for one ticket
or purpose never opens another. Verification accepts several keys (the current one first, then the
previous one during a rotation's grace period); signing always uses the first.

Format 2 (signed now) is compact so that an SMS can carry it: a binary payload (version, purpose,
expiry in Unix seconds, subject and recipient each with a length byte, a ticket's "TICKET#" left
implied) and the MAC cut to 128 bits. A forger gets one guess per request against a 2^-128 chance,
and the page answers slowly enough (a Lambda invocation each) that no online search gets anywhere;
128-bit tags are what HMAC-SHA256 truncation guidance (NIST SP 800-107) allows for this use.
Format 1 (JSON payload, full MAC) links already sent keep working until they expire.
"""

import base64
import binascii
import hashlib
import hmac
import json
import struct
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

TICKET = "ticket"
INCIDENT = "incident"
PURPOSES = (TICKET, INCIDENT)
DEFAULT_LIFETIME = timedelta(hours=24)
TOKEN_LIMIT = 2_000  # characters: anything longer is not one of ours, and is not parsed
_VERSION = "1"
_COMPACT = 2  # the first byte of a format 2 payload (a format 1 payload starts with "[")
_MAC_BYTES = 16
_TICKET_PREFIX = "TICKET#"
_CODES = {TICKET: 0, INCIDENT: 1}
_PURPOSE_OF = {code: purpose for purpose, code in _CODES.items()}


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
    if payload[:1] == bytes([_COMPACT]):
        return hmac.new(key, b"socialcare-claim.2." + payload, hashlib.sha256).digest()[:_MAC_BYTES]
    return hmac.new(key, b"socialcare-claim." + payload, hashlib.sha256).digest()


def _field(text: str) -> bytes:
    raw = text.encode("utf-8", "surrogatepass")  # any str round-trips, as JSON's escapes did
    if len(raw) > 255:
        raise ValueError("a subject or recipient over 255 bytes does not fit a link")
    return bytes([len(raw)]) + raw


def _compact_payload(purpose: str, subject: str, recipient: str, expires: int) -> bytes:
    if purpose == TICKET and subject.startswith(_TICKET_PREFIX):
        subject = subject[len(_TICKET_PREFIX) :]
    return (
        bytes([_COMPACT, _CODES[purpose]]) + struct.pack(">I", expires) + _field(subject) + _field(recipient)
    )


def _read_compact(payload: bytes) -> tuple[str, str, str, int]:
    purpose = _PURPOSE_OF[payload[1]]
    (expires,) = struct.unpack(">I", payload[2:6])
    fields, at = [], 6
    for _ in range(2):
        size = payload[at]
        fields.append(payload[at + 1 : at + 1 + size].decode("utf-8", "surrogatepass"))
        at += 1 + size
    if at != len(payload):
        raise ValueError("trailing bytes")
    subject, recipient = fields
    return purpose, (_TICKET_PREFIX + subject if purpose == TICKET else subject), recipient, expires


def _read_json(payload: bytes) -> tuple[str, str, str, int]:
    version, purpose, subject, recipient, expires = json.loads(payload)
    if version != _VERSION:
        raise ValueError("unknown version")
    return purpose, subject, recipient, int(expires)


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
    payload = _compact_payload(purpose, subject, recipient, expires)
    return f"{_b64(payload)}.{_b64(_mac(key, payload))}"


def peek(token: str) -> ClaimLink:
    """What a token says, NOT verified: for tests and logs only, never to grant anything."""
    encoded = token.split(".")[0]
    payload = _unb64(encoded)
    purpose, subject, recipient, expires = (
        _read_compact(payload) if payload[:1] == bytes([_COMPACT]) else _read_json(payload)
    )
    return ClaimLink(purpose, subject, recipient, datetime.fromtimestamp(expires, UTC))


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
    if not payload:
        raise InvalidLink("malformed")
    # Every key is tried (no early exit), each compare constant-time: timing tells nothing.
    matched = False
    for key in keys:
        matched |= bool(key) and hmac.compare_digest(_mac(key, payload), mac)
    if not matched:
        raise InvalidLink("bad signature")
    try:
        link = peek(token)
    except (ValueError, TypeError, OverflowError, KeyError, IndexError, struct.error) as error:
        raise InvalidLink("unreadable payload") from error  # signed by us: only an unknown format
    if link.purpose not in PURPOSES:
        raise InvalidLink("unknown version or purpose")
    if now >= link.expires_at:
        raise InvalidLink("expired")
    if purpose is not None and link.purpose != purpose:
        raise InvalidLink("for another purpose")
    if subject is not None and link.subject != subject:
        raise InvalidLink("for another subject")
    return ClaimLink(str(link.purpose), str(link.subject), str(link.recipient), link.expires_at)
