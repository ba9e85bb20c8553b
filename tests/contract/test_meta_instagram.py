"""The simulated Instagram Graph API: an account's media, their comments and replies, replies made as
the account, and @mentions in other accounts' captions and comments, which never show in the
account's own media or comments and are reached only through `mentioned_comment` /
`mentioned_media`. Real HTTP; every exchange spec-checked when the specs are present."""

from datetime import timedelta

import pytest
from meta_graph import IG, IG_TOKEN, MEDIA, PAGE_TOKEN, T0, FakeClock, brand_world, error, get, ids, post

pytestmark = pytest.mark.contract

JANE, BOB = ("55", "jane"), ("56", "bob")
CAPTION_MEDIA, COMMENTED_MEDIA, MENTION = "17900000000000900", "17900000000000901", "17800000000000900"


@pytest.fixture
def clock():
    return FakeClock(T0)


@pytest.fixture
def sim(clock):
    sim = brand_world(clock)
    yield sim
    sim.stop()
    assert sim.spec_violations == []


def at(minute: int):
    return T0 + timedelta(minutes=minute)


def test_media_newest_first_with_comments_newest_first_and_replies_in_order(sim):
    sim.publish_media(IG, "17900000000000200", "Second drop", T0)
    fields = "id,caption,timestamp,permalink,username,comments_count"
    media = get(sim, f"/{IG}/media", IG_TOKEN, fields=fields).json()["data"]
    assert [m["id"] for m in media] == ["17900000000000200", MEDIA]
    assert media[1]["permalink"].startswith("https://www.instagram.com/p/")
    assert {k: v for k, v in media[1].items() if k != "permalink"} == {
        "id": MEDIA,
        "caption": "New drop",
        "timestamp": "2026-11-23T13:00:00+0000",
        "username": "acme",
        "comments_count": 0,
    }
    assert ids(get(sim, f"/{IG}/media", IG_TOKEN, since=int(T0.timestamp()))) == ["17900000000000200"]
    first = sim.ig_comment(MEDIA, "17800000000000001", *JANE, "@acme where is my parcel", at(0))
    second = sim.ig_comment(MEDIA, "17800000000000002", *BOB, "same", at(1))
    reply = sim.ig_comment(first, "17800000000000003", *BOB, "me too", at(2))
    nested = sim.ig_comment(reply, "17800000000000004", *JANE, "still nothing", at(3))  # joins the thread
    top = get(sim, f"/{MEDIA}/comments", IG_TOKEN)
    assert top.json()["data"] == [
        {"timestamp": "2026-11-23T14:01:00+0000", "text": "same", "id": second},
        {"timestamp": "2026-11-23T14:00:00+0000", "text": "@acme where is my parcel", "id": first},
    ]
    replies = get(sim, f"/{first}/replies", IG_TOKEN, fields="id,from,parent_id,media{id}")
    thread = {"parent_id": first, "media": {"id": MEDIA}}
    assert replies.json()["data"] == [
        {"id": reply, "from": {"id": "56", "username": "bob"}, **thread},
        {"id": nested, "from": {"id": "55", "username": "jane"}, **thread},
    ]
    assert get(sim, f"/{MEDIA}", IG_TOKEN, fields="comments_count").json() == {
        "comments_count": 4,
        "id": MEDIA,
    }
    assert "parent_id" not in get(sim, f"/{first}", IG_TOKEN, fields="id,parent_id").json()


def test_replies_are_made_as_the_account(sim, clock):
    first = sim.ig_comment(MEDIA, "17800000000000001", *JANE, "@acme where is my parcel", at(0))
    clock.advance(minutes=3)
    made = post(sim, f"/{first}/replies", IG_TOKEN, message="Hi Jane, please DM us")
    assert made.status_code == 200 and set(made.json()) == {"id"}
    reply = made.json()["id"]
    assert get(sim, f"/{reply}", IG_TOKEN, fields="id,text,username,from,parent_id,timestamp").json() == {
        "id": reply,
        "text": "Hi Jane, please DM us",
        "username": "acme",
        "from": {"id": IG, "username": "acme"},
        "parent_id": first,
        "timestamp": "2026-11-23T14:03:00+0000",
    }
    assert sim.created_comments() == [
        {
            "network": "instagram",
            "id": reply,
            "parent_id": first,
            "media_id": MEDIA,
            "author_id": IG,
            "message": "Hi Jane, please DM us",
            "created_at": at(3),
            "via": "replies",
        }
    ]
    assert post(sim, f"/{first}/replies", PAGE_TOKEN, message="Also us").status_code == 200  # the linked page
    empty = post(sim, f"/{first}/replies", IG_TOKEN, message="")
    assert empty.status_code == 400 and error(empty)["code"] == 100
    assert post(sim, f"/{first}", IG_TOKEN, hide="true").json() == {"success": True}
    assert get(sim, f"/{first}", IG_TOKEN, fields="hidden").json() == {"hidden": True, "id": first}


def test_mentions_are_reached_only_through_the_mentioned_account(sim):
    sim.ig_mention(
        IG, media_id=CAPTION_MEDIA, author_id="77", username="bob", text="My @acme boots!", created_at=at(0)
    )
    sim.ig_mention(
        IG,
        media_id=COMMENTED_MEDIA,
        comment_id=MENTION,
        author_id="78",
        username="carol",
        text="@acme my order never arrived",
        created_at=at(1),
    )
    assert ids(get(sim, f"/{IG}/media", IG_TOKEN)) == [MEDIA]
    assert ids(get(sim, f"/{MEDIA}/comments", IG_TOKEN)) == []
    assert error(get(sim, f"/{MENTION}", IG_TOKEN))["error_subcode"] == 33  # not the account's to read
    assert error(get(sim, f"/{CAPTION_MEDIA}/comments", IG_TOKEN))["error_subcode"] == 33
    wanted = f"mentioned_comment.comment_id({MENTION}){{id,text,timestamp,username,media{{id}}}}"
    assert get(sim, f"/{IG}", IG_TOKEN, fields=wanted).json() == {
        "mentioned_comment": {
            "id": MENTION,
            "text": "@acme my order never arrived",
            "timestamp": "2026-11-23T14:01:00+0000",
            "username": "carol",
            "media": {"id": COMMENTED_MEDIA},
        },
        "id": IG,
    }
    caption = f"mentioned_media.media_id({CAPTION_MEDIA}){{id,caption,timestamp,username}}"
    assert get(sim, f"/{IG}", IG_TOKEN, fields=caption).json()["mentioned_media"] == {
        "id": CAPTION_MEDIA,
        "caption": "My @acme boots!",
        "timestamp": "2026-11-23T14:00:00+0000",
        "username": "bob",
    }
    unmentioned = f"mentioned_media.media_id({COMMENTED_MEDIA}){{id}}"  # a comment there mentions, not it
    assert get(sim, f"/{IG}", IG_TOKEN, fields=unmentioned).status_code == 400
    on_comment = post(
        sim, f"/{IG}/mentions", IG_TOKEN, media_id=COMMENTED_MEDIA, comment_id=MENTION, message="Hi Carol"
    )
    on_caption = post(sim, f"/{IG}/mentions", IG_TOKEN, media_id=CAPTION_MEDIA, message="Thanks Bob!")
    assert on_comment.status_code == on_caption.status_code == 200
    assert [(c["parent_id"], c["via"]) for c in sim.created_comments()] == [
        (MENTION, "mentions"),
        (CAPTION_MEDIA, "mentions"),
    ]
    refused = post(sim, f"/{IG}/mentions", IG_TOKEN, media_id=MEDIA, message="Not a mention")
    assert refused.status_code == 400 and len(sim.created_comments()) == 2
    with pytest.raises(ValueError):
        sim.ig_mention(
            IG, media_id=MEDIA, comment_id="1", author_id="1", username="x", text="@acme", created_at=T0
        )
