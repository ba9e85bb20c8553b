"""The daily report of a replay: the same figures and text the daily_report function e-mails, made
from a replay report's tickets (and its incidents, when it has them), for `socialcare daily-report`."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

from socialcare.domain.daily_report import ReportDay, daily_figures
from socialcare.domain.daily_report_email import render_text
from socialcare.domain.tickets import Ticket, TicketStatus
from socialcare.domain.timefmt import from_iso


def _moment(text: str | None) -> datetime | None:
    return from_iso(text) if text else None


def ticket_of(row: dict) -> Ticket:
    """A report's ticket row as a domain ticket, with what the figures read."""
    return Ticket(
        pk=row["ticket_id"],
        ticket_id=row["ticket_id"],
        ref=row.get("ref") or row["ticket_id"],
        channel=row["channel"],
        account_id=row.get("account_id", ""),
        post_id=row["post_id"],
        post_ids=tuple(row.get("post_ids") or ()),
        author_id=row.get("author_id", ""),
        author_handle=None,
        text="",
        conversation_id="",
        created_at=from_iso(row["created_at"]),
        due_at=from_iso(row["due_at"]),
        status=TicketStatus(row["status"]),
        intent=row.get("intent"),
        priority=row.get("priority") or "normal",
        human_replied_at=_moment(row.get("human_replied_at")),
        claimed_by=row.get("claimed_by"),
        claimed_at=_moment(row.get("claimed_at")),
    )


def incident_of(row: dict) -> dict:
    mentions = row.get("mentions", 0)
    return {
        "incident_id": row.get("incident_id") or row.get("id", "?"),
        "account": row.get("account", ""),
        "started_at": from_iso(row["started_at"]),
        "resolved_at": _moment(row.get("resolved_at") or row.get("ended_at")),
        "mentions": len(mentions) if isinstance(mentions, list) else int(mentions or 0),
    }


def daily_report_text(report: dict, day: date, timezone: str = "UTC") -> str:
    """The report's text for `day` (local to `timezone`), as of the end of the replay."""
    tickets = [ticket_of(row) for row in report.get("tickets", [])]
    incidents = [incident_of(row) for row in report.get("incidents", []) if row.get("started_at")]
    moments = [t.human_replied_at or t.created_at for t in tickets]
    report_day = ReportDay(day, ZoneInfo(timezone), timezone)
    now = max([*moments, report_day.ends_at])
    return render_text(daily_figures(report_day, tickets, incidents, now))
