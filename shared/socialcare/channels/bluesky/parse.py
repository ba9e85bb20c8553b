"""Bluesky's answers into Posts: total functions, an item of any shape ends as a Post or a
Quarantined with why, never an exception that loses the rest of the page."""

import json
import re
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from ...domain.posts import Post
from ..base import Quarantined
from .identifiers import DID

if TYPE_CHECKING:
    from .account import BlueskyAccount
from .cursor import Mark
from .times import parse_time

POST_URI = re.compile(rf"at://{DID}/app\.bsky\.feed\.post/[A-Za-z0-9._:~-]{{1,512}}")
_DID = re.compile(DID)
_CID = re.compile(r"[A-Za-z0-9+=]{8,256}")
_SURROGATE = re.compile("[\ud800-\udfff]")
# What an automated account may answer: posts that tag it or reply to it (Bluesky's bot rules).
REASONS = ("mention", "reply", "quote")
# Real ones are under 100 characters; a did:web may be longer. Bounded so that the cursor, which
# holds two of them, stays small (cursor.MAX_LENGTH).
MAX_URI = 1000


class Malformed(Exception):
    """One item cannot be read; it is quarantined, the rest of the page goes on."""


def clean(text: str) -> str:
    """Lone surrogates (legal in JSON, not in UTF-8) would fail the write to DynamoDB."""
    return _SURROGATE.sub("\ufffd", text)


def mark_of(view: Any) -> Mark:
    """(indexedAt, URI) of a notification or a post view: where it stands in Bluesky's order."""
    if not isinstance(view, dict):
        raise Malformed(f"an item that is not an object but {type(view).__name__}")
    uri = view.get("uri")
    if not isinstance(uri, str) or len(uri) > MAX_URI or not POST_URI.fullmatch(uri):
        raise Malformed(f"uri is missing or not a post's at-URI of at most {MAX_URI} characters")
    try:
        return parse_time(view.get("indexedAt")), uri
    except ValueError:
        raise Malformed("indexedAt is missing or not an RFC 3339 time") from None


def notification_post(raw: dict, account: "BlueskyAccount") -> Post:
    """A mention, reply or quote of the brand. A quote that does not tag the brand is kept (a ticket,
    escalated) but not answered in public: Bluesky asks bots to interact only where tagged."""
    reason = raw.get("reason")
    post = _post(raw, raw.get("author"), raw.get("record"), kind=reason)
    if reason == "quote" and not _tags(raw.get("record"), account):
        return replace(post, reply_allowed=False)
    return post


def view_post(view: dict) -> Post:
    """A post view (the author feed, getPosts)."""
    return _post(view, view.get("author"), view.get("record"), kind=None)


def strong_ref(value: Any) -> dict[str, str] | None:
    """{uri, cid} when `value` is a usable strong reference to a post."""
    if not isinstance(value, dict):
        return None
    uri, cid = value.get("uri"), value.get("cid")
    if isinstance(uri, str) and POST_URI.fullmatch(uri) and isinstance(cid, str) and _CID.fullmatch(cid):
        return {"uri": uri, "cid": cid}
    return None


def quarantine(raw: Any, reason: str) -> Quarantined:
    uri = raw.get("uri") if isinstance(raw, dict) else None
    if isinstance(raw, dict) and isinstance(raw.get("post"), dict):  # a feed item
        uri = raw["post"].get("uri")
    try:
        raw_json = json.dumps(raw)  # ASCII: lone surrogates stay escaped, storable as they came
    except (ValueError, RecursionError, TypeError):
        raw_json = "(not serialisable)"
    valid = isinstance(uri, str) and len(uri) <= MAX_URI and POST_URI.fullmatch(uri)
    return Quarantined(raw_json=raw_json, reason=reason, post_id=uri if valid else None)


def _post(view: dict, author: Any, record: Any, *, kind: str | None) -> Post:
    moment, uri = mark_of(view)
    if not isinstance(author, dict) or not isinstance(author.get("did"), str):
        raise Malformed("author.did is missing")
    if not _DID.fullmatch(author["did"]):
        raise Malformed("author.did is not a DID")
    handle = author.get("handle")
    if not isinstance(record, dict) or not isinstance(record.get("text"), str):
        raise Malformed("record.text is missing or not a string")
    reply = record.get("reply")
    root = parent = None
    if reply is not None:
        root, parent = (
            strong_ref(reply.get(end)) if isinstance(reply, dict) else None for end in ("root", "parent")
        )
        if root is None or parent is None:
            raise Malformed("record.reply has no usable root and parent")
    langs = record.get("langs")
    lang = langs[0] if isinstance(langs, list) and langs and isinstance(langs[0], str) else None
    return Post(
        channel="bluesky",
        post_id=uri,
        author_id=author["did"],
        author_handle=clean(handle) if isinstance(handle, str) else None,
        text=clean(record["text"]),
        # indexedAt, not the client-declared createdAt: a post cannot be backdated past its due time.
        created_at=moment,
        conversation_id=root["uri"] if root else uri,
        in_reply_to_id=parent["uri"] if parent else None,
        lang=clean(lang[:35]) if lang else None,
        kind=kind,
    )


def _tags(record: Any, account: "BlueskyAccount") -> bool:
    """The post mentions the brand: a mention facet naming its DID, or its @handle in the text."""
    if not isinstance(record, dict):
        return False
    for facet in record.get("facets") or []:
        features = facet.get("features") if isinstance(facet, dict) else None
        for feature in features if isinstance(features, list) else []:
            if isinstance(feature, dict) and feature.get("did") == account.id:
                return True
    mention = re.compile(rf"(?<![\w.-])@{re.escape(account.handle)}(?![\w-]|\.\w)", re.IGNORECASE)
    return isinstance(record.get("text"), str) and bool(mention.search(record["text"]))
