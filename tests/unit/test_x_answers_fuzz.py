"""Property: whatever X answers (status, headers, any JSON or bytes), the adapter ends with data
or a ChannelError, never another exception. `pytest --hypothesis-show-statistics` shows how many
inputs ran and which outcomes they reached (the event() labels)."""

import json
import string
from datetime import UTC, datetime, timedelta

from fake_http import mentions, x_answering
from hypothesis import event, given, settings
from hypothesis import strategies as st

from socialcare import clock
from socialcare.channels.base import ChannelError, Page, RateLimited, ReplyTarget

NOW = datetime(2026, 11, 23, 14, 0, tzinfo=UTC)
FUZZ = settings(max_examples=300, deadline=None)
ABSENT = object()

# Text as hostile as JSON allows: any code point, lone surrogates included.
hostile_text = st.text(
    st.one_of(
        st.characters(),
        st.characters(min_codepoint=0xD800, max_codepoint=0xDFFF, exclude_categories=()),
        st.sampled_from("0123456789Z:-T.+"),
    ),
    max_size=30,
)
huge_ints = st.one_of(st.integers(), st.integers(min_value=-(10**40), max_value=10**40))
json_values = st.recursive(
    st.one_of(st.none(), st.booleans(), huge_ints, st.floats(), hostile_text),
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(st.one_of(hostile_text, st.just("id")), inner, max_size=4),
    ),
    max_leaves=20,
)
odd_times = st.sampled_from(
    ["0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59-01:00", "2026-11-23", "2026-13-01T00:00:00Z", "1999"]
)
garbage = st.one_of(st.just(ABSENT), json_values, odd_times, st.integers(0, 10**19).map(str))


def corrupted(valid: st.SearchStrategy, fields: list[str]) -> st.SearchStrategy:
    """A well-formed object with up to two of its fields removed or replaced by anything: each check
    of the parser is reached on its own, not hidden behind an earlier one."""

    def apply(drawn):
        value, changes = drawn
        value = dict(value)
        for name, replacement in changes:
            if replacement is ABSENT:
                value.pop(name, None)
            else:
                value[name] = replacement
        return value

    return st.tuples(valid, st.lists(st.tuples(st.sampled_from(fields), garbage), max_size=2)).map(apply)


valid_ids = st.integers(1, 10**19 - 1).map(str)
valid_times = st.datetimes(datetime(2006, 1, 1), datetime(2031, 1, 1), timezones=st.just(UTC)).map(
    lambda moment: moment.isoformat().replace("+00:00", "Z")
)
references = st.lists(
    st.fixed_dictionaries({"type": st.sampled_from(["replied_to", "quoted"]), "id": valid_ids}), max_size=2
)
post_fields = ["id", "author_id", "text", "created_at", "conversation_id", "lang", "referenced_tweets"]
posts = st.one_of(
    corrupted(
        st.fixed_dictionaries(
            {
                "id": valid_ids,
                "author_id": valid_ids,
                "text": hostile_text,
                "created_at": valid_times,
                "conversation_id": valid_ids,
                "lang": st.sampled_from(["en", "und", "ja"]),
                "referenced_tweets": references,
            }
        ),
        post_fields,
    ),
    json_values,
)
metas = corrupted(
    st.fixed_dictionaries(
        {
            "newest_id": valid_ids,
            "oldest_id": valid_ids,
            "next_token": st.text(string.ascii_letters, min_size=1),
        }
    ),
    ["newest_id", "oldest_id", "next_token"],
)
users = st.lists(
    corrupted(st.fixed_dictionaries({"id": valid_ids, "username": hostile_text}), ["id", "username"])
)
problems = corrupted(
    st.fixed_dictionaries(
        {
            "type": st.sampled_from(
                [
                    "https://api.twitter.com/2/problems/resource-not-found",
                    "https://api.twitter.com/2/problems/resource-unavailable",
                    "https://api.twitter.com/2/problems/not-authorized-for-resource",
                    "about:blank",
                ]
            ),
            "resource_type": st.sampled_from(["user", "tweet"]),
            "detail": hostile_text,
        }
    ),
    ["type", "resource_type", "detail"],
)
timelines = st.one_of(
    corrupted(
        st.fixed_dictionaries(
            {
                "data": st.lists(posts, min_size=1, max_size=5),
                "meta": metas,
                "includes": st.fixed_dictionaries({"users": users}),
            }
        ),
        ["data", "meta", "includes"],
    ),
    st.fixed_dictionaries({"errors": st.lists(problems, min_size=1, max_size=2)}),
)
created = corrupted(
    st.fixed_dictionaries(
        {"data": corrupted(st.fixed_dictionaries({"id": valid_ids, "text": hostile_text}), ["id"])}
    ),
    ["data", "errors"],
)


def encode(value) -> bytes:
    # surrogatepass: a lone surrogate reaches the adapter as the bytes a broken server would send.
    return json.dumps(value, ensure_ascii=False).encode("utf-8", "surrogatepass")


def bodies(shapes: st.SearchStrategy) -> st.SearchStrategy:
    return st.one_of(
        shapes.map(encode),
        shapes.map(encode),
        shapes.map(lambda value: json.dumps(value).encode()),  # the same, \u-escaped
        json_values.map(encode),
        st.binary(max_size=64),
        st.integers(1, 5000).map(lambda depth: b"[" * depth + b"]" * depth),
        st.integers(4000, 5000).map(lambda digits: b'{"meta": {"newest_id": ' + b"7" * digits + b"}}"),
    )


statuses = st.one_of(
    st.just(200),
    st.just(200),
    st.sampled_from([201, 400, 401, 403, 404, 429, 500, 503]),
    st.integers(100, 599),
)
resets = st.one_of(
    st.none(),
    huge_ints.map(str),
    st.integers(int((NOW - timedelta(days=2)).timestamp()), int((NOW + timedelta(days=2)).timestamp())).map(
        str
    ),
    st.text(string.printable, max_size=40),
)


def with_now(test):
    """The adapter's clock pinned to NOW for the example, restored afterwards."""

    def run(*args, **kwargs):
        clock.set_clock(lambda: NOW)
        try:
            return test(*args, **kwargs)
        finally:
            clock.set_clock(None)

    run.__name__ = test.__name__
    return run


def headers_for(reset: str | None) -> dict:
    return {} if reset is None else {"x-rate-limit-reset": reset}


@FUZZ
@given(status=statuses, body=bodies(timelines), reset=resets)
@with_now
def test_any_timeline_answer_yields_a_page_or_a_channel_error(status, body, reset):
    try:
        page = mentions(x_answering(status, body, headers_for(reset)))
    except RateLimited as limited:
        event("RateLimited")
        assert NOW + timedelta(seconds=1) <= limited.reset_at <= NOW + timedelta(hours=24)
        return
    except ChannelError as error:
        event(type(error).__name__)
        return
    event("page with quarantined posts" if page.quarantined else "page")
    assert isinstance(page, Page)
    for read in page.posts:
        assert read.post_id.isascii() and read.post_id.isdigit() and read.author_id.isdigit()
        assert read.created_at.tzinfo is not None and read.created_at.year >= 2006
        read.text.encode("utf-8")  # storable
        (read.author_handle or "").encode("utf-8")
    for quarantined in page.quarantined:
        assert quarantined.reason and quarantined.raw_json.isascii()
    assert page.cursor is None or (isinstance(page.cursor, str) and page.cursor.isascii())


@FUZZ
@given(status=statuses, body=bodies(created), reset=resets)
@with_now
def test_any_answer_to_a_new_post_yields_its_id_or_a_channel_error(status, body, reset):
    adapter = x_answering(status, body, headers_for(reset))
    try:
        post_id = adapter.post_reply(ReplyTarget("1001"), "Thanks, ref K7Q2X")
    except ChannelError as error:
        event(type(error).__name__)
        return
    event("posted")
    assert post_id.isascii() and post_id.isdigit()


@FUZZ
@given(data=st.lists(posts, max_size=6))
@with_now
def test_every_post_of_a_page_is_read_or_quarantined_never_lost(data):
    page = mentions(x_answering(200, encode({"data": data, "meta": {"newest_id": "1001"}})))
    event(f"{len(page.posts)} read, {len(page.quarantined)} quarantined")
    assert len(page.posts) + len(page.quarantined) == len(data)
    assert {q.raw_json for q in page.quarantined} <= {json.dumps(raw) for raw in data}, "kept as it came"
    assert page.cursor == "1001"
