"""The daily report as an e-mail: a subject that says the day's two numbers, a plain-text part, and
an HTML part whose chart (tickets per hour) is a table of inline-styled cells, which every mail
client draws (no images, no scripts, no style sheet). Only ticket refs appear: no customer words."""

import html

from .alerts import Email
from .daily_report import DailyFigures

CHART_HEIGHT_PX = 80
BAR_WIDTH_PX = 14


def duration_text(seconds: float | None) -> str:
    if seconds is None:
        return "n/a"
    minutes = round(seconds / 60)
    if minutes < 60:
        return f"{minutes} min"
    return f"{minutes // 60} h {minutes % 60:02d} min"


def subject(figures: DailyFigures) -> str:
    day = figures.day.day.strftime("%a %d %b")
    percent = figures.within_target_percent
    within = f"{percent}% within target" if percent is not None else "no target outcome yet"
    tickets = f"{figures.tickets} ticket{'' if figures.tickets == 1 else 's'}"
    return f"socialcare daily report, {day}: {tickets}, {within}"


def bar_heights(per_hour: list[int], height: int = CHART_HEIGHT_PX) -> list[int]:
    """Pixel heights, the busiest hour full height; any hour with a ticket at least 1 px."""
    busiest = max(per_hour, default=0)
    if not busiest:
        return [0] * len(per_hour)
    return [max(1, round(height * count / busiest)) if count else 0 for count in per_hour]


def _rows(figures: DailyFigures) -> list[tuple[str, list[tuple[str, str]]]]:
    """The report's tables as (title, [(label, value)]): the text and HTML parts show the same."""
    total = figures.target_total
    tables = [
        ("Per network", [(name, str(count)) for name, count in figures.per_network.items()]),
        ("Per intent", [(name, str(count)) for name, count in figures.per_intent.items()]),
        (
            "First response by staff (first post to staff's first reply)",
            [
                ("median", duration_text(figures.first_response_median)),
                ("90th percentile", duration_text(figures.first_response_p90)),
                ("tickets answered", str(figures.responses)),
            ],
        ),
        (
            "Response target (met / breached / still open)",
            [
                (priority, f"{counts.met} / {counts.breached} / {counts.still_open}")
                for priority, counts in figures.targets.items()
            ]
            + [("all", f"{total.met} / {total.breached} / {total.still_open}")],
        ),
    ]
    longest = figures.longest_incident
    incidents = [("incidents", str(len(figures.incidents)))]
    if longest:
        incidents += [
            ("mentions in incidents", str(figures.incident_mentions)),
            (
                "longest",
                f"{longest.incident_id} ({longest.account}), "
                f"{duration_text(longest.duration(figures.day.ends_at).total_seconds())}"
                + ("" if longest.resolved_at else ", still open at midnight"),
            ),
        ]
    tables.append(("Incidents", incidents))
    claims = [(person, f"{count} claimed") for person, count in figures.claims_per_person().items()]
    claims += [
        (claim.ref, f"{claim.claimed_by} at {figures.day.local_time(claim.claimed_at)}")
        for claim in figures.claims
    ]
    tables.append(("Who claimed what", claims or [("claims", "none")]))
    return tables


def _hour_label(hour: int) -> str:
    return f"{hour:02d}"


def render_text(figures: DailyFigures) -> str:
    day = figures.day
    lines = [
        subject(figures),
        f"Day: {day.day.isoformat()} ({day.zone_name} local time, midnight to midnight)",
        "",
        "Tickets per hour:",
    ]
    busiest = max(figures.per_hour, default=0)
    for hour, count in enumerate(figures.per_hour):
        bar = "#" * (round(30 * count / busiest) if busiest else 0)
        lines.append(f"  {_hour_label(hour)}h {count:5d} {bar}")
    for title, rows in _rows(figures):
        lines += ["", f"{title}:"]
        lines += [f"  {label}: {value}" for label, value in rows] or ["  none"]
    lines += [
        "",
        "The first response is staff's first reply; the automated acknowledgement is not counted.",
    ]
    return "\n".join(lines) + "\n"


def render_chart(per_hour: list[int]) -> str:
    heights = bar_heights(per_hour)
    cells = []
    for hour, (count, height) in enumerate(zip(per_hour, heights, strict=True)):
        bar = (
            f'<div style="background:#2f6fdf;width:{BAR_WIDTH_PX}px;height:{height}px;'
            f'font-size:0;line-height:0">&nbsp;</div>'
            if height
            else ""
        )
        cells.append(
            f'<td style="vertical-align:bottom;padding:0 1px;height:{CHART_HEIGHT_PX}px" '
            f'title="{_hour_label(hour)}h: {count}">{bar}</td>'
        )
    labels = "".join(
        f'<td style="font-size:9px;color:#666;text-align:center">{_hour_label(hour)}</td>'
        for hour in range(len(per_hour))
    )
    return (
        '<table role="img" aria-label="tickets per hour" cellpadding="0" cellspacing="0" '
        'style="border-collapse:collapse">'
        f"<tr>{''.join(cells)}</tr><tr>{labels}</tr></table>"
    )


def render_html(figures: DailyFigures) -> str:
    escape = html.escape
    day = figures.day
    parts = [
        '<div style="font-family:Arial,sans-serif;font-size:14px;color:#222">',
        f'<h2 style="font-size:18px">{escape(subject(figures))}</h2>',
        f"<p>{escape(day.day.isoformat())} ({escape(day.zone_name)} local time, midnight to midnight)</p>",
        '<h3 style="font-size:15px">Tickets per hour</h3>',
        render_chart(figures.per_hour),
    ]
    for title, rows in _rows(figures):
        parts.append(f'<h3 style="font-size:15px">{escape(title)}</h3>')
        parts.append('<table cellpadding="4" style="border-collapse:collapse">')
        parts += [
            f'<tr><td style="border-bottom:1px solid #ddd">{escape(label)}</td>'
            f'<td style="border-bottom:1px solid #ddd;text-align:right">{escape(value)}</td></tr>'
            for label, value in rows
        ]
        parts.append("</table>")
    parts.append(
        '<p style="color:#666">The first response is staff\'s first reply; the automated '
        "acknowledgement is not counted.</p></div>"
    )
    return "".join(parts)


def render(figures: DailyFigures) -> Email:
    return Email(subject(figures), render_text(figures), render_html(figures))
