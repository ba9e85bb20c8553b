"""Digests: the alerts due for one recipient and channel in one sweep, as ONE e-mail and ONE SMS.

A single due alert keeps its own message (domain.alerts); two or more become "7 tickets need a reply,
oldest 52 min", one line per ticket. Lines come urgent first, then breached, then oldest, so when an
SMS must cut, it cuts the tickets that can wait most. The SMS stays within SMS_MAX_SEGMENTS segments:
it lists as many tickets as fit (without their links and words: those are in the e-mail) and says how
many more the e-mail has. The SMS budget's note ("+5 more since 14:10 by e-mail") goes first, so it is
never the part that is cut.
"""

import html
from dataclasses import dataclass
from datetime import datetime

from .alerts import (
    HANDLE_LIMIT,
    LABEL_LIMIT,
    SMS_HANDLE_LIMIT,
    SUBJECT_LIMIT,
    AlertSubject,
    Email,
    _fits_sms,
    _flags,
    _longest_fitting,
    _state,
    _who,
    one_line,
    safe_url,
)
from .tickets import AlertRequest
from .timefmt import to_iso


@dataclass(frozen=True)
class DigestRecord:
    """One digest as stored before it is sent: the ticket steps it combines (ticket key, level) and
    the very message, so a re-send after a crash is the same message under the same key."""

    request: AlertRequest  # its key: recipient, via and the sweep that made it
    recipient: str
    entries: tuple[tuple[str, int], ...]
    folded: int = 0  # SMS the recipient's budget folded, told in this one


def digest_key(recipient: str, via: str, sweep_id: str) -> str:
    return f"digest#{recipient}#{via}#{sweep_id}"


@dataclass(frozen=True)
class FoldedNote:
    """SMS the recipient's hourly budget sent by e-mail only, since the last SMS that went out."""

    count: int
    since: datetime


def ordered(subjects: list[AlertSubject]) -> list[AlertSubject]:
    """Urgent first, then breached, then the oldest: what a person should open first."""
    return sorted(subjects, key=lambda s: (s.priority != "urgent", not s.breached, s.created_at))


def _age(subjects: list[AlertSubject], now: datetime) -> str:
    oldest = min(s.created_at for s in subjects)
    minutes = max(int((now - oldest).total_seconds() // 60), 0)
    if minutes < 120:
        return f"{minutes} min"
    return f"{minutes // 60} h {minutes % 60:02d} min"


def headline(subjects: list[AlertSubject], now: datetime) -> str:
    urgent = sum(s.priority == "urgent" for s in subjects)
    flag = f"{urgent} URGENT, " if urgent else ""
    return f"{len(subjects)} tickets need a reply ({flag}oldest {_age(subjects, now)})"


def folded_text(note: FoldedNote | None) -> str:
    if note is None or note.count <= 0:
        return ""
    return f"+{note.count} more since {note.since:%H:%M} by e-mail"


def _label(subject: AlertSubject, handle_limit: int) -> str:
    return (
        f"{_flags(subject)}{one_line(subject.ref, LABEL_LIMIT)} "
        f"{one_line(subject.channel_name, LABEL_LIMIT)} {_who(subject.author_handle, handle_limit)}"
    )


def _links(subject: AlertSubject) -> list[tuple[str, str]]:
    """(label, url) of a ticket's links: the post to reply on, and its claim page."""
    url = safe_url(subject.post_url)
    claim = safe_url(subject.claim_url) if subject.claim_url else None
    return [("reply", url)] * bool(url) + [("claim", claim)] * bool(claim)


def render_digest_email(subjects: list[AlertSubject], now: datetime) -> Email:
    listed = ordered(subjects)
    title = headline(listed, now)
    lines = [f"socialcare: {title}.", ""]
    e = html.escape
    body = [f"<p><strong>{e(title)}</strong></p><ul>"]
    for subject in listed:
        label = _label(subject, HANDLE_LIMIT)
        state = _state(subject, now)
        left = "" if subject.breached else f", due {to_iso(subject.due_at)}"
        links = _links(subject)
        where = (
            " ".join(f"{name}: {url}" for name, url in links)
            if links
            else f"reply on {one_line(subject.channel_name, LABEL_LIMIT)} (no link)"
        )
        lines.append(f"  {label}: {state}{left}, level {subject.level} of {subject.level_count}")
        lines.append(f"    {where}")
        anchors = " ".join(f'<a href="{e(url, quote=True)}">{e(name)}</a>' for name, url in links)
        body.append(
            f"<li>{e(label)}: <strong>{e(state)}</strong>{e(left)}, level {subject.level} of "
            f"{subject.level_count}. {anchors or e(where)}</li>"
        )
    body.append("</ul>")
    note = "Each ticket's own alert has the customer's words; nobody has replied on the channel yet."
    lines += ["", note]
    body.append(f"<p>{e(note)}</p>")
    return Email(
        subject=one_line(f"[socialcare] {title}", SUBJECT_LIMIT), text="\n".join(lines), html="".join(body)
    )


def render_digest_sms(subjects: list[AlertSubject], now: datetime, folded: FoldedNote | None = None) -> str:
    """Within SMS_MAX_SEGMENTS: the count and oldest age, the budget's note, then ticket after ticket
    (state only) while they fit, then "+N in the e-mail" for those cut."""
    listed = ordered(subjects)
    note = folded_text(folded)
    head = f"socialcare {headline(listed, now)}" + (f" {note}" if note else "") + ":"
    if not _fits_sms(head):
        return _longest_fitting("", head, "")
    text = head
    for shown, subject in enumerate(listed):
        line = f" {_label(subject, SMS_HANDLE_LIMIT)} {_state(subject, now)};"
        rest = len(listed) - shown - 1
        more = f" +{rest} in the e-mail" if rest else ""
        if _fits_sms(text + line + more):
            text += line
            continue
        return text + f" +{len(listed) - shown} in the e-mail"
    return text.rstrip(";")


def folded_prefix(folded: FoldedNote | None) -> str:
    """The budget's note in front of a single ticket's SMS (render_sms cuts the words, not the link)."""
    note = folded_text(folded)
    return f"{note}. " if note else ""
