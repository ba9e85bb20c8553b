"""Acknowledgement templates: safe substitution of known fields, variants, length limits.

Templates come from configuration; customers' text never does. The only field taken from a
mention is the author's handle, and only when it looks like a handle, so nothing a customer
writes is ever evaluated or echoed.
"""

import hashlib
import re
from collections.abc import Callable, Sequence
from string import Formatter

from .redaction import personal_data_in

KNOWN_FIELDS = frozenset(
    {"ref", "response_time", "minutes", "brand", "author", "opens", "contact", "status_page"}
)

# The kinds of reply (the report's `ack_kind`), and what each template must and must not carry: a
# thank-you for praise promises nothing and opens nothing, an after-hours reply says when the team is
# back, every other reply gives the reference staff will ask for.
ACKNOWLEDGEMENT, THANKS, OFFLINE, AFTER_HOURS = "acknowledgement", "thanks", "offline", "after_hours"
ACK_KINDS = (ACKNOWLEDGEMENT, THANKS, OFFLINE, AFTER_HOURS)
# A mention that belongs to an open incident gets a status update (config `incidents.reply`): it
# promises no per-ticket response time, since its ticket waits for the incident, not a person.
INCIDENT = "incident"
# When an incident ends with `after: close`, its tickets get a follow-up: "it is fixed now".
FOLLOW_UP = "follow_up"
_REQUIRED = {
    ACKNOWLEDGEMENT: {"ref"},
    THANKS: set(),
    OFFLINE: {"ref"},
    AFTER_HOURS: {"ref", "opens"},
    # The reference too: it makes each reply distinct (X refuses the same text twice, and an outage
    # brings many customers at once) and it is what staff ask for later.
    INCIDENT: {"ref"},
    FOLLOW_UP: {"ref"},
}
_FORBIDDEN = {
    ACKNOWLEDGEMENT: {"opens", "status_page"},
    THANKS: {"ref", "response_time", "minutes", "opens", "status_page"},
    OFFLINE: {"opens", "status_page"},
    AFTER_HOURS: {"response_time", "minutes", "status_page"},
    INCIDENT: {"response_time", "minutes", "opens", "contact"},
    FOLLOW_UP: {"response_time", "minutes", "opens", "contact"},
}
# The longest "opens" phrase a calendar gives (see the response policy), for the length check.
LONGEST_OPENS = "on Wednesday 30 September at 12:30 (Europe/London)"
_HANDLE = re.compile(r"[A-Za-z0-9_.\-]{1,30}")  # matched whole: "$" would let "jane\n" through
ELLIPSIS = "…"
# The configuration allows targets up to a week; the check measures a template with the longest.
LONGEST_TARGET_MINUTES = 7 * 24 * 60 - 1  # "within 10079 minutes"

LengthFn = Callable[[str], int]


class TemplateError(ValueError):
    pass


def _parts(template: str) -> list[tuple[str, str | None]]:
    """(literal, field) pairs; rejects anything beyond a bare known field name."""
    parts: list[tuple[str, str | None]] = []
    try:
        parsed = list(Formatter().parse(template))
    except ValueError as error:
        raise TemplateError(f"unbalanced braces in template {template!r}: {error}") from None
    for literal, field, spec, conversion in parsed:
        if field is not None and (spec or conversion or field not in KNOWN_FIELDS):
            raise TemplateError(
                f"unknown placeholder {{{field}}} in template {template!r}; "
                f"known: {', '.join(sorted(KNOWN_FIELDS))}"
            )
        parts.append((literal, field))
    return parts


def check_template(
    template: str,
    max_length: int,
    length: LengthFn = len,
    *,
    kind: str = ACKNOWLEDGEMENT,
    contact: str = "",
    status_page: str = "",
) -> None:
    """Fail loudly at configuration time: bad placeholders, a field the kind of reply must carry or
    must not, or too long for the channel (`contact`: the configured private contact, as sent)."""
    if not _is_text(template):
        raise TemplateError(f"template {template!r} is not valid Unicode text (a lone surrogate)")
    parts = _parts(template)
    used = {field for _, field in parts}
    for field in sorted(_REQUIRED[kind] - used):
        what = "the ticket reference {ref}" if field == "ref" else f"{{{field}}}"
        raise TemplateError(f"{kind} template {template!r} must carry {what}")
    for field in sorted(_FORBIDDEN[kind] & used):
        raise TemplateError(f"{kind} template {template!r} must not carry {{{field}}}")
    longest = _substitute(
        parts,
        {
            "ref": "W" * 8,
            "response_time": response_time_phrase(LONGEST_TARGET_MINUTES),
            "minutes": str(LONGEST_TARGET_MINUTES + 1),
            "brand": "W" * 30,
            "author": "@" + "W" * 30,
            "opens": LONGEST_OPENS,
            "contact": contact,
            "status_page": status_page,
        },
    )
    if length(longest) > max_length:
        raise TemplateError(
            f"template {template!r} can reach {length(longest)} characters, over the channel's {max_length}"
        )


def response_time_phrase(minutes: int) -> str:
    if minutes == 60:
        return "within the hour"
    if minutes % 60 == 0:
        return f"within {minutes // 60} hours"
    return f"within {minutes} minutes"


def choose_variant(variants: Sequence[str], ticket_id: str) -> str:
    """Deterministic per ticket (a retry renders the same text), spread across tickets (X
    restricts apps that post identical automated replies)."""
    digest = hashlib.sha256(ticket_id.encode("utf-8", "surrogatepass")).digest()
    return variants[int.from_bytes(digest[:4], "big") % len(variants)]


def render_acknowledgement(
    variants: Sequence[str],
    *,
    ticket_id: str,
    ref: str,
    target_minutes: int,
    brand_handle: str,
    author_handle: str | None,
    mention_text: str,
    max_length: int,
    length: LengthFn = len,
    opens: str = "",
    contact: str = "",
    status_page: str = "",
) -> str:
    """The reply to post: one of the `variants` (of the ticket's kind of reply), its fields filled."""
    fields = {
        "ref": ref,
        "response_time": response_time_phrase(target_minutes),
        "minutes": str(target_minutes),
        "brand": brand_handle,
        "author": f"@{author_handle}" if author_handle and _HANDLE.fullmatch(author_handle) else "",
        "opens": opens,
        "contact": contact,
        "status_page": status_page,
    }
    text = _substitute(_parts(choose_variant(variants, ticket_id)), fields)
    # Defence in depth: nothing that looks like personal data in the mention may reappear.
    for fragment in personal_data_in(mention_text):
        text = text.replace(fragment, "")
    # A field left empty (no usable handle) must not leave "Thanks , logged" behind.
    text = re.sub(r"[ \t]+([,.;:!?])", r"\1", re.sub(r"[ \t]{2,}", " ", text)).strip()
    return fit(text, max_length, length)


def _is_text(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _substitute(parts: list[tuple[str, str | None]], fields: dict[str, str]) -> str:
    return "".join(literal + (fields[field] if field else "") for literal, field in parts)


def fit(text: str, max_length: int, length: LengthFn = len) -> str:
    """Cut at a word boundary with an ellipsis when the text is over the channel's limit."""
    if length(text) <= max_length:
        return text
    words = text.split(" ")
    while words and length(" ".join(words) + ELLIPSIS) > max_length:
        words.pop()
    if words:
        return " ".join(words) + ELLIPSIS
    cut = text
    while cut and length(cut + ELLIPSIS) > max_length:
        cut = cut[:-1]
    return cut + ELLIPSIS
