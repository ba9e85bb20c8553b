"""The timeline and summary as a person reads them: dates whenever they change (quiet days show as
days), "not checked" where nothing was checked, lines naming unknown posts counted and named."""

from datetime import UTC, datetime

from socialcare_local.replay.scenario import BrandReply, Mention
from socialcare_local.replay.timeline import summary_lines, summary_sentence, timeline_lines


def mention(post_id: str, at: datetime) -> Mention:
    return Mention(
        type="mention", at=at, channel="x", id=post_id, author_id="42", author_handle="jane", text="@Acme hi"
    )


def ticket(post_id: str, at: str) -> dict:
    return {
        "ticket_id": f"x:{post_id}",
        "post_id": post_id,
        "post_ids": [post_id],
        "author_id": "42",
        "author_handle": "jane",
        "created_at": at,
        "detected_at": at,
        "acknowledged_at": None,
        "ack_post_id": None,
        "ack_text": None,
        "ack_skipped_reason": None,
        "human_replied_at": None,
    }


def summary(**changes) -> dict:
    base = {
        "tickets": 2,
        "mentions": 3,
        "acknowledged": 2,
        "acknowledged_within_a_minute": 2,
        "ack_skipped": {},
        "ack_pending": 0,
        "answered": 1,
        "first_response_seconds": {"count": 1, "median": 60, "p90": 60, "max": 60},
        "target_met": 1,
        "target_breached": 1,
        "tickets_escalated_by_level": {},
        "emails": 0,
        "sms": 0,
        "posts_with_more_than_one_acknowledgement": 0,
        "spec_violations": {"x": 0, "facebook/instagram": 0},
        "spec_not_checked": {},
        "lines_naming_unknown_posts": [],
        "virtual_minutes": 90,
        "wall_seconds": 3.5,
    }
    return base | changes


def test_each_date_gets_a_heading_and_quiet_days_are_counted():
    first, later = datetime(2017, 10, 31, 22, 8, tzinfo=UTC), datetime(2017, 11, 8, 9, 0, tzinfo=UTC)
    events = [mention("1", first), mention("2", first.replace(minute=30)), mention("3", later)]
    report = {
        "tickets": [ticket("1", "2017-10-31T22:08:00Z"), ticket("3", "2017-11-08T09:00:00Z")],
        "emails": [{"at": "2017-11-01T00:10:00Z", "to": "care@acme.example", "subject": "29 min left"}],
        "sms": [],
    }
    lines = timeline_lines(events, report)
    assert lines[0] == "Tue 2017-10-31"
    assert lines[1].startswith("22:08:00  mention") and lines[2].startswith("22:30:00  mention")
    assert lines[3:6] == ["", "Wed 2017-11-01", "00:10:00  e-mail     to care@acme.example: 29 min left"]
    assert lines[6:8] == ["", "Wed 2017-11-08  (7 days later, nothing in between)"]
    assert lines[8].startswith("09:00:00  mention")


def test_networks_not_checked_say_so_and_why_instead_of_a_count():
    reason = "no X API description at /specs/x/openapi-2.159.json"
    lines = summary_lines(
        summary(spec_violations={"x": None, "facebook/instagram": 2}, spec_not_checked={"x": reason})
    )
    row = next(line for line in lines if line.startswith("Network answers off-spec"))
    assert row.endswith(f"x not checked ({reason}), facebook/instagram 2")
    assert "x 0" not in row


def test_lines_naming_unknown_posts_are_counted_and_named():
    unknown = [
        {"line": n, "type": "brand_reply", "id": f"20{n}", "names": f"99{n}"} for n in (3, 7, 9, 12, 40)
    ]
    row = next(
        line for line in summary_lines(summary(lines_naming_unknown_posts=unknown)) if "unknown" in line
    )
    assert "5: line 3 (brand_reply 203 to post 993), line 7" in row and "and 2 more in the report" in row
    clean = next(line for line in summary_lines(summary()) if "unknown" in line)
    assert clean.endswith("none")


def test_the_quiet_summary_is_one_line_with_what_was_not_checked():
    line = summary_sentence(
        summary(
            spec_violations={"x": None},
            spec_not_checked={"x": "no specs folder"},
            lines_naming_unknown_posts=[{"line": 3, "type": "brand_reply", "id": "2", "names": "9"}],
        )
    )
    assert "\n" not in line
    assert line.startswith("3 mentions in 2 tickets: 2 acknowledged, 1 answered by staff")
    assert "1 line naming unknown posts" in line and "not checked against the spec on x" in line


def test_a_staff_reply_to_a_post_the_scenario_never_had_is_marked_in_the_timeline():
    at = datetime(2026, 11, 23, 14, 0, tzinfo=UTC)
    stray = BrandReply(type="brand_reply", at=at, channel="x", id="2002", in_reply_to_id="1999", text="Hi")
    lines = timeline_lines([mention("1", at), stray], {"tickets": [], "emails": [], "sms": []})
    assert lines[-1].startswith("14:00:00  staff      replied to post 1999") and "NO SUCH POST" in lines[-1]


def test_a_claim_from_an_alert_shows_who_took_the_ticket_and_that_the_ladder_stopped():
    at = datetime(2026, 11, 23, 14, 0, tzinfo=UTC)
    claimed = ticket("1", "2026-11-23T14:00:00Z") | {
        "claimed_by": "care_team",
        "claimed_at": "2026-11-23T14:32:00Z",
    }
    lines = timeline_lines([mention("1", at)], {"tickets": [claimed], "emails": [], "sms": []})
    assert "14:32:00  claimed    x:1 by care_team (ladder stopped)" in lines


def test_an_incident_shows_when_it_opened_what_it_posted_and_when_it_ended():
    incident = {
        "incident_id": "inc-1",
        "started_at": "2026-11-23T15:03:00+00:00",
        "resolved_at": "2026-11-23T15:25:00+00:00",
        "resolved_by": "detector",
        "top_terms": ["down", "site"],
        "status_posts": [
            {"at": "2026-11-23T15:04:00+00:00", "post_id": "9", "text": "We know the site is down"}
        ],
    }
    lines = timeline_lines([], {"tickets": [], "incidents": [incident], "emails": [], "sms": []})
    text = "\n".join(lines)
    assert "INCIDENT   inc-1 opened: down, site" in text
    assert 'status     posted: "We know the site is down"' in text
    assert "INCIDENT   inc-1 ended (detector)" in text
    assert text.index("opened") < text.index("posted") < text.index("ended")
