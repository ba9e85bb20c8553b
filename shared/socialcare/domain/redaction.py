"""Personal data in free text: find it, so replies never echo it and logs never keep it.

Patterns are deliberately broad: a false positive costs a masked digit run in a log line,
a false negative leaks a customer's phone or card number.
"""

import re

_PATTERNS: dict[str, re.Pattern[str]] = {
    "email": re.compile(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9.\-]+\.[A-Za-z]{2,}"),
    # Card numbers: 13-19 digits, optionally grouped by spaces or dashes.
    "card": re.compile(r"(?<!\d)(?:\d[ -]?){12,18}\d(?!\d)"),
    # Phone numbers: an optional +, then 7-15 digits with common separators.
    # Not inside identifiers, ARNs (":123456789012:") or times ("11:02:05").
    "phone": re.compile(r"(?<![\w:/.\-])\+?\(?\d{1,4}\)?(?:[ .\-]?\(?\d{2,4}\)?){2,5}(?![\w:/\-])"),
    # Order, account and reference numbers that customers paste: a keyword then an identifier.
    # Order, account and booking numbers that customers paste: a keyword, then an identifier
    # with at least one digit ("my order never came" is not an order number).
    "order": re.compile(
        r"(?i)\b(?:order|account|acct|booking|invoice|tracking|membership|policy)\b\s*"
        r"(?:no\.?|number|num|id|#|:)?\s*#?\s*((?=[A-Z\-]*\d)[A-Z0-9][A-Z0-9\-]{4,})"
    ),
    "iban": re.compile(r"\b[A-Z]{2}\d{2}(?:\s?[A-Z0-9]{4}){3,7}\b"),
}

MASK = "[redacted]"
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}")


def personal_data_in(text: str) -> set[str]:
    """Every fragment of `text` that looks like personal data."""
    found: set[str] = set()
    for kind, pattern in _PATTERNS.items():
        for match in pattern.finditer(text):
            fragment = match.group(1) if kind == "order" else match.group(0)
            digits = sum(ch.isdigit() for ch in fragment)
            if kind == "phone" and (digits < 7 or _DATE.match(fragment)):
                continue  # times, dates and prices, not phone numbers
            found.add(fragment.strip())
    return {fragment for fragment in found if fragment}


def redact(text: str) -> str:
    """`text` with every personal-data fragment masked (longest first, so overlaps mask whole)."""
    for fragment in sorted(personal_data_in(text), key=len, reverse=True):
        text = text.replace(fragment, MASK)
    return text
