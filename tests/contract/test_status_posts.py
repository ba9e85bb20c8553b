"""Status posts on the brand's own timeline: for every network whose adapter says it can, a public,
top-level post (not a reply) through the channel status poster, read back from the simulator, its
text intact, the network's length rule enforced; every request checked against the network's
official spec by its simulator (the harness fixture fails on any violation)."""

import pytest
from harnesses import HARNESSES, Harness, ReadFault
from harnesses.base import T0
from harnesses.bluesky import BlueskyHarness
from harnesses.meta import FAULTS as META_FAULTS
from harnesses.x import CREDENTIALS as X_CREDENTIALS

from socialcare.channels.base import PermanentError, TransientError
from socialcare.channels.registry import NETWORKS, network
from socialcare.channels.x.adapter import XAdapter
from socialcare.runtime.refreshing import RefreshingAdapter
from socialcare.services.status_posts import ChannelStatusPoster

pytestmark = pytest.mark.contract

STATUS = (
    "We know our site is down and are fixing it — next update within 30 min. "
    "Status: https://status.acme.example/i/7 🙏"
)


def posting_networks() -> list[str]:
    return sorted(name for name in HARNESSES if network(name).adapter_class().can_post_status)


@pytest.fixture(params=posting_networks())
def harness(request):
    harness: Harness = HARNESSES[request.param]()
    if harness.spec_missing:
        pytest.skip(f"{harness.spec_missing}; CI has ../shared/specs beside the clone")
    harness.start()
    yield harness
    assert harness.stop() == [], "the adapter sent, or was answered, something off the official spec"


def on_timeline(harness, adapter) -> dict[str, tuple[str, str | None]]:
    """The brand's own top-level and reply posts as the network serves them: post id -> (text, the
    post it answers). Read through the adapter's own stream where the network has one, else from
    the page's feed as the simulator keeps it."""
    if "own" in network(harness.network).streams:
        page = adapter.read("own", None, start_time=T0)
        return {p.post_id: (p.text, p.in_reply_to_id) for p in page.posts if p.author_id == harness.brand_id}
    feed = harness.sim.store.feed(harness.brand_id, tagged=False)  # Facebook: the page's own feed
    return {
        post.id: (post.message, None)
        for post in feed
        if post.author_id == harness.brand_id and post.created_at >= T0
    }


def poster_for(harness) -> ChannelStatusPoster:
    return ChannelStatusPoster(lambda account: harness.adapter())


def test_the_networks_that_post_statuses_are_the_ones_with_a_text_timeline():
    assert posting_networks() == ["bluesky", "facebook", "mastodon", "x"]
    assert set(NETWORKS) - set(posting_networks()) == {"instagram", "wordpress"}


def test_a_status_post_is_a_public_top_level_post_on_the_brands_timeline_with_its_text_intact(harness):
    poster = poster_for(harness)
    assert poster.can_post_status(harness.account)
    post_id = poster.post_status(harness.account, STATUS)
    assert on_timeline(harness, harness.adapter())[post_id] == (STATUS, None)
    assert harness.replies_created() in ([], [(post_id, None)]), "a status post answers nothing"


def test_a_second_status_post_is_a_new_post(harness):
    poster = poster_for(harness)
    first = poster.post_status(harness.account, "Still working on the outage. Next update at 15:00.")
    second = poster.post_status(harness.account, "Fixed: the site is back. Thanks for your patience.")
    timeline = on_timeline(harness, harness.adapter())
    assert first != second and {first, second} <= set(timeline)


def test_a_status_post_at_the_networks_limit_is_posted_whole_and_one_over_is_refused_unsent(harness):
    adapter = harness.adapter()
    limit = adapter.max_status_length
    at_limit = ("Outage update. " * 10_000)[: limit - 1] + "."
    assert adapter.status_length(at_limit) == limit
    post_id = adapter.post_status(at_limit)
    assert on_timeline(harness, adapter)[post_id] == (at_limit, None)
    over = at_limit + "!"
    with pytest.raises(PermanentError, match="over"):
        adapter.post_status(over)
    assert list(on_timeline(harness, adapter)) == [post_id], "nothing more was posted"


def test_an_empty_status_post_is_refused_unsent(harness):
    with pytest.raises(PermanentError):
        harness.adapter().post_status("   ")
    assert on_timeline(harness, harness.adapter()) == {}


def test_a_status_post_that_fails_on_the_server_is_transient(harness):
    if harness.network == "facebook":
        harness.sim.fail_next("POST", r"/feed$", META_FAULTS[ReadFault.SERVER_ERROR]())
    else:
        harness.fail_next_post(ReadFault.SERVER_ERROR)
    with pytest.raises(TransientError):
        harness.adapter(timeout=1).post_status("Outage update: we are on it.")


def test_a_bluesky_status_post_links_its_status_page():
    harness = BlueskyHarness()
    if harness.spec_missing:
        pytest.skip(harness.spec_missing)
    harness.start()
    try:
        harness.adapter().post_status(STATUS)
        [created] = harness.sim.created_posts()
    finally:
        assert harness.stop() == []
    [facet] = created["facets"]
    link = "https://status.acme.example/i/7"
    start = STATUS.encode().index(link.encode())
    assert facet["index"] == {"byteStart": start, "byteEnd": start + len(link.encode())}
    assert facet["features"] == [{"$type": "app.bsky.richtext.facet#link", "uri": link}]


@pytest.mark.parametrize("name", ["instagram", "wordpress"])
def test_networks_without_status_posts_are_refused_without_reading_credentials(name):
    account = HARNESSES[name]().account

    def no_adapter(account):
        raise AssertionError("no adapter (nor its secret) is needed to refuse")

    poster = ChannelStatusPoster(no_adapter)
    assert not poster.can_post_status(account)
    with pytest.raises(PermanentError):
        poster.post_status(account, "Outage update")


def test_a_status_post_survives_a_credentials_rotation(x):
    """As the container wires it: a refused token is re-read from its secret and the post made once."""
    harness = x
    harness.sim.regenerate_tokens(harness.brand_id, "rotated-token", "rotated-secret", bearer_token="rotated")
    rotated = {**X_CREDENTIALS, "access_token": "rotated-token", "access_token_secret": "rotated-secret"}
    secrets = iter([X_CREDENTIALS, rotated])
    refreshes = []
    adapter = RefreshingAdapter(
        "x#9001",
        lambda fresh: next(secrets),
        lambda credentials: XAdapter(harness.account, credentials, base_url=harness.sim.base_url, timeout=2),
        lambda: refreshes.append(1),
    )
    post_id = ChannelStatusPoster(lambda account: adapter).post_status(harness.account, "Outage update")
    assert refreshes == [1]
    assert [post["id"] for post in harness.sim.created_posts()] == [post_id]
