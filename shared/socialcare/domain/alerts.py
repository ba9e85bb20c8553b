"""What staff receive: e-mail (text and HTML) and SMS for one escalation level of one ticket.

Staff need the customer's words to act, so alerts carry them; HTML is escaped because the text
is hostile input as far as a mail client is concerned.
"""

import html
from dataclasses import dataclass
from datetime import datetime

from .ladder import describe_time_left
from .redaction import redact
from .timefmt import to_iso

SMS_LIMIT = 160


@dataclass(frozen=True)
class AlertSubject:
    ref: str
    channel_name: str  # "X"
    author_handle: str | None
    text: str
    post_url: str
    created_at: datetime
    due_at: datetime
    level: int
    level_count: int
    breached: bool


@dataclass(frozen=True)
class Email:
    subject: str
    text: str
    html: str


def _who(subject: AlertSubject) -> str:
    return f"@{subject.author_handle}" if subject.author_handle else "a customer"


def _headline(subject: AlertSubject, now: datetime) -> str:
    state = "BREACHED" if subject.breached else describe_time_left(subject.due_at, now)
    return f"[{subject.ref}] {subject.channel_name} {_who(subject)}: {state}, no reply yet"


def render_email(subject: AlertSubject, now: datetime) -> Email:
    left = describe_time_left(subject.due_at, now)
    lines = [
        f"{_who(subject)} wrote on {subject.channel_name} at {to_iso(subject.created_at)}:",
        "",
        f"    {subject.text}",
        "",
        f"Reply here: {subject.post_url}",
        f"Ticket {subject.ref}, response due {to_iso(subject.due_at)} ({left}).",
        f"Escalation level {subject.level} of {subject.level_count}. Nobody has replied on the channel yet.",
    ]
    e = html.escape
    body = (
        f"<p><strong>{e(_who(subject))}</strong> wrote on {e(subject.channel_name)} at "
        f"{e(to_iso(subject.created_at))}:</p>"
        f"<blockquote>{e(subject.text)}</blockquote>"
        f'<p><a href="{e(subject.post_url, quote=True)}">Reply on {e(subject.channel_name)}</a></p>'
        f"<p>Ticket <strong>{e(subject.ref)}</strong>, response due {e(to_iso(subject.due_at))} "
        f"(<strong>{e(left)}</strong>).<br>Escalation level {subject.level} of {subject.level_count}."
        " Nobody has replied on the channel yet.</p>"
    )
    return Email(subject=_headline(subject, now), text="\n".join(lines), html=body)


def render_sms(subject: AlertSubject, now: datetime) -> str:
    """Short enough for one SMS: reference, time left, who, the link, then as much text as fits."""
    state = "BREACHED" if subject.breached else describe_time_left(subject.due_at, now)
    head = f"socialcare {subject.ref} {subject.channel_name} {_who(subject)} {state}: "
    tail = f" {subject.post_url}"
    room = SMS_LIMIT - len(head) - len(tail)
    # SMS crosses carriers and lock screens: personal data stays in the e-mail and on the channel.
    text = " ".join(redact(subject.text).split())
    if len(text) > room:
        text = text[: max(room - 1, 0)].rstrip() + "…"
    return head + text + tail
