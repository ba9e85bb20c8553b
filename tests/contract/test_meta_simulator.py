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
    OTHER_TOKEN,
    PAGE,
    PAGE_TOKEN,
    POST,
    T0,
    comment,
    error,
    get,
    ids,
    post,
)

from socialcare_local.networks.meta import (
    SIM_APP,
)

pytestmark = pytest.mark.contract


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
