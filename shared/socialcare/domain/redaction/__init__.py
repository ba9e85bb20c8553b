"""Personal data in free text: find it, so replies never echo it and logs never keep it.

One engine for logs, SMS, anything stored for display, and the guard on public replies. Each
detector reports spans of the text (normalised one character for one, so offsets hold); spans
are merged and masked as a whole. Every pattern is bounded, so the cost is linear in the text.
A false positive costs a masked number in a log line; a false negative leaks a customer's data.
"""

from .emails import find_emails
from .identity import find_dates_of_birth, find_identity_numbers
from .lazy import LazyPattern
from .numbers import find_cards, find_ibans, find_ssns
from .orders import find_orders
from .phones import find_phones
from .places import find_addresses, find_postcodes
from .spans import CATEGORIES, Finding, normalise

__all__ = ["CATEGORIES", "MASK", "Finding", "find_personal_data", "personal_data_in", "redact"]

MASK = "[redacted]"
# Masking can expose a boundary ("x[redacted]07700 900456"): redact again until nothing changes.
_MAX_PASSES = 4
_DIGIT = LazyPattern(r"\d")
_TOKEN = LazyPattern(r"[A-Za-z0-9](?:[A-Za-z0-9]|[\-/.](?=[A-Za-z0-9]))*+")
_REPEATABLE = frozenset({"order_or_tracking", "passport_or_id", "ssn", "date_of_birth"})


def find_personal_data(text: str) -> list[Finding]:
    """Every span of `text` that looks like personal data, by category, in order of position."""
    plain = normalise(text)
    if not _DIGIT.search(plain):
        return sorted(find_emails(plain))  # every other kind holds a digit: most log values stop here
    findings = [
        *find_emails(plain),
        *find_cards(plain),
        *find_ibans(plain),
        *find_ssns(plain),
        *find_identity_numbers(plain),
        *find_dates_of_birth(plain),
        *find_orders(plain),
        *find_postcodes(plain),
        *find_addresses(plain),
    ]
    findings += find_phones(plain, findings)
    findings += _repeats(plain, findings)
    return sorted(findings)


def personal_data_in(text: str) -> set[str]:
    """Every fragment of `text` that looks like personal data."""
    return {
        text[start:end].strip() for start, end in _merged(find_personal_data(text)) if text[start:end].strip()
    }


def redact(text: str) -> str:
    """`text` with every personal-data span replaced by MASK."""
    for _ in range(_MAX_PASSES):
        spans = _merged(find_personal_data(text))
        if not spans:
            break
        text = _masked(text, spans)
    return text


def _merged(findings: list[Finding]) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    for finding in sorted(findings):
        if spans and finding.start <= spans[-1][1]:
            spans[-1] = (spans[-1][0], max(spans[-1][1], finding.end))
        else:
            spans.append((finding.start, finding.end))
    return spans


def _masked(text: str, spans: list[tuple[int, int]]) -> str:
    parts, position = [], 0
    for start, end in spans:
        parts += [text[position:start], MASK]
        position = end
    parts.append(text[position:])
    return "".join(parts)


def _repeats(text: str, findings: list[Finding]) -> list[Finding]:
    """Where a value found after a keyword ("order 48213") appears again on its own ("48213 is
    lost"), that is the same customer's data too. Matched token by token: linear in the text."""
    values = {
        text[f.start : f.end].lstrip("#"): f.category
        for f in findings
        if f.category in _REPEATABLE and f.end - f.start >= 5
    }
    if not values:
        return []
    found = []
    for token in _TOKEN.finditer(text):
        category = values.get(token.group(0))
        if category:
            found.append(Finding(token.start(), token.end(), category))
    return found
