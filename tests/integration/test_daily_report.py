"""The daily report through the real handler: the morning schedule sends yesterday's report once,
to reports.daily.to, however often the function is invoked for that day."""

from datetime import UTC, datetime

import yaml

from socialcare.config.loader import BUNDLED_EXAMPLE
from socialcare_local.stack import FUNCTIONS, StackOptions, local_stack

from .conftest import BRAND

SUNDAY_2340 = datetime(2026, 11, 22, 23, 40, tzinfo=UTC)
MONDAY_0701 = datetime(2026, 11, 23, 7, 1, tzinfo=UTC)
REPORT_TO = ["care-lead@acme.example", "ops@acme.example"]


def config_text(to: list[str]) -> str:
    config = yaml.safe_load(BUNDLED_EXAMPLE.read_text())
    config["accounts"][0].update(id=BRAND.id, handle=BRAND.handle)
    config["reports"] = {"daily": {"to": to}}
    return yaml.safe_dump(config)


def reports(stack) -> list[dict]:
    return [each for each in stack.emails() if each["subject"].startswith("socialcare daily report")]


def test_the_morning_schedule_sends_yesterdays_report_once():
    with local_stack([BRAND], SUNDAY_2340, StackOptions(config_text=config_text(REPORT_TO))) as stack:
        stack.mention("1001", "42", "@AcmeCare my order never came", at=SUNDAY_2340, handle="jane")
        stack.mention("1002", "43", "@AcmeCare charged twice, help", at=SUNDAY_2340, handle="omar")
        stack.run_until(datetime(2026, 11, 22, 23, 50, tzinfo=UTC))
        stack.staff_reply(
            "5001", "1001", "@jane so sorry, looking now", at=datetime(2026, 11, 22, 23, 50, tzinfo=UTC)
        )
        stack.run_until(datetime(2026, 11, 23, 0, 5, tzinfo=UTC))
        stack.mention("1003", "44", "@AcmeCare still down?", at=datetime(2026, 11, 23, 0, 5, tzinfo=UTC))
        stack.run_until(MONDAY_0701)

        sent = reports(stack)
        assert len(sent) == 1
        report = sent[0]
        assert report["at"] == "2026-11-23T07:00:00Z"
        assert report["to"] == ", ".join(REPORT_TO)
        # Sunday's two tickets (Monday's is the next report's); one answered in 10 minutes, in time.
        assert report["subject"] == "socialcare daily report, Sun 22 Nov: 2 tickets, 50% within target"
        assert "median: 10 min" in report["text"]
        assert "x: 2" in report["text"]
        assert "order never came" not in report["text"], "no customer words, only refs"

        # Invoked again for the same day (a retry, a person re-running it): nothing is sent twice.
        for _ in range(2):
            answer = stack.deployment.invoke(FUNCTIONS["daily_report"], {"date": "2026-11-22"})
            assert answer["sent"] is False and answer["already_sent"] is True
        assert len(reports(stack)) == 1


def test_without_recipients_no_report_is_made():
    with local_stack([BRAND], SUNDAY_2340, StackOptions(config_text=config_text([]))) as stack:
        stack.mention("1001", "42", "@AcmeCare my order never came", at=SUNDAY_2340, handle="jane")
        answer = stack.deployment.invoke(FUNCTIONS["daily_report"], {"date": "2026-11-22"})
        assert answer == {"day": "2026-11-22", "sent": False}
        assert reports(stack) == []
