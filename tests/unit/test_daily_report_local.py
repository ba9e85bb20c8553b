"""The daily report on the local runtime: its morning schedule fires at the local hour across
daylight-saving changes, and `socialcare daily-report` prints a replay's day."""

import json
from datetime import UTC, datetime, timedelta

from socialcare_local.cfn_events import Schedule, parse_daily_cron
from socialcare_local.cli import main
from socialcare_local.scheduler import following_fire_time

MORNING = Schedule(
    name="EveryMorning",
    every=timedelta(days=1),
    input_template=None,
    daily_at="07:00",
    timezone="Europe/London",
)


def test_daily_cron_expressions_are_read_others_are_not():
    assert parse_daily_cron("cron(0 7 * * ? *)") == "07:00"
    assert parse_daily_cron("cron(30 23 * * ? *)") == "23:30"
    assert parse_daily_cron("cron(0 7 ? * MON *)") is None  # weekly: not a daily schedule
    assert parse_daily_cron("rate(1 minute)") is None


def test_the_morning_schedule_keeps_its_local_hour_when_the_clocks_change():
    # London leaves summer time on 25 October 2026: 07:00 local is 06:00 UTC before, 07:00 after.
    saturday = following_fire_time(MORNING, datetime(2026, 10, 23, 12, tzinfo=UTC))
    sunday = following_fire_time(MORNING, saturday)
    monday = following_fire_time(MORNING, sunday)
    assert [saturday, sunday, monday] == [
        datetime(2026, 10, 24, 6, tzinfo=UTC),
        datetime(2026, 10, 25, 7, tzinfo=UTC),
        datetime(2026, 10, 26, 7, tzinfo=UTC),
    ]


def _row(ticket_id, created_at, due_at, replied_at=None, **extra):
    return {
        "ticket_id": ticket_id,
        "channel": "x",
        "post_id": ticket_id,
        "post_ids": [ticket_id],
        "text": "my parcel is lost",
        "created_at": created_at,
        "due_at": due_at,
        "human_replied_at": replied_at,
        "status": "answered" if replied_at else "open",
        "intent": "complaint",
        "priority": "normal",
        **extra,
    }


def test_cli_prints_the_day_of_a_replay_report(tmp_path, capsys):
    report = tmp_path / "report.json"
    rows = [
        _row("t1", "2026-11-22T09:00:00Z", "2026-11-22T10:00:00Z", "2026-11-22T09:20:00Z"),
        _row("t2", "2026-11-22T09:30:00Z", "2026-11-22T10:30:00Z"),
        _row("t3", "2026-11-23T09:30:00Z", "2026-11-23T10:30:00Z"),  # the next day
    ]
    report.write_text(json.dumps({"tickets": rows, "emails": [], "sms": [], "summary": {}}))
    assert main(["daily-report", "--report", str(report), "--date", "2026-11-22"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("socialcare daily report, Sun 22 Nov: 2 tickets, 50% within target\n")
    assert "median: 20 min" in out and "parcel" not in out


def test_cli_names_an_unreadable_report_in_one_line(tmp_path, capsys):
    assert main(["daily-report", "--report", str(tmp_path / "none.json"), "--date", "2026-11-22"]) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "none.json" in err
