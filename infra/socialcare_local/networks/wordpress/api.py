"""The comments routes of the simulated WordPress, as WordPress answers them (wp/v2, 6.x):
the collection's query arguments and X-WP-Total headers, one comment, creating a comment as a user
authenticated by an application password, and the 409 for a duplicate."""

from __future__ import annotations

import base64
import html
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from math import ceil
from typing import Any

from .store import Comment, Site, Store, User

_COMMENT = re.compile(r"/wp/v2/comments/(\d+)")
_DATE = re.compile(r"(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(\.\d+)?(Z|[+-]\d{2}(:?\d{2})?)?")
_STATUSES = {
    "approve": ("approved",),
    "approved": ("approved",),
    "hold": ("hold",),
    "all": ("approved", "hold"),
    "spam": ("spam",),
    "trash": ("trash",),
}
_LOCAL = "%Y-%m-%dT%H:%M:%S"


@dataclass
class Reply:
    status: int
    body: Any
    headers: dict[str, str] = field(default_factory=dict)
    context: str = "view"


def error(status: int, code: str, message: str, **data) -> Reply:
    return Reply(status, {"code": code, "message": message, "data": {"status": status, **data}})


class WordPressApi:
    def __init__(self, store: Store, clock: Callable[[], datetime]):
        self.store = store
        self.clock = clock

    def handle(
        self, site: Site, method: str, route: str, query: dict[str, list[str]], headers: dict, body: Any
    ) -> Reply:
        with self.store.lock:
            user, refused = self._user(site, headers)
            if refused:
                return refused
            if route.rstrip("/") == "/wp/v2/comments":
                if method == "GET":
                    return self._list(site, user, _flat(query))
                if method == "POST":
                    return self._create(site, user, body if isinstance(body, dict) else {})
            match = _COMMENT.fullmatch(route)
            if match and method == "GET":
                return self._one(site, user, int(match.group(1)), _flat(query))
            return error(404, "rest_no_route", "No route was found matching the URL and request method.")

    # -- auth: HTTP Basic with an application password ---------------------------------------------
    def _user(self, site: Site, headers: dict) -> tuple[User | None, Reply | None]:
        header = next((v for k, v in headers.items() if k.lower() == "authorization"), None)
        if header is None:
            return None, None
        scheme, _, token = header.partition(" ")
        try:
            username, _, password = base64.b64decode(token).decode().partition(":")
        except ValueError:
            username, password = "", ""
        if scheme.lower() != "basic":
            return None, None
        user = next((u for u in site.users.values() if u.username == username), None)
        if user is None:
            return None, error(
                401, "invalid_username", "Unknown username. Check again or try your email address."
            )
        if password.replace(" ", "") not in {p.replace(" ", "") for p in user.app_passwords}:
            return None, error(
                401, "incorrect_password", "The provided password is an invalid application password."
            )
        return user, None

    # -- the collection ----------------------------------------------------------------------------
    def _list(self, site: Site, user: User | None, q: dict[str, str]) -> Reply:
        context = q.get("context", "view")
        if context == "edit" and not (user and user.moderator):
            return error(403, "rest_forbidden_context", "Sorry, you are not allowed to edit comments.")
        status = q.get("status", "approve")
        for protected in ("author", "author_exclude", "author_email"):
            if q.get(protected) and not (user and user.moderator):
                return error(
                    401 if user is None else 403,
                    "rest_forbidden_param",
                    f"Query parameter not permitted: {protected}",
                )
        if status not in ("approve", "approved") and not (user and user.moderator):
            return error(
                401 if user is None else 403, "rest_forbidden_param", "Query parameter not permitted: status"
            )
        wanted = _STATUSES.get(status, ())
        kind = q.get("type", "comment")
        comments = [c for c in site.comments.values() if c.status in wanted and c.type == kind]
        for name in ("post", "parent", "author", "include"):
            if name in q and q[name] != "":
                ids = {int(v) for v in q[name].split(",") if v.strip().isdigit()}
                attribute = "id" if name == "include" else name
                comments = [c for c in comments if getattr(c, attribute) in ids]
        if q.get("exclude"):
            excluded = {int(v) for v in q["exclude"].split(",") if v.strip().isdigit()}
            comments = [c for c in comments if c.id not in excluded]
        for name, keep in (
            ("after", lambda local, bound: local > bound),
            ("before", lambda local, bound: local < bound),
        ):
            if name in q:
                bound = _local_bound(q[name], site)
                if bound is None:
                    return error(
                        400,
                        "rest_invalid_param",
                        f"Invalid parameter(s): {name}",
                        params={name: "Invalid date."},
                    )
                comments = [c for c in comments if keep(_local(c, site), bound)]
        order = q.get("orderby", "date_gmt")
        key = {
            "id": lambda c: c.id,
            "post": lambda c: (c.post, c.id),
            "parent": lambda c: (c.parent, c.id),
        }.get(order, lambda c: (c.date_gmt, c.id))
        comments.sort(key=key, reverse=q.get("order", "desc") == "desc")
        per_page, page = int(q.get("per_page", 10)), int(q.get("page", 1))
        if not 1 <= per_page <= 100 or page < 1:
            return error(400, "rest_invalid_param", "Invalid parameter(s): per_page")
        total = len(comments)
        pages = ceil(total / per_page)
        if page > pages and total > 0:
            return error(
                400,
                "rest_comment_invalid_page_number",
                "The page number requested is larger than the number of pages available.",
            )
        chosen = comments[(page - 1) * per_page : page * per_page]
        headers = {"X-WP-Total": str(total), "X-WP-TotalPages": str(pages)}
        return Reply(200, [self.render(site, c, context, links=True) for c in chosen], headers, context)

    def _one(self, site: Site, user: User | None, number: int, q: dict[str, str]) -> Reply:
        comment = site.comments.get(number)
        if comment is None or comment.status == "trash":
            return error(404, "rest_comment_invalid_id", "Invalid comment ID.")
        if comment.status != "approved" and not (user and user.moderator):
            return error(
                401 if user is None else 403,
                "rest_cannot_read",
                "Sorry, you are not allowed to read this comment.",
            )
        context = q.get("context", "view")
        return Reply(200, self.render(site, comment, context), {}, context)

    # -- creating --------------------------------------------------------------------------------
    def _create(self, site: Site, user: User | None, body: dict) -> Reply:
        if user is None:
            return error(401, "rest_comment_login_required", "Sorry, you must be logged in to comment.")
        post, parent = body.get("post"), body.get("parent", 0)
        if type(post) is not int or post not in site.articles:
            return error(
                403,
                "rest_comment_invalid_post_id",
                "Sorry, you are not allowed to create this comment without a post.",
            )
        if parent and (type(parent) is not int or parent not in site.comments):
            return error(400, "rest_comment_invalid_parent", "Invalid comment parent ID.")  # fmt: skip
        if parent and site.comments[parent].post != post:
            return error(400, "rest_comment_invalid_parent", "Invalid comment parent ID.")
        content = body.get("content")
        content = content.get("raw") if isinstance(content, dict) else content
        if not isinstance(content, str) or not content.strip():
            return error(400, "rest_comment_content_invalid", "Invalid comment content.")
        if len(content.encode()) > 65_525:
            return error(400, "comment_content_column_length", "Your comment is too long.")
        if any(
            c.post == post and c.author == user.id and c.content == content for c in site.comments.values()
        ):
            return error(
                409,
                "comment_duplicate",
                "Duplicate comment detected; it looks as though you&#8217;ve already said that!",
            )
        comment = Comment(
            id=site.take_id(),
            post=post,
            parent=parent or 0,
            author=user.id,
            author_name=user.name,
            content=content,
            date_gmt=self.clock().astimezone(UTC).replace(microsecond=0),
        )
        site.comments[comment.id] = comment
        self.store.created.append(
            {
                "site": site.key,
                "id": comment.id,
                "parent": comment.parent,
                "post": post,
                "text": html.unescape(content),
                "created_at": comment.date_gmt,
            }
        )
        return Reply(
            201,
            self.render(site, comment, "edit"),
            {"Location": f"{site.origin}{site.path}/wp-json/wp/v2/comments/{comment.id}"},
            "edit",
        )

    # -- answers ---------------------------------------------------------------------------------
    def render(self, site: Site, c: Comment, context: str, *, links: bool = False) -> dict:
        base = site.origin + site.path
        rendered = "".join(f"<p>{paragraph}</p>\n" for paragraph in c.content.split("\n\n"))
        body = {
            "id": c.id,
            "post": c.post,
            "parent": c.parent,
            "author": c.author,
            "author_name": c.author_name,
            "author_url": "",
            "date": _local(c, site).strftime(_LOCAL),
            "date_gmt": c.date_gmt.strftime(_LOCAL),
            "content": {"rendered": rendered, **({"raw": c.content} if context == "edit" else {})},
            "link": f"{base}/?p={c.post}#comment-{c.id}",
            "status": c.status,
            "type": c.type,
            "author_avatar_urls": {
                size: f"https://secure.gravatar.com/avatar/?s={size}&d=mm&r=g" for size in ("24", "48", "96")
            },
            "meta": {},
        }
        if context == "edit":
            body |= {"author_email": "", "author_ip": "", "author_user_agent": ""}
        if links:
            body["_links"] = {
                "self": [{"href": f"{base}/wp-json/wp/v2/comments/{c.id}"}],
                "up": [
                    {"embeddable": True, "post_type": "post", "href": f"{base}/wp-json/wp/v2/posts/{c.post}"}
                ],
            }
        return body


def _flat(query: dict[str, list[str]]) -> dict[str, str]:
    """name=a&name=b and name[]=a&name[]=b as WordPress reads them: one comma-joined list."""
    flat: dict[str, list[str]] = {}
    for name, values in query.items():
        flat.setdefault(name.removesuffix("[]"), []).extend(values)
    return {name: ",".join(values) for name, values in flat.items()}


def _local(comment: Comment, site: Site) -> datetime:
    return (comment.date_gmt + site.gmt_offset).replace(tzinfo=None)


def _local_bound(value: str, site: Site) -> datetime | None:
    """`after` and `before` compare with the comment's local date: a zone-less value is the site's
    time, a zoned one is converted to it."""
    match = _DATE.fullmatch(value)
    if not match:
        return None
    moment = datetime.strptime(match.group(1), _LOCAL)
    zone = match.group(3)
    if zone:
        sign = -1 if zone.startswith("-") else 1
        digits = zone[1:].replace(":", "") if zone != "Z" else "0000"
        offset = (
            timedelta(hours=int(digits[:2] or 0), minutes=int(digits[2:] or 0)) * sign
            if zone != "Z"
            else timedelta(0)
        )
        moment = moment - offset + site.gmt_offset
    return moment
