"""Facebook: the Meta simulator and the Facebook adapter for the page "Acme Care" and its one post."""

from datetime import timedelta

from socialcare.channels.facebook.account import FacebookAccount
from socialcare.channels.facebook.adapter import FacebookAdapter

from .base import T0, ReadFault
from .meta import FAULTS, MetaHarness

TOKEN = "sim-page-token"  # noqa: S105
CUSTOMER = ("100000000000042", "Jane Doe")


class FacebookHarness(MetaHarness):
    network = "facebook"
    brand_id = "104857600"
    post_id = f"{brand_id}_880001"

    def __init__(self):
        super().__init__()
        self.sim.add_page(self.brand_id, "Acme Care", TOKEN)
        self.sim.publish_page_post(
            self.brand_id, self.post_id, "Our winter collection", T0 - timedelta(hours=1)
        )
        self.account = FacebookAccount(
            channel="facebook", id=self.brand_id, handle="Acme Care", credentials_secret="fb"
        )

    def adapter(self, *, page_size: int | None = None, timeout: float = 2) -> FacebookAdapter:
        options = {"page_size": page_size} if page_size else {}
        credentials = {"page_access_token": TOKEN}
        return FacebookAdapter(
            self.account, credentials, base_url=self.sim.base_url, timeout=timeout, **options
        )

    def mention(self, minute: float, text: str, *, in_reply_to: str | None = None) -> str:
        """A customer's comment under the page's post (or a reply to a comment)."""
        return self.sim.comment(
            in_reply_to or self.post_id, None, *CUSTOMER, text, T0 + timedelta(minutes=minute)
        )

    def staff_reply(self, minute: float, to: str, text: str) -> str:
        """Staff answering in Facebook itself: the page's comment, made by no app."""
        return self.sim.comment(to, None, self.brand_id, "Acme Care", text, T0 + timedelta(minutes=minute))

    def fail_next_post(self, fault: ReadFault) -> None:
        self.sim.fail_next("POST", r"/comments$", FAULTS[fault]())
