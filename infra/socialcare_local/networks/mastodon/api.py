"""The simulated Mastodon REST API: what each route answers, in Mastodon's shapes."""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from socialcare.channels.mastodon.textlength import status_length

from .store import VISIBILITIES, Account, Status, Store

JSON = "application/json; charset=utf-8"
APP_NAME = "socialcare"  # the application name our token's posts carry
EPOCH = datetime(2016, 3, 16, tzinfo=UTC)
_ROUTES = [
    ("GET", re.compile(r"/api/v1/notifications"), "notifications"),
    ("GET", re.compile(r"/api/v1/accounts/(?P<id>[^/]+)/statuses"), "account_statuses"),
    ("GET", re.compile(r"/api/v1/statuses/(?P<id>[^/]+)/context"), "context"),
    ("GET", re.compile(r"/api/v1/statuses/(?P<id>[^/]+)"), "status"),
    ("POST", re.compile(r"/api/v1/statuses"), "create_status"),
    ("GET", re.compile(r"/api/v2/instance"), "instance"),
    ("GET", re.compile(r"/api/v1/apps/verify_credentials"), "application"),
]


@dataclass
class Reply:
    status: int
    body: Any
    headers: dict = field(default_factory=dict)
    content_type: str = JSON


def error(status: int, message: str) -> Reply:
    return Reply(status, {"error": message})


class MastodonApi:
    def __init__(self, store: Store, clock: Callable[[], datetime], limit: int, window: timedelta):
        self.store, self.clock = store, clock
        self.limit, self.window = limit, window
        self._windows: dict[str, tuple[datetime, int]] = {}  # token -> (window end, used)

    # -- rate limits ------------------------------------------------------------------------------

    def rate_headers(self, token: str | None, *, consume: bool) -> dict:
        now = self.clock()
        end, used = self._windows.get(token or "", (now + self.window, 0))
        if end <= now:
            end, used = now + self.window, 0
        if consume:
            used += 1
            self._windows[token or ""] = (end, used)
        return {
            "X-RateLimit-Limit": str(self.limit),
            "X-RateLimit-Remaining": str(max(self.limit - used, 0)),
            "X-RateLimit-Reset": end.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
        }

    # -- routing ------------------------------------------------------------------------------------

    def handle(self, method: str, path: str, query: dict, headers: dict, body: Any) -> Reply:
        token = _bearer(headers)
        route = next(
            (
                (name, m)
                for verb, pattern, name in _ROUTES
                if verb == method and (m := pattern.fullmatch(path))
            ),
            None,
        )
        if route is None:
            return error(404, "Not Found")
        name, match = route
        with self.store.lock:
            viewer = self.store.tokens.get(token) if token else None
            if name != "instance" and viewer is None:
                return error(401, "The access token is invalid")
            rate = self.rate_headers(token, consume=False)
            if int(rate["X-RateLimit-Remaining"]) <= 0:
                reply = error(429, "Too many requests")
            else:
                rate = self.rate_headers(token, consume=True)
                reply = getattr(self, name)(viewer, query, headers, body, **match.groupdict())
        reply.headers = {**rate, **reply.headers}
        return reply

    # -- routes -----------------------------------------------------------------------------------------

    def instance(self, viewer, query, headers, body) -> Reply:
        host = self._instance_of(viewer)
        limit = self.store.instances.get(host, {}).get("max_characters", 500)
        return Reply(200, render_instance(host, limit))

    def application(self, viewer, query, headers, body) -> Reply:
        """The app every token here belongs to (socialcare's, as registered on the instance)."""
        return Reply(
            200,
            {
                "id": "1",
                "name": APP_NAME,
                "website": None,
                "scopes": ["read:notifications", "read:statuses", "write:statuses"],
                "redirect_uri": "urn:ietf:wg:oauth:2.0:oob",
                "redirect_uris": ["urn:ietf:wg:oauth:2.0:oob"],
                "vapid_key": "",
            },
        )

    def notifications(self, viewer, query, headers, body) -> Reply:
        types = query.get("types[]") or query.get("types") or []
        excluded = query.get("exclude_types[]") or query.get("exclude_types") or []
        items = [
            n
            for n in self.store.notifications
            if n.account_id == viewer
            and (not types or n.type in types)
            and n.type not in excluded
            and (n.status_id is None or n.status_id in self.store.statuses)
        ]
        page, link = _page(items, lambda n: n.id, query, 40, 80, "/api/v1/notifications")
        host = self._instance_of(viewer)
        rendered = [self.render_notification(n, host) for n in page]
        return Reply(200, rendered, {"Link": link} if link else {})

    def account_statuses(self, viewer, query, headers, body, id) -> Reply:
        if id not in self.store.accounts:
            return error(404, "Record not found")
        items = [
            s
            for s in self.store.statuses.values()
            if s.account_id == id
            and self.store.can_see(viewer, s)
            and not (_flag(query, "exclude_replies") and s.in_reply_to_id)
        ]
        page, link = _page(items, lambda s: s.id, query, 20, 40, f"/api/v1/accounts/{id}/statuses")
        host = self._instance_of(viewer)
        return Reply(200, [self.render_status(s, host) for s in page], {"Link": link} if link else {})

    def status(self, viewer, query, headers, body, id) -> Reply:
        found = self.store.statuses.get(id)
        if found is None or not self.store.can_see(viewer, found):
            return error(404, "Record not found")
        return Reply(200, self.render_status(found, self._instance_of(viewer)))

    def context(self, viewer, query, headers, body, id) -> Reply:
        found = self.store.statuses.get(id)
        if found is None or not self.store.can_see(viewer, found):
            return error(404, "Record not found")
        ancestors, parent = [], found.in_reply_to_id
        while parent in self.store.statuses and len(ancestors) < 4096:
            ancestors.insert(0, self.store.statuses[parent])
            parent = self.store.statuses[parent].in_reply_to_id
        descendants, frontier = [], [found.id]
        while frontier:
            children = sorted(
                (s for s in self.store.statuses.values() if s.in_reply_to_id in frontier),
                key=lambda s: int(s.id),
            )
            descendants += children
            frontier = [s.id for s in children]
        host = self._instance_of(viewer)
        visible = lambda items: [self.render_status(s, host) for s in items if self.store.can_see(viewer, s)]  # noqa: E731
        return Reply(200, {"ancestors": visible(ancestors), "descendants": visible(descendants)})

    def create_status(self, viewer, query, headers, body, **_) -> Reply:
        key = _header(headers, "Idempotency-Key")
        if key and (viewer, key) in self.store.idempotency:
            # Mastodon answers a repeated key with the status it made the first time.
            return Reply(
                200,
                self.render_status(
                    self.store.statuses[self.store.idempotency[(viewer, key)]], self._instance_of(viewer)
                ),
            )
        body = body if isinstance(body, dict) else {}
        text, parent_id = body.get("status"), body.get("in_reply_to_id")
        visibility = body.get("visibility") or "public"
        if not isinstance(text, str) or not text.strip():
            return error(422, "Validation failed: Text can't be blank")
        if visibility not in VISIBILITIES:
            return error(422, f"Validation failed: Visibility {visibility} is not valid")
        author = self.store.accounts[viewer]
        limit = self.store.instances.get(author.instance, {}).get("max_characters", 500)
        if status_length(text) > limit:
            return error(422, f"Validation failed: Text character limit of {limit} exceeded")
        if parent_id is not None:
            parent = self.store.statuses.get(parent_id)
            if parent is None or not self.store.can_see(viewer, parent):
                return error(404, "Record not found")
        now = self.clock()
        status = Status(
            id=self.store.new_status_id(now),
            account_id=viewer,
            text=text,
            created_at=now,
            visibility=visibility,
            in_reply_to_id=parent_id,
            language=body.get("language") if isinstance(body.get("language"), str) else None,
            mentions=self.store.mentioned(text, author),
            application=APP_NAME,
        )
        self.store.add_status(status)
        if key:
            self.store.idempotency[(viewer, key)] = status.id
        self.store.created.append(
            {
                "id": status.id,
                "in_reply_to_id": parent_id,
                "text": text,
                "visibility": visibility,
                "idempotency_key": key,
                "created_at": now.isoformat().replace("+00:00", "Z"),
            }
        )
        return Reply(200, self.render_status(status, author.instance))

    # -- rendering ------------------------------------------------------------------------------------

    def _instance_of(self, viewer: str | None) -> str:
        if viewer in self.store.accounts:
            return self.store.accounts[viewer].instance
        return next(iter(self.store.instances), "mastodon.example")

    def render_account(self, account: Account, host: str) -> dict:
        url = f"https://{account.instance}/@{account.username}"
        return {
            "id": account.id,
            "username": account.username,
            "acct": account.acct_from(host),
            "display_name": account.display_name,
            "locked": False,
            "bot": False,
            "group": False,
            "discoverable": True,
            "indexable": True,
            "created_at": _iso(EPOCH),
            "note": "",
            "url": url,
            "uri": f"https://{account.instance}/users/{account.username}",
            "avatar": f"https://{account.instance}/avatars/original/missing.png",
            "avatar_static": f"https://{account.instance}/avatars/original/missing.png",
            "header": f"https://{account.instance}/headers/original/missing.png",
            "header_static": f"https://{account.instance}/headers/original/missing.png",
            "followers_count": 0,
            "following_count": 0,
            "statuses_count": sum(s.account_id == account.id for s in self.store.statuses.values()),
            "last_status_at": None,
            "emojis": [],
            "fields": [],
        }

    def render_status(self, status: Status, host: str) -> dict:
        author = self.store.accounts[status.account_id]
        mentioned = [self.store.accounts[i] for i in status.mentions if i in self.store.accounts]
        parent = self.store.statuses.get(status.in_reply_to_id or "")
        return {
            "id": status.id,
            "uri": f"https://{author.instance}/users/{author.username}/statuses/{status.id}",
            "url": f"https://{author.instance}/@{author.username}/{status.id}",
            "created_at": _iso(status.created_at),
            "account": self.render_account(author, host),
            "content": content_html(status.text, self.store, author),
            "visibility": status.visibility,
            "sensitive": False,
            "spoiler_text": "",
            "media_attachments": [],
            "application": {"name": status.application, "website": None} if status.application else None,
            "mentions": [
                {
                    "id": a.id,
                    "username": a.username,
                    "acct": a.acct_from(host),
                    "url": f"https://{a.instance}/@{a.username}",
                }
                for a in mentioned
            ],
            "tags": [],
            "emojis": [],
            "reblogs_count": 0,
            "favourites_count": 0,
            "replies_count": sum(s.in_reply_to_id == status.id for s in self.store.statuses.values()),
            "in_reply_to_id": status.in_reply_to_id,
            "in_reply_to_account_id": parent.account_id if parent else None,
            "reblog": None,
            "poll": None,
            "card": None,
            "language": status.language,
            "text": None,
            "edited_at": None,
        }

    def render_notification(self, notification, host: str) -> dict:
        status = self.store.statuses.get(notification.status_id or "")
        return {
            "id": notification.id,
            "type": notification.type,
            "group_key": f"ungrouped-{notification.id}",
            "created_at": _iso(notification.created_at),
            "account": self.render_account(self.store.accounts[notification.from_account_id], host),
            "status": self.render_status(status, host) if status else None,
        }


def render_instance(host: str, max_characters: int) -> dict:
    return {
        "domain": host,
        "title": host,
        "version": "4.7.0",
        "source_url": "https://github.com/mastodon/mastodon",
        "description": "A simulated Mastodon instance",
        "usage": {"users": {"active_month": 1}},
        "thumbnail": {"url": f"https://{host}/packs/media/images/preview.png"},
        "icon": [],
        "languages": ["en"],
        "configuration": {
            "urls": {"streaming": f"wss://{host}"},
            "accounts": {"max_featured_tags": 10, "max_pinned_statuses": 5},
            "statuses": {
                "max_characters": max_characters,
                "max_media_attachments": 4,
                "characters_reserved_per_url": 23,
            },
            "media_attachments": {
                "supported_mime_types": ["image/jpeg", "image/png"],
                "image_size_limit": 16777216,
                "image_matrix_limit": 33177600,
                "video_size_limit": 103809024,
                "video_frame_rate_limit": 120,
                "video_matrix_limit": 8294400,
            },
            "polls": {
                "max_options": 4,
                "max_characters_per_option": 50,
                "min_expiration": 300,
                "max_expiration": 2629746,
            },
            "translation": {"enabled": False},
        },
        "registrations": {"enabled": False, "approval_required": False, "message": None},
        "api_versions": {"mastodon": 6},
        "contact": {"email": f"admin@{host}", "account": None},
        "rules": [],
    }


def content_html(text: str, store: Store, author: Account) -> str:
    """As Mastodon renders a status: paragraphs, line breaks, linked mentions."""

    def mention(match: re.Match) -> str:
        account = store.find_account(match.group(1), match.group(2) or author.instance)
        if account is None:
            return match.group(0)
        url = html.escape(f"https://{account.instance}/@{account.username}")
        return (
            f'<span class="h-card" translate="no"><a href="{url}" class="u-url mention">'
            f"@<span>{html.escape(account.username)}</span></a></span>"
        )

    paragraphs = []
    for paragraph in re.split(r"\n{2,}", text.strip()):
        parts = re.split(r"((?<![=/\w])@[A-Za-z0-9_]+(?:[.-]+[A-Za-z0-9_]+)*(?:@[\w.-]+\w)?)", paragraph)
        escaped = "".join(
            re.sub(r"@([A-Za-z0-9_]+(?:[.-]+[A-Za-z0-9_]+)*)(?:@([\w.-]+\w))?", mention, part, count=1)
            if index % 2
            else html.escape(part)
            for index, part in enumerate(parts)
        )
        paragraphs.append("<p>" + escaped.replace("\n", "<br />") + "</p>")
    return "".join(paragraphs)


def _page(items: list, key, query: dict, default: int, most: int, path: str) -> tuple[list, str | None]:
    """Mastodon's paging by id: newest first; max_id/since_id bound it, min_id gives the page just
    newer than it (still newest first). Link: next (older) and prev (newer)."""
    number = lambda item: int(key(item))  # noqa: E731
    try:
        limit = max(1, min(int(_one(query, "limit") or default), most))
    except ValueError:
        limit = default
    bounds = {name: _one(query, name) for name in ("max_id", "since_id", "min_id")}
    if bounds["max_id"]:
        items = [i for i in items if number(i) < int(bounds["max_id"])]
    if bounds["since_id"]:
        items = [i for i in items if number(i) > int(bounds["since_id"])]
    if bounds["min_id"]:
        items = sorted((i for i in items if number(i) > int(bounds["min_id"])), key=number)[:limit]
        page = sorted(items, key=number, reverse=True)
    else:
        page = sorted(items, key=number, reverse=True)[:limit]
    if not page:
        return page, None
    extra = [(k, v) for k, vs in query.items() if k not in ("max_id", "since_id", "min_id") for v in vs]
    base = f"https://mastodon.example{path}?"
    older = base + urlencode([*extra, ("max_id", key(page[-1]))])
    newer = base + urlencode([*extra, ("min_id", key(page[0]))])
    return page, f'<{older}>; rel="next", <{newer}>; rel="prev"'


def _one(query: dict, name: str) -> str | None:
    values = query.get(name)
    return values[0] if values else None


def _flag(query: dict, name: str) -> bool:
    return (_one(query, name) or "").lower() in ("true", "1")


def _bearer(headers: dict) -> str | None:
    value = _header(headers, "Authorization") or ""
    return value[7:] if value.startswith("Bearer ") else None


def _header(headers: dict, name: str) -> str | None:
    return next((v for k, v in headers.items() if k.lower() == name.lower()), None)


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
