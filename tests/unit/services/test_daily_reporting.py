"""The daily report service on in-memory ports: which day, to whom, sent once per day key."""

from datetime import UTC, date, datetime, timedelta

import yaml

from socialcare.config.loader import BUNDLED_EXAMPLE, parse_config
from socialcare.domain.tickets import Ticket, TicketStatus
from socialcare.runtime import metric_names
from socialcare.services.daily_reporting import DailyReporter, IncidentsInMemory, daily_metrics

MONDAY_0700_UTC = datetime(2026, 11, 23, 7, tzinfo=UTC)


def config_with(**extra):
    raw = yaml.safe_load(BUNDLED_EXAMPLE.read_text(encoding="utf-8"))
    raw.update(extra)
    return parse_config(yaml.safe_dump(raw), "test")


def ticket(number: int, created_at: datetime, replied_after: timedelta | None, channel="x") -> Ticket:
    return Ticket(
        pk=f"T#{number}", ticket_id=str(number), ref=f"SC-{number}", channel=channel, account_id="9001",
        post_id=str(number), post_ids=(str(number),), author_id="a", author_handle=None, text="secret words",
        conversation_id=str(number), created_at=created_at, due_at=created_at + timedelta(hours=1),
        status=TicketStatus.OPEN, human_replied_at=created_at + replied_after if replied_after else None,
    )  # fmt: skip


class Outbox:
    def __init__(self):
        self.keys: set[str] = set()
        self.sent: list[tuple[str, list[str], object]] = []

    def send_once(self, key, to, email):
        if key not in self.keys:  # what the idempotency layer does
            self.keys.add(key)
            self.sent.append((key, to, email))


def reporter(config, tickets, incidents=None, outbox=None):
    asked = []

    def between(starts_at, ends_at):
        asked.append((starts_at, ends_at))
        return [t for t in tickets if starts_at <= t.created_at < ends_at]

    made = DailyReporter(config, between, IncidentsInMemory(incidents), (outbox or Outbox()).send_once)
    return made, asked


def test_yesterday_in_the_business_hours_zone_is_read_and_sent_once():
    config = config_with(
        business_hours={"timezone": "America/New_York", "weekly": {"mon": ["09:00-17:00"]}},
        reports={"daily": {"to": ["lead@acme.example"]}},
    )
    outbox = Outbox()
    sunday_evening_ny = datetime(2026, 11, 23, 3, tzinfo=UTC)  # 22:00 on Sunday in New York
    made, asked = reporter(config, [ticket(1, sunday_evening_ny, timedelta(minutes=4))], outbox=outbox)
    outcome = made.run(MONDAY_0700_UTC)  # 02:00 Monday in New York: yesterday is Sunday there
    assert outcome.day == "2026-11-22" and outcome.sent
    assert asked == [(datetime(2026, 11, 22, 5, tzinfo=UTC), datetime(2026, 11, 23, 5, tzinfo=UTC))]
    made.run(MONDAY_0700_UTC)
    assert [(key, to) for key, to, _ in outbox.sent] == [("daily#2026-11-22", ["lead@acme.example"])]
    email = outbox.sent[0][2]
    assert "1 ticket, " in email.subject and "secret words" not in email.text + email.html


def test_without_recipients_nothing_is_read_or_sent():
    made, asked = reporter(config_with(), [ticket(1, MONDAY_0700_UTC - timedelta(hours=9), None)])
    outcome = made.run(MONDAY_0700_UTC)
    assert not outcome.sent and "reports.daily.to" in outcome.why_not
    assert asked == []


def test_metrics_carry_the_figures_and_tickets_per_network():
    config = config_with(reports={"daily": {"to": ["lead@acme.example"]}})
    sunday = datetime(2026, 11, 22, 10, tzinfo=UTC)
    tickets = [
        ticket(1, sunday, timedelta(minutes=10)),
        ticket(2, sunday, timedelta(minutes=30), channel="mastodon"),
        ticket(3, sunday, timedelta(hours=2)),
    ]
    incident = {
        "incident_id": "I-1",
        "account": "x/9001",
        "started_at": sunday,
        "resolved_at": None,
        "mentions": 9,
    }
    made, _ = reporter(config, tickets, [incident])
    outcome = made.run(MONDAY_0700_UTC)
    assert outcome.figures.day.day == date(2026, 11, 22)
    rows = {
        (name, tuple(sorted(dims.items()))): value for name, value, dims in daily_metrics(outcome.figures)
    }
    assert rows[(metric_names.DAILY_TICKETS, ())] == 3
    assert rows[(metric_names.DAILY_TICKETS, (("network", "x"),))] == 2
    assert rows[(metric_names.DAILY_TICKETS, (("network", "mastodon"),))] == 1
    assert rows[(metric_names.DAILY_FIRST_RESPONSE_MEDIAN, ())] == 30 * 60
    assert rows[(metric_names.DAILY_FIRST_RESPONSE_P90, ())] == 2 * 3600
    assert (rows[(metric_names.DAILY_TARGET_MET, ())], rows[(metric_names.DAILY_TARGET_BREACHED, ())]) == (
        2,
        1,
    )
    assert rows[(metric_names.DAILY_INCIDENTS, ())] == 1
