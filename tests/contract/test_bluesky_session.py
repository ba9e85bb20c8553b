"""Bluesky's scarce logins: a virtual day of one-minute polls (with containers recycled every hour,
each reading the session where the last one kept it) and the replies of the day log in once, the
access token being renewed with refreshSession as it expires every two hours. And the ways a kept
session goes wrong: refused refresh tokens, another container's renewal, a revoked app password."""

from datetime import UTC, datetime, timedelta

import pytest
from harnesses.bluesky import BRAND_HANDLE, CREDENTIALS, JANE_DID, BlueskyHarness

from socialcare import clock
from socialcare.channels.base import AuthenticationFailed, ReplyTarget
from socialcare.channels.bluesky.adapter import BlueskyAdapter
from socialcare.channels.bluesky.session import MemorySessionStore
from socialcare_local.networks.bluesky import BlueskySimulator, find_bluesky_spec

pytestmark = pytest.mark.contract
DAY_START = datetime(2026, 11, 23, 0, 0, tzinfo=UTC)


class Clock:
    def __init__(self, start: datetime):
        self.now = start

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def day():
    spec = find_bluesky_spec()
    if spec is None:
        pytest.skip("official Bluesky lexicons not found; CI has ../shared/specs beside the clone")
    time = Clock(DAY_START)
    harness = BlueskyHarness()
    sim = BlueskySimulator(time, spec_path=spec)
    for did, handle in sim_accounts(harness):
        sim.add_account(did, handle, CREDENTIALS["app_password"] if handle == BRAND_HANDLE else None)
    sim.start()
    clock.set_clock(time)
    yield harness, sim, time
    clock.set_clock(None)
    sim.stop()
    assert sim.spec_violations == []


def sim_accounts(harness):
    return [(harness.brand_id, BRAND_HANDLE), (JANE_DID, "jane.bsky.social")]


def adapter(harness, sim, store) -> BlueskyAdapter:
    return BlueskyAdapter(harness.account, CREDENTIALS, base_url=sim.base_url, timeout=5, session_store=store)


def test_a_day_of_one_minute_polls_and_replies_logs_in_once(day):
    harness, sim, time = day
    store = MemorySessionStore()  # what DynamoDB keeps between containers
    cursors: dict[str, str | None] = {"notifications": None, "own": None}
    replied = 0
    for minute in range(24 * 60):
        time.now = DAY_START + timedelta(minutes=minute)
        if minute % 60 == 0:
            container = adapter(harness, sim, store)  # a new container: nothing in memory
        if minute % 45 == 7:
            uri = sim.api.new_post_uri(JANE_DID)
            sim.publish(uri=uri, text=f"@{BRAND_HANDLE} question at minute {minute}", at=time.now)
        for stream in cursors:
            page = container.read(stream, cursors[stream], start_time=DAY_START)
            cursors[stream] = page.cursor or cursors[stream]
            assert page.complete
            for post in page.posts if stream == "notifications" else []:
                container.post_reply(ReplyTarget(post.post_id), "Thanks, we're on it")
                replied += 1
    assert replied == 32 and len(sim.created_posts()) == 32
    logins_per_day = sim.logins
    print(f"\nBluesky: {logins_per_day} login(s) and {sim.api.refreshes} refreshes in a day of 1440 polls")
    assert logins_per_day == 1
    assert 11 <= sim.api.refreshes <= 13  # one each time the two-hour access token expired


def test_a_container_adopts_the_session_another_one_renewed(day):
    harness, sim, time = day
    store = MemorySessionStore()
    first, second = adapter(harness, sim, store), adapter(harness, sim, store)
    first.read("own", None, start_time=DAY_START)
    second.read("own", None, start_time=DAY_START)  # the session the first one stored
    time.now += timedelta(hours=2, minutes=1)
    first.read("own", None, start_time=DAY_START)  # renews it (the old refresh token is used up)
    second.read("own", None, start_time=DAY_START)  # finds the renewed one rather than refreshing
    assert (sim.logins, sim.api.refreshes) == (1, 1)


def test_a_refused_refresh_token_logs_in_again_and_a_revoked_app_password_fails_the_credentials(day):
    harness, sim, time = day
    store = MemorySessionStore()
    adapter(harness, sim, store).read("own", None, start_time=DAY_START)
    sim.api.revoke_sessions(harness.brand_id)  # e.g. the session was signed out
    adapter(harness, sim, store).read("own", None, start_time=DAY_START)
    assert sim.logins == 2
    sim.api.revoke_sessions(harness.brand_id)
    sim.api.actors[harness.brand_id].app_password = "zzzz-zzzz-zzzz-zzzz"  # revoked in the app
    refused = adapter(harness, sim, store)
    for _ in range(3):  # one attempt: the same refused credentials are not tried again and again
        with pytest.raises(AuthenticationFailed):
            refused.read("notifications", None, start_time=DAY_START)
    assert sim.logins == 2 and sum(1 for r in sim.requests_log if r["nsid"].endswith("createSession")) == 3
