"""Every request the X adapter sends, and every answer it is tested against, validates against the
official X API v2 description (the simulator checks both sides of each exchange)."""

from datetime import UTC, datetime, timedelta

import pytest

from socialcare.channels.base import AccountUnavailable, PermanentError, RateLimited, TransientError
from socialcare.channels.x import XAdapter
from socialcare_local.networks.x import Fault, XSimulator, expected_x_spec_path, find_x_spec

pytestmark = pytest.mark.contract
SPEC = find_x_spec()
BRAND, CUSTOMER = "9001", "42"
T0 = datetime(2026, 11, 23, 14, 0, tzinfo=UTC)
CREDENTIALS = {
    "bearer_token": "sim-bearer",
    "api_key": "sim-consumer-key",
    "api_secret": "sim-consumer-secret",
    "access_token": "sim-access-token",
    "access_token_secret": "sim-access-secret",
}


@pytest.fixture
def sim():
    if SPEC is None:
        pytest.skip(
            f"official X spec not found at {expected_x_spec_path()}; CI has ../shared/specs beside the clone"
        )
    sim = XSimulator(lambda: T0 + timedelta(minutes=30), spec_path=SPEC)
    sim.add_user(BRAND, "AcmeCare")
    sim.add_user(CUSTOMER, "jane")
    sim.start()
    yield sim
    sim.stop()
    assert sim.spec_violations == []


def adapter(sim, **kwargs) -> XAdapter:
    return XAdapter(CREDENTIALS, base_url=sim.base_url, timeout=kwargs.pop("timeout", 2), **kwargs)


def publish(sim, post_id, minute, **kwargs):
    sim.publish(
        post_id=post_id,
        author_id=kwargs.pop("author_id", CUSTOMER),
        text=kwargs.pop("text", f"@AcmeCare question {post_id}"),
        created_at=T0 + timedelta(minutes=minute),
        mentions=[BRAND],
        **kwargs,
    )


def test_mentions_come_back_as_posts_with_handle_conversation_and_language(sim):
    publish(sim, "1001", 1, lang="en")
    publish(sim, "1002", 2, in_reply_to_id="1001")
    page = adapter(sim).fetch_mentions(BRAND, since_id=None, page_token=None, start_time=T0)
    assert [p.post_id for p in page.posts] == ["1002", "1001"]
    first = page.posts[1]
    assert (first.author_handle, first.conversation, first.lang, first.created_at) == (
        "jane",
        "1001",
        "en",
        T0 + timedelta(minutes=1),
    )
    assert page.posts[0].in_reply_to_id == "1001" and page.posts[0].conversation == "1001"
    assert page.newest_id == "1002"


def test_pages_follow_next_token_and_since_id_resumes_after_the_cursor(sim):
    for n in range(7):
        publish(sim, str(2000 + n), n)
    x = adapter(sim, page_size=5)
    first = x.fetch_mentions(BRAND, since_id=None, page_token=None, start_time=T0)
    assert len(first.posts) == 5 and first.next_token
    second = x.fetch_mentions(BRAND, since_id=None, page_token=first.next_token, start_time=T0)
    assert [p.post_id for p in second.posts] == ["2001", "2000"] and second.next_token is None
    publish(sim, "2100", 9)
    later = x.fetch_mentions(BRAND, since_id=first.newest_id, page_token=None, start_time=None)
    assert [p.post_id for p in later.posts] == ["2100"]


def test_reply_is_posted_in_the_thread_with_user_context_and_shows_on_the_own_timeline(sim):
    publish(sim, "1001", 1)
    x = adapter(sim)
    reply_id = x.post_reply(BRAND, in_reply_to_id="1001", text="Thanks, ref K7Q2X")
    own = x.fetch_own_posts(BRAND, since_id=None, page_token=None, start_time=T0)
    assert [(p.post_id, p.in_reply_to_id, p.conversation) for p in own.posts] == [(reply_id, "1001", "1001")]
    post_request = [r for r in sim.requests_log if r["method"] == "POST"][0]
    assert post_request["headers"]["Authorization"].startswith("OAuth ")
    assert post_request["json"] == {"text": "Thanks, ref K7Q2X", "reply": {"in_reply_to_tweet_id": "1001"}}


def test_429_is_a_rate_limit_with_the_reset_time_from_the_header(sim):
    sim.fail_next("GET", r"/mentions$", Fault.rate_limited())
    with pytest.raises(RateLimited) as limited:
        adapter(sim).fetch_mentions(BRAND, since_id=None, page_token=None, start_time=None)
    assert limited.value.reset_at > T0


@pytest.mark.parametrize("fault", [Fault.status(503), Fault.malformed(), Fault.timeout(3)])
def test_server_errors_timeouts_and_malformed_json_are_transient(sim, fault):
    sim.fail_next("GET", r"/mentions$", fault)
    with pytest.raises(TransientError):
        adapter(sim, timeout=1).fetch_mentions(BRAND, since_id=None, page_token=None, start_time=None)


def test_a_reply_to_a_missing_post_is_permanent(sim):
    with pytest.raises(PermanentError):
        adapter(sim).post_reply(BRAND, in_reply_to_id="555", text="hello")


def test_an_account_x_does_not_know_is_unavailable_for_good_not_a_transient_failure(sim):
    # X answers 200 with errors and no meta; the simulator's answer is checked against the spec.
    for fetch in (adapter(sim).fetch_mentions, adapter(sim).fetch_own_posts):
        with pytest.raises(AccountUnavailable, match=r"Could not find user with id: \[9999\]"):
            fetch("9999", since_id=None, page_token=None, start_time=None)


def test_a_rate_limit_reset_out_of_range_is_clamped_to_a_day(sim):
    far = Fault.answer(429, {"title": "Too Many Requests"}, {"x-rate-limit-reset": str(10**20)})
    sim.fail_next("GET", r"/mentions$", far)
    with pytest.raises(RateLimited) as limited:
        adapter(sim).fetch_mentions(BRAND, since_id=None, page_token=None, start_time=None)
    assert limited.value.reset_at <= datetime.now(UTC) + timedelta(hours=24, seconds=5)
