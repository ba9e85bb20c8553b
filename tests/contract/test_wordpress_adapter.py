"""The WordPress adapter against the simulated WordPress, where the contract suite does not reach:
resuming by id from a date filter, a site's time zone, what is not a mention, who is staff,
duplicates, and how every kind of refusal is told apart."""

from datetime import UTC, datetime, timedelta

import pytest
from harnesses.base import T0
from harnesses.wordpress import ARTICLE, SITE, WordPressHarness

from socialcare.channels.base import (
    AuthenticationFailed,
    PermanentError,
    RateLimited,
    ReplyTarget,
    TransientError,
)
from socialcare_local.networks.wordpress import Fault

pytestmark = pytest.mark.contract


@pytest.fixture
def wp():
    harness = WordPressHarness()
    if harness.spec_missing:
        pytest.skip(f"{harness.spec_missing}; CI has ../shared/specs beside the clone")
    harness.start()
    yield harness
    assert harness.stop() == []


def comment(wp, minute: float, text: str, **kw) -> str:
    number = wp.sim.add_comment(SITE, post=ARTICLE, content=text, at=T0 + timedelta(minutes=minute), **kw)
    return f"blog.acme.example/{number}"


def poll(adapter, cursor):
    posts = []
    while True:
        page = adapter.read("comments", cursor, start_time=T0)
        posts += page.posts
        cursor = page.cursor or cursor
        if page.complete:
            return posts, cursor


def test_a_comment_in_the_same_second_as_the_last_one_read_is_not_missed(wp):
    first = comment(wp, 5, "first")
    read, cursor = poll(wp.adapter(), None)
    assert [p.post_id for p in read] == [first]
    same_second = comment(wp, 5, "second, same second")
    read, cursor = poll(wp.adapter(), cursor)
    assert [p.post_id for p in read] == [same_second]
    assert poll(wp.adapter(), cursor)[0] == []


@pytest.mark.parametrize("offset", [-10, 5.5, 14])
def test_a_site_in_any_time_zone_loses_no_comment_between_polls(wp, offset):
    wp.sim.add_site(SITE, gmt_offset_hours=offset)
    wp.sim.store.site(SITE).gmt_offset = timedelta(hours=offset)
    posted, cursor = [comment(wp, 1, "one")], None
    read, cursor = poll(wp.adapter(page_size=2), cursor)
    posted += [comment(wp, 2 + n, f"later {n}") for n in range(3)]
    again, cursor = poll(wp.adapter(page_size=2), cursor)
    assert [p.post_id for p in read + again] == posted


def test_pingbacks_spam_and_unheld_moderation_are_not_mentions_and_held_ones_are_not_public(wp):
    public = comment(wp, 1, "a question")
    comment(wp, 1, "a pingback", kind="pingback")
    comment(wp, 1, "buy pills", status="spam")
    held = comment(wp, 2, "held", status="hold")
    assert [p.post_id for p in poll(wp.adapter(), None)[0]] == [public]
    wp.sim.add_user(SITE, 2, "Acme Care", moderator=True)
    wp.account = wp.account.model_copy(update={"include_held": True})
    posts = {p.post_id: p for p in poll(wp.adapter(), None)[0]}
    assert sorted(posts) == sorted([public, held])
    assert (posts[held].visibility, posts[held].reply_allowed) == ("held", False)
    assert (posts[public].visibility, posts[public].reply_allowed) == ("public", True)


def test_staff_are_the_configured_user_ids_else_any_registered_user_when_allowed(wp):
    wp.sim.add_user(SITE, 4, "Rita Registered")
    customer = comment(wp, 1, "a question", author_name="Jane")
    staff, registered = comment(wp, 2, "staff", author=3), comment(wp, 3, "a reader", author=4)

    def authors(**options):
        wp.account = wp.account.model_copy(update=options)
        return {p.post_id: (p.author_id, p.author_handle) for p in poll(wp.adapter(), None)[0]}

    default = authors()
    assert default[staff] == (wp.brand_id, "Sam at Acme")  # the real user stays in the handle
    assert default[registered] == (wp.brand_id, "Rita Registered")
    only_three = authors(staff_user_ids=["3"])
    assert only_three[staff] == (wp.brand_id, "Sam at Acme")
    assert only_three[registered] == ("blog.acme.example/4", "Rita Registered")
    nobody = authors(staff_user_ids=[], registered_users_are_staff=False)
    assert nobody[staff][0] == "blog.acme.example/3"
    assert nobody[customer][0].startswith("blog.acme.example/guest-")


def test_a_duplicate_refused_with_409_is_found_as_the_reply_already_posted(wp):
    mention = comment(wp, 1, "where is my parcel?")
    target = ReplyTarget(mention, f"blog.acme.example/post/{ARTICLE}")
    first = wp.adapter().post_reply(target, "Thanks, ref K7Q2X")
    assert wp.adapter().post_reply(target, "Thanks, ref K7Q2X") == first
    assert len(wp.replies_created()) == 1


def test_a_malformed_comment_is_quarantined_and_the_cursor_moves_past_it(wp):
    good = comment(wp, 1, "fine")
    bad = comment(wp, 2, "broken")
    number = int(bad.rpartition("/")[2])
    wp.sim.fail_next(
        "GET",
        "/comments$",
        Fault.edit(lambda body: [c | ({"date_gmt": 7} if c["id"] == number else {}) for c in body]),
    )
    page = wp.adapter().read("comments", None, start_time=T0)
    assert [p.post_id for p in page.posts] == [good]
    assert [q.post_id for q in page.quarantined] == [bad]
    assert poll(wp.adapter(), page.cursor)[0] == []


def test_refusals_are_told_apart(wp):
    mention = comment(wp, 1, "hello?")
    target = ReplyTarget(mention, f"blog.acme.example/post/{ARTICLE}")
    wp.sim.fail_next("GET", "/comments$", Fault.rate_limited("90"))
    before = datetime.now(UTC)
    with pytest.raises(RateLimited) as limited:
        wp.adapter().read("comments", None, start_time=T0)
    assert (
        before + timedelta(seconds=89) <= limited.value.reset_at <= datetime.now(UTC) + timedelta(seconds=91)
    )
    wp.sim.fail_next("GET", "/comments$", Fault.html())
    with pytest.raises(TransientError, match="HTML"):
        wp.adapter().read("comments", None, start_time=T0)
    with pytest.raises(AuthenticationFailed):
        wp.adapter().__class__(wp.account, {"username": wp.username, "application_password": "nope"},
                               base_url=wp.sim.base_url).post_reply(target, "hi")  # fmt: skip
    with pytest.raises(PermanentError) as gone:
        wp.adapter().post_reply(ReplyTarget(mention, "blog.acme.example/post/99"), "hi")
    assert not isinstance(gone.value, AuthenticationFailed)  # a missing article is no credentials problem
    with pytest.raises(PermanentError):
        wp.adapter().post_reply(ReplyTarget("shop.other.example/1"), "hi")  # another site's comment
    with pytest.raises(PermanentError):
        wp.adapter().__class__(wp.account, {"username": wp.username}, base_url=wp.sim.base_url)


def test_a_first_reading_keeps_nothing_older_than_its_start_on_any_page(wp):
    older = [comment(wp, -60 - n, f"yesterday's {n}") for n in range(5)]  # within `after`'s margin
    newer = [comment(wp, 1 + n, f"today's {n}") for n in range(2)]
    assert older and [p.post_id for p in poll(wp.adapter(page_size=2), None)[0]] == newer
