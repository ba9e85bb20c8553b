import pytest

from socialcare_local.replay.scenario import BrandReply, Mention, ScenarioError, parse_scenario

ACCOUNT = '{"type": "account", "channel": "x", "id": "9001", "handle": "AcmeCare"}'
MENTION = (
    '{"type": "mention", "at": "2026-11-23T14:00:05Z", "channel": "x", "id": "1001", "author_id": "42", '
    '"author_handle": "jane", "text": "@AcmeCare my order never came", "conversation_id": "1001", '
    '"in_reply_to_id": null, "lang": "en", "sentiment": "angry"}'
)
REPLY = (
    '{"type": "brand_reply", "at": "2026-11-23T14:20:00Z", "channel": "x", "id": "2001", '
    '"in_reply_to_id": "1001", "text": "Hi Jane, so sorry, checking now"}'
)


def test_the_documented_example_parses_and_unknown_fields_are_ignored():
    events = parse_scenario(
        "\n".join([ACCOUNT, MENTION, REPLY, '{"type": "end", "at": "2026-11-23T17:00:00Z"}'])
    )
    assert isinstance(events[1], Mention) and events[1].author_handle == "jane"
    assert isinstance(events[2], BrandReply) and events[2].in_reply_to_id == "1001"


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ("{not json", "not JSON"),
        ('["a list"]', "JSON object"),
        ('{"type": "tweet"}', "type"),
        (MENTION.replace('"id": "1001"', '"id": "abc"'), "id:"),
        (MENTION.replace('"2026-11-23T14:00:05Z"', '"yesterday"'), "at:"),
        (MENTION.replace('"2026-11-23T14:00:05Z"', '"2026-11-23T14:00:05"'), "zone"),
        (MENTION.replace('"text": "@AcmeCare my order never came", ', ""), "text:"),
    ],
)
def test_a_malformed_line_is_reported_with_its_number_and_reason(line, reason):
    with pytest.raises(ScenarioError) as failure:
        parse_scenario("\n".join([ACCOUNT, line]), "s.jsonl")
    assert failure.value.line == 2
    assert str(failure.value).startswith("s.jsonl:2:") and reason in str(failure.value)


def test_events_out_of_order_or_repeated_ids_are_refused():
    later = MENTION.replace("14:00:05", "14:30:00").replace('"1001"', '"1002"', 1)
    with pytest.raises(ScenarioError, match="ordered"):
        parse_scenario("\n".join([ACCOUNT, later, MENTION]))
    with pytest.raises(ScenarioError, match="appears twice"):
        parse_scenario("\n".join([ACCOUNT, MENTION, MENTION]))


def test_lines_name_things_as_their_network_does_and_brand_posts_parse():
    post = (
        '{"type": "brand_post", "at": "2026-11-23T13:00:00Z", "channel": "x", "id": "1000", "text": "New!"}'
    )
    events = parse_scenario("\n".join([ACCOUNT, post, MENTION]))
    assert events[1].type == "brand_post" and events[1].text == "New!"
    with pytest.raises(ScenarioError, match="2: channel: no simulated network 'myspace'"):
        parse_scenario("\n".join([ACCOUNT, MENTION.replace('"channel": "x"', '"channel": "myspace"')]))
    with pytest.raises(ScenarioError, match=r"2: author_id: not as x names it \(X ids are decimal digits"):
        parse_scenario("\n".join([ACCOUNT, MENTION.replace('"author_id": "42"', '"author_id": "jane"')]))
    unknown_visibility = MENTION.replace('"lang": "en"', '"lang": "en", "visibility": "secret"')
    with pytest.raises(ScenarioError, match="2: visibility"):
        parse_scenario("\n".join([ACCOUNT, unknown_visibility]))


def test_lines_answering_posts_no_earlier_line_had_are_found_with_their_line_numbers():
    from socialcare_local.replay.scenario import unknown_references

    stray = REPLY.replace('"2001"', '"2002"').replace('"in_reply_to_id": "1001"', '"in_reply_to_id": "777"')
    early = REPLY.replace("14:20:00", "13:00:00").replace('"2001"', '"2000"')  # before 1001 exists
    under_a_named_conversation = (
        MENTION.replace('"1001"', '"1003"', 1)
        .replace('"in_reply_to_id": null', '"in_reply_to_id": "5000"')
        .replace('"conversation_id": "1001"', '"conversation_id": "5000"')
    )
    events = parse_scenario(
        "\n".join([ACCOUNT, early, MENTION, "", under_a_named_conversation, REPLY, stray])
    )
    found = [(r.line, r.type, r.id, r.names) for r in unknown_references(events)]
    # A conversation a line names is created when first named (see "Contracts"): not unknown.
    assert found == [(2, "brand_reply", "2000", "1001"), (7, "brand_reply", "2002", "777")]
