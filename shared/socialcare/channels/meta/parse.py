"""Reading Graph answers: total functions, an answer of any shape ends as data, a quarantined item
or a ChannelError. Shared by the Facebook and Instagram adapters."""

import json
import re
from datetime import UTC, datetime
from typing import Any

from ...domain.timefmt import from_iso
from ..base import Quarantined, TransientError
from .errors import clean

ID = re.compile(r"[0-9]{1,24}(_[0-9]{1,24})?")  # Graph ids: digits, Facebook's joined by "_"
FACEBOOK_LAUNCH = datetime(2004, 2, 4, tzinfo=UTC)  # an earlier time is garbage, not history
_TIME = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{1,6})?(Z|[+-][0-9]{2}:?[0-9]{2})"
)


class Malformed(Exception):
    """One item cannot be read; it is quarantined, the rest of the answer goes on."""


def data_of(body: dict, what: str) -> list:
    data = body.get("data")
    if not isinstance(data, list):
        raise TransientError(f"{what} answer's data is not a list")
    return data


def graph_id(raw: dict, name: str) -> str:
    value = raw.get(name)
    if not isinstance(value, str) or not ID.fullmatch(value):
        raise Malformed(f"{name} is missing or not a Graph id")
    return value


def nested_id(raw: dict, name: str) -> str | None:
    """`parent {id}`, `media {id}`: None when absent, Malformed when present but unreadable."""
    value = raw.get(name)
    if value is None:
        return None
    if not isinstance(value, dict):
        raise Malformed(f"{name} is not an object")
    return graph_id(value, "id")


def created(raw: dict, name: str) -> datetime:
    """Meta writes 2026-11-23T14:00:05+0000."""
    value = raw.get(name)
    if not isinstance(value, str) or not _TIME.fullmatch(value):
        raise Malformed(f"{name} is missing or not a Graph time")
    try:
        moment = from_iso(value)
    except (ValueError, OverflowError):
        raise Malformed(f"{name} is not a real time") from None
    if moment < FACEBOOK_LAUNCH:
        raise Malformed(f"{name} is before Meta existed")
    return moment


def text(raw: dict, name: str) -> str:
    """A comment may be a photo or sticker alone: no text is empty text, a non-string is malformed."""
    value = raw.get(name)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise Malformed(f"{name} is not a string")
    return clean(value)


def optional_text(value: Any) -> str | None:
    return clean(value) if isinstance(value, str) and value else None


def quarantine(raw: Any, reason: str) -> Quarantined:
    post_id = raw.get("id") if isinstance(raw, dict) else None
    try:
        raw_json = json.dumps(raw)  # ASCII: lone surrogates stay escaped, storable as they came
    except (ValueError, RecursionError, TypeError):
        raw_json = "(not serialisable)"
    valid_id = isinstance(post_id, str) and ID.fullmatch(post_id)
    return Quarantined(raw_json=raw_json, reason=reason, post_id=post_id if valid_id else None)
