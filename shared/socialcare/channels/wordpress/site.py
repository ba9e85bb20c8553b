"""How socialcare names things on a WordPress site: every id carries the site.

Comment ids, blog post ids and user ids repeat from one site to the next, while the core keys
accounts by (channel, id) and posts and conversations by (channel, id). So every WordPress id is
qualified by its site (the instance URL without scheme or trailing slash, e.g. `blog.example.com`
or `example.com/blog`):

- a comment (a post, to the core):       `blog.example.com/501`
- a blog article (a conversation):       `blog.example.com/post/12`
- a registered user (the account, staff): `blog.example.com/2`
- a guest commenter (no user id):        `blog.example.com/guest-<hash of the name>`
"""

import hashlib
import re
from dataclasses import dataclass
from urllib.parse import urlsplit

# https://host[:port][/path], no query or fragment: the address readers open the blog at.
INSTANCE = re.compile(r"^https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?(/[A-Za-z0-9._~%!$&'()*+,;=:@/-]*)?$")
_NUMBER = re.compile(r"[0-9]{1,19}")


@dataclass(frozen=True)
class Site:
    origin: str  # https://blog.example.com
    path: str  # "" or /blog
    key: str  # blog.example.com or example.com/blog

    @classmethod
    def of(cls, instance: str) -> "Site":
        parts = urlsplit(instance.strip())
        path = parts.path.rstrip("/")
        return cls(origin=f"{parts.scheme}://{parts.netloc}", path=path, key=(parts.netloc + path).lower())

    @property
    def host(self) -> str:
        return urlsplit(self.origin).netloc

    def comment(self, number: int) -> str:
        return f"{self.key}/{number}"

    def article(self, number: int) -> str:
        return f"{self.key}/post/{number}"

    def user(self, number: int) -> str:
        return f"{self.key}/{number}"

    def guest(self, name: str) -> str:
        # A guest has no user id; the name stands in, hashed so no name ends up in a key.
        return f"{self.key}/guest-{hashlib.sha256(name.strip().lower().encode()).hexdigest()[:16]}"

    def comment_number(self, post_id: str) -> int | None:
        """The comment's own number if `post_id` is a comment of this site (or a bare number)."""
        prefix, _, number = post_id.rpartition("/")
        if prefix not in ("", self.key) or not _NUMBER.fullmatch(number):
            return None
        return int(number)

    def article_number(self, conversation_id: str | None) -> int | None:
        prefix, _, number = (conversation_id or "").rpartition("/post/")
        if prefix != self.key or not _NUMBER.fullmatch(number):
            return None
        return int(number)


def qualified_user_id(instance: str, user_id: str) -> str:
    """The account id as the core keys it: digits are qualified with the site; an id already
    qualified must name this very site."""
    site = Site.of(instance)
    if _NUMBER.fullmatch(user_id):
        return site.user(int(user_id))
    prefix, _, number = user_id.rpartition("/")
    if prefix.lower() != site.key or not _NUMBER.fullmatch(number):
        raise ValueError(f"id must be the WordPress user id (digits) or {site.key}/<digits>")
    return site.user(int(number))


def user_number(account_id: str) -> int:
    return int(account_id.rpartition("/")[2])
