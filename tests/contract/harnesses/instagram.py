"""Instagram: the Meta simulator and the Instagram adapter for @acmecare and its one media."""

from datetime import timedelta

from socialcare.channels.instagram.account import InstagramAccount
from socialcare.channels.instagram.adapter import InstagramAdapter

from .base import T0, ReadFault
from .meta import FAULTS, MetaHarness

TOKEN = "sim-ig-token"  # noqa: S105
CUSTOMER = ("17841400000000042", "jane")


class InstagramHarness(MetaHarness):
    network = "instagram"
    brand_id = "17841400000000001"
    media_id = "17900000000000100"

    def __init__(self):
        super().__init__()
        self.sim.add_ig_user(self.brand_id, "acmecare", TOKEN)
        self.sim.publish_media(self.brand_id, self.media_id, "New drop", T0 - timedelta(hours=1))
        self.account = InstagramAccount(
            channel="instagram", id=self.brand_id, handle="acmecare", credentials_secret="ig"
        )

    def adapter(self, *, page_size: int | None = None, timeout: float = 2) -> InstagramAdapter:
        options = {"page_size": page_size} if page_size else {}
        credentials = {"access_token": TOKEN}
        return InstagramAdapter(
            self.account, credentials, base_url=self.sim.base_url, timeout=timeout, **options
        )

    def mention(self, minute: float, text: str, *, in_reply_to: str | None = None) -> str:
        """A customer's comment on the account's media (or a reply to a comment)."""
        return self.sim.ig_comment(
            in_reply_to or self.media_id, None, *CUSTOMER, text, T0 + timedelta(minutes=minute)
        )

    def staff_reply(self, minute: float, to: str, text: str) -> str:
        """Staff answering in the Instagram app, as the account."""
        return self.sim.ig_comment(to, None, self.brand_id, "acmecare", text, T0 + timedelta(minutes=minute))

    def fail_next_post(self, fault: ReadFault) -> None:
        self.sim.fail_next("POST", r"/(replies|mentions)$", FAULTS[fault]())
