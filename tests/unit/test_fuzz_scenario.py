"""The scenario reader on anything a file can hold: a parsed scenario, or ScenarioError naming the
line and the reason; never another exception."""

import json
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from socialcare_local.replay.scenario import (
    Account,
    BrandReply,
    End,
    Mention,
    ScenarioError,
    load_scenario,
    parse_scenario,
)

ACCOUNT = '{"type": "account", "channel": "x", "id": "9001", "handle": "AcmeCare"}'
EXAMPLES = 300  # per property; the byte and round-trip properties run 200
# Text as hostile as it comes: lone surrogates, line separators JSON allows raw, NUL, RTL overrides.
HOSTILE_TEXT = st.lists(
    st.text(max_size=20) | st.sampled_from(["\ud800", "\udfff", "\u2028", "\u0085", "\x00", "\u202e", "\n"]),
    max_size=4,
).map("".join)

json_scalars = st.none() | st.booleans() | st.integers() | st.floats() | HOSTILE_TEXT
json_values = st.recursive(
    json_scalars, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4)
)
times = st.datetimes(
    min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30), timezones=st.timezones()
).map(lambda moment: moment.isoformat()) | st.sampled_from(
    ["0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59-01:00", "2026-11-23T14:00:05Z", "2026-02-30T00:00:00Z"]
)
ids = st.from_regex(r"^[0-9]{1,19}$", fullmatch=True) | json_values
# Objects shaped like events, with each field right, wrong or missing.
event_objects = st.fixed_dictionaries(
    {"type": st.sampled_from(["account", "mention", "brand_reply", "end"]) | json_values},
    optional={
        "at": times | json_values,
        "channel": st.just("x") | json_values,
        "id": ids,
        "author_id": ids,
        "handle": st.from_regex(r"^[A-Za-z0-9_]{1,15}$", fullmatch=True) | json_values,
        "author_handle": HOSTILE_TEXT | json_values,
        "text": HOSTILE_TEXT | json_values,
        "in_reply_to_id": ids,
        "conversation_id": ids,
        "lang": st.text(max_size=5) | json_values,
        "extra": json_values,
    },
)


@st.composite
def lines(draw) -> str:
    kind = draw(st.integers(0, 5))
    if kind == 0:
        return draw(HOSTILE_TEXT)
    if kind == 1:
        depth = draw(st.integers(1, 3000) | st.sampled_from([5000, 100_000]))
        return '{"type": "end", "at": "2026-11-23T14:00:05Z", "x": ' + "[" * depth + "]" * depth + "}"
    if kind == 2:
        return '{"type": "end", "at": ' + "9" * draw(st.integers(4000, 6000)) + "}"
    value = draw(event_objects if kind < 5 else json_values)
    return json.dumps(value, ensure_ascii=draw(st.booleans()), allow_nan=True)


def assert_documented(error: ScenarioError, text: str, source: str) -> None:
    line_count = text.count("\n") + 1
    assert 1 <= error.line <= line_count
    assert str(error).startswith(f"{source}:{error.line}: ")
    assert len(str(error)) > len(f"{source}:{error.line}: ")


@settings(max_examples=EXAMPLES, deadline=None)
@given(st.lists(lines(), max_size=5), st.sampled_from(["\n", "\r\n"]))
def test_any_lines_give_a_scenario_or_the_documented_error(body, newline):
    text = newline.join([ACCOUNT, *body])
    try:
        events = parse_scenario(text, "s.jsonl")
    except ScenarioError as error:
        assert_documented(error, text, "s.jsonl")
        return
    for event in events:
        for value in event.model_dump().values():
            if isinstance(value, str):
                value.encode("utf-8")  # what the replay publishes must be real text


@settings(max_examples=200, deadline=None)
@given(st.lists(st.binary(max_size=60) | lines().map(lambda line: line.encode("utf-8", "surrogatepass"))))
def test_any_bytes_in_a_file_give_a_scenario_or_the_documented_error(chunks):
    data = b"\n".join([ACCOUNT.encode(), *chunks])
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "s.jsonl"
        path.write_bytes(data)
        try:
            load_scenario(path)
        except ScenarioError as error:
            assert_documented(error, data.decode("utf-8", "replace"), str(path))


# -- valid scenarios are read back exactly --------------------------------------------------------

T0 = datetime(2026, 11, 23, 14, 0, tzinfo=UTC)
texts = st.text(alphabet=st.characters(exclude_categories=["Cs"]), min_size=1, max_size=200)


@st.composite
def scenarios(draw) -> list:
    events: list = [Account(type="account", channel="x", id="9001", handle="AcmeCare")]
    at = T0
    for number in range(draw(st.integers(0, 6))):
        at += timedelta(seconds=draw(st.integers(0, 600)))
        if draw(st.booleans()):
            handle = draw(st.none() | st.from_regex(r"^[A-Za-z0-9_]{1,15}$", fullmatch=True))
            events.append(
                Mention(
                    type="mention",
                    at=at,
                    channel="x",
                    id=str(1000 + number),
                    author_id="42",
                    author_handle=handle,
                    text=draw(texts),
                )
            )
        else:
            events.append(
                BrandReply(
                    type="brand_reply",
                    at=at,
                    channel="x",
                    id=str(1000 + number),
                    in_reply_to_id="1",
                    text=draw(texts),
                )
            )
    events.append(End(type="end", at=at))
    return events


@settings(max_examples=200, deadline=None)
@given(scenarios(), st.booleans())
def test_a_valid_scenario_is_read_back_exactly_whatever_its_text_holds(events, ascii_only):
    text = "\n".join(json.dumps(event.model_dump(mode="json"), ensure_ascii=ascii_only) for event in events)
    assert parse_scenario(text) == events


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ('{"type": "end", "x": ' + "[" * 100_000 + "]" * 100_000 + "}", "nested"),
        ('{"type": "end", "at": ' + "9" * 5000 + "}", "digits"),
        ('{"type": "end", "at": "0001-01-01T00:00:00+01:00"}', "at:"),
        ('{"type": "end", "at": "9999-12-31T23:59:59-01:00"}', "at:"),
        (
            '{"type": "brand_reply", "at": "2026-11-23T14:00:05Z", "channel": "x", "id": "1", '
            '"in_reply_to_id": "2", "text": "\\ud800"}',
            "text:",
        ),
    ],
)
def test_hostile_lines_found_by_fuzzing_are_reported_with_their_line(line, reason):
    with pytest.raises(ScenarioError) as failure:
        parse_scenario("\n".join([ACCOUNT, line]), "s.jsonl")
    assert failure.value.line == 2 and reason in str(failure.value)


def test_a_line_separator_inside_a_string_does_not_split_the_line():
    mention = json.dumps(
        {
            "type": "mention",
            "at": "2026-11-23T14:00:05Z",
            "channel": "x",
            "id": "1001",
            "author_id": "42",
            "text": "first\u2028second\u0085third\x1cfourth",
        },
        ensure_ascii=False,
    )
    events = parse_scenario("\n".join([ACCOUNT, mention]))
    assert events[1].text == "first\u2028second\u0085third\x1cfourth"


def test_bytes_that_are_not_utf8_are_reported_with_their_line(tmp_path):
    path = tmp_path / "s.jsonl"
    path.write_bytes(ACCOUNT.encode() + b'\n{"type": "end"}\n{"type": "end", "at": "\xff"}\n')
    with pytest.raises(ScenarioError) as failure:
        load_scenario(path)
    assert failure.value.line == 3 and "UTF-8" in str(failure.value)
