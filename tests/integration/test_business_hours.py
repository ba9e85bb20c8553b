"""Business hours through the real handlers: a mention made at night on a 09:00-18:00 team waits for
the morning (its first alert comes at the right business-time offset after opening), while an urgent
one pages at night because its target runs around the clock."""

from datetime import UTC, datetime

import yaml

from socialcare.config.loader import BUNDLED_EXAMPLE
from socialcare_local.stack import StackOptions, local_stack

from .conftest import BRAND

MONDAY_2350 = datetime(2026, 11, 23, 23, 50, tzinfo=UTC)  # London is on GMT: local time is UTC


def office_config() -> str:
    config = yaml.safe_load(BUNDLED_EXAMPLE.read_text())
    config["accounts"][0].update(id=BRAND.id, handle=BRAND.handle)
    config["business_hours"] = {
        "timezone": "Europe/London",
        "weekly": {day: ["09:00-18:00"] for day in ("mon", "tue", "wed", "thu", "fri")},
        "holidays": {"country": "GB", "subdivision": "ENG"},
    }
    config["targets"] = {"urgent": {"minutes": 15, "around_the_clock": True}, "normal": {"minutes": 60}}
    return yaml.safe_dump(config)


def tuesday(hour: int, minute: int) -> datetime:
    return datetime(2026, 11, 24, hour, minute, tzinfo=UTC)


def alerts(stack) -> list[tuple[str, str, str]]:
    """(when, to, which ticket) of every e-mail and SMS sent so far, in order."""
    sent = [(e["at"], e["to"], e["subject"]) for e in stack.emails()]
    sent += [(s["at"], s["to"], s["text"]) for s in stack.sms()]
    posts = {"@jane": "1001", "@omar": "1002"}  # each alert names its customer
    return sorted((at, to, next(p for who, p in posts.items() if who in text)) for at, to, text in sent)


def test_a_night_mention_waits_for_opening_while_an_urgent_one_pages_at_night():
    options = StackOptions(config_text=office_config())
    with local_stack([BRAND], MONDAY_2350, options) as stack:
        stack.run_until(datetime(2026, 11, 23, 23, 55, tzinfo=UTC))
        stack.mention(
            "1001",
            "42",
            "@AcmeCare my order never came, where is it?",
            at=datetime(2026, 11, 23, 23, 55, tzinfo=UTC),
            handle="jane",
        )
        stack.run_until(datetime(2026, 11, 23, 23, 56, tzinfo=UTC))
        stack.mention(
            "1002",
            "77",
            "@AcmeCare I was charged twice for one order",
            at=datetime(2026, 11, 23, 23, 56, tzinfo=UTC),
            handle="omar",
        )
        stack.run_until(tuesday(8, 59))

        normal, urgent = stack.ticket("1001"), stack.ticket("1002")
        assert (normal["priority"], urgent["priority"]) == ("normal", "urgent")
        assert normal["due_at"] == "2026-11-24T10:00:00Z", "an hour of business time after 09:00"
        assert urgent["due_at"] == "2026-11-24T00:11:00Z", "15 minutes around the clock"
        night = alerts(stack)
        assert night == [
            ("2026-11-24T00:04:00Z", "care-team@acme.example", "1002"),
            ("2026-11-24T00:08:00Z", "+14155550123", "1002"),
            ("2026-11-24T00:11:00Z", "+14155550199", "1002"),
            ("2026-11-24T00:11:00Z", "care-manager@acme.example", "1002"),
        ], "only the urgent ticket pages at night"

        stack.run_until(tuesday(10, 5))
        morning = alerts(stack)[len(night) :]
        assert morning == [
            ("2026-11-24T09:30:00Z", "care-team@acme.example", "1001"),
            ("2026-11-24T09:48:00Z", "+14155550123", "1001"),
            ("2026-11-24T10:00:00Z", "+14155550199", "1001"),
            ("2026-11-24T10:00:00Z", "care-manager@acme.example", "1001"),
        ], "50, 80 and 100% of the business-time target after opening"
        first = next(e for e in stack.emails() if e["at"] == "2026-11-24T09:30:00Z")
        assert "30 min left" in first["subject"]
