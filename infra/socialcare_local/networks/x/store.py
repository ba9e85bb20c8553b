"""In-memory state of the simulated X: users, posts in arrival order, tokens, rate windows.

Every public method takes the lock, because the HTTP server answers on many threads while
the local runtime publishes posts from its own.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

X_EPOCH_MS = 1288834974657  # X snowflake epoch (2010-11-04)
USERNAME_RE = re.compile(r"^[A-Za-z0-9_]{1,15}$")  # the spec's UserName pattern
MENTION_RE = re.compile(r"(?<![A-Za-z0-9_])@([A-Za-z0-9_]{1,15})")


@dataclass(frozen=True)
class User:
    id: str
    username: str
    name: str


@dataclass(frozen=True)
class Post:
    seq: int  # arrival order: scenario ids are arbitrary, so order never relies on id values
    id: str
    author_id: str
    text: str
    created_at: datetime
    conversation_id: str
    in_reply_to_id: str | None
    in_reply_to_user_id: str | None
    lang: str | None
    mentions: tuple[str, ...]  # user ids


@dataclass
class RateWindow:
    limit: int
    length: timedelta
    start: datetime
    used: int = 0

    @property
    def reset(self) -> datetime:
        return self.start + self.length


@dataclass(frozen=True)
class RateState:
    allowed: bool
    limit: int
    remaining: int
    reset: datetime


@dataclass
class Store:
    users: dict[str, User] = field(default_factory=dict)
    posts: dict[str, Post] = field(default_factory=dict)
    timeline: list[Post] = field(default_factory=list)  # every post, in arrival order
    tokens: dict[str, tuple[str, str]] = field(default_factory=dict)  # access token -> (secret, user id)
    created: list[dict] = field(default_factory=list)
    windows: dict[tuple, RateWindow] = field(default_factory=dict)
    last_id: int = 0
    lock: threading.RLock = field(default_factory=threading.RLock)

    # ---- users and tokens -------------------------------------------------------------
    def add_user(self, user_id: str, username: str, name: str | None = None) -> User:
        if not re.fullmatch(r"[0-9]{1,19}", user_id) or not USERNAME_RE.match(username):
            raise ValueError(
                f"X user ids are 1-19 digits and usernames match {USERNAME_RE.pattern}: "
                f"{user_id!r}, {username!r}"
            )
        with self.lock:
            user = User(user_id, username, name or username)
            self.users[user_id] = user
            return user

    def ensure_user(self, user_id: str) -> User:
        with self.lock:
            if user_id not in self.users:
                username = f"user{user_id}" if len(user_id) <= 11 else f"u{user_id[-14:]}"
                self.add_user(user_id, username)
            return self.users[user_id]

    def by_username(self, username: str) -> User | None:
        with self.lock:
            return next((u for u in self.users.values() if u.username.lower() == username.lower()), None)

    def grant_token(self, user_id: str, token: str, secret: str) -> None:
        with self.lock:
            self.tokens[token] = (secret, user_id)

    def token(self, token: str) -> tuple[str, str] | None:
        with self.lock:
            return self.tokens.get(token)

    # ---- posts ---------------------------------------------------------------------------
    def add_post(
        self,
        *,
        post_id: str,
        author_id: str,
        text: str,
        created_at: datetime,
        conversation_id: str | None = None,
        in_reply_to_id: str | None = None,
        lang: str | None = None,
        mentions=(),
    ) -> Post:
        if not re.fullmatch(r"[0-9]{1,19}", post_id):
            raise ValueError(f"X post ids are 1-19 digits: {post_id!r}")
        with self.lock:
            if post_id in self.posts:
                raise ValueError(f"post {post_id} already exists")
            for user_id in (author_id, *mentions):
                self.ensure_user(user_id)
            if created_at.tzinfo is None:  # scenario times are UTC; keep every time aware
                created_at = created_at.replace(tzinfo=UTC)
            parent = self.posts.get(in_reply_to_id) if in_reply_to_id else None
            mentioned = list(dict.fromkeys(mentions))
            for handle in MENTION_RE.findall(text):
                user = self.by_username(handle)
                if user and user.id not in mentioned:
                    mentioned.append(user.id)
            # X prefixes a reply with the parent author's handle, so the parent author is mentioned.
            if parent and parent.author_id != author_id and parent.author_id not in mentioned:
                mentioned.append(parent.author_id)
            post = Post(
                seq=len(self.timeline) + 1,
                id=post_id,
                author_id=author_id,
                text=text,
                created_at=created_at,
                conversation_id=conversation_id or (parent.conversation_id if parent else post_id),
                in_reply_to_id=in_reply_to_id,
                in_reply_to_user_id=parent.author_id if parent else None,
                lang=lang,
                mentions=tuple(mentioned),
            )
            self.posts[post_id] = post
            self.timeline.append(post)
            return post

    def new_id(self, now: datetime) -> str:
        """A snowflake-like id (ms since the X epoch << 22 | worker | sequence), unique and rising."""
        with self.lock:
            ms = max(0, int(now.timestamp() * 1000) - X_EPOCH_MS)
            candidate = max((ms << 22) | (1 << 12), self.last_id + 1)
            while str(candidate) in self.posts:
                candidate += 1
            self.last_id = candidate
            return str(candidate)

    def seq_of(self, post_id: str) -> int | None:
        with self.lock:
            post = self.posts.get(post_id)
            return post.seq if post else None

    def select(self, kind: str, user_id: str) -> list[Post]:
        """The user's mentions or own posts, newest (latest arrival) first."""
        with self.lock:
            if kind == "mentions":
                found = [p for p in self.timeline if user_id in p.mentions]
            else:
                found = [p for p in self.timeline if p.author_id == user_id]
            return found[::-1]

    def has_duplicate(self, author_id: str, text: str) -> bool:
        with self.lock:
            return any(p.author_id == author_id and p.text == text for p in self.timeline)

    # ---- rate limits -------------------------------------------------------------------
    def rate(self, key: tuple, limit: int, length: timedelta, now: datetime, *, consume: bool) -> RateState:
        """Fixed window opened by the first request; `consume=False` only reports the state."""
        with self.lock:
            window = self.windows.get(key)
            if window is None or now >= window.reset:
                window = RateWindow(limit, length, now)
                if consume:
                    self.windows[key] = window
            allowed = window.used < window.limit
            if consume and allowed:
                window.used += 1
            return RateState(allowed, window.limit, max(0, window.limit - window.used), window.reset)
