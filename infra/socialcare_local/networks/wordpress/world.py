"""The WordPress simulator as the local runtime and the replay use it: one server, a site per
brand account (its `instance`), scenario lines as comments and articles, our replies read back.

Scenario lines name WordPress things as socialcare does, qualified by their site (see
socialcare.channels.wordpress.site): the account `blog.acme.example/2` (its acknowledging user),
comments `blog.acme.example/501`, articles `blog.acme.example/post/12`. A mention's `author_id` is
the commenter's WordPress user id, 0 for a guest (the usual blog commenter: `author_handle` is the
name they typed). As on WordPress, comment ids grow with time: the simulator numbers our replies
after the highest id so far, so a scenario leaves room between its ids (e.g. 4101, 4201, ...)."""

import re
from typing import Any

from ..base import ScenarioRules
from .server import WordPressSimulator
from .spec import find_wordpress_spec, missing_wordpress_spec

CHANNELS = ("wordpress",)

_SITE = r"[a-z0-9.-]+(:[0-9]{1,5})?(/[A-Za-z0-9._~-]+)*?"
RULES = ScenarioRules(
    account_id=re.compile(rf"{_SITE}/[0-9]{{1,19}}"),
    handle=re.compile(r"[^\x00-\x1f\x7f]{1,200}"),
    post_id=re.compile(rf"{_SITE}/(post/)?[0-9]{{1,19}}"),
    author_id=re.compile(r"[0-9]{1,19}"),
    author_handle=None,
    example="ids carry their site: account blog.acme.example/2, comment blog.acme.example/501, "
    "article blog.acme.example/post/12; author_id is a user id, 0 for a guest",
)
DEFAULT_ARTICLE = 1  # where a comment naming no article lands


def simulate(now, options) -> "WordPressNetwork":
    return WordPressNetwork(
        WordPressSimulator(now, spec_path=find_wordpress_spec() if options.validate_spec else None)
    )


def _split(qualified: str) -> tuple[str, int, bool]:
    """(site key, number, is an article) of a qualified id."""
    site, _, number = qualified.rpartition("/")
    article = site.endswith("/post")
    return site.removesuffix("/post"), int(number), article


class WordPressNetwork:
    channels = CHANNELS

    def __init__(self, sim: WordPressSimulator):
        self.sim = sim
        self._instances: dict[str, str] = {}  # site key -> the instance URL

    @property
    def base_url(self) -> str:
        return self.sim.base_url

    @property
    def spec_violations(self) -> list[str]:
        return self.sim.spec_violations

    @property
    def spec_unchecked(self) -> str | None:
        if self.sim.spec is not None:
            return None
        return missing_wordpress_spec() or "spec checks turned off for this run"

    def start(self) -> str:
        return self.sim.start()

    def stop(self) -> None:
        self.sim.stop()

    def add_brand_account(self, account: Any) -> dict[str, str]:
        key = self.sim.add_site(account.instance)
        self._instances[key] = account.instance
        _, user, _ = _split(account.id)
        password = f"sim {key} {user}"  # the simulator's own application password
        username = self.sim.add_user(
            account.instance, user, account.handle, app_password=password, moderator=account.include_held
        )
        return {"username": username, "application_password": password}

    def _instance(self, site: str) -> str:
        try:
            return self._instances[site]
        except KeyError:
            raise ValueError(
                f"no WordPress account for the site {site} (known: {', '.join(self._instances)})"
            ) from None

    def publish(self, channel: str, event: Any, brand_id: str) -> None:
        site, number, article = _split(event.id)
        instance = self._instance(site)
        if event.type == "brand_post":
            self.sim.add_article(instance, number, event.text[:80])
            return
        parent, post = 0, None
        if event.in_reply_to_id:
            _, replied, is_article = _split(event.in_reply_to_id)
            post = replied if is_article else None
            parent = 0 if is_article else replied
        if getattr(event, "conversation_id", None):
            post = _split(event.conversation_id)[1]
        if post is None and parent:
            post = self.sim.store.site(instance).comments[parent].post
        author: dict[str, Any] = {"author": _split(brand_id)[1]}
        if event.type == "mention":
            author = {"author": int(event.author_id), "author_name": event.author_handle}
            if author["author"]:
                self.sim.add_user(
                    instance, author["author"], event.author_handle or f"user {event.author_id}"
                )
        self.sim.add_comment(
            instance,
            comment_id=number,
            post=post or DEFAULT_ARTICLE,
            parent=parent,
            content=event.text,
            at=event.at,
            **author,
        )

    def replies(self) -> list[dict]:
        return [
            {
                "channel": "wordpress",
                "id": f"{made['site']}/{made['id']}",
                "in_reply_to_id": f"{made['site']}/{made['parent']}",
                "text": made["text"],
                "created_at": made["created_at"],
            }
            for made in self.sim.created()
        ]
