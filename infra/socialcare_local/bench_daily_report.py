"""What the daily report costs at 10,000 tickets a day: the tickets table scan (read units and
pages, from the sizes of the items a ticket leaves in the table) and the figures and e-mail's
compute time. Run: .venv/bin/python -m socialcare_local.bench_daily_report"""

import random
import time
from datetime import UTC, date, timedelta

from socialcare.domain.daily_report import ReportDay, daily_figures
from socialcare.domain.daily_report_email import render
from socialcare.domain.tickets import Ticket, TicketStatus
from socialcare.persistence.models import (
    COUNTED_TEXT_CHARS,
    MENTIONS_BUCKET,
    AuthorMarkerModel,
    ConversationAuthorModel,
    EscalationRecord,
    PostClaimModel,
    TicketModel,
    minute_key,
)

from .capacity import item_size

TICKETS_A_DAY = 10_000
SCAN_PAGE_BYTES = 1024 * 1024  # a Scan returns at most 1 MB a page
ON_DEMAND_PER_MILLION_READS = 0.125  # USD per million read request units (us-east-1)
DAY = ReportDay(date(2026, 11, 22), UTC)


def ticket_items() -> list[dict]:
    """The items one typical ticket leaves in the tickets table (280-character post, answered,
    acknowledged, two alerts), as DynamoDB stores them."""
    now = "2026-11-22T09:00:00Z"
    ticket = TicketModel(
        "T#x#9001#1860000000000000001",
        ticket_id="1860000000000000001",
        ref="SC-7F3K2",
        channel="x",
        account_id="9001",
        post_id="1860000000000000001",
        post_ids=["1860000000000000001"],
        author_id="123456789",
        author_handle="somebody_long_handle",
        text="x" * COUNTED_TEXT_CHARS,
        conversation_id="1860000000000000001",
        intent="complaint",
        priority="normal",
        ack_kind="acknowledgement",
        created_at=now,
        detected_at=now,
        due_at=now,
        status="answered",
        ack_state="posted",
        ack_text="y" * 200,
        ack_attempts=1,
        ack_post_id="1860000000000000002",
        acknowledged_at=now,
        human_replied_at=now,
        human_reply_post_id="1860000000000000003",
        first_response_seconds=900,
        escalations=[
            EscalationRecord(level=0, via="email", to="care@acme.example", recipient="care", at=now),
            EscalationRecord(level=1, via="sms", to="+14155550123", recipient="lead", at=now),
        ],
        expires_at=1790000000,
    )
    others = [
        PostClaimModel(  # counted for incident detection: its minute, its account, its text's start
            "P#x#1860000000000000001",
            kind="post",
            ticket_pk=ticket.pk,
            mention_bucket=MENTIONS_BUCKET,
            counted_at=minute_key(29_924_040, "x#9001"),
            text="x" * COUNTED_TEXT_CHARS,
            expires_at=1790000000,
        ),
        ConversationAuthorModel("C#x#1860000000000000001", "A#123456789", expires_at=1790000000),
        AuthorMarkerModel("A#x#9001#123456789", expires_at=1790000000),
    ]
    return [each.serialize() | {"pk": {"S": each.pk}} for each in (ticket, *others)]


def tickets(count: int) -> list[Ticket]:
    rng = random.Random(7)
    start = DAY.starts_at
    made = []
    for number in range(count):
        created = start + timedelta(seconds=rng.randrange(86_400))
        replied = created + timedelta(minutes=rng.expovariate(1 / 20)) if rng.random() < 0.8 else None
        made.append(
            Ticket(
                pk=f"T#{number}",
                ticket_id=str(number),
                ref=f"SC-{number}",
                channel=rng.choice("abc"),
                account_id="9001",
                post_id=str(number),
                post_ids=(str(number),),
                author_id=str(number),
                author_handle=None,
                text="",
                conversation_id=str(number),
                created_at=created,
                due_at=created + timedelta(hours=1),
                status=TicketStatus.OPEN,
                human_replied_at=replied,
                intent=rng.choice(["complaint", "question", "praise", "other"]),
            )
        )
    return made


def main() -> None:
    sizes = [item_size(item) for item in ticket_items()]
    per_ticket = sum(sizes)
    print(f"items per ticket: {len(sizes)} ({', '.join(str(s) for s in sizes)} bytes): {per_ticket} bytes")
    for retention in (7, 30, 90):
        table = per_ticket * TICKETS_A_DAY * retention
        reads = table / 4096 * 0.5  # eventually consistent: half a unit per 4 KB
        print(
            f"retention {retention:3d} days: table {table / 1e9:.2f} GB, one scan {reads / 1e3:,.0f}k read"
            f" units (${reads / 1e6 * ON_DEMAND_PER_MILLION_READS:.3f}), {table / SCAN_PAGE_BYTES:,.0f} pages"
        )
    day = tickets(TICKETS_A_DAY)
    began = time.perf_counter()
    figures = daily_figures(DAY, day, [], DAY.ends_at)
    email = render(figures)
    took = time.perf_counter() - began
    print(
        f"figures and e-mail of {TICKETS_A_DAY:,} tickets: {took * 1000:.0f} ms,"
        f" HTML {len(email.html):,} bytes"
    )


if __name__ == "__main__":
    main()
