"""The Bluesky simulator as the local runtime and the replay use it."""

import re
from typing import Any

from socialcare.channels.bluesky.account import DID, HANDLE

from ..base import ScenarioRules
from .lexicon import find_bluesky_spec, missing_bluesky_spec
from .server import BlueskySimulator

CHANNELS = ("bluesky",)

RULES = ScenarioRules(
    account_id=re.compile(DID),
    handle=re.compile(HANDLE),
    post_id=re.compile(rf"at://{DID}/app\.bsky\.feed\.post/[A-Za-z0-9._:~-]{{1,512}}"),
    author_id=re.compile(DID),
    author_handle=None,
    example="a Bluesky post is its at-URI, e.g. at://did:plc:<24 base32>/app.bsky.feed.post/3kabc2def3gh4",
)


def simulate(now, options) -> "BlueskyNetwork":
    return BlueskyNetwork(
        BlueskySimulator(now, spec_path=find_bluesky_spec() if options.validate_spec else None)
    )


class BlueskyNetwork:
    channels = CHANNELS

    def __init__(self, sim: BlueskySimulator):
        self.sim = sim

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
        return missing_bluesky_spec() or "spec checks turned off for this run"

    def start(self) -> str:
        return self.sim.start()

    def stop(self) -> None:
        self.sim.stop()

    def add_brand_account(self, account: Any) -> dict[str, str]:
        # The simulated app password: not a secret, it only opens the local simulator.
        app_password = f"sim{account.id[-4:]}-app0-pass-word"
        self.sim.add_account(account.id, account.handle, app_password)
        return {"identifier": account.handle, "app_password": app_password}

    def publish(self, channel: str, event: Any, brand_id: str) -> None:
        """A mention (a post tagging the brand, a reply to it, or with kind "quote" a quote of its
        conversation_id), or the brand's own post or native reply."""
        reply_to = getattr(event, "in_reply_to_id", None)
        quote = None
        if getattr(event, "kind", None) == "quote":
            quote, reply_to = getattr(event, "conversation_id", None) or reply_to, None
        self.sim.publish(
            uri=event.id,
            text=event.text,
            at=event.at,
            handle=getattr(event, "author_handle", None),
            in_reply_to=reply_to,
            quote=quote,
            lang=getattr(event, "lang", None),
        )

    def replies(self) -> list[dict]:
        return [
            {
                "channel": "bluesky",
                "id": post["id"],
                "in_reply_to_id": post["in_reply_to_id"],
                "text": post["text"],
                "created_at": post["created_at"],
            }
            for post in self.sim.created_posts()
        ]
