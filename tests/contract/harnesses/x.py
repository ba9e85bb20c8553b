"""X: the X simulator and the X adapter for the brand account @AcmeCare."""

from datetime import timedelta
from itertools import count

from socialcare.channels.x.account import XAccount
from socialcare.channels.x.adapter import XAdapter
from socialcare_local.networks.x import Fault, XSimulator, expected_x_spec_path, find_x_spec

from .base import NOW, T0, ReadFault

CREDENTIALS = {
    "bearer_token": "sim-bearer",
    "api_key": "sim-consumer-key",
    "api_secret": "sim-consumer-secret",
    "access_token": "sim-access-token",
    "access_token_secret": "sim-access-secret",
}
FAULTS = {
    ReadFault.RATE_LIMITED: Fault.rate_limited,
    ReadFault.SERVER_ERROR: lambda: Fault.status(503),
    ReadFault.TIMEOUT: lambda: Fault.timeout(3),
    ReadFault.MALFORMED: Fault.malformed,
    ReadFault.LOST_ANSWER: lambda: Fault.timeout(3, applied=True),
}


class XHarness:
    network = "x"
    brand_id = "9001"

    def __init__(self):
        spec = find_x_spec()
        self.spec_missing = None if spec else f"official X spec not found at {expected_x_spec_path()}"
        self.sim = XSimulator(lambda: NOW, spec_path=spec)
        self.sim.add_user(self.brand_id, "AcmeCare")
        self.sim.add_user("42", "jane")
        self.account = XAccount(channel="x", id=self.brand_id, handle="AcmeCare", credentials_secret="x")
        self._ids = count(1001)

    def start(self) -> None:
        self.sim.start()

    def stop(self) -> list[str]:
        self.sim.stop()
        return self.sim.spec_violations

    def adapter(self, *, page_size: int | None = None, timeout: float = 2) -> XAdapter:
        options = {"page_size": max(page_size, 5)} if page_size else {}  # X serves 5 to 100 a page
        return XAdapter(self.account, CREDENTIALS, base_url=self.sim.base_url, timeout=timeout, **options)

    def _publish(self, author_id: str, minute: float, text: str, in_reply_to: str | None, mentions) -> str:
        post_id = str(next(self._ids))
        self.sim.publish(
            post_id=post_id,
            author_id=author_id,
            text=text,
            created_at=T0 + timedelta(minutes=minute),
            in_reply_to_id=in_reply_to,
            mentions=mentions,
        )
        return post_id

    def mention(self, minute: float, text: str, *, in_reply_to: str | None = None) -> str:
        return self._publish("42", minute, f"@AcmeCare {text}", in_reply_to, [self.brand_id])

    def staff_reply(self, minute: float, to: str, text: str) -> str:
        return self._publish(self.brand_id, minute, f"@jane {text}", to, ["42"])

    def fail_next_read(self, fault: ReadFault) -> None:
        self.sim.fail_next("GET", r"/2/users/", FAULTS[fault]())

    def fail_next_post(self, fault: ReadFault) -> None:
        self.sim.fail_next("POST", r"/2/tweets$", FAULTS[fault]())

    def replies_created(self) -> list[tuple[str, str]]:
        return [(post["id"], post["in_reply_to_id"]) for post in self.sim.created_posts()]
