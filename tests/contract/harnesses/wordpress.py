"""WordPress: the WordPress simulator and the adapter for the blog https://blog.acme.example, whose
acknowledging user is user 2; staff user 3 answers natively, customers comment as guests."""

from datetime import timedelta

from socialcare.channels.wordpress.account import WordPressAccount
from socialcare.channels.wordpress.adapter import WordPressAdapter
from socialcare_local.networks.wordpress import (
    Fault,
    WordPressSimulator,
    expected_wordpress_spec_path,
    find_wordpress_spec,
)

from .base import NOW, T0, ReadFault

SITE = "https://blog.acme.example"
ARTICLE = 10
PASSWORD = "abcd EFGH 1234 ijkl MNOP 6789"  # noqa: S105 - the simulator's own
FAULTS = {
    ReadFault.RATE_LIMITED: lambda: Fault.rate_limited("3600"),
    ReadFault.SERVER_ERROR: lambda: Fault.status(503),
    ReadFault.TIMEOUT: lambda: Fault.timeout(3),
    ReadFault.MALFORMED: Fault.malformed,
    ReadFault.LOST_ANSWER: lambda: Fault.timeout(3, applied=True),
}


class WordPressHarness:
    network = "wordpress"
    brand_id = "blog.acme.example/2"

    def __init__(self):
        spec = find_wordpress_spec()
        self.spec_missing = (
            None if spec else f"WordPress route schemas not found at {expected_wordpress_spec_path()}"
        )
        self.sim = WordPressSimulator(lambda: NOW, spec_path=spec)
        self.username = self.sim.add_user(SITE, 2, "Acme Care", app_password=PASSWORD)
        self.sim.add_user(SITE, 3, "Sam at Acme")
        self.sim.add_article(SITE, ARTICLE, "Winter opening hours")
        self.account = WordPressAccount(
            channel="wordpress", id="2", handle="Acme Care", credentials_secret="wordpress", instance=SITE
        )

    def start(self) -> None:
        self.sim.start()

    def stop(self) -> list[str]:
        self.sim.stop()
        return self.sim.spec_violations

    def adapter(self, *, page_size: int | None = None, timeout: float = 2) -> WordPressAdapter:
        credentials = {"username": self.username, "application_password": PASSWORD}
        options = {"page_size": page_size} if page_size else {}
        return WordPressAdapter(
            self.account, credentials, base_url=self.sim.base_url, timeout=timeout, **options
        )

    def _comment(self, minute: float, text: str, in_reply_to: str | None, **author) -> str:
        parent = int(in_reply_to.rpartition("/")[2]) if in_reply_to else 0
        number = self.sim.add_comment(
            SITE, post=ARTICLE, content=text, at=T0 + timedelta(minutes=minute), parent=parent, **author
        )
        return f"blog.acme.example/{number}"

    def mention(self, minute: float, text: str, *, in_reply_to: str | None = None) -> str:
        return self._comment(minute, text, in_reply_to, author_name="Jane Doe")

    def staff_reply(self, minute: float, to: str, text: str) -> str:
        return self._comment(minute, text, to, author=3)

    def fail_next_read(self, fault: ReadFault) -> None:
        self.sim.fail_next("GET", r"/wp/v2/comments$", FAULTS[fault]())

    def fail_next_post(self, fault: ReadFault) -> None:
        self.sim.fail_next("POST", r"/wp/v2/comments$", FAULTS[fault]())

    def replies_created(self) -> list[tuple[str, str]]:
        return [(f"{c['site']}/{c['id']}", f"{c['site']}/{c['parent']}") for c in self.sim.created()]
