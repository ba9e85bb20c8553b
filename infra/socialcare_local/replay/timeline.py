"""The replay as a person follows it: what happened, minute by minute under a heading for each
date (so days without events show as days), then a summary table."""

from datetime import date, datetime

from socialcare.domain.redaction import redact

from .scenario import BrandReply, Mention, unknown_references

WIDTH = 72


def _clock(iso: str) -> str:
    return iso[11:19]


def _short(text: str, width: int = WIDTH, *, ours: bool = False) -> str:
    """Customers' text is shown redacted (screens get shared); our own replies as posted."""
    text = " ".join((text if ours else redact(text)).split())
    return text if len(text) <= width else text[: width - 1] + "…"


def _minutes(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    minutes, rest = divmod(int(seconds), 60)
    return f"{minutes}m{rest:02d}s"


def timeline_lines(events: list, report: dict) -> list[str]:
    tickets = report["tickets"]
    by_post = {post: t for t in tickets for post in t["post_ids"]}
    by_post.update({t["ack_post_id"]: t for t in tickets if t["ack_post_id"]})
    entries: list[tuple[str, int, str]] = []
    unknown = {(r.type, r.id) for r in unknown_references(events)}
    for event in events:
        at = event.at.strftime("%Y-%m-%dT%H:%M:%SZ") if hasattr(event, "at") else None
        if isinstance(event, Mention):
            ticket = by_post.get(event.id)
            who = f"@{event.author_handle}" if event.author_handle else f"user {event.author_id}"
            note = ""
            if ticket is None:
                note = "  (NOT STORED)"
            elif ticket["post_id"] != event.id:
                note = f"  ({_follow_up(ticket, at)} {ticket['ticket_id']})"
            else:
                note = f"  [{_triage(ticket)}]"
            entries.append((at, 0, f'mention    {who}: "{_short(event.text, 52)}"{note}'))
        elif isinstance(event, BrandReply):
            ticket = by_post.get(event.in_reply_to_id)
            to = (
                f"@{ticket['author_handle'] or ticket['author_id']}"
                if ticket
                else f"post {event.in_reply_to_id}"
            )
            line = f'staff      replied to {to}: "{_short(event.text, 34, ours=True)}"'
            if (event.type, event.id) in unknown:
                line += "  (NO SUCH POST in the scenario)"
            if ticket and ticket["human_replied_at"] == at:
                took = (_at(ticket["human_replied_at"]) - _at(ticket["created_at"])).total_seconds()
                line += f" (first response {_minutes(took)}, clock stopped)"
            elif ticket and ticket["latest_replied_at"] == at:
                line += f" (next reply {_minutes(ticket['latest_response_seconds'])}, clock stopped)"
            entries.append((at, 1, line))
    for t in tickets:
        who = f"@{t['author_handle']}" if t["author_handle"] else f"user {t['author_id']}"
        if t["acknowledged_at"]:
            entries.append(
                (
                    t["acknowledged_at"],
                    2,
                    f'{_ack_label(t)} to {who}: "{_short(t["ack_text"] or "", 58, ours=True)}"',
                )
            )
        elif t["ack_skipped_reason"]:
            entries.append((t["detected_at"], 2, f"no ack     to {who}: {t['ack_skipped_reason']}"))
        if t.get("follow_up_at"):
            text = _short(t.get("follow_up_text") or "", 58, ours=True)
            entries.append((t["follow_up_at"], 2, f'follow-up  to {who}: "{text}"'))
        if t.get("claimed_at"):
            entries.append(
                (t["claimed_at"], 3, f"claimed    {t['ticket_id']} by {t['claimed_by']} (ladder stopped)")
            )
    for incident in report.get("incidents") or []:
        terms = ", ".join(incident["top_terms"]) or "no common words"
        entries.append(
            (_zulu(incident["started_at"]), 6, f"INCIDENT   {incident['incident_id']} opened: {terms}")
        )
        for post in incident["status_posts"]:
            entries.append(
                (_zulu(post["at"]), 6, f'status     posted: "{_short(post["text"], 52, ours=True)}"')
            )
        if incident["resolved_at"]:
            by = incident["resolved_by"]
            entries.append(
                (_zulu(incident["resolved_at"]), 6, f"INCIDENT   {incident['incident_id']} ended ({by})")
            )
    for mail in report["emails"]:
        entries.append((mail["at"], 4, f"e-mail     to {mail['to']}: {_short(mail['subject'], 52)}"))
    for sms in report["sms"]:
        entries.append((sms["at"], 5, f"SMS        to {sms['to']}: {_short(sms['text'], 50)}"))
    entries.sort(key=lambda entry: (entry[0], entry[1]))
    return _dated(_fold_bursts(entries))


def _triage(ticket: dict) -> str:
    """'complaint, urgent, personal data': what triage made of the post that opened the ticket."""
    parts = [ticket.get("intent") or "not triaged", ticket.get("priority") or "normal"]
    return ", ".join(parts + (["personal data"] if ticket.get("personal_data") else []))


def _follow_up(ticket: dict, at: str) -> str:
    if ticket.get("waiting_since") == at:
        return "answers staff, reopens"  # a next reply is due
    if ticket["human_replied_at"] and ticket["human_replied_at"] <= at:
        return "after staff replied, kept with"
    return "follow-up, joins"


def _zulu(iso: str) -> str:
    """An incident's time as the other lines write it (they sort as text)."""
    return _at(iso).strftime("%Y-%m-%dT%H:%M:%SZ")


def _ack_label(ticket: dict) -> str:
    """The reply's kind, padded to the timeline's column: ack, thanks, offline, after-hrs."""
    kind = {"acknowledgement": "ack", "after_hours": "after-hrs"}.get(ticket.get("ack_kind") or "")
    return f"{kind or ticket.get('ack_kind') or 'ack':<10}"


KINDS = {
    0: "mentions",
    1: "staff replies",
    2: "acknowledgements",
    3: "claims",
    4: "e-mails",
    5: "SMS",
    6: "incident lines",
}
SHOWN_PER_MINUTE = 2


def _fold_bursts(entries: list[tuple[str, int, str]]) -> list[tuple[str, str]]:
    """A burst (many lines of one kind in one minute) shows its first lines and a count."""
    lines: list[tuple[str, str]] = []
    index = 0
    while index < len(entries):
        at, kind, _ = entries[index]
        end = index
        while end < len(entries) and entries[end][1] == kind and entries[end][0][:16] == at[:16]:
            end += 1
        group = entries[index:end]
        shown = group if len(group) <= SHOWN_PER_MINUTE + 1 else group[:SHOWN_PER_MINUTE]
        lines += [(when, f"{_clock(when)}  {line}") for when, _, line in shown]
        if len(shown) < len(group):
            more = len(group) - len(shown)
            last = group[-1][0]
            lines.append((last, f"{_clock(last)}  {'':<11}… and {more} more {KINDS[kind]} this minute"))
        index = end
    return lines


def _dated(lines: list[tuple[str, str]]) -> list[str]:
    """A heading line whenever the date changes, saying how many days passed since the last one."""
    shown: list[str] = []
    previous: date | None = None
    for when, line in lines:
        day = date.fromisoformat(when[:10])
        if day != previous:
            gap = (day - previous).days if previous else 0
            later = f"  ({gap} days later, nothing in between)" if gap > 1 else ""
            shown += [*([""] if previous else []), f"{day:%a %Y-%m-%d}{later}"]
            previous = day
        shown.append(line)
    return shown


def _at(iso: str) -> datetime:
    return datetime.fromisoformat(iso.replace("Z", "+00:00"))


def _spec_checks(summary: dict) -> str:
    """A count only where answers were checked; elsewhere "not checked" and why."""
    unchecked = summary.get("spec_not_checked", {})
    return ", ".join(
        f"{name} not checked ({unchecked.get(name, 'no spec')})" if count is None else f"{name} {count}"
        for name, count in summary["spec_violations"].items()
    )


SHOWN_UNKNOWN = 3


def _unknown_posts(references: list[dict]) -> str:
    if not references:
        return "none"
    named = ", ".join(
        f"line {r['line']} ({r['type']} {r['id']} to post {r['names']})" for r in references[:SHOWN_UNKNOWN]
    )
    more = (
        f", and {len(references) - SHOWN_UNKNOWN} more in the report"
        if len(references) > SHOWN_UNKNOWN
        else ""
    )
    return f"{len(references)}: {named}{more}"


def summary_sentence(summary: dict) -> str:
    """The summary in one line, for --quiet."""
    s = summary
    unknown = len(s.get("lines_naming_unknown_posts", []))
    unchecked = ", ".join(s.get("spec_not_checked", {}))
    parts = [
        f"{s['mentions']} mentions in {s['tickets']} tickets: {s['acknowledged']} acknowledged",
        f"{s['answered']} answered by staff",
        f"target met {s['target_met']} / breached {s['target_breached']}",
        f"{s['virtual_minutes']} virtual minutes in {s['wall_seconds']} s",
    ]
    if unknown:
        parts.append(f"{unknown} line{'s' if unknown > 1 else ''} naming unknown posts")
    if unchecked:
        parts.append(f"answers not checked against the spec on {unchecked}")
    return ", ".join(parts)


def _skipped(by_function: dict) -> str:
    """Schedule invocations the replay jumped over: a deployment makes them, finding nothing to do."""
    total = sum(by_function.values())
    return f"{total} (idle minutes not run; Lambda would run them)" if total else "0"


def summary_lines(summary: dict) -> list[str]:
    spread = summary["first_response_seconds"]
    skipped = ", ".join(f"{reason}: {n}" for reason, n in sorted(summary["ack_skipped"].items())) or "none"
    levels = (
        "   ".join(f"level {level}: {n}" for level, n in summary["tickets_escalated_by_level"].items())
        or "none"
    )
    rows = [
        ("Tickets (mentions folded in)", f"{summary['tickets']} ({summary['mentions']} mentions)"),
        (
            "Acknowledged",
            f"{summary['acknowledged']}, {summary['acknowledged_within_a_minute']} within a minute",
        ),
        ("Acknowledgements skipped", skipped),
        ("Acknowledgements still pending", str(summary["ack_pending"])),
        ("Answered by staff", str(summary["answered"])),
        ("Closed by an incident's follow-up", str(summary.get("closed_by_incident_follow_up", 0))),
        (
            "First response",
            f"median {_minutes(spread['median'])}, p90 {_minutes(spread['p90'])}, "
            f"max {_minutes(spread['max'])}",
        ),
        ("Target met / breached", f"{summary['target_met']} / {summary['target_breached']}"),
        ("Tickets escalated", levels),
        ("E-mails / SMS sent", f"{summary['emails']} / {summary['sms']}"),
        ("Posts acknowledged twice", str(summary["posts_with_more_than_one_acknowledgement"])),
        ("Network answers off-spec", _spec_checks(summary)),
        ("Lines naming unknown posts", _unknown_posts(summary.get("lines_naming_unknown_posts", []))),
        ("Replayed", f"{summary['virtual_minutes']} virtual minutes in {summary['wall_seconds']} s"),
        ("Idle invocations skipped", _skipped(summary.get("idle_invocations_skipped") or {})),
    ]
    width = max(len(label) for label, _ in rows)
    rule = "-" * (width + 40)
    return ["Summary", rule, *(f"{label:<{width}}  {value}" for label, value in rows), rule]
