"""The simulated Meta Graph API behaves like Meta where the Facebook and Instagram adapters notice,
and answers only what Meta's node specs allow.

Real HTTP (requests) against the running simulator. When the node specs are beside the clone,
every simulator here checks every exchange and must record no violation.
"""

from datetime import timedelta

import pytest
import requests
from meta_graph import (
    IG,
    IG_TOKEN,
    MEDIA,
    OTHER_PAGE,
    OTHER_TOKEN,
    PAGE,
    PAGE_TOKEN,
    POST,
    T0,
    FakeClock,
    brand_world,
    comment,
    error,
    get,
    ids,
    needs_spec,
    post,
    usage,
)

from socialcare_local.networks.meta import (
    SIM_APP,
    Fault,
    MetaSimulator,
    answer_lost,
    connection_dropped,
    expected_meta_spec_dir,
    find_meta_specs,
    throttle,
)

pytestmark = pytest.mark.contract


@pytest.fixture
def clock():
    return FakeClock(T0)


@pytest.fixture
def make_sim(clock):
    started = []

    def make(**kwargs):
        started.append(brand_world(clock, **kwargs))
        return started[-1]

    yield make
    for sim in started:
        sim.stop()
        assert sim.spec_violations == [], "tests that send invalid requests clear what they expect"


@pytest.fixture
def sim(make_sim):
    return make_sim()


def test_comments_page_through_cursors_and_next_links(sim):
    for n in range(30):
        comment(sim, 100 + n, minute=n)
    whole = get(sim, f"/{POST}/comments")
    assert len(ids(whole)) == 25 and ids(whole)[0] == "880001_100"  # default limit, oldest first
    first = get(sim, f"/{POST}/comments", limit=12)
    assert ids(first) == [f"880001_{100 + n}" for n in range(12)]
    assert set(first.json()["paging"]) == {"cursors", "next"}
    second = requests.get(first.json()["paging"]["next"], timeout=5)  # the link carries token and limit
    assert ids(second) == [f"880001_{112 + n}" for n in range(12)]
    assert set(second.json()["paging"]) == {"cursors", "next", "previous"}
    back = get(sim, f"/{POST}/comments", limit=12, before=second.json()["paging"]["cursors"]["before"])
    assert ids(back) == ids(first)
    comment(sim, 300, minute=45)  # arrives while the client pages: the cursor still holds
    last = requests.get(second.json()["paging"]["next"], timeout=5)
    assert ids(last) == [*(f"880001_{124 + n}" for n in range(6)), "880001_300"]
    assert "next" not in last.json()["paging"]
    assert get(sim, f"/{POST}/comments", limit=500).json()["paging"]["cursors"]  # capped at 100, not refused
    assert len(ids(get(sim, f"/{POST}/comments", limit=500))) == 31


def test_cursors_expire_with_time_and_on_demand(sim, clock):
    for n in range(4):
        comment(sim, 100 + n, minute=n)
    link = get(sim, f"/{POST}/comments", limit=2).json()["paging"]["next"]
    clock.advance(minutes=9)
    assert ids(requests.get(link, timeout=5)) == ["880001_102", "880001_103"]
    clock.advance(minutes=2)
    stale = requests.get(link, timeout=5)
    assert stale.status_code == 400 and error(stale)["code"] == 100 and "cursor" in error(stale)["message"]
    fresh = get(sim, f"/{POST}/comments", limit=2).json()["paging"]["next"]
    sim.expire_cursors()
    assert requests.get(fresh, timeout=5).status_code == 400
    forged = get(sim, f"/{POST}/comments", after="ODgwMDAxXzEwMQ==")
    assert forged.status_code == 400 and error(forged)["code"] == 100


def test_filter_order_and_since_select_comments(sim):
    first = comment(sim, 1, minute=0)
    reply = comment(sim, 2, minute=1, parent=first, author=("43", "Bob"))
    second = comment(sim, 3, minute=2)
    nested = comment(sim, 4, minute=3, parent=reply)  # Facebook nests one level: joins the first thread
    assert ids(get(sim, f"/{POST}/comments")) == [first, second]
    assert ids(get(sim, f"/{POST}/comments", filter="stream")) == [first, reply, second, nested]
    newest = get(sim, f"/{POST}/comments", filter="stream", order="reverse_chronological")
    assert ids(newest) == [nested, second, reply, first]
    since = int((T0 + timedelta(minutes=2)).timestamp())
    assert ids(get(sim, f"/{POST}/comments", filter="stream", since=since)) == [second, nested]
    iso = get(sim, f"/{POST}/comments", filter="stream", since="2026-11-23T14:02:00+0000")
    assert ids(iso) == [second, nested]
    replies = get(sim, f"/{first}/comments", fields="id,parent{id},from")
    assert replies.json()["data"] == [
        {"id": reply, "parent": {"id": first}, "from": {"id": "43", "name": "Bob"}},
        {"id": nested, "parent": {"id": first}, "from": {"id": "42", "name": "Jane Doe"}},
    ]


def test_fields_defaults_selection_and_nested_comments(sim):
    comment(sim, 1, minute=0)
    comment(sim, 2, minute=1, author=("43", "Bob"))
    comment(sim, 3, minute=2)
    sim.publish_page_post(PAGE, f"{PAGE}_880002", "Quiet post", T0)
    feed = get(sim, f"/{PAGE}/feed").json()["data"]
    assert feed == [
        {"created_time": "2026-11-23T14:00:00+0000", "message": "Quiet post", "id": f"{PAGE}_880002"},
        {"created_time": "2026-11-23T13:00:00+0000", "message": "Our winter collection is here!", "id": POST},
    ]
    assert get(sim, "/880001_1").json() == {
        "created_time": "2026-11-23T14:00:00+0000",
        "from": {"id": "42", "name": "Jane Doe"},
        "message": "comment 1",
        "id": "880001_1",
    }
    assert get(sim, "/880001_1", fields="message").json() == {"message": "comment 1", "id": "880001_1"}
    nested = "id,comments.filter(stream).order(reverse_chronological).limit(2).summary(true){id,message}"
    posts = get(sim, f"/{PAGE}/feed", fields=nested).json()["data"]
    assert posts[0]["comments"] == {
        "data": [],
        "summary": {"order": "reverse_chronological", "total_count": 0, "can_comment": True},
    }
    quiet = get(sim, f"/{PAGE}/feed", fields="id,comments{id}").json()["data"][0]
    assert quiet == {"id": f"{PAGE}_880002"}  # an empty connection is left out
    comments = posts[1]["comments"]
    assert comments["data"] == [
        {"id": "880001_3", "message": "comment 3"},
        {"id": "880001_2", "message": "comment 2"},
    ]
    assert comments["summary"] == {"order": "reverse_chronological", "total_count": 3, "can_comment": True}
    rest = requests.get(comments["paging"]["next"], timeout=5)
    assert rest.json()["data"] == [{"id": "880001_1", "message": "comment 1"}]
    bogus = get(sim, "/880001_1", fields="id,bogus")
    assert bogus.status_code == 400
    assert (
        error(bogus)["message"] == "(#100) Tried accessing nonexisting field (bogus) on node type (Comment)"
    )
    broken = get(sim, f"/{PAGE}/feed", fields="comments{id")
    assert broken.status_code == 400 and error(broken)["code"] == 100


def test_tagged_posts_are_apart_from_the_feed(sim):
    sim.tag_page(PAGE, "900100", "42", "Jane Doe", "@Acme my parcel is lost", T0)
    tagged = get(sim, f"/{PAGE}/tagged", fields="id,message,from,created_time").json()["data"]
    assert tagged == [
        {
            "id": "42_900100",
            "message": "@Acme my parcel is lost",
            "from": {"id": "42", "name": "Jane Doe"},
            "created_time": "2026-11-23T14:00:00+0000",
        }
    ]
    assert ids(get(sim, f"/{PAGE}/feed")) == [POST]
    assert ids(get(sim, "/42_900100/comments")) == []


def test_errors_have_the_graph_shape(sim):
    missing = get(sim, "/123456789")
    assert missing.status_code == 400
    assert set(error(missing)) == {"message", "type", "code", "error_subcode", "fbtrace_id"}
    assert (error(missing)["type"], error(missing)["code"], error(missing)["error_subcode"]) == (
        "GraphMethodException",
        100,
        33,
    )
    assert error(missing)["message"].startswith("Unsupported get request. Object with ID '123456789'")
    path = get(sim, f"/{POST}/nothing")
    assert path.status_code == 400 and error(path)["code"] == 2500
    sim.spec_violations.clear()  # no such edge in the spec: expected
    no_token = requests.get(f"{sim.base_url}/v25.0/{POST}", timeout=5)
    assert no_token.status_code == 400 and error(no_token)["code"] == 104


def test_tokens_are_per_page_and_can_be_rotated(sim, clock):
    bad = get(sim, f"/{POST}", token="nope")  # noqa: S106
    assert bad.status_code == 400 and (error(bad)["code"], error(bad)["error_subcode"]) == (190, 467)
    assert error(bad)["type"] == "OAuthException"
    header = requests.get(f"{sim.base_url}/v25.0/{POST}", headers={"Authorization": f"Bearer {PAGE_TOKEN}"})
    assert header.status_code == 200
    assert error(get(sim, f"/{POST}", token=OTHER_TOKEN))["error_subcode"] == 33  # not this token's page
    assert get(sim, f"/{IG}", token=PAGE_TOKEN).json() == {"id": IG}  # the page token reaches its IG account
    assert get(sim, f"/{POST}", token=IG_TOKEN).status_code == 400
    sim.revoke_token(PAGE_TOKEN)
    revoked = get(sim, f"/{POST}")
    assert (error(revoked)["code"], error(revoked)["error_subcode"]) == (190, 460)
    sim.grant_token(PAGE, "rotated-token")
    assert get(sim, f"/{POST}", token="rotated-token").status_code == 200  # noqa: S106
    sim.revoke_token("rotated-token", "expired")
    expired = get(sim, f"/{POST}", token="rotated-token")  # noqa: S106
    assert error(expired)["error_subcode"] == 463 and "Session has expired" in error(expired)["message"]


def test_usage_headers_then_throttling_until_the_window_ends(make_sim, clock):
    sim = make_sim(usage_window=timedelta(hours=1))
    sim.set_budget(PAGE, 4)
    answers = [get(sim, f"/{POST}/comments") for _ in range(4)]
    assert [usage(a)["call_count"] for a in answers] == [25, 50, 75, 100]
    assert usage(answers[0]) == {
        "type": "pages",
        "call_count": 25,
        "total_cputime": 12,
        "total_time": 25,
        "estimated_time_to_regain_access": 0,
    }
    assert '"call_count"' in answers[0].headers["X-App-Usage"]
    clock.advance(minutes=30)
    refused = get(sim, f"/{POST}/comments")
    assert refused.status_code == 400 and error(refused)["code"] == 80001
    assert usage(refused)["estimated_time_to_regain_access"] == 30
    assert get(sim, f"/{IG}/media", token=IG_TOKEN).status_code == 200  # another object's budget
    clock.advance(minutes=30)
    again = get(sim, f"/{POST}/comments")
    assert again.status_code == 200 and usage(again)["call_count"] == 25


def test_instagram_pages_and_app_limits_have_their_own_codes(make_sim):
    sim = make_sim(page_throttle_code=32, app_budget=5)
    sim.set_budget(IG, 1)
    sim.set_budget(PAGE, 1)
    assert get(sim, f"/{IG}/media", token=IG_TOKEN).status_code == 200
    limited = get(sim, f"/{IG}/media", token=IG_TOKEN)
    assert error(limited)["code"] == 80002 and usage(limited, IG)["type"] == "instagram"
    get(sim, f"/{POST}")
    assert error(get(sim, f"/{POST}"))["code"] == 32
    for _ in range(3):
        get(sim, f"/{OTHER_PAGE}", token=OTHER_TOKEN)
    app = get(sim, f"/{OTHER_PAGE}", token=OTHER_TOKEN)
    assert app.status_code == 403 and error(app)["code"] == 4
    assert '"call_count": 100' in app.headers["X-App-Usage"]


def test_read_faults_apply_once_in_order(sim):
    sim.fail_next(
        "GET",
        r"/feed$",
        Fault.status(500),
        Fault.status(503),
        Fault.malformed(),
        Fault.answer(400, {"error": {"message": "(#613) Calls to this api have exceeded the rate limit."}}),
    )
    unknown = get(sim, f"/{PAGE}/feed")
    assert unknown.status_code == 500 and error(unknown)["code"] == 1
    unavailable = get(sim, f"/{PAGE}/feed")
    assert unavailable.status_code == 503 and error(unavailable)["code"] == 2
    with pytest.raises(ValueError):
        get(sim, f"/{PAGE}/feed").json()
    assert "613" in error(get(sim, f"/{PAGE}/feed"))["message"]
    assert get(sim, f"/{PAGE}/feed").status_code == 200
    sim.fail_next("GET", r"/feed$", throttle(17))
    assert error(get(sim, f"/{PAGE}/feed"))["code"] == 17
    after = get(sim, f"/{PAGE}/feed")  # the page's budget is spent for the rest of the window
    assert error(after)["code"] == 80001 and usage(after)["estimated_time_to_regain_access"] == 60
    assert [e["status"] for e in sim.requests_log] == [500, 503, 200, 400, 200, 400, 400]


def test_posted_but_the_answer_was_lost(sim):
    first = comment(sim, 1, minute=0)
    sim.fail_next(
        "POST",
        r"/comments$",
        answer_lost(),
        connection_dropped(),
        connection_dropped(applied=False),
        Fault.timeout(0.4),
        Fault.timeout(0.4, applied=True),
    )
    lost = post(sim, f"/{first}/comments", message="one")
    assert lost.status_code == 500 and error(lost)["code"] == 1
    with pytest.raises(requests.ConnectionError):
        post(sim, f"/{first}/comments", message="two")
    with pytest.raises(requests.ConnectionError):
        post(sim, f"/{first}/comments", message="never made")
    with pytest.raises(requests.Timeout):
        post(sim, f"/{first}/comments", message="never made either", timeout=0.1)
    with pytest.raises(requests.Timeout):
        post(sim, f"/{first}/comments", message="three", timeout=0.1)
    assert [c["message"] for c in sim.created_comments()] == ["one", "two", "three"]
    thread = get(sim, f"/{first}/comments", fields="message")
    assert [c["message"] for c in thread.json()["data"]] == ["one", "two", "three"]


def test_comments_made_with_the_page_token_are_the_pages_and_the_apps(sim, clock):
    first = comment(sim, 1, minute=0)
    clock.advance(minutes=5)
    made = post(sim, f"/{first}/comments", message="Sorry Jane, we're on it")
    assert made.status_code == 200 and set(made.json()) == {"id"}
    reply = made.json()["id"]
    answer_to_reply = post(sim, f"/{reply}/comments", message="Update: shipped").json()["id"]
    top = post(sim, f"/{POST}/comments", message="Thanks all").json()["id"]
    sim.comment(first, "880001_50", PAGE, "Acme", "Staff here, DM sent", T0 + timedelta(minutes=6))
    suite = {"id": "3561", "name": "Meta Business Suite"}
    sim.comment(
        first, "880001_51", PAGE, "Acme", "From the suite", T0 + timedelta(minutes=7), application=suite
    )
    thread = get(sim, f"/{first}/comments", fields="id,from,application,parent{id}").json()["data"]
    ours = {"from": {"id": PAGE, "name": "Acme"}, "application": {**SIM_APP, "category": "Business"}}
    assert thread == [
        {"id": reply, **ours, "parent": {"id": first}},
        {"id": answer_to_reply, **ours, "parent": {"id": first}},  # one level: joins the thread
        {"id": "880001_50", "from": {"id": PAGE, "name": "Acme"}, "parent": {"id": first}},
        {
            "id": "880001_51",
            "from": {"id": PAGE, "name": "Acme"},
            "application": suite,
            "parent": {"id": first},
        },
    ]
    assert ids(get(sim, f"/{POST}/comments")) == [first, top]
    assert sim.created_comments()[0] == {
        "network": "facebook",
        "id": reply,
        "parent_id": first,
        "post_id": POST,
        "author_id": PAGE,
        "message": "Sorry Jane, we're on it",
        "created_at": T0 + timedelta(minutes=5),
        "via": "comments",
    }
    assert [c["parent_id"] for c in sim.created_comments()] == [first, reply, POST]
    assert post(sim, f"/{first}", is_hidden="true").json() == {"success": True}
    assert get(sim, f"/{first}", fields="is_hidden").json() == {"is_hidden": True, "id": first}
    empty = post(sim, f"/{first}/comments", message=" ")
    assert empty.status_code == 400 and error(empty)["code"] == 100
    assert len(sim.created_comments()) == 3


@needs_spec
def test_a_whole_session_validates_against_the_specs(sim, clock):
    first = comment(sim, 1, minute=0)
    comment(sim, 2, minute=1, parent=first)
    sim.tag_page(PAGE, "900100", "42", "Jane Doe", "@Acme hello", T0)
    ig_comment = sim.ig_comment(MEDIA, "17800000000000001", "55", "jane", "@acme help", T0)
    sim.ig_mention(
        IG, media_id="17900000000000900", author_id="77", username="bob", text="@acme hi", created_at=T0
    )
    everything = (
        "id,message,created_time,from,parent,application,is_hidden,permalink_url,comment_count,can_hide"
    )
    get(sim, f"/{PAGE}", fields="id,name,link,instagram_business_account{id,username}")
    get(
        sim,
        f"/{PAGE}/feed",
        fields=f"id,message,created_time,permalink_url,comments.limit(1){{{everything}}}",
    )
    get(sim, f"/{PAGE}/tagged", fields="id,message,from,created_time,updated_time")
    page = get(
        sim, f"/{POST}/comments", filter="stream", order="reverse_chronological", limit=1, fields=everything
    )
    requests.get(page.json()["paging"]["next"], timeout=5)
    get(sim, f"/{first}/comments", since="2026-11-23T13:00:00Z", summary="true")
    post(sim, f"/{first}/comments", message="On it")
    post(sim, f"/{first}", is_hidden="false")
    media_fields = (
        "id,caption,timestamp,permalink,username,comments_count,like_count,media_type,media_product_type"
    )
    get(sim, f"/{IG}", IG_TOKEN, fields="id,username,name,media_count")
    get(sim, f"/{IG}/media", IG_TOKEN, fields=f"{media_fields},comments{{id,text,from,username}}")
    get(
        sim,
        f"/{MEDIA}/comments",
        IG_TOKEN,
        fields="id,text,timestamp,username,from,parent_id,media{id},hidden",
    )
    post(sim, f"/{ig_comment}/replies", IG_TOKEN, message="Hi Jane")
    get(sim, f"/{ig_comment}/replies", IG_TOKEN, fields="id,text,parent_id")
    post(sim, f"/{ig_comment}", IG_TOKEN, hide="true")
    get(
        sim,
        f"/{IG}",
        IG_TOKEN,
        fields="mentioned_media.media_id(17900000000000900){id,caption,timestamp,username}",
    )
    post(sim, f"/{IG}/mentions", IG_TOKEN, media_id="17900000000000900", message="Thanks!")
    get(sim, "/404", token="nope")  # noqa: S106
    sim.fail_next("GET", "feed", Fault.status(503))
    get(sim, f"/{PAGE}/feed")
    assert {e["status"] for e in sim.requests_log} >= {200, 400, 503}


@needs_spec
def test_an_invalid_request_is_reported_and_refused(sim):
    bad = get(sim, f"/{POST}/comments", filter="everything")
    assert bad.status_code == 400 and error(bad)["code"] == 100
    assert len(sim.spec_violations) == 1 and "parameter filter must be one of" in sim.spec_violations[0]
    sim.spec_violations.clear()
    extra = get(sim, f"/{POST}/comments", bogus="1")  # Meta ignores it; the spec does not list it
    assert extra.status_code == 200 and "parameter bogus is not one the spec lists" in sim.spec_violations[0]
    sim.spec_violations.clear()
    missing = post(sim, f"/{IG}/mentions", IG_TOKEN, media_id="17900000000000900")
    assert missing.status_code == 400 and "required parameter message is missing" in sim.spec_violations[0]
    assert sim.created_comments() == []
    sim.spec_violations.clear()


def test_without_the_specs_it_runs_unchecked(clock):
    with MetaSimulator(clock) as sim:
        sim.add_page(PAGE, "Acme", PAGE_TOKEN)
        sim.publish_page_post(PAGE, POST, "Hello", T0)
        assert get(sim, f"/{POST}", fields="id,bogus").status_code == 400
        assert error(get(sim, f"/{POST}/comments", filter="everything"))["code"] == 100
        assert get(sim, f"/{POST}/comments", bogus="1").status_code == 200
        assert sim.spec is None and sim.spec_violations == []


def test_find_meta_specs_honours_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("SOCIALCARE_SPECS_DIR", str(tmp_path))
    assert find_meta_specs() is None and expected_meta_spec_dir() == tmp_path / "meta-graph"
    (tmp_path / "meta-graph").mkdir()
    for node in ("Page", "PagePost", "Post", "Comment", "IGUser", "IGMedia", "IGComment"):
        (tmp_path / "meta-graph" / f"{node}.json").write_text('{"apis": [], "fields": []}')
    assert find_meta_specs() == tmp_path / "meta-graph"
