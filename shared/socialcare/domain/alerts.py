"""What staff receive: e-mail (text and HTML) and SMS for one escalation level of one ticket, and the
summary of what an hourly ceiling held back.

Every field may be hostile (a customer's words, a handle some network allows anything in), so each
transport gets text it can carry: lone surrogates (which no encoder accepts) are replaced, control
characters dropped, subjects kept on one bounded line (a CR/LF in a header is refused, or injects
one), SMS counted in the alphabet the carrier will use, HTML escaped, links percent-encoded.
"""

import html
import math
import re
import urllib.parse
from dataclasses import dataclass
from datetime import datetime, timedelta

from .business_hours import ResponsePolicy
from .ladder import describe_time_left
from .redaction import redact
from .timefmt import to_iso

SUBJECT_LIMIT = 160  # characters; clients show fewer, and the state comes first
HANDLE_LIMIT = 40  # a handle in a subject or a list line: the rest of the line must stay readable
LABEL_LIMIT = 20  # a reference or channel name: ours, but bounded like everything else
QUOTE_LIMIT = 5_000  # the customer's words in an e-mail (a blog comment may be 65,000)
URL_LIMIT = 2_000
SMS_MAX_SEGMENTS = 2  # per alert: a second segment buys room for the customer's words, no more
SMS_HANDLE_LIMIT = 20
SMS_ELLIPSIS = "..."  # "…" is not in GSM-7: it would switch the whole message to UCS-2

REPLACEMENT = "\ufffd"
_SURROGATE = re.compile("[\ud800-\udfff]")
_BREAK = re.compile("\r\n|[\r\x0b\x0c\x1c-\x1e\x85\u2028\u2029]")
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")  # C0 and C1, except tab and line feed
# Bidi embeddings, overrides and isolates: on one line they reorder what follows them (a handle that
# reverses the rest of the subject). Marks (LRM, RLM) only hint at direction and stay.
_BIDI_CONTROL = re.compile("[\u202a-\u202e\u2066-\u2069]")
_URL_SAFE = ":/?#[]@!$&'()*+,;=%~"

# GSM 03.38: the default alphabet (one septet each) and its extension table (two: escape + char).
GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENDED = frozenset("^{}\\[~]|€\f")


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
    ack_failed: bool = False  # the public acknowledgement was never posted
    ack_error: str | None = None
    priority: str = "normal"  # from triage: urgent tickets say so first
    intent: str | None = None
    personal_data: bool = False  # the post holds personal data: answer privately
    # The ticket's clock, so "time left" counts business time and says when a closed team opens.
    response: ResponsePolicy | None = None
    claim_url: str = ""  # a signed link to claim the ticket (empty: no claim page deployed)


@dataclass(frozen=True)
class Email:
    subject: str
    text: str
    html: str


# -- text any transport can carry -----------------------------------------------------------------


def clean_text(text: str) -> str:
    """`text` with lone surrogates replaced, every line break as LF, and other controls (tab aside) gone."""
    text = _SURROGATE.sub(REPLACEMENT, text)
    return _CONTROL.sub("", _BREAK.sub("\n", text))


def one_line(text: str, limit: int | None = None) -> str:
    """`text` on one line (any run of whitespace or line breaks is one space), cut to `limit`.
    With a limit, only the start of a huge field is read: cleaning never needs more than that."""
    if limit is not None:
        text = text[: limit * 16]
    flat = " ".join(_BIDI_CONTROL.sub("", clean_text(text)).split())
    return flat if limit is None else _cut(flat, limit)


def _cut(text: str, limit: int, ellipsis: str = "…") -> str:
    if len(text) <= limit:
        return text
    return text[: max(limit - len(ellipsis), 0)].rstrip() + ellipsis


def safe_url(url: str) -> str | None:
    """The link percent-encoded, so nothing in it breaks a line, a header or an attribute; None when it
    is not http(s) or absurdly long (the alert then goes without a link rather than not at all)."""
    if len(url) > URL_LIMIT:
        return None
    quoted = urllib.parse.quote(clean_text(url).strip(), safe=_URL_SAFE)
    if not re.match(r"https?://[^/]", quoted, re.IGNORECASE) or len(quoted) > URL_LIMIT:
        return None
    return quoted


def sms_segments(text: str) -> int:
    """How many SMS segments `text` costs: GSM-7 when every character is in it (160 in one segment,
    153 per part of a longer one; the extension table counts twice), else UCS-2 (70, 67 per part,
    counted in UTF-16 units, so an emoji counts twice)."""
    if all(ch in GSM7_BASIC or ch in GSM7_EXTENDED for ch in text):
        units = len(text) + sum(ch in GSM7_EXTENDED for ch in text)
        single, part = 160, 153
    else:
        units = sum(2 if ord(ch) > 0xFFFF else 1 for ch in text)
        single, part = 70, 67
    return 1 if units <= single else math.ceil(units / part)


def _fits_sms(text: str) -> bool:
    return sms_segments(text) <= SMS_MAX_SEGMENTS


def _longest_fitting(before: str, body: str, after: str) -> str:
    """`before` + as much of `body` as fits + `after`. Cost never falls as the body grows (a longer
    prefix has more units and can only switch GSM-7 to UCS-2), so a binary search finds the cut."""
    if _fits_sms(before + body + after):
        return before + body + after
    low, high = 0, len(body)  # body[:low] + ellipsis fits (or low is 0); body[:high] does not
    while high - low > 1:
        middle = (low + high) // 2
        if _fits_sms(before + body[:middle].rstrip() + SMS_ELLIPSIS + after):
            low = middle
        else:
            high = middle
    cut = body[:low].rstrip()
    return before + cut + SMS_ELLIPSIS + after if cut else before.rstrip() + after


# -- one ticket's alert ---------------------------------------------------------------------------


def _who(handle: str | None, limit: int) -> str:
    name = one_line(handle, limit) if handle else ""
    return f"@{name}" if name else "a customer"


def _state(subject: AlertSubject, now: datetime) -> str:
    return "BREACHED" if subject.breached else _time_left(subject, now)


def _time_left(subject: "AlertSubject | HeldTicket", now: datetime) -> str:
    return describe_time_left(subject.due_at, now, subject.response, subject.priority)


def _ack_reason(subject: AlertSubject) -> str:
    return one_line(subject.ack_error, 200) if subject.ack_error else "posting it failed"


PRIVATE_NOTE = (
    "The post holds personal data: continue privately (the customer was invited to), "
    "and don't repeat it in public."
)


def _flags(subject: AlertSubject) -> str:
    """'URGENT ', 'URGENT, personal data ': what changes how a person answers, first."""
    flags = [
        f
        for f, on in (("URGENT", subject.priority == "urgent"), ("personal data", subject.personal_data))
        if on
    ]
    return ", ".join(flags) + " " if flags else ""


def _headline(subject: AlertSubject, now: datetime) -> str:
    ack = ", no acknowledgement sent" if subject.ack_failed else ""
    return one_line(
        f"{_flags(subject)}[{one_line(subject.ref, LABEL_LIMIT)}] "
        f"{one_line(subject.channel_name, LABEL_LIMIT)} "
        f"{_who(subject.author_handle, HANDLE_LIMIT)}: {_state(subject, now)}, no reply yet{ack}",
        SUBJECT_LIMIT,
    )


def render_email(subject: AlertSubject, now: datetime) -> Email:
    who = _who(subject.author_handle, HANDLE_LIMIT)
    channel = one_line(subject.channel_name, LABEL_LIMIT)
    ref = one_line(subject.ref, LABEL_LIMIT)
    words = _cut(clean_text(subject.text[: QUOTE_LIMIT * 2]).strip(), QUOTE_LIMIT)
    url = safe_url(subject.post_url)
    left = _time_left(subject, now)
    claim = safe_url(subject.claim_url) if subject.claim_url else None
    ack = f"The customer got no public acknowledgement ({_ack_reason(subject)})."
    lines = [
        f"{who} wrote on {channel} at {to_iso(subject.created_at)}:",
        "",
        *(f"    {line}" for line in words.split("\n")),
        "",
        *([ack, ""] if subject.ack_failed else []),
        *([PRIVATE_NOTE, ""] if subject.personal_data else []),
        *(["Triage: urgent.", ""] if subject.priority == "urgent" else []),
        f"Reply here: {url}" if url else f"Reply on {channel} (no link could be made for this post).",
        f"Ticket {ref}, response due {to_iso(subject.due_at)} ({left}).",
        f"Escalation level {subject.level} of {subject.level_count}. Nobody has replied on the channel yet.",
        *(["", f"Take it (stops further alerts): {claim}"] if claim else []),
    ]
    e = html.escape
    link = (
        f'<p><a href="{e(url, quote=True)}">Reply on {e(channel)}</a></p>'
        if url
        else f"<p>Reply on {e(channel)} (no link could be made for this post).</p>"
    )
    body = (
        f"<p><strong>{e(who)}</strong> wrote on {e(channel)} at {e(to_iso(subject.created_at))}:</p>"
        f"<blockquote>{e(words).replace(chr(10), '<br>')}</blockquote>"
        + (f"<p><strong>{e(ack)}</strong></p>" if subject.ack_failed else "")
        + (f"<p><strong>{e(PRIVATE_NOTE)}</strong></p>" if subject.personal_data else "")
        + ("<p><strong>Triage: urgent.</strong></p>" if subject.priority == "urgent" else "")
        + link
        + f"<p>Ticket <strong>{e(ref)}</strong>, response due {e(to_iso(subject.due_at))} "
        f"(<strong>{e(left)}</strong>).<br>Escalation level {subject.level} of {subject.level_count}."
        " Nobody has replied on the channel yet.</p>"
        + (
            f'<p><a href="{e(claim, quote=True)}">Claim this ticket</a> (stops further alerts)</p>'
            if claim
            else ""
        )
    )
    return Email(subject=_headline(subject, now), text="\n".join(lines), html=body)


def render_sms(subject: AlertSubject, now: datetime, prefix: str = "") -> str:
    """At most SMS_MAX_SEGMENTS segments: `prefix` (the SMS budget's note), reference, who, time left,
    the post's link, the claim link, then as much of the customer's words as fits. The claim link
    comes before the post's (its page links the post) and before the words; a link goes only when
    even the head would not fit with it (the e-mail has both)."""
    ack = ", no ack sent" if subject.ack_failed else ""
    head = (
        f"{prefix}socialcare {_flags(subject)}{one_line(subject.ref, LABEL_LIMIT)} "
        f"{one_line(subject.channel_name, LABEL_LIMIT)} "
        f"{_who(subject.author_handle, SMS_HANDLE_LIMIT)} {_state(subject, now)}{ack}:"
    )
    # Every SMS carries the claim link (on-call claims from the phone it rang): a second segment is
    # the price, while the SMS budget and digests keep the number of SMS down.
    claim = safe_url(subject.claim_url) if subject.claim_url else None
    if claim and not _fits_sms(f"{head} Claim: {claim}"):
        # A handle outside GSM-7 turns the whole SMS into UCS-2 (67 characters a part), where the
        # link alone fills two: the head gives up those characters (the e-mail has them) instead.
        head = gsm7_only(head)
    return _sms(subject, head, claim)


def gsm7_only(text: str) -> str:
    return "".join(ch if ch in GSM7_BASIC or ch in GSM7_EXTENDED else "?" for ch in text)


def _sms(subject: AlertSubject, head: str, claim: str | None) -> str:
    url = safe_url(subject.post_url)
    tail = f" Claim: {claim}" if claim and _fits_sms(f"{head} Claim: {claim}") else ""
    if url and _fits_sms(f"{head} {url}{tail}"):
        tail = f" {url}{tail}"
    if not tail and not _fits_sms(head):
        return _longest_fitting("", head, "")
    # SMS crosses carriers and lock screens: personal data stays in the e-mail and on the channel.
    # Only the start of the words can fit, so only the start is redacted; a number cut in two at
    # that end lies far beyond what is kept, even after masks shorten what comes before it.
    budget = 160 * SMS_MAX_SEGMENTS
    words = redact(one_line(subject.text)[: budget * 4])[:budget]
    return _longest_fitting(head + " ", words, tail) if words else head + tail


# -- what a ceiling held back ---------------------------------------------------------------------


@dataclass(frozen=True)
class HeldTicket:
    ref: str
    channel_name: str
    author_handle: str | None
    post_url: str
    due_at: datetime
    answered: bool
    response: ResponsePolicy | None = None
    priority: str | None = None


@dataclass(frozen=True)
class HeldSection:
    held: int  # alerts (or acknowledgements) the ceiling held back in the hour
    tickets: tuple[HeldTicket, ...]  # the tickets they were for, each once
    complete: bool  # False when some could not be listed (the list is bounded; tickets expire)


@dataclass(frozen=True)
class HeldBackSummary:
    account_name: str  # "X @AcmeCare"
    hour_start: datetime
    alerts: HeldSection | None
    acknowledgements: HeldSection | None


def _held_line(ticket: HeldTicket, now: datetime) -> tuple[str, str, str | None]:
    """(label, state, link) of one held ticket."""
    label = (
        f"{one_line(ticket.ref, LABEL_LIMIT)} {one_line(ticket.channel_name, LABEL_LIMIT)} "
        f"{_who(ticket.author_handle, HANDLE_LIMIT)}"
    )
    state = "answered since" if ticket.answered else _time_left(ticket, now)
    return label, state, safe_url(ticket.post_url)


def _sections(summary: HeldBackSummary) -> list[tuple[str, str, HeldSection]]:
    """(what was held, what that means, the section) for each kind that held something."""
    found = []
    if summary.alerts and summary.alerts.held:
        found.append((f"{summary.alerts.held} alerts", "recorded on their tickets, not sent", summary.alerts))
    if summary.acknowledgements and summary.acknowledgements.held:
        held = summary.acknowledgements.held
        found.append(
            (f"{held} public acknowledgements", "these customers got none", summary.acknowledgements)
        )
    return found


def render_held_back_summary(summary: HeldBackSummary, now: datetime) -> Email:
    """One e-mail per account and clock hour: what its hourly ceilings held back, ticket by ticket."""
    account = one_line(summary.account_name, HANDLE_LIMIT + LABEL_LIMIT)
    start = summary.hour_start
    hours = f"{start:%Y-%m-%d %H:%M}-{start + timedelta(hours=1):%H:%M} UTC"
    sections = _sections(summary)
    counts = " and ".join(what for what, _, _ in sections) or "nothing"
    lines = [f"Between {hours} the hourly ceilings of {account} held back:"]
    e = html.escape
    body = [f"<p>Between {e(hours)} the hourly ceilings of <strong>{e(account)}</strong> held back:</p>"]
    for what, meaning, section in sections:
        title = f"{what} ({meaning})"
        lines += ["", f"{title}:"]
        body.append(f"<p>{e(title)}:</p><ul>")
        for ticket in section.tickets:
            label, state, url = _held_line(ticket, now)
            lines.append(f"  {label}, {state}" + (f": {url}" if url else ""))
            link = f' <a href="{e(url, quote=True)}">open</a>' if url else ""
            body.append(f"<li>{e(label)}, {e(state)}{link}</li>")
        if not section.complete:
            lines.append("  (not all of them could be listed)")
            body.append("<li>(not all of them could be listed)</li>")
        body.append("</ul>")
    advice = (
        "If this was not abuse, raise limits.account_alerts_per_hour or limits.account_acks_per_hour "
        "in the configuration."
    )
    lines += ["", advice]
    body.append(f"<p>{e(advice)}</p>")
    subject = one_line(
        f"[socialcare] {account}: {counts} held back by the hourly ceiling, {hours}", SUBJECT_LIMIT
    )
    return Email(subject=subject, text="\n".join(lines), html="".join(body))
