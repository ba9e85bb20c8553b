"""The daily report's figures and its e-mail, on hand-made tickets."""

import re
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from socialcare.domain.daily_report import ReportDay, daily_figures, nearest_rank
from socialcare.domain.daily_report_email import CHART_HEIGHT_PX, bar_heights, render
from socialcare.domain.tickets import Ticket, TicketStatus

DAY = ReportDay(date(2026, 11, 22), UTC)
NOON = datetime(2026, 11, 22, 12, tzinfo=UTC)
REPORT_AT = datetime(2026, 11, 23, 7, tzinfo=UTC)

_serial = iter(range(1, 100_000))


def ticket(created_at=NOON, *, reply_after=None, due_after=timedelta(hours=1), **extra) -> Ticket:
    number = next(_serial)
    values = dict(
        pk=f"T#{number}",
        ticket_id=str(number),
        ref=f"SC-{number:04d}",
        channel="x",
        account_id="brand",
        post_id=f"p{number}",
        post_ids=(f"p{number}",),
        author_id=f"a{number}",
        author_handle=None,
        text="my card was charged twice <b>",
        conversation_id=f"c{number}",
        created_at=created_at,
        due_at=created_at + due_after,
        status=TicketStatus.ANSWERED if reply_after is not None else TicketStatus.OPEN,
        human_replied_at=created_at + reply_after if reply_after is not None else None,
        intent="question",
    )
    values.update(extra)
    return Ticket(**values)


def figures_of(tickets, incidents=(), day=DAY, now=REPORT_AT):
    return daily_figures(day, list(tickets), list(incidents), now)


# -- figures --------------------------------------------------------------------------------------


def test_counts_per_network_and_intent_leave_out_other_days_and_the_brands_own_posts():
    tickets = [
        ticket(channel="x"),
        ticket(channel="x", intent="complaint"),
        ticket(channel="mastodon", intent=None),
        ticket(created_at=NOON - timedelta(days=1)),
        ticket(created_at=DAY.ends_at),  # the next day's first second
        ticket(status=TicketStatus.INTERNAL),
    ]
    figures = figures_of(tickets)
    assert figures.tickets == 3
    assert figures.per_network == {"x": 2, "mastodon": 1}
    assert figures.per_intent == {"complaint": 1, "question": 1, "untriaged": 1}


def test_first_response_median_and_p90_count_staff_replies_only():
    minutes = [10, 20, 30, 40, 50, 60, 70, 80, 90, 100]
    tickets = [ticket(reply_after=timedelta(minutes=each)) for each in minutes] + [ticket()]
    figures = figures_of(tickets)
    assert figures.first_response_median == 55 * 60
    assert figures.first_response_p90 == 90 * 60
    assert figures.responses == 10


def test_p90_of_few_values_is_one_of_them():
    assert nearest_rank([300.0], 90) == 300.0
    assert nearest_rank([100.0, 900.0, 200.0], 90) == 900.0
    assert nearest_rank([], 90) is None


def test_targets_met_breached_and_still_open_per_priority():
    tickets = [
        ticket(reply_after=timedelta(minutes=30)),  # met
        ticket(reply_after=timedelta(minutes=90)),  # breached by the reply
        ticket(created_at=datetime(2026, 11, 22, 8, tzinfo=UTC)),  # unanswered, long overdue
        ticket(
            created_at=datetime(2026, 11, 22, 23, tzinfo=UTC), priority="low", due_after=timedelta(hours=12)
        ),
        ticket(priority="urgent", reply_after=timedelta(minutes=5)),
    ]
    figures = figures_of(tickets)
    assert (figures.targets["normal"].met, figures.targets["normal"].breached) == (1, 2)
    assert figures.targets["low"].still_open == 1
    assert figures.targets["urgent"].met == 1
    assert figures.within_target_percent == 50  # 2 met of 4 decided; the open one is not counted


def test_an_empty_day_has_no_medians_and_no_percentage():
    figures = figures_of([])
    assert figures.tickets == 0
    assert figures.first_response_median is None and figures.first_response_p90 is None
    assert figures.within_target_percent is None
    assert figures.per_hour == [0] * 24
    email = render(figures)
    assert "0 tickets, no target outcome yet" in email.subject
    assert "n/a" in email.text


def test_local_day_runs_midnight_to_midnight_in_the_team_time_zone():
    london = ZoneInfo("Europe/London")
    summer = ReportDay(date(2026, 7, 1), london, "Europe/London")
    assert summer.starts_at == datetime(2026, 6, 30, 23, tzinfo=UTC)
    late_evening = ticket(created_at=datetime(2026, 6, 30, 23, 30, tzinfo=UTC))  # 00:30 local
    figures = figures_of(
        [late_evening, ticket(created_at=datetime(2026, 7, 1, 23, 30, tzinfo=UTC))], day=summer
    )
    assert figures.tickets == 1
    assert figures.per_hour[0] == 1


def test_days_when_the_clocks_change_last_23_and_25_hours():
    london = ZoneInfo("Europe/London")
    spring = ReportDay(date(2026, 3, 29), london)
    autumn = ReportDay(date(2026, 10, 25), london)
    assert spring.ends_at - spring.starts_at == timedelta(hours=23)
    assert autumn.ends_at - autumn.starts_at == timedelta(hours=25)
    # 00:30 UTC and 01:30 UTC on the autumn day are both 01:xx local: the same hour's bar.
    both = [
        ticket(created_at=datetime(2026, 10, 25, 0, 30, tzinfo=UTC)),
        ticket(created_at=datetime(2026, 10, 25, 1, 30, tzinfo=UTC)),
    ]
    last = ticket(created_at=datetime(2026, 10, 25, 23, 59, tzinfo=UTC))  # 23:59 local (GMT)
    figures = figures_of([*both, last], day=autumn)
    assert figures.tickets == 3
    assert figures.per_hour[1] == 2 and figures.per_hour[23] == 1


def test_report_day_before_now_is_the_local_yesterday():
    tokyo = ZoneInfo("Asia/Tokyo")
    # 2026-11-22 22:00 UTC is already the 23rd in Tokyo: yesterday there is the 22nd.
    assert ReportDay.before(datetime(2026, 11, 22, 22, tzinfo=UTC), tokyo).day == date(2026, 11, 22)
    assert ReportDay.before(datetime(2026, 11, 22, 22, tzinfo=UTC), UTC).day == date(2026, 11, 21)


def test_incidents_overlapping_the_day_with_the_longest_and_their_mentions():
    at = lambda hour: datetime(2026, 11, 22, hour, tzinfo=UTC)  # noqa: E731
    incidents = [
        {
            "incident_id": "I-1",
            "account": "x/brand",
            "started_at": at(9),
            "resolved_at": at(10),
            "mentions": 150,
        },
        {
            "incident_id": "I-2",
            "account": "x/brand",
            "started_at": at(20),
            "resolved_at": None,
            "mentions": 12,
        },
        {
            "incident_id": "I-0",
            "account": "x/brand",
            "started_at": at(1) - timedelta(days=2),
            "resolved_at": at(2) - timedelta(days=2),
            "mentions": 40,
        },
    ]
    figures = figures_of([], incidents)
    assert [each.incident_id for each in figures.incidents] == ["I-1", "I-2"]
    assert figures.incident_mentions == 162
    assert figures.longest_incident.incident_id == "I-2"  # 4 hours open at midnight
    assert "still open at midnight" in render(figures).text


def test_claims_made_that_day_per_person():
    claimed = [
        ticket(claimed_by="ana", claimed_at=NOON + timedelta(minutes=5)),
        ticket(claimed_by="ana", claimed_at=NOON + timedelta(minutes=1)),
        ticket(claimed_by="ben", claimed_at=NOON + timedelta(minutes=3)),
        ticket(claimed_by="ben", claimed_at=NOON + timedelta(days=1)),  # today's claim: not in the report
    ]
    figures = figures_of(claimed)
    assert figures.claims_per_person() == {"ana": 2, "ben": 1}
    assert [each.claimed_at.minute for each in figures.claims] == [1, 3, 5]


# -- the e-mail -----------------------------------------------------------------------------------


def test_subject_says_the_day_the_volume_and_the_share_within_target():
    tickets = [ticket(reply_after=timedelta(minutes=10)) for _ in range(3)] + [
        ticket(reply_after=timedelta(hours=2))
    ]
    assert (
        render(figures_of(tickets)).subject
        == "socialcare daily report, Sun 22 Nov: 4 tickets, 75% within target"
    )


def test_html_escapes_what_it_shows_and_never_the_customers_words():
    figures = figures_of(
        [ticket(claimed_by="<script>alert(1)</script>", claimed_at=NOON, intent="q&a")],
        [
            {
                "incident_id": "I-<1>",
                "account": "x/brand",
                "started_at": NOON,
                "resolved_at": None,
                "mentions": 1,
            }
        ],
    )
    email = render(figures)
    assert "<script>" not in email.html and "&lt;script&gt;" in email.html
    assert "q&amp;a" in email.html and "I-&lt;1&gt;" in email.html
    for part in (email.text, email.html):
        assert "charged twice" not in part
        assert figures.claims[0].ref in part


def test_chart_bars_scale_to_the_busiest_hour():
    assert bar_heights([0, 1, 2, 4]) == [0, CHART_HEIGHT_PX // 4, CHART_HEIGHT_PX // 2, CHART_HEIGHT_PX]
    assert bar_heights([1000, 1]) == [CHART_HEIGHT_PX, 1]  # a quiet hour still shows
    assert bar_heights([0, 0]) == [0, 0]


def test_chart_is_24_table_cells_sized_inline():
    tickets = [ticket(created_at=NOON)] * 1 + [ticket(created_at=NOON + timedelta(hours=1)) for _ in range(2)]
    html = render(figures_of(tickets)).html
    heights = [int(each) for each in re.findall(r"width:\d+px;height:(\d+)px", html)]
    assert heights == [CHART_HEIGHT_PX // 2, CHART_HEIGHT_PX]
    assert html.count('title="') == 24
    assert "<img" not in html and "<style" not in html
