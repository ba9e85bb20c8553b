"""In-memory state of the simulated Meta Graph: pages, posts, comments, Instagram media and comments,
mentions, tokens. Every public method takes the lock: the HTTP server answers on many threads
while the scenario publishes from its own.

Ids look as Meta shows them: a Facebook post `{page_id}_{n}`, a comment `{n}_{m}` (n the post's
number), Instagram ids all digits. Order never relies on id values: items keep an arrival `seq`.
"""

from __future__ import annotations

import itertools
import re
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime

DIGITS = re.compile(r"^[0-9]{1,20}$")
FB_ID = re.compile(r"^[0-9]{1,20}_[0-9]{1,20}$")


@dataclass(frozen=True)
class Page:
    id: str
    name: str


@dataclass(frozen=True)
class IgUser:
    id: str
    username: str
    page_id: str | None


@dataclass
class FbPost:
    seq: int
    id: str
    page_id: str  # the page it belongs to: its own post, or the page it tags
    author_id: str
    author_name: str
    message: str
    created_at: datetime
    tagged: bool = False


@dataclass
class FbComment:
    seq: int
    id: str
    post_id: str
    parent_id: str | None  # the top-level comment it answers; None for a top-level comment
    author_id: str
    author_name: str
    message: str
    created_at: datetime
    application: dict | None = None
    is_hidden: bool = False


@dataclass
class IgMedia:
    seq: int
    id: str
    owner_id: str  # a brand IG user, or another account (media that mentions the brand)
    username: str
    caption: str
    created_at: datetime


@dataclass
class IgComment:
    seq: int
    id: str
    media_id: str
    parent_id: str | None
    author_id: str
    username: str
    text: str
    created_at: datetime
    hidden: bool = False


def aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


@dataclass
class Store:
    pages: dict[str, Page] = field(default_factory=dict)
    ig_users: dict[str, IgUser] = field(default_factory=dict)
    posts: dict[str, FbPost] = field(default_factory=dict)
    comments: dict[str, FbComment] = field(default_factory=dict)
    media: dict[str, IgMedia] = field(default_factory=dict)
    ig_comments: dict[str, IgComment] = field(default_factory=dict)
    mentions: list[tuple[str, str, str | None]] = field(default_factory=list)  # (ig user, media, comment)
    tokens: dict[str, set[str]] = field(default_factory=dict)  # token -> object ids it acts for
    revoked: dict[str, str] = field(default_factory=dict)  # token -> "invalidated" | "expired"
    created: list[dict] = field(default_factory=list)
    replies: dict[str, int] = field(default_factory=dict)  # comment or media id -> comments under it
    lock: threading.RLock = field(default_factory=threading.RLock)
    _seq: itertools.count = field(default_factory=lambda: itertools.count(1))
    _minted: itertools.count = field(default_factory=lambda: itertools.count(1))

    # ---- accounts and tokens ---------------------------------------------------------------
    def add_page(self, page_id: str, name: str) -> Page:
        if not DIGITS.match(page_id):
            raise ValueError(f"Facebook page ids are digits: {page_id!r}")
        with self.lock:
            self.pages[page_id] = Page(page_id, name)
            return self.pages[page_id]

    def add_ig_user(self, ig_user_id: str, username: str, page_id: str | None) -> IgUser:
        if not DIGITS.match(ig_user_id):
            raise ValueError(f"Instagram user ids are digits: {ig_user_id!r}")
        with self.lock:
            self.ig_users[ig_user_id] = IgUser(ig_user_id, username, page_id)
            return self.ig_users[ig_user_id]

    def grant(self, token: str, object_id: str) -> None:
        with self.lock:
            self.tokens.setdefault(token, set()).add(object_id)
            self.revoked.pop(token, None)

    def revoke(self, token: str, reason: str) -> None:
        with self.lock:
            self.tokens.pop(token, None)
            self.revoked[token] = reason

    def covers(self, token: str, owner_id: str) -> bool:
        """A page token also acts for the Instagram account linked to its page."""
        with self.lock:
            objects = self.tokens.get(token, set())
            linked = self.ig_users.get(owner_id)
            return owner_id in objects or bool(linked and linked.page_id in objects)

    # ---- what an id is ------------------------------------------------------------------
    def node_type(self, object_id: str) -> str | None:
        with self.lock:
            for table, node in (
                (self.pages, "Page"),
                (self.posts, "PagePost"),
                (self.comments, "Comment"),
                (self.ig_users, "IGUser"),
                (self.media, "IGMedia"),
                (self.ig_comments, "IGComment"),
            ):
                if object_id in table:
                    return node
            return None

    def get(self, node: str, object_id: str):
        tables = {
            "Page": self.pages,
            "PagePost": self.posts,
            "Comment": self.comments,
            "IGUser": self.ig_users,
            "IGMedia": self.media,
            "IGComment": self.ig_comments,
        }
        with self.lock:
            return tables[node].get(object_id)

    def owner(self, object_id: str) -> str | None:
        """The page or brand IG user an object belongs to; None for other accounts' media."""
        with self.lock:
            if object_id in self.pages or object_id in self.ig_users:
                return object_id
            if post := self.posts.get(object_id):
                return post.page_id
            if comment := self.comments.get(object_id):
                return self.posts[comment.post_id].page_id
            if ig_comment := self.ig_comments.get(object_id):
                object_id = ig_comment.media_id
            media = self.media.get(object_id)
            return media.owner_id if media and media.owner_id in self.ig_users else None

    # ---- Facebook ------------------------------------------------------------------------
    def add_post(self, *, page_id, post_id, author_id, author_name, message, created_at, tagged) -> FbPost:
        post_id = post_id if "_" in post_id else f"{author_id}_{post_id}"
        if not FB_ID.match(post_id):
            raise ValueError(f"Facebook post ids look like {{page_id}}_{{n}}: {post_id!r}")
        with self.lock:
            if page_id not in self.pages or post_id in self.posts:
                raise ValueError(f"unknown page {page_id} or post {post_id} already exists")
            post = FbPost(
                next(self._seq), post_id, page_id, author_id, author_name, message, aware(created_at), tagged
            )
            self.posts[post_id] = post
            return post

    def add_comment(
        self, *, parent_id, comment_id, author_id, author_name, message, created_at, application=None
    ) -> FbComment:
        with self.lock:
            parent = self.comments.get(parent_id)
            post_id = parent.post_id if parent else parent_id
            if post_id not in self.posts:
                raise ValueError(f"no Facebook post or comment {parent_id!r} to comment on")
            comment_id = comment_id or self.mint_fb_comment_id(post_id)
            if "_" not in comment_id:
                comment_id = f"{post_id.split('_')[1]}_{comment_id}"
            if not FB_ID.match(comment_id) or comment_id in self.comments:
                raise ValueError(f"comment ids look like {{n}}_{{m}} and are unique: {comment_id!r}")
            # Facebook nests one level: an answer to a reply joins the top-level comment's thread.
            top = (parent.parent_id or parent.id) if parent else None
            comment = FbComment(
                next(self._seq),
                comment_id,
                post_id,
                top,
                author_id,
                author_name,
                message,
                aware(created_at),
                application,
            )
            self.comments[comment_id] = comment
            if top:
                self.replies[top] = self.replies.get(top, 0) + 1
            return comment

    def mint_fb_comment_id(self, post_id: str) -> str:
        with self.lock:
            while (
                minted := f"{post_id.split('_')[1]}_{900000000000000 + next(self._minted)}"
            ) in self.comments:
                pass
            return minted

    def feed(self, page_id: str, *, tagged: bool) -> list[FbPost]:
        with self.lock:
            found = [p for p in self.posts.values() if p.page_id == page_id and p.tagged == tagged]
        return sorted(found, key=lambda p: (p.created_at, p.seq), reverse=True)

    def fb_comments(self, object_id: str, *, stream: bool, newest_first: bool) -> list[FbComment]:
        """Comments under a post (top-level, or all of them with stream) or replies to a comment."""
        with self.lock:
            if object_id in self.comments:
                found = [c for c in self.comments.values() if c.parent_id == object_id]
            else:
                found = [
                    c
                    for c in self.comments.values()
                    if c.post_id == object_id and (stream or not c.parent_id)
                ]
        return sorted(found, key=lambda c: (c.created_at, c.seq), reverse=newest_first)

    # ---- Instagram --------------------------------------------------------------------------
    def add_media(self, *, owner_id, media_id, username, caption, created_at) -> IgMedia:
        if not DIGITS.match(media_id):
            raise ValueError(f"Instagram media ids are digits: {media_id!r}")
        with self.lock:
            if media_id in self.media:
                raise ValueError(f"media {media_id} already exists")
            media = IgMedia(next(self._seq), media_id, owner_id, username, caption, aware(created_at))
            self.media[media_id] = media
            return media

    def add_ig_comment(self, *, parent_id, comment_id, author_id, username, text, created_at) -> IgComment:
        with self.lock:
            parent = self.ig_comments.get(parent_id)
            media_id = parent.media_id if parent else parent_id
            if media_id not in self.media:
                raise ValueError(f"no Instagram media or comment {parent_id!r} to comment on")
            comment_id = comment_id or self.mint_ig_id()
            if not DIGITS.match(comment_id) or comment_id in self.ig_comments:
                raise ValueError(f"Instagram comment ids are unique digits: {comment_id!r}")
            top = (parent.parent_id or parent.id) if parent else None  # replies nest one level too
            comment = IgComment(
                next(self._seq), comment_id, media_id, top, author_id, username, text, aware(created_at)
            )
            self.ig_comments[comment_id] = comment
            for counted in (media_id, top):  # a media's count includes replies, as Instagram's does
                if counted:
                    self.replies[counted] = self.replies.get(counted, 0) + 1
            return comment

    def mint_ig_id(self) -> str:
        with self.lock:
            while (minted := str(17900000000000000 + next(self._minted))) in self.ig_comments:
                pass
            return minted

    def ig_media_of(self, ig_user_id: str) -> list[IgMedia]:
        with self.lock:
            found = [m for m in self.media.values() if m.owner_id == ig_user_id]
        return sorted(found, key=lambda m: (m.created_at, m.seq), reverse=True)

    def ig_comments_of(self, object_id: str) -> list[IgComment]:
        """Top-level comments on media, newest first; or replies to a comment, oldest first."""
        with self.lock:
            if object_id in self.ig_comments:
                found = [c for c in self.ig_comments.values() if c.parent_id == object_id]
                return sorted(found, key=lambda c: (c.created_at, c.seq))
            found = [c for c in self.ig_comments.values() if c.media_id == object_id and not c.parent_id]
        return sorted(found, key=lambda c: (c.created_at, c.seq), reverse=True)

    def mentioned(self, ig_user_id: str, media_id: str, comment_id: str | None) -> bool:
        with self.lock:
            return (ig_user_id, media_id, comment_id) in self.mentions

    def mention_of_comment(self, ig_user_id: str, comment_id: str) -> tuple | None:
        with self.lock:
            return next((m for m in self.mentions if m[0] == ig_user_id and m[2] == comment_id), None)
