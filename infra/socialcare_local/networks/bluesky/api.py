"""The simulated Bluesky PDS and AppView behind XRPC: accounts with app passwords, sessions whose
tokens expire on the simulator's clock, posts, notifications derived from them, and rate limits.

createSession is counted (`logins`) and limited as Bluesky limits it (30 in 5 minutes and 100 a
day per account), so a client that logs in too often is caught, not just slow."""

from __future__ import annotations

import hashlib
import re
import secrets
import threading
from base64 import b32encode
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import regex

ACCESS_LIFETIME = timedelta(hours=2)  # as bsky.social's accessJwt
REFRESH_LIFETIME = timedelta(days=90)  # as its refreshJwt
LOGIN_LIMITS = ((30, timedelta(minutes=5)), (100, timedelta(days=1)))  # per account
READ_LIMIT = (3000, timedelta(minutes=5))
WRITE_LIMIT = (5000, timedelta(hours=1))
POST = "app.bsky.feed.post"
_TID_ALPHABET = "234567abcdefghijklmnopqrstuvwxyz"
_GRAPHEME = regex.compile(r"\X")


@dataclass
class Reply:
    status: int
    body: Any
    headers: dict[str, str] = field(default_factory=dict)


def xrpc_error(status: int, error: str, message: str, headers: dict | None = None) -> Reply:
    return Reply(status, {"error": error, "message": message}, headers or {})


@dataclass
class Actor:
    did: str
    handle: str
    app_password: str | None = None


@dataclass
class StoredPost:
    uri: str
    cid: str
    did: str
    record: dict
    indexed_at: datetime

    @property
    def mark(self) -> tuple[datetime, str]:
        return self.indexed_at, self.uri


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def cid_of(*parts: str) -> str:
    digest = hashlib.sha256("\x00".join(parts).encode("utf-8", "surrogatepass")).digest()
    return "bafyrei" + b32encode(digest).decode().lower().rstrip("=")[:52]


class _Window:
    """A fixed window counter: `limit` calls per `length`, reset at the window's end."""

    def __init__(self, limit: int, length: timedelta):
        self.limit, self.length = limit, length
        self.started: datetime | None = None
        self.used = 0

    def take(self, now: datetime, consume: bool = True) -> bool:
        if self.started is None or now >= self.started + self.length:
            self.started, self.used = now, 0
        if self.used >= self.limit:
            return False
        self.used += int(consume)
        return True

    def headers(self, now: datetime) -> dict[str, str]:
        started = self.started or now
        return {
            "ratelimit-limit": str(self.limit),
            "ratelimit-remaining": str(max(0, self.limit - self.used)),
            "ratelimit-reset": str(int((started + self.length).timestamp())),
            "ratelimit-policy": f"{self.limit};w={int(self.length.total_seconds())}",
        }


class BlueskyApi:
    def __init__(
        self,
        clock: Callable[[], datetime],
        *,
        read_limit: tuple[int, timedelta] = READ_LIMIT,
        write_limit: tuple[int, timedelta] = WRITE_LIMIT,
        login_limits=LOGIN_LIMITS,
    ):
        self.clock = clock
        self.lock = threading.RLock()
        self.actors: dict[str, Actor] = {}
        self.posts: dict[str, StoredPost] = {}
        self.created: list[dict] = []  # replies posted through createRecord
        self.logins: list[tuple[str, datetime]] = []  # (did, when): every createSession that succeeded
        self.refreshes = 0
        self._access: dict[str, tuple[str, datetime]] = {}  # token -> (did, expires)
        self._refresh: dict[str, tuple[str, datetime]] = {}
        self._limits = (read_limit, write_limit, login_limits)
        self._windows: dict[tuple[str, str], _Window] = {}
        self._tid = 0

    # -- world -------------------------------------------------------------------------------

    def add_actor(self, did: str, handle: str, app_password: str | None = None) -> None:
        with self.lock:
            actor = self.actors.setdefault(did, Actor(did, handle))
            actor.handle = handle
            actor.app_password = app_password or actor.app_password

    def actor(self, identifier: str) -> Actor | None:
        if identifier.startswith("did:"):
            return self.actors.get(identifier)
        return next((a for a in self.actors.values() if a.handle.lower() == identifier.lower()), None)

    def add_post(self, uri: str, record: dict, indexed_at: datetime) -> StoredPost:
        did = uri.removeprefix("at://").split("/")[0]
        with self.lock:
            post = StoredPost(uri, cid_of(uri, repr(sorted(record.items()))), did, record, indexed_at)
            self.posts[uri] = post
            return post

    def new_post_uri(self, did: str) -> str:
        with self.lock:
            self._tid += 1
            micros = int(self.clock().timestamp() * 1_000_000)
            number = (micros << 10) | (self._tid & 0x3FF)
            rkey = "".join(_TID_ALPHABET[(number >> (5 * i)) & 31] for i in reversed(range(13)))
            return f"at://{did}/{POST}/{rkey}"

    def expire_access_tokens(self) -> None:
        """As if every access token's two hours were over (the refresh tokens still work)."""
        with self.lock:
            now = self.clock()
            self._access = {
                token: (did, now - timedelta(seconds=1)) for token, (did, _) in self._access.items()
            }

    def revoke_sessions(self, did: str) -> None:
        """As revoking the app password: every token of the account stops working."""
        with self.lock:
            self._access = {t: v for t, v in self._access.items() if v[0] != did}
            self._refresh = {t: v for t, v in self._refresh.items() if v[0] != did}

    # -- XRPC ---------------------------------------------------------------------------------

    def handle(self, method: str, nsid: str, query: dict[str, list[str]], headers: dict, body: Any) -> Reply:
        with self.lock:
            now = self.clock()
            if nsid == "com.atproto.server.createSession":
                return self._create_session(body, now)
            token = _bearer(headers)
            if nsid == "com.atproto.server.refreshSession":
                return self._refresh_session(token, now)
            handler = {
                "app.bsky.notification.listNotifications": self._list_notifications,
                "app.bsky.feed.getAuthorFeed": self._author_feed,
                "app.bsky.feed.getPosts": self._get_posts,
                "com.atproto.repo.createRecord": self._create_record,
            }.get(nsid)
            if handler is None:
                return xrpc_error(501, "MethodNotImplemented", f"{nsid} is not simulated")
            did, refused = self._authenticate(token, now)
            if refused is not None:
                return refused
            window = self._window("write" if method == "POST" else "read", did)
            if not window.take(now):
                return xrpc_error(429, "RateLimitExceeded", "Rate Limit Exceeded", window.headers(now))
            reply = handler(did, query, body, now)
            reply.headers = {**window.headers(now), **reply.headers}
            return reply

    def peek_headers(self, method: str, did: str | None = None) -> dict[str, str]:
        with self.lock:
            window = self._window("write" if method == "POST" else "read", did or "anonymous")
            window.take(self.clock(), consume=False)
            return window.headers(self.clock())

    def _window(self, kind: str, key: str) -> _Window:
        read, write, logins = self._limits
        if (kind, key) not in self._windows:
            limit = {"read": read, "write": write, "login": logins[0], "login-day": logins[1]}[kind]
            self._windows[(kind, key)] = _Window(*limit)
        return self._windows[(kind, key)]

    def _authenticate(self, token: str | None, now: datetime) -> tuple[str, Reply | None]:
        if token is None:
            return "", xrpc_error(401, "AuthenticationRequired", "Authentication Required")
        if token in self._refresh:
            return "", xrpc_error(400, "InvalidToken", "Invalid token type")
        found = self._access.get(token)
        if found is None:
            return "", xrpc_error(401, "InvalidToken", "Token could not be verified")
        did, expires = found
        if now >= expires:
            return "", xrpc_error(400, "ExpiredToken", "Token has expired")
        return did, None

    def _session(self, actor: Actor, now: datetime) -> dict:
        access, refresh = (
            f"sim-access.{secrets.token_urlsafe(24)}",
            f"sim-refresh.{secrets.token_urlsafe(24)}",
        )
        self._access[access] = (actor.did, now + ACCESS_LIFETIME)
        self._refresh[refresh] = (actor.did, now + REFRESH_LIFETIME)
        return {
            "accessJwt": access,
            "refreshJwt": refresh,
            "handle": actor.handle,
            "did": actor.did,
            "active": True,
        }

    def _create_session(self, body: Any, now: datetime) -> Reply:
        identifier = body.get("identifier") if isinstance(body, dict) else None
        password = body.get("password") if isinstance(body, dict) else None
        if not isinstance(identifier, str) or not isinstance(password, str):
            return xrpc_error(400, "InvalidRequest", "identifier and password are required")
        actor = self.actor(identifier)
        key = actor.did if actor else identifier.lower()
        for kind in ("login", "login-day"):
            window = self._window(kind, key)
            if not window.take(now):
                return xrpc_error(429, "RateLimitExceeded", "Rate Limit Exceeded", window.headers(now))
        headers = self._window("login", key).headers(now)
        if (
            actor is None
            or actor.app_password is None
            or not secrets.compare_digest(password, actor.app_password)
        ):
            return xrpc_error(401, "AuthenticationRequired", "Invalid identifier or password", headers)
        self.logins.append((actor.did, now))
        return Reply(200, self._session(actor, now), headers)

    def _refresh_session(self, token: str | None, now: datetime) -> Reply:
        if token is None:
            return xrpc_error(401, "AuthenticationRequired", "Authentication Required")
        if token in self._access:
            return xrpc_error(400, "InvalidToken", "Invalid token type")
        found = self._refresh.pop(token, None)  # a refresh token is used once: the session rotates
        if found is None:
            return xrpc_error(400, "InvalidToken", "Token has been revoked")
        did, expires = found
        if now >= expires:
            return xrpc_error(400, "ExpiredToken", "Token has expired")
        self.refreshes += 1
        return Reply(200, self._session(self.actors[did], now))

    # -- reading ----------------------------------------------------------------------------------

    def _page(self, query: dict, items: list, mark_of) -> tuple[list, str | None]:
        """Newest first; the cursor is the last item's mark: the next page is strictly older."""
        limit = int((query.get("limit") or ["50"])[0])
        cursor = (query.get("cursor") or [None])[0]
        ordered = sorted(items, key=mark_of, reverse=True)
        if cursor is not None:
            moment, _, uri = cursor.partition("::")
            bound = (datetime.fromisoformat(moment), uri)
            ordered = [item for item in ordered if mark_of(item) < bound]
        page = ordered[:limit]
        more = len(ordered) > limit
        last = mark_of(page[-1]) if page else None
        return page, (f"{last[0].isoformat()}::{last[1]}" if more and last else None)

    def _list_notifications(self, did: str, query: dict, body: Any, now: datetime) -> Reply:
        reasons = set(query.get("reasons") or ["mention", "reply", "quote"])
        found = []
        for post in self.posts.values():
            reason, subject = self.reason(post, did)
            if reason in reasons and post.indexed_at <= now:
                found.append((post, reason, subject))
        page, cursor = self._page(query, found, lambda item: item[0].mark)
        notifications = []
        for post, reason, subject in page:
            note = {
                "uri": post.uri,
                "cid": post.cid,
                "author": self._profile(post.did),
                "reason": reason,
                "record": post.record,
                "isRead": False,
                "indexedAt": iso(post.indexed_at),
            }
            if subject:
                note["reasonSubject"] = subject
            notifications.append(note)
        return Reply(200, {"notifications": notifications, **({"cursor": cursor} if cursor else {})})

    def reason(self, post: StoredPost, did: str) -> tuple[str | None, str | None]:
        """Why `did` is notified of `post`: a reply to its post, a mention, a quote (or not)."""
        if post.did == did:
            return None, None
        parent = ((post.record.get("reply") or {}).get("parent") or {}).get("uri", "")
        if parent.startswith(f"at://{did}/"):
            return "reply", parent
        if self._mentions(post, did):
            return "mention", None
        embedded = (post.record.get("embed") or {}).get("record") or {}
        if str(embedded.get("uri", "")).startswith(f"at://{did}/"):
            return "quote", embedded["uri"]
        return None, None

    def _mentions(self, post: StoredPost, did: str) -> bool:
        for facet in post.record.get("facets") or []:
            if any(feature.get("did") == did for feature in facet.get("features", [])):
                return True
        return False

    def _author_feed(self, did: str, query: dict, body: Any, now: datetime) -> Reply:
        actor = self.actor(query["actor"][0])
        if actor is None:
            return xrpc_error(400, "InvalidRequest", "Profile not found")
        theirs = [p for p in self.posts.values() if p.did == actor.did and p.indexed_at <= now]
        page, cursor = self._page(query, theirs, lambda post: post.mark)
        feed = [{"post": self.view(post)} for post in page]
        return Reply(200, {"feed": feed, **({"cursor": cursor} if cursor else {})})

    def _get_posts(self, did: str, query: dict, body: Any, now: datetime) -> Reply:
        views = [self.view(self.posts[uri]) for uri in query.get("uris", []) if uri in self.posts]
        return Reply(200, {"posts": views})

    def view(self, post: StoredPost) -> dict:
        return {
            "uri": post.uri,
            "cid": post.cid,
            "author": self._profile(post.did),
            "record": post.record,
            "indexedAt": iso(post.indexed_at),
            "replyCount": sum(1 for p in self.posts.values() if _parent(p) == post.uri),
            "repostCount": 0,
            "likeCount": 0,
            "quoteCount": 0,
        }

    def _profile(self, did: str) -> dict:
        actor = self.actors.get(did)
        return {"did": did, "handle": actor.handle if actor else "handle.invalid"}

    # -- writing ----------------------------------------------------------------------------------

    def _create_record(self, did: str, query: dict, body: Any, now: datetime) -> Reply:
        if not isinstance(body, dict) or body.get("collection") != POST:
            return xrpc_error(400, "InvalidRequest", f"only {POST} records are simulated")
        repo = self.actor(str(body.get("repo", "")))
        if repo is None or repo.did != did:
            return xrpc_error(400, "InvalidRequest", "repo must be the authenticated account")
        record = body.get("record")
        if not isinstance(record, dict) or not isinstance(record.get("text"), str):
            return xrpc_error(400, "InvalidRecord", "Record/text must be a string")
        if sum(1 for _ in _GRAPHEME.finditer(record["text"])) > 300:
            return xrpc_error(400, "InvalidRecord", "Record/text must not be longer than 300 graphemes")
        reply = record.get("reply")
        if reply is not None:
            for end in ("root", "parent"):
                ref = reply.get(end) if isinstance(reply, dict) else None
                stored = self.posts.get(ref.get("uri")) if isinstance(ref, dict) else None
                if stored is None or stored.cid != ref.get("cid"):
                    return xrpc_error(400, "InvalidRequest", f"Could not locate record: reply {end}")
            if self._root_of(self.posts[reply["parent"]["uri"]]) != reply["root"]["uri"]:
                return xrpc_error(400, "InvalidRequest", "reply root is not the parent's thread root")
        post = self.add_post(self.new_post_uri(did), record, now)
        self.created.append(
            {
                "id": post.uri,
                "in_reply_to_id": _parent(post),
                "text": record["text"],
                "created_at": iso(now),
                "facets": record.get("facets") or [],
            }
        )
        return Reply(200, {"uri": post.uri, "cid": post.cid, "validationStatus": "valid"})

    def _root_of(self, post: StoredPost) -> str:
        root = ((post.record.get("reply") or {}).get("root") or {}).get("uri")
        return root or post.uri


def _parent(post: StoredPost) -> str | None:
    return ((post.record.get("reply") or {}).get("parent") or {}).get("uri")


def _bearer(headers: dict) -> str | None:
    value = next((v for k, v in headers.items() if k.lower() == "authorization"), "")
    match = re.fullmatch(r"Bearer (\S+)", value or "")
    return match.group(1) if match else None
