"""Property: whatever the Graph API answers (status, usage headers, any JSON or bytes), the Facebook
and Instagram adapters end with data or a ChannelError, never another exception, and no text they
hand on fails to encode (lone surrogates replaced)."""

import json
from datetime import UTC, datetime

from fake_http import CannedSession
from hypothesis import given, settings
from hypothesis import strategies as st
from test_x_answers_fuzz import ABSENT, corrupted, hostile_text, json_values

from socialcare import clock
from socialcare.channels.base import ChannelError, Page, ReplyTarget
from socialcare.channels.facebook.account import FacebookAccount
from socialcare.channels.facebook.adapter import FacebookAdapter
from socialcare.channels.instagram.account import InstagramAccount
from socialcare.channels.instagram.adapter import InstagramAdapter

NOW = datetime(2026, 11, 23, 14, 0, tzinfo=UTC)
FUZZ = settings(max_examples=200, deadline=None)
PAGE = FacebookAccount(channel="facebook", id="104857600", handle="Acme Care", credentials_secret="fb")
IG = InstagramAccount(channel="instagram", id="17841400000000001", handle="acmecare", credentials_secret="ig")

meta_time = st.sampled_from(["2026-11-23T13:59:00+0000", "2026-11-23T14:00:05+0000"])
ids = st.sampled_from(["880001_501", "17900000000000201", "104857600_880001"])
author = st.fixed_dictionaries({"id": st.sampled_from(["42", "104857600"]), "name": hostile_text})
fb_comment = corrupted(
    st.fixed_dictionaries(
        {
            "id": ids,
            "message": hostile_text,
            "created_time": meta_time,
            "from": author,
            "parent": st.just({"id": "880001_500"}),
        }
    ),
    ["id", "message", "created_time", "from", "parent", "application"],
)
ig_comment = corrupted(
    st.fixed_dictionaries(
        {"id": ids, "text": hostile_text, "timestamp": meta_time, "username": hostile_text, "from": author}
    ),
    ["id", "text", "timestamp", "username", "from", "parent_id", "replies"],
)


def listing(items) -> st.SearchStrategy:
    paging = st.one_of(
        st.just(ABSENT),
        json_values,
        st.just({"cursors": {"after": "QVFI"}, "next": "https://graph.test/next"}),
    )
    return st.tuples(st.lists(items, max_size=3), paging).map(
        lambda drawn: {"data": drawn[0]} if drawn[1] is ABSENT else {"data": drawn[0], "paging": drawn[1]}
    )


fb_post = corrupted(
    st.fixed_dictionaries({"id": ids, "created_time": meta_time, "comments": listing(fb_comment)}),
    ["id", "comments"],
)
media = corrupted(st.fixed_dictionaries({"id": ids, "comments": listing(ig_comment)}), ["id", "comments"])
bodies = st.one_of(
    listing(fb_post),
    listing(fb_comment),
    listing(media),
    listing(ig_comment),
    json_values,
    st.binary(max_size=40),
)
usage = st.one_of(
    st.just({}),
    st.builds(
        lambda who, figures: {"X-Business-Use-Case-Usage": json.dumps({who: [figures]})},
        st.sampled_from(["104857600", "17841400000000001", "1"]),
        st.dictionaries(
            st.sampled_from(["call_count", "total_time", "estimated_time_to_regain_access"]), json_values
        ),
    ),
    st.builds(lambda text: {"X-App-Usage": text}, hostile_text),
)
answers = st.tuples(st.sampled_from([200, 200, 200, 400, 403, 500, 503]), bodies, usage)


def body_bytes(body) -> bytes:
    return body if isinstance(body, bytes) else json.dumps(body).encode()


def adapters(status, body, headers):
    session = CannedSession(status, body_bytes(body), headers)
    facebook = FacebookAdapter(
        PAGE, {"page_access_token": "t"}, base_url="https://graph.test", session=session
    )
    instagram = InstagramAdapter(IG, {"access_token": "t"}, base_url="https://graph.test", session=session)
    return facebook, instagram


def ends_well(call) -> None:
    clock.set_clock(lambda: NOW)
    try:
        result = call()
    except ChannelError:
        return
    finally:
        clock.set_clock(None)
    if isinstance(result, Page):
        for post in result.posts:
            (post.text + (post.author_handle or "")).encode("utf-8")
        for quarantined in result.quarantined:
            quarantined.raw_json.encode("utf-8")


@FUZZ
@given(answers)
def test_any_answer_to_a_read_ends_as_posts_quarantine_or_a_channel_error(answer):
    facebook, instagram = adapters(*answer)
    ends_well(lambda: facebook.read("comments", None, start_time=NOW))
    ends_well(lambda: facebook.read("tagged", None, start_time=NOW))
    ends_well(lambda: instagram.read("comments", None, start_time=NOW))


@FUZZ
@given(answers, st.sampled_from([None, "mention", "tag"]))
def test_any_answer_to_a_reply_or_a_search_for_one_ends_well(answer, kind):
    target = ReplyTarget("880001_501", "104857600_880001", kind)
    for adapter in adapters(*answer):
        ends_well(lambda adapter=adapter: adapter.post_reply(target, "Thanks"))
        ends_well(lambda adapter=adapter: adapter.find_reply(target, NOW))
    instagram = adapters(*answer)[1]
    ends_well(lambda: instagram.read_mention("17900000000000777", "17900000000000888"))
    ends_well(lambda: instagram.read_mention("17900000000000777"))
