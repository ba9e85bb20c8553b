"""Facebook Pages as the Graph API shows them: pages, posts, comments; and what a page token may do
(comment, reply, hide). Rendering and paging are shared (render.py); this module knows the data."""

from __future__ import annotations

from datetime import datetime

from .store import FbComment, FbPost, Page, Store
from .wire import Nested, Reply, invalid_parameter, meta_time, parse_time

DEFAULTS = {
    "Page": ("name", "id"),
    "PagePost": ("created_time", "message", "id"),
    "Comment": ("created_time", "from", "message", "id"),
}
EDGES = {
    "Page": {"feed": "PagePost", "tagged": "PagePost", "published_posts": "PagePost"},
    "PagePost": {"comments": "Comment"},
    "Comment": {"comments": "Comment"},
}
FILTERS, ORDERS = ("toplevel", "stream"), ("chronological", "reverse_chronological")


def page_values(store: Store, page: Page, app: dict) -> dict:
    with store.lock:
        linked = next((u for u in store.ig_users.values() if u.page_id == page.id), None)
    return {
        "id": page.id,
        "name": page.name,
        "link": f"https://www.facebook.com/{page.id}",
        "instagram_business_account": Nested("IGUser", linked) if linked else None,
    }


def post_values(store: Store, post: FbPost, app: dict) -> dict:
    return {
        "id": post.id,
        "message": post.message,
        "created_time": meta_time(post.created_at),
        "updated_time": meta_time(post.created_at),
        "from": {"id": post.author_id, "name": post.author_name},
        "permalink_url": f"https://www.facebook.com/{post.author_id}/posts/{post.id.split('_')[1]}",
        "is_hidden": False,
        "is_published": True,
    }


def comment_values(store: Store, comment: FbComment, app: dict) -> dict:
    post = store.posts[comment.post_id]
    from_page = comment.author_id == post.page_id
    number = comment.id.split("_")[1]
    return {
        "id": comment.id,
        "message": comment.message,
        "created_time": meta_time(comment.created_at),
        "from": {"id": comment.author_id, "name": comment.author_name},
        "parent": Nested("Comment", store.comments[comment.parent_id]) if comment.parent_id else None,
        "application": dict(comment.application) if comment.application else None,
        "is_hidden": comment.is_hidden,
        "permalink_url": f"https://www.facebook.com/{post.page_id}/posts/{post.id.split('_')[1]}"
        f"?comment_id={number}",
        "comment_count": store.replies.get(comment.id, 0),
        "like_count": 0,
        "can_comment": comment.parent_id is None,
        "can_hide": not from_page,
        "can_remove": True,
        "can_like": True,
        "user_likes": False,
        "is_private": False,
    }


VALUES = {"Page": page_values, "PagePost": post_values, "Comment": comment_values}


def time_window(items: list, params: dict, attr: str = "created_at") -> list | Reply:
    for name, keep in (("since", lambda t, b: t >= b), ("until", lambda t, b: t <= b)):
        if params.get(name):
            bound = parse_time(params[name])
            if bound is None:
                return invalid_parameter(f"Param {name} must be a Unix timestamp or a date-time")
            items = [i for i in items if keep(getattr(i, attr), bound)]
    return items


def listing(store: Store, node: str, obj, edge: str, params: dict) -> list | Reply:
    if node == "Page":
        return time_window(store.feed(obj.id, tagged=edge == "tagged"), params)
    filter_, order = params.get("filter", "toplevel"), params.get("order", "chronological")
    if filter_ not in FILTERS:
        return invalid_parameter(f"Param filter must be one of {{{', '.join(FILTERS)}}} - '{filter_}'")
    if order not in ORDERS:
        return invalid_parameter(f"Param order must be one of {{{', '.join(ORDERS)}}} - '{order}'")
    found = store.fb_comments(obj.id, stream=filter_ == "stream", newest_first=order != "chronological")
    return time_window(found, params)


def summary(items: list, params: dict) -> dict:
    return {"order": params.get("order", "chronological"), "total_count": len(items), "can_comment": True}


def create_comment(store: Store, node: str, obj, params: dict, app: dict, now: datetime) -> Reply:
    """POST /{post-id}/comments or /{comment-id}/comments: the page comments as itself."""
    message = (params.get("message") or "").strip()
    if not message and not params.get("attachment_url") and not params.get("attachment_id"):
        return invalid_parameter("Missing message or attachment")
    post = store.posts[obj.post_id] if node == "Comment" else obj
    page = store.pages[post.page_id]
    comment = store.add_comment(
        parent_id=obj.id,
        comment_id=None,
        author_id=page.id,
        author_name=page.name,
        message=message,
        created_at=now,
        application={"id": app["id"], "name": app["name"], "category": "Business"},
    )
    with store.lock:
        store.created.append(
            {
                "network": "facebook",
                "id": comment.id,
                "parent_id": obj.id,
                "post_id": comment.post_id,
                "author_id": page.id,
                "message": message,
                "created_at": now,
                "via": "comments",
            }
        )
    return Reply(200, {"id": comment.id}, node="Comment")


def create_page_post(store: Store, page, params: dict, now: datetime) -> Reply:
    """POST /{page-id}/feed with a message: the page posts on its own feed, as itself."""
    message = (params.get("message") or "").strip()
    if not message and not params.get("link"):
        return invalid_parameter("Missing message or link")
    with store.lock:  # the page's feed is the timeline read back: GET /{page-id}/feed
        while (post_id := f"{page.id}_{990000000000000 + next(store._minted)}") in store.posts:
            pass
        post = store.add_post(
            page_id=page.id,
            post_id=post_id,
            author_id=page.id,
            author_name=page.name,
            message=message,
            created_at=now,
            tagged=False,
        )
    return Reply(200, {"id": post.id}, node="PagePost")


def update_comment(store: Store, comment: FbComment, params: dict) -> Reply:
    """POST /{comment-id} with is_hidden (or a new message)."""
    if "is_hidden" in params:
        comment.is_hidden = params["is_hidden"].lower() in ("true", "1")
    if params.get("message"):
        comment.message = params["message"]
    return Reply(200, {"success": True})
