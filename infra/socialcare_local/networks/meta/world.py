"""The Meta simulator as the local runtime and the replay use it: Facebook pages and Instagram
accounts, scenario lines played through MetaScenario, our replies read back."""

import re
from datetime import datetime
from typing import Any

from ..base import ScenarioRules, SimulatedWebhook
from .replay import MetaScenario
from .server import MetaSimulator
from .spec import find_meta_specs, missing_meta_specs

CHANNELS = ("facebook", "instagram")

_GRAPH_ID = re.compile(r"[0-9]{1,24}(_[0-9]{1,24})?")
RULES = ScenarioRules(
    account_id=re.compile(r"[0-9]{1,24}"),
    handle=re.compile(r"[^\x00-\x1f\x7f]{1,75}"),
    post_id=_GRAPH_ID,
    author_id=re.compile(r"[0-9]{1,24}"),
    author_handle=None,
    example="Graph ids are digits, Facebook's post and comment ids two groups joined by _, e.g. 1000001_77",
)
# The key each network's adapter reads its token from (see their account modules).
TOKEN_KEYS = {"facebook": "page_access_token", "instagram": "access_token"}
# Meta's webhook: the app secret signs deliveries, the verify token answers the subscription check.
WEBHOOK_SECRET = {"app_secret": "sim-meta-app-secret", "verify_token": "sim-meta-verify-token"}
WEBHOOK_FIELDS = ("feed", "comments", "mentions")  # what the README tells an operator to subscribe


def simulate(now, options) -> "MetaNetwork":
    return MetaNetwork(MetaSimulator(now, spec_dir=find_meta_specs() if options.validate_spec else None))


class MetaNetwork:
    channels = CHANNELS

    def __init__(self, sim: MetaSimulator):
        self.sim = sim
        self.scenario = MetaScenario(sim)

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
        return missing_meta_specs() or "spec checks turned off for this run"

    def start(self) -> str:
        return self.sim.start()

    def stop(self) -> None:
        self.sim.stop()

    def add_brand_account(self, account: Any) -> dict[str, str]:
        channel, account_id = account.channel, account.id
        self.scenario.play(
            {"type": "account", "channel": channel, "id": account_id, "handle": account.handle}
        )
        return {TOKEN_KEYS[channel]: MetaScenario.token_for(channel, account_id)}

    @property
    def webhook(self) -> SimulatedWebhook:
        def subscribe(callback_url: str) -> None:
            # What an operator does in the Meta app: register the callback URL (Meta checks it with
            # a GET carrying the verify token) for page feed and Instagram comments and mentions.
            secret = WEBHOOK_SECRET
            self.sim.subscribe(callback_url, secret["verify_token"], secret["app_secret"], WEBHOOK_FIELDS)

        return SimulatedWebhook("meta", WEBHOOK_SECRET, subscribe)

    def publish(self, channel: str, event: Any, brand_id: str) -> None:
        line = event.model_dump(exclude_none=True) if hasattr(event, "model_dump") else dict(event)
        self.scenario.play({**line, "channel": channel, "account": line.get("account") or brand_id})

    def next_wake(self) -> datetime | None:
        return self.sim.webhooks.next_wake()

    def run_due(self) -> None:
        self.sim.deliver_due()

    def replies(self) -> list[dict]:
        return [
            {
                "channel": made["network"],
                "id": made["id"],
                "in_reply_to_id": made["parent_id"],
                "text": made["message"],
                "created_at": made["created_at"],
            }
            for made in self.sim.created_comments()
        ]
