"""Mastodon: the Mastodon simulator and the Mastodon adapter for the brand account acme@social.example,
answering jane@mastodon.social (an account on another instance)."""

from datetime import timedelta

from socialcare.channels.mastodon.account import MastodonAccount
from socialcare.channels.mastodon.adapter import MastodonAdapter
from socialcare_local.networks.mastodon import (
    Fault,
    MastodonSimulator,
    find_mastodon_spec,
    missing_mastodon_spec,
)

from .base import NOW, T0, ReadFault

TOKEN = "sim-mastodon-token"  # noqa: S105 - the simulator's own, not a secret
FAULTS = {
    ReadFault.RATE_LIMITED: Fault.rate_limited,
    ReadFault.SERVER_ERROR: lambda: Fault.status(503),
    ReadFault.TIMEOUT: lambda: Fault.timeout(3),
    ReadFault.MALFORMED: Fault.malformed,
    ReadFault.LOST_ANSWER: lambda: Fault.timeout(3, applied=True),
}


class MastodonHarness:
    network = "mastodon"

    def __init__(self):
        spec = find_mastodon_spec()
        self.spec_missing = None if spec else missing_mastodon_spec()
        self.sim = MastodonSimulator(lambda: NOW, spec_path=spec)
        self.brand_id = self.sim.add_account("acme", "social.example", "109000000000000001")
        self.customer_id = self.sim.add_account("jane", "mastodon.social")
        self.sim.grant_token(self.brand_id, TOKEN)
        self.account = MastodonAccount(
            channel="mastodon",
            id=self.brand_id,
            handle="acme@social.example",
            instance="social.example",
            credentials_secret="mastodon/acme",
        )

    def start(self) -> None:
        self.sim.start()

    def stop(self) -> list[str]:
        self.sim.stop()
        return self.sim.spec_violations

    def adapter(self, *, page_size: int | None = None, timeout: float = 2, account=None) -> MastodonAdapter:
        options = {"page_size": page_size} if page_size else {}
        return MastodonAdapter(
            account or self.account,
            {"access_token": TOKEN},
            base_url=self.sim.base_url,
            timeout=timeout,
            **options,
        )

    def mention(
        self, minute: float, text: str, *, in_reply_to: str | None = None, visibility="public"
    ) -> str:
        return self.sim.publish(
            author_id=self.customer_id,
            text=f"@acme@social.example {text}",
            created_at=T0 + timedelta(minutes=minute),
            in_reply_to_id=in_reply_to,
            visibility=visibility,
        )

    def staff_reply(self, minute: float, to: str, text: str) -> str:
        return self.sim.publish(
            author_id=self.brand_id,
            text=f"@jane@mastodon.social {text}",
            created_at=T0 + timedelta(minutes=minute),
            in_reply_to_id=to,
        )

    def fail_next_read(self, fault: ReadFault) -> None:
        self.sim.fail_next("GET", r"^/api/v1/(notifications|accounts/)", FAULTS[fault]())

    def fail_next_post(self, fault: ReadFault) -> None:
        self.sim.fail_next("POST", r"^/api/v1/statuses$", FAULTS[fault]())

    def replies_created(self) -> list[tuple[str, str]]:
        return [(each["id"], each["in_reply_to_id"]) for each in self.sim.created_statuses()]
