"""What the simulated WordPress holds: sites by host (and path), their users with application
passwords, articles and comments. Guarded by one lock; the API reads and writes through it."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from urllib.parse import urlsplit


@dataclass
class User:
    id: int
    name: str
    username: str
    app_passwords: set[str] = field(default_factory=set)
    moderator: bool = False  # edit_posts and moderate_comments (an editor); else a subscriber


@dataclass
class Comment:
    id: int
    post: int
    parent: int
    author: int  # 0: a guest
    author_name: str
    content: str  # as stored: HTML
    date_gmt: datetime
    status: str = "approved"  # approved, hold, spam, trash
    type: str = "comment"  # comment, pingback, trackback


@dataclass
class Site:
    key: str  # host[/path], lower case
    origin: str
    gmt_offset: timedelta = timedelta(0)  # the site's time zone: `date` and `after` use it
    users: dict[int, User] = field(default_factory=dict)
    articles: dict[int, str] = field(default_factory=dict)
    comments: dict[int, Comment] = field(default_factory=dict)
    next_id: int = 1

    @property
    def path(self) -> str:
        _, slash, rest = self.key.partition("/")
        return slash + rest

    def take_id(self, wanted: int | None = None) -> int:
        number = wanted if wanted is not None else self.next_id
        self.next_id = max(self.next_id, number + 1)
        return number


def site_key(instance: str) -> tuple[str, str]:
    parts = urlsplit(instance)
    return (parts.netloc + parts.path.rstrip("/")).lower(), f"{parts.scheme}://{parts.netloc}"


class Store:
    def __init__(self):
        self.lock = threading.RLock()
        self.sites: dict[str, Site] = {}
        self.created: list[dict] = []  # comments created through the API: {site, id, parent, ...}

    def site(self, instance: str, gmt_offset: timedelta = timedelta(0)) -> Site:
        key, origin = site_key(instance)
        with self.lock:
            if key not in self.sites:
                self.sites[key] = Site(key, origin, gmt_offset)
            return self.sites[key]

    def find_site(self, host: str, path: str) -> tuple[Site, str] | None:
        """The site a request names by its Host header and path prefix, and the route after /wp-json."""
        prefix, marker, route = path.partition("/wp-json")
        if not marker:
            return None
        with self.lock:
            found = self.sites.get((host + prefix.rstrip("/")).lower())
        return (found, route) if found else None
