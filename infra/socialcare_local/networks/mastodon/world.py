"""The Mastodon simulator as the local runtime and the replay use it: one server for every
instance, each brand account on the instance its configuration names."""

import re
from typing import Any

from ..base import ScenarioRules
from .server import MastodonSimulator
from .spec import find_mastodon_spec, missing_mastodon_spec

CHANNELS = ("mastodon",)

_DIGITS = re.compile(r"[0-9]{1,20}")
_USERNAME = r"[A-Za-z0-9_]+(?:[.-]+[A-Za-z0-9_]+)*"
RULES = ScenarioRules(
    account_id=_DIGITS,
    handle=re.compile(rf"{_USERNAME}(?:@[A-Za-z0-9.-]+)?"),
    post_id=_DIGITS,
    author_id=_DIGITS,
    author_handle=None,
    example="Mastodon ids are decimal digits, e.g. 113540000000000001",
)
_NARROWER = ("public", "unlisted", "private", "direct")


def simulate(now, options) -> "MastodonNetwork":
    return MastodonNetwork(
        MastodonSimulator(now, spec_path=find_mastodon_spec() if options.validate_spec else None)
    )


class MastodonNetwork:
    channels = CHANNELS

    def __init__(self, sim: MastodonSimulator):
        self.sim = sim
        self._brands: list[str] = []  # account ids, in configuration order

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
        return missing_mastodon_spec() or "spec checks turned off for this run"

    def start(self) -> str:
        return self.sim.start()

    def stop(self) -> None:
        self.sim.stop()

    def add_brand_account(self, account: Any) -> dict[str, str]:
        username = account.handle.partition("@")[0]
        account_id = self.sim.add_account(username, account.instance, account.id)
        token = f"sim-mastodon-{account.instance}-{account_id}"
        self.sim.grant_token(account_id, token)
        self._brands.append(account_id)
        return {"access_token": token}

    def _author(self, author_id: str, handle: str | None, brand_id: str) -> str:
        """The customer's account: `user@host`, or a bare name on the brand's instance."""
        if author_id in self.sim.store.accounts:
            return author_id
        home = self.sim.store.accounts[brand_id].instance
        user, _, host = (handle or f"user{author_id}").partition("@")
        user = re.sub(r"[^A-Za-z0-9_]", "_", user) or f"user{author_id}"
        return self.sim.add_account(user, host or home, author_id)

    def publish(self, channel: str, event: Any, brand_id: str) -> None:
        at = event.at
        if event.type == "mention":
            author = self._author(event.author_id, event.author_handle, brand_id)
            mentioned = self.sim.store.mentioned(event.text, self.sim.store.accounts[author])
            named = [each for each in mentioned if each in self._brands]
            self.sim.publish(
                status_id=event.id,
                author_id=author,
                text=event.text,
                created_at=at,
                in_reply_to_id=event.in_reply_to_id,
                visibility=event.visibility or "public",
                language=event.lang,
                notify=() if named else (brand_id,),
            )
            return
        parent = self.sim.store.statuses.get(getattr(event, "in_reply_to_id", None) or "")
        text, visibility = event.text, "public"
        if parent is not None and parent.account_id != brand_id:
            # As Mastodon's composer does: the reply addresses the author, never wider than the post.
            customer = self.sim.store.accounts[parent.account_id]
            brand = self.sim.store.accounts[brand_id]
            text = f"@{customer.acct_from(brand.instance)} {text}"
            visibility = max(parent.visibility, "unlisted", key=_NARROWER.index)
        self.sim.publish(
            status_id=event.id,
            author_id=brand_id,
            text=text,
            created_at=at,
            in_reply_to_id=parent.id if parent else None,
            visibility=visibility,
        )

    def replies(self) -> list[dict]:
        return [{"channel": "mastodon", **status} for status in self.sim.created_statuses()]
