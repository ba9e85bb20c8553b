"""Services on in-memory ports: the bundled example configuration with one account."""

import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from fakes import InMemoryStreams, InMemoryTickets, ScriptedNetwork  # noqa: E402

from socialcare.channels.retry import Budget  # noqa: E402
from socialcare.config.loader import BUNDLED_EXAMPLE, parse_config  # noqa: E402
from socialcare.domain.posts import Post  # noqa: E402

T0 = datetime(2026, 11, 23, 14, 0, tzinfo=UTC)
BRAND = "9001"


@pytest.fixture
def config():
    return parse_config(BUNDLED_EXAMPLE.read_text(encoding="utf-8"), "example")


@pytest.fixture
def world(config):
    class World:
        streams = InMemoryStreams()
        tickets = InMemoryTickets(streams)
        network = ScriptedNetwork(brand_id=config.accounts[0].id)
        account = config.accounts[0]
        quarantined: list = []

        def quarantine(self, key, **kwargs):
            self.quarantined.append(kwargs)
            return True

    return World()


def post(post_id: str, minute: float, *, author: str = "42", text: str = "@AcmeCare help", **kwargs) -> Post:
    return Post(
        channel="x",
        post_id=post_id,
        author_id=author,
        author_handle=None,
        text=text,
        created_at=T0 + timedelta(minutes=minute),
        **kwargs,
    )


def budget() -> Budget:
    return Budget(lambda: 60_000)
