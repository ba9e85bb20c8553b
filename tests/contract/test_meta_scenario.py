"""Replay scenario lines for Facebook and Instagram land on the Meta simulator where the adapters will
read them, and announce themselves by webhook, as the scenario contract describes."""

import json

import pytest
from meta_graph import SPECS, T0, FakeClock, get, ids

from socialcare_local.networks.meta import MetaScenario, MetaSimulator

pytestmark = pytest.mark.contract

PAGE, IG = "104857600", "17841400000000001"


def line(type_: str, channel: str, at: str | None = None, **fields) -> dict:
    return {"type": type_, "channel": channel, **({"at": f"2026-11-23T{at}Z"} if at else {}), **fields}


def customer(channel: str, at: str, id_: str, author: tuple[str, str], text: str, **fields) -> dict:
    author_id, handle = author
    return line(
        "mention", channel, at, id=id_, author_id=author_id, author_handle=handle, text=text, **fields
    )


MORNING = [
    line("account", "x", id="9001", handle="AcmeCare"),
    line("account", "facebook", id=PAGE, handle="Acme"),
    line("account", "instagram", id=IG, handle="acme", page_id=PAGE),
    line("brand_post", "facebook", "13:00:00", id=f"{PAGE}_880001", text="Our winter collection is here!"),
    line("brand_post", "instagram", "13:00:00", id="17900000000000100", text="New drop"),
    customer("facebook", "14:00:05", "880001_1", ("42", "Jane Doe"), "My order never came",
             conversation_id=f"{PAGE}_880001"),
    customer("facebook", "14:01:00", "880001_2", ("43", "Bob"), "Same here",
             conversation_id=f"{PAGE}_880001", in_reply_to_id="880001_1"),
    customer("facebook", "14:02:00", "900100", ("44", "Carol"), "@Acme lost parcel", kind="tag"),
    customer("facebook", "14:03:00", "880777_1", ("45", "Dan"), "Under a post no line made",
             conversation_id=f"{PAGE}_880777"),
    customer("instagram", "14:04:00", "17800000000000001", ("55", "jane"), "@acme where is it",
             conversation_id="17900000000000100"),
    customer("instagram", "14:05:00", "17800000000000900", ("78", "carol"), "@acme never arrived",
             kind="mention", conversation_id="17900000000000901"),
    customer("instagram", "14:06:00", "17900000000000902", ("79", "dave"), "Unboxing my @acme boots",
             kind="mention"),
    line("brand_reply", "facebook", "14:20:00", id="880001_9", in_reply_to_id="880001_1",
         text="Hi Jane, so sorry, checking now"),
    line("brand_reply", "instagram", "14:21:00", id="17800000000000009", in_reply_to_id="17800000000000001",
         text="Hi Jane, DM us", account=IG),
    {"type": "end", "at": "2026-11-23T17:00:00Z"},
]  # fmt: skip


@pytest.fixture
def played():
    sim = MetaSimulator(FakeClock(T0), spec_dir=SPECS)
    sim.start()
    received = []
    scenario = MetaScenario(sim)
    handled = []
    for line in MORNING:
        handled.append(scenario.play(line))
        if line["type"] == "account" and line["channel"] == "instagram":  # subscribe once the accounts exist
            sim.subscribe(_recorder(received), "verify", "secret", ["feed", "comments", "mentions"])
    yield sim, scenario, handled, received
    sim.stop()
    assert sim.spec_violations == []


def _recorder(received):
    def endpoint(request):
        if request.method == "GET":
            return 200, request.query["hub.challenge"]
        received.append(request.body)
        return 200, ""

    return endpoint


def test_lines_for_other_channels_are_left_to_their_simulators(played):
    _, _, handled, _ = played
    assert handled == [False, *([True] * (len(MORNING) - 2)), False]


def test_facebook_lines_are_where_the_adapter_reads_them(played):
    sim, scenario, _, _ = played
    token = scenario.token_for("facebook", PAGE)
    assert ids(get(sim, f"/{PAGE}/feed", token)) == [f"{PAGE}_880777", f"{PAGE}_880001"]
    stream = get(sim, f"/{PAGE}_880001/comments", token, filter="stream", fields="id,from,message,parent{id}")
    thread = {"parent": {"id": "880001_1"}}
    assert stream.json()["data"] == [
        {"id": "880001_1", "from": {"id": "42", "name": "Jane Doe"}, "message": "My order never came"},
        {"id": "880001_2", "from": {"id": "43", "name": "Bob"}, "message": "Same here", **thread},
        {
            "id": "880001_9",
            "from": {"id": PAGE, "name": "Acme"},
            "message": "Hi Jane, so sorry, checking now",
            **thread,
        },
    ]
    assert ids(get(sim, f"/{PAGE}/tagged", token)) == ["44_900100"]
    assert ids(get(sim, f"/{PAGE}_880777/comments", token)) == ["880777_1"]


def test_instagram_lines_are_where_the_adapter_reads_them(played):
    sim, scenario, _, _ = played
    token = scenario.token_for("instagram", IG)
    assert ids(get(sim, f"/{IG}/media", token)) == ["17900000000000100"]
    assert ids(get(sim, "/17900000000000100/comments", token)) == ["17800000000000001"]
    replies = get(sim, "/17800000000000001/replies", token, fields="id,username").json()["data"]
    assert replies == [{"id": "17800000000000009", "username": "acme"}]
    comment = get(
        sim, f"/{IG}", token, fields="mentioned_comment.comment_id(17800000000000900){text,media{id}}"
    )
    assert comment.json()["mentioned_comment"] == {
        "text": "@acme never arrived",
        "media": {"id": "17900000000000901"},
        "id": "17800000000000900",
    }
    caption = get(sim, f"/{IG}", token, fields="mentioned_media.media_id(17900000000000902){caption}")
    assert caption.json()["mentioned_media"]["caption"] == "Unboxing my @acme boots"
    assert get(sim, f"/{IG}/media", scenario.token_for("facebook", PAGE)).status_code == 200  # linked page


def test_customer_lines_are_announced_by_webhook(played):
    _, _, _, received = played
    changes = [(p["object"], p["entry"][0]["changes"][0]) for p in map(json.loads, received)]
    fields = [
        (obj, change["field"], change["value"].get("comment_id") or change["value"].get("id"))
        for obj, change in changes
    ]
    assert fields == [
        ("page", "feed", "880001_1"),
        ("page", "feed", "880001_2"),
        ("page", "feed", None),  # the tag: a post
        ("page", "feed", "880777_1"),
        ("instagram", "comments", "17800000000000001"),
        ("instagram", "mentions", "17800000000000900"),
        ("instagram", "mentions", None),  # a caption: the media alone
        ("page", "feed", "880001_9"),  # the page's own comment, as Meta announces it too
    ]


def test_a_line_before_its_account_is_refused():
    with MetaSimulator(FakeClock(T0)) as sim, pytest.raises(ValueError):
        MetaScenario(sim).play(MORNING[9])
