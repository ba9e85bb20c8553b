"""What goes on the wire: Problem bodies, rate headers, page tokens, posts and users as X renders them.

Copies real X where a client could notice. Problems go out as application/problem+json, the only
error media type the spec gives the Problem schema (real X sometimes says application/json).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

from .store import MENTION_RE, Post, RateState, Store

JSON = "application/json; charset=utf-8"
PROBLEM = "application/problem+json"
INVALID = "https://api.twitter.com/2/problems/invalid-request"


@dataclass
class Reply:
    status: int
    body: dict | None
    content_type: str = JSON
    headers: dict = field(default_factory=dict)


def problem(status: int, title: str, detail: str, type_: str = "about:blank", **extra) -> Reply:
    return Reply(
        status, {"title": title, "detail": detail, "type": type_, "status": status, **extra}, PROBLEM
    )


def invalid_request(errors: list[tuple[str | None, str]], query: dict[str, list[str]]) -> Reply:
    items = []
    for name, message in errors:
        item = {"message": message}
        if name:
            item["parameters"] = {name: query.get(name, [])}
        items.append(item)
    return Reply(
        400,
        {
            "errors": items,
            "title": "Invalid Request",
            "type": INVALID,
            "detail": "One or more parameters to your request was invalid.",
        },
        PROBLEM,
    )


def rate_limited() -> Reply:
    return problem(429, "Too Many Requests", "Too Many Requests")


def rate_headers(state: RateState) -> dict:
    return {
        "x-rate-limit-limit": str(state.limit),
        "x-rate-limit-remaining": str(state.remaining),
        "x-rate-limit-reset": str(int(state.reset.timestamp())),
    }


def encode_token(seq: int) -> str:
    """Opaque page token: the arrival sequence of the page's oldest post plus a check byte."""
    n, digits = (seq << 8) | ((seq * 37 + 11) % 251), ""
    while n:
        n, d = divmod(n, 36)
        digits = "0123456789abcdefghijklmnopqrstuvwxyz"[d] + digits
    return digits


def decode_token(token: str) -> int | None:
    try:
        n = int(token, 36)
    except ValueError:
        return None
    seq = n >> 8
    return seq if seq > 0 and (n & 0xFF) == (seq * 37 + 11) % 251 else None


def iso(moment: datetime) -> str:
    moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def render_post(store: Store, post: Post, fields: set[str]) -> dict:
    out = {"id": post.id, "text": post.text, "edit_history_tweet_ids": [post.id]}
    optional = {
        "author_id": post.author_id,
        "created_at": iso(post.created_at),
        "conversation_id": post.conversation_id,
        "lang": post.lang or "und",
        "in_reply_to_user_id": post.in_reply_to_user_id,
        "referenced_tweets": [{"type": "replied_to", "id": post.in_reply_to_id}]
        if post.in_reply_to_id
        else None,
    }
    if "entities" in fields and (mentions := mention_entities(store, post)):
        optional["entities"] = {"mentions": mentions}
    out.update({k: v for k, v in optional.items() if k in fields and v is not None})
    return out


def mention_entities(store: Store, post: Post) -> list[dict]:
    found = []
    for match in MENTION_RE.finditer(post.text):
        user = store.by_username(match.group(1))
        if user:
            found.append(
                {"start": match.start(), "end": match.end(), "username": user.username, "id": user.id}
            )
    return found


def includes(store: Store, page: list[Post], expansions: set[str], fields: set[str]) -> dict:
    user_ids, tweets = [], []
    parents = [store.posts.get(p.in_reply_to_id) for p in page if p.in_reply_to_id]
    parents = [p for p in parents if p]
    if "author_id" in expansions:
        user_ids += [p.author_id for p in page]
    if "in_reply_to_user_id" in expansions:
        user_ids += [p.in_reply_to_user_id for p in page if p.in_reply_to_user_id]
    if "entities.mentions.username" in expansions:
        user_ids += [e["id"] for p in page for e in mention_entities(store, p)]
    if "referenced_tweets.id" in expansions:
        tweets = [render_post(store, p, fields) for p in {p.id: p for p in parents}.values()]
    if "referenced_tweets.id.author_id" in expansions:
        user_ids += [p.author_id for p in parents]
    out = {}
    if user_ids:
        out["users"] = [render_user(store.ensure_user(u)) for u in dict.fromkeys(user_ids)]
    if tweets:
        out["tweets"] = tweets
    return out


def render_user(user) -> dict:
    return {"id": user.id, "name": user.name, "username": user.username}
