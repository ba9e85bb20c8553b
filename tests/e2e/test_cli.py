"""`socialcare replay` as a user runs it: a scenario file written by someone else in the documented
format, a report that follows the documented format field for field, clear errors otherwise."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.e2e
SOCIALCARE = [sys.executable, "-m", "socialcare_local.cli"]
TICKET_FIELDS = {
    "ticket_id",
    "channel",
    "post_id",
    "post_ids",
    "author_id",
    "author_handle",
    "text",
    "created_at",
    "detected_at",
    "due_at",
    "acknowledged_at",
    "ack_post_id",
    "ack_text",
    "ack_skipped_reason",
    "ack_kind",
    "ack_visibility",
    "human_replied_at",
    "latest_replied_at",
    "first_response_seconds",
    "latest_response_seconds",
    "reply_round",
    "waiting_since",
    "status",
    "intent",
    "priority",
    "personal_data",
    "claimed_by",  # claimed from an alert's link (claim page)
    "claimed_at",
    "incident_id",  # the incident it joined
    "follow_up_at",  # an incident's follow-up reply (after: close)
    "follow_up_text",
    "follow_up_post_id",
    "escalations",
}
# The example from the design notes, verbatim (with an unknown field, which must be ignored).
SCENARIO = """\
{"type": "account", "channel": "x", "id": "9001", "handle": "AcmeCare"}
{"type": "mention", "at": "2026-11-23T14:00:05Z", "channel": "x", "id": "1001", "author_id": "42", "author_handle": "jane", "text": "@AcmeCare my order never came", "conversation_id": "1001", "in_reply_to_id": null, "lang": "en", "mood": "cross"}
{"type": "brand_reply", "at": "2026-11-23T14:20:00Z", "channel": "x", "id": "2001", "in_reply_to_id": "1001", "text": "Hi Jane, so sorry, checking now"}
{"type": "mention", "at": "2026-11-23T14:05:00Z", "channel": "x", "id": "1002", "author_id": "43", "author_handle": "bob", "text": "@AcmeCare where is my parcel", "conversation_id": "1002", "in_reply_to_id": null, "lang": "en"}
{"type": "end", "at": "2026-11-23T15:10:00Z"}
"""


def run(*args, cwd=None):
    return subprocess.run([*SOCIALCARE, *args], capture_output=True, text=True, timeout=600, cwd=cwd)


def scenario_file(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "scenario.jsonl"
    # Lines must be ordered by time: sort the mentions the way a writer of the file would.
    lines = text.splitlines()
    path.write_text("\n".join([lines[0], lines[1], lines[3], lines[2], lines[4]]) + "\n")
    return path


def test_replay_writes_the_documented_report_and_shows_a_timeline(tmp_path):
    report_path = tmp_path / "report.json"
    done = run("replay", str(scenario_file(tmp_path, SCENARIO)), "--report", str(report_path))
    assert done.returncode == 0, done.stderr
    assert "ack        to @jane" in done.stdout and "Summary" in done.stdout
    report = json.loads(report_path.read_text())
    assert set(report) == {"tickets", "incidents", "emails", "sms", "summary"}
    assert all(set(ticket) == TICKET_FIELDS for ticket in report["tickets"])
    jane, bob = report["tickets"]
    assert (jane["status"], jane["human_replied_at"], jane["escalations"]) == (
        "answered",
        "2026-11-23T14:20:00Z",
        [],
    )
    assert bob["status"] == "open" and [e["level"] for e in bob["escalations"]] == [1, 2, 3, 3]
    assert all(set(e) - {"digest"} == {"level", "via", "to", "at"} for e in bob["escalations"])
    assert all(set(m) == {"to", "subject", "text", "at"} for m in report["emails"])
    assert all(set(m) == {"to", "text", "at"} for m in report["sms"])
    assert [m["to"] for m in report["sms"]] == ["+14155550123", "+14155550199"]


def test_a_malformed_line_stops_the_replay_with_its_number_and_reason(tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text(SCENARIO.splitlines()[0] + "\n" + '{"type": "mention", "at": "soon"}\n')
    done = run("replay", str(bad), "--report", str(tmp_path / "r.json"))
    assert done.returncode != 0
    assert f"{bad}:2:" in done.stderr and "at" in done.stderr
    assert not (tmp_path / "r.json").exists()


def test_a_broken_configuration_is_refused_naming_the_field(tmp_path):
    config = tmp_path / "config.yaml"
    config.write_text(
        "accounts: [{channel: x, id: '9001', handle: AcmeCare, credentials_secret: s}]\ntarget_minutes: -5\n"
    )
    done = run(
        "replay",
        str(scenario_file(tmp_path, SCENARIO)),
        "--config",
        str(config),
        "--report",
        str(tmp_path / "r.json"),
    )
    assert done.returncode != 0 and "target_minutes" in done.stderr


def test_real_history_converts_to_a_scenario_that_replays(tmp_path):
    csv = tmp_path / "twcs.csv"
    csv.write_text(
        "tweet_id,author_id,inbound,created_at,text,response_tweet_id,in_response_to_tweet_id\n"
        "1,sprintcare,False,Tue Oct 31 22:30:47 +0000 2017,@115712 Sorry! DM us.,,3\n"
        "3,115712,True,Tue Oct 31 22:08:27 +0000 2017,@sprintcare my phone keeps dropping calls,1,\n"
        "5,115713,True,Tue Oct 31 22:09:00 +0000 2017,@sprintcare no signal downtown,,\n"
        "6,sprintcare,False,Tue Oct 31 23:30:00 +0000 2017,@115713 Checking!,,5\n"
    )
    scenario = tmp_path / "history.jsonl"
    assert run("convert-twcs", str(csv), "--brand", "sprintcare", "--out", str(scenario)).returncode == 0
    done = run("replay", str(scenario), "--report", str(tmp_path / "r.json"), "--quiet")
    assert done.returncode == 0, done.stderr
    report = json.loads((tmp_path / "r.json").read_text())
    first, second = report["tickets"]
    assert first["human_replied_at"] == "2017-10-31T22:30:47Z" and first["escalations"] == []
    assert [e["level"] for e in second["escalations"]] == [1, 2, 3, 3]


def test_a_quiet_replay_prints_the_summary_and_the_report_and_names_lines_answering_unknown_posts(tmp_path):
    lines = SCENARIO.splitlines()
    stray = '{"type": "brand_reply", "at": "2026-11-23T14:30:00Z", "channel": "x", "id": "2002", "in_reply_to_id": "1999", "text": "Hi, sorry"}'
    scenario = tmp_path / "scenario.jsonl"
    scenario.write_text("\n".join([lines[0], lines[1], lines[3], lines[2], stray, lines[4]]) + "\n")
    report_path = tmp_path / "out" / "report.json"
    done = run("replay", str(scenario), "--report", str(report_path), "--quiet")
    assert done.returncode == 0, done.stderr
    summary_line, where = done.stdout.splitlines()
    assert (
        summary_line.startswith("2 mentions in 2 tickets") and "1 line naming unknown posts" in summary_line
    )
    assert where == f"Report: {report_path}" and done.stderr == ""
    summary = json.loads(report_path.read_text())["summary"]
    assert summary["lines_naming_unknown_posts"] == [
        {"line": 5, "type": "brand_reply", "id": "2002", "names": "1999"}
    ]
