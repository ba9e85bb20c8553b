"""Bluesky: the Bluesky simulator and the Bluesky adapter for the brand account acme.bsky.social."""

from datetime import timedelta

from socialcare.channels.bluesky.account import BlueskyAccount
from socialcare.channels.bluesky.adapter import BlueskyAdapter
from socialcare.channels.bluesky.session import MemorySessionStore
from socialcare_local.networks.bluesky import (
    BlueskySimulator,
    Fault,
    expected_bluesky_spec_path,
    find_bluesky_spec,
)

from .base import NOW, T0, ReadFault

BRAND_DID = "did:plc:acmecare2bsky7brand2acme"
BRAND_HANDLE = "acme.bsky.social"
JANE_DID = "did:plc:jane2customer7bsky2abcde"
JANE_HANDLE = "jane.bsky.social"
CREDENTIALS = {"identifier": BRAND_HANDLE, "app_password": "abcd-efgh-ijkl-mnop"}
FAULTS = {
    ReadFault.RATE_LIMITED: Fault.rate_limited,
    ReadFault.SERVER_ERROR: lambda: Fault.status(503),
    ReadFault.TIMEOUT: lambda: Fault.timeout(3),
    ReadFault.MALFORMED: Fault.malformed,
    ReadFault.LOST_ANSWER: lambda: Fault.timeout(3, applied=True),
}


class BlueskyHarness:
    network = "bluesky"
    brand_id = BRAND_DID

    def __init__(self):
        spec = find_bluesky_spec()
        self.spec_missing = (
            None if spec else f"official Bluesky lexicons not found at {expected_bluesky_spec_path()}"
        )
        self.sim = BlueskySimulator(lambda: NOW, spec_path=spec)
        self.sim.add_account(BRAND_DID, BRAND_HANDLE, CREDENTIALS["app_password"])
        self.sim.add_account(JANE_DID, JANE_HANDLE)
        self.account = BlueskyAccount(
            channel="bluesky", id=BRAND_DID, handle=BRAND_HANDLE, credentials_secret="bluesky"
        )
        self.sessions = MemorySessionStore()  # as DynamoDB keeps it between invocations

    def start(self) -> None:
        self.sim.start()

    def stop(self) -> list[str]:
        self.sim.stop()
        return self.sim.spec_violations

    def adapter(self, *, page_size: int | None = None, timeout: float = 2) -> BlueskyAdapter:
        options = {"page_size": page_size} if page_size else {}
        return BlueskyAdapter(
            self.account,
            CREDENTIALS,
            base_url=self.sim.base_url,
            timeout=timeout,
            session_store=self.sessions,
            **options,
        )

    def _publish(self, did: str, minute: float, text: str, in_reply_to: str | None) -> str:
        uri = self.sim.api.new_post_uri(did)
        self.sim.publish(uri=uri, text=text, at=T0 + timedelta(minutes=minute), in_reply_to=in_reply_to)
        return uri

    def mention(self, minute: float, text: str, *, in_reply_to: str | None = None) -> str:
        return self._publish(JANE_DID, minute, f"@{BRAND_HANDLE} {text}", in_reply_to)

    def staff_reply(self, minute: float, to: str, text: str) -> str:
        return self._publish(BRAND_DID, minute, f"@{JANE_HANDLE} {text}", to)

    def fail_next_read(self, fault: ReadFault) -> None:
        self.sim.fail_next("GET", r"listNotifications$", FAULTS[fault]())

    def fail_next_post(self, fault: ReadFault) -> None:
        self.sim.fail_next("POST", r"createRecord$", FAULTS[fault]())

    def replies_created(self) -> list[tuple[str, str]]:
        return [(post["id"], post["in_reply_to_id"]) for post in self.sim.created_posts()]
