"""Instagram professional accounts as the Graph API shows them: the account, its media, comments and
replies; @mentions in other accounts' captions and comments, reachable only through the account's
`mentioned_comment` / `mentioned_media` fields; replying to comments and to mentions."""

from __future__ import annotations

import base64
from datetime import datetime

from .facebook import time_window
from .store import IgComment, IgMedia, IgUser, Store
from .wire import Nested, Reply, invalid_parameter, meta_time, no_such_object

DEFAULTS = {"IGUser": ("id",), "IGMedia": ("id",), "IGComment": ("timestamp", "text", "id")}
EDGES = {
    "IGUser": {"media": "IGMedia"},
    "IGMedia": {"comments": "IGComment"},
    "IGComment": {"replies": "IGComment"},
}
MENTION_FIELDS = {"mentioned_comment": "comment_id", "mentioned_media": "media_id"}


def user_values(store: Store, user: IgUser, app: dict) -> dict:
    return {
        "id": user.id,
        "username": user.username,
        "name": user.username,
        "media_count": len(store.ig_media_of(user.id)),
    }


def media_values(store: Store, media: IgMedia, app: dict) -> dict:
    shortcode = base64.urlsafe_b64encode(int(media.id).to_bytes(8, "big")).decode().rstrip("=")
    return {
        "id": media.id,
        "caption": media.caption,
        "timestamp": meta_time(media.created_at),
        "permalink": f"https://www.instagram.com/p/{shortcode}/",
        "shortcode": shortcode,
        "username": media.username,
        "comments_count": store.replies.get(media.id, 0),
        "like_count": 0,
        "media_type": "IMAGE",
        "media_product_type": "FEED",
        "is_comment_enabled": True,
    }


def comment_values(store: Store, comment: IgComment, app: dict) -> dict:
    return {
        "id": comment.id,
        "text": comment.text,
        "timestamp": meta_time(comment.created_at),
        "username": comment.username,
        "from": {"id": comment.author_id, "username": comment.username},
        "parent_id": comment.parent_id,
        "media": Nested("IGMedia", store.media[comment.media_id]),
        "hidden": comment.hidden,
        "like_count": 0,
    }


VALUES = {"IGUser": user_values, "IGMedia": media_values, "IGComment": comment_values}


def listing(store: Store, node: str, obj, edge: str, params: dict) -> list | Reply:
    if node == "IGUser":
        return time_window(store.ig_media_of(obj.id), params)
    return store.ig_comments_of(obj.id)


def mentioned(store: Store, user: IgUser, field: str, args: dict) -> Nested | Reply:
    """`mentioned_comment.comment_id(X)` / `mentioned_media.media_id(X)` on the mentioned account."""
    wanted = args.get(MENTION_FIELDS[field])
    if not wanted:
        return invalid_parameter(f"{field} requires the {MENTION_FIELDS[field]} parameter")
    with store.lock:
        if field == "mentioned_comment":
            found = store.mention_of_comment(user.id, wanted)
            return Nested("IGComment", store.ig_comments[wanted]) if found else no_such_object(wanted)
        if store.mentioned(user.id, wanted, None):
            return Nested("IGMedia", store.media[wanted])
    return no_such_object(wanted)


def _record(store: Store, comment: IgComment, parent_id: str, now: datetime, via: str) -> Reply:
    with store.lock:
        store.created.append(
            {
                "network": "instagram",
                "id": comment.id,
                "parent_id": parent_id,
                "media_id": comment.media_id,
                "author_id": comment.author_id,
                "message": comment.text,
                "created_at": now,
                "via": via,
            }
        )
    return Reply(200, {"id": comment.id}, node="IGComment")


def _message(params: dict) -> str | Reply:
    message = (params.get("message") or "").strip()
    return message or invalid_parameter("The parameter message is required")


def reply(store: Store, node: str, obj, params: dict, now: datetime) -> Reply:
    """POST /{ig-comment-id}/replies or /{ig-media-id}/comments, as the account that owns the media."""
    message = _message(params)
    if isinstance(message, Reply):
        return message
    owner = store.ig_users[store.owner(obj.id)]
    comment = store.add_ig_comment(
        parent_id=obj.id,
        comment_id=None,
        author_id=owner.id,
        username=owner.username,
        text=message,
        created_at=now,
    )
    return _record(store, comment, obj.id, now, "replies" if node == "IGComment" else "comments")


def reply_to_mention(store: Store, user: IgUser, params: dict, now: datetime) -> Reply:
    """POST /{ig-user-id}/mentions: answer the comment or caption that mentioned the account."""
    message = _message(params)
    if isinstance(message, Reply):
        return message
    media_id, comment_id = params.get("media_id", ""), params.get("comment_id") or None
    if not media_id:
        return invalid_parameter("The parameter media_id is required")
    if not store.mentioned(user.id, media_id, comment_id):
        return no_such_object(comment_id or media_id, "POST")
    comment = store.add_ig_comment(
        parent_id=comment_id or media_id,
        comment_id=None,
        author_id=user.id,
        username=user.username,
        text=message,
        created_at=now,
    )
    return _record(store, comment, comment_id or media_id, now, "mentions")


def hide(comment: IgComment, params: dict) -> Reply:
    """POST /{ig-comment-id} with hide=true|false."""
    if "hide" not in params:
        return invalid_parameter("The parameter hide is required")
    comment.hidden = params["hide"].lower() in ("true", "1")
    return Reply(200, {"success": True})
