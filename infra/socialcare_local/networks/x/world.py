"""The X simulator as the local runtime and the replay use it."""

import re
from typing import Any

from ..base import ScenarioRules
from .server import XSimulator
from .spec import find_x_spec, missing_x_spec

CHANNELS = ("x",)

_DIGITS = re.compile(r"[0-9]{1,19}")
RULES = ScenarioRules(
    account_id=_DIGITS,
    handle=re.compile(r"[A-Za-z0-9_]{1,15}"),
    post_id=_DIGITS,
    author_id=_DIGITS,
    author_handle=re.compile(r"[A-Za-z0-9_]{1,15}"),
    example="X ids are decimal digits, e.g. 1860000000000001001",
)
# The simulated X's app credentials (not secrets: they only open the local simulator).
SIM_APP = {
    "bearer_token": "sim-bearer",
    "consumer_key": "sim-consumer-key",
    "consumer_secret": "sim-consumer-secret",
}


def simulate(now, options) -> "XNetwork":
    return XNetwork(
        XSimulator(
            now,
            post_limit=options.post_limit,
            read_limit=options.read_limit,
            spec_path=find_x_spec() if options.validate_spec else None,
            access_token="sim-default-token",  # noqa: S106 - the simulator's own, not a secret
            access_token_secret="sim-default-secret",  # noqa: S106
            **SIM_APP,
        )
    )


class XNetwork:
    channels = CHANNELS

    def __init__(self, sim: XSimulator):
        self.sim = sim
        self._brands: list[tuple[str, str]] = []  # (id, handle), in configuration order

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
        return missing_x_spec() or "spec checks turned off for this run"

    def start(self) -> str:
        return self.sim.start()

    def stop(self) -> None:
        self.sim.stop()

    def add_brand_account(self, account: Any) -> dict[str, str]:
        account_id, handle = account.id, account.handle
        access_token, access_secret = f"sim-access-{account_id}", f"sim-access-secret-{account_id}"
        self.sim.add_user(account_id, handle)
        self.sim.grant_user_token(account_id, access_token, access_secret)
        self._brands.append((account_id, handle))
        return {
            "bearer_token": SIM_APP["bearer_token"],
            "api_key": SIM_APP["consumer_key"],
            "api_secret": SIM_APP["consumer_secret"],
            "access_token": access_token,
            "access_token_secret": access_secret,
        }

    def mention(
        self,
        post_id,
        author_id,
        text,
        *,
        at,
        handle=None,
        in_reply_to_id=None,
        conversation_id=None,
        lang=None,
    ) -> None:
        """A public post; it mentions the brand accounts it names (@handle), else the first."""
        if handle:
            self.sim.add_user(author_id, handle)
        named = [bid for bid, bhandle in self._brands if f"@{bhandle.lower()}" in text.lower()]
        self.sim.publish(
            post_id=post_id,
            author_id=author_id,
            text=text,
            created_at=at,
            in_reply_to_id=in_reply_to_id,
            conversation_id=conversation_id,
            lang=lang,
            mentions=named or [self._brands[0][0]],
        )

    def publish(self, channel: str, event: Any, brand_id: str) -> None:
        if event.type == "mention":
            self.mention(
                event.id,
                event.author_id,
                event.text,
                at=event.at,
                handle=event.author_handle,
                in_reply_to_id=event.in_reply_to_id,
                conversation_id=event.conversation_id,
                lang=event.lang,
            )
        else:  # a brand_post or a brand_reply: the brand account's own post
            self.sim.publish(
                post_id=event.id,
                author_id=brand_id,
                text=event.text,
                created_at=event.at,
                in_reply_to_id=getattr(event, "in_reply_to_id", None),
            )

    def replies(self) -> list[dict]:
        return [{"channel": "x", **post} for post in self.sim.created_posts()]
