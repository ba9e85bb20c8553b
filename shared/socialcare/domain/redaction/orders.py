"""Order, account, booking and tracking numbers: after a keyword in any of our languages, as a
"#48213" hash number, or in a carrier's own shape (UPS 1Z..., UPU "RR123456785GB", USPS 94...).

Our own ticket references ("ref K7Q2X", five characters) are deliberately too short to match.
"""

import re

from .lazy import LazyPattern
from .spans import FILLER, Finding, digit_count, fold, keyword_led

# Matched in the folded (lower-case) text; see spans.keyword_led.
_KEYWORDS = LazyPattern(
    r"(?:orders?|order id|pedido|commande|bestellung|bestellnummer|bestellnr\.?|"
    r"auftrag(?:snummer)?|ordine|bestelling|bestelnummer|encomenda|tracking|track(?:ing)? (?:number|no|id)|"
    r"suivi|seguimiento|rastreio|rastreamento|sendungsnummer|sendung|invoice|factura|facture|"
    r"rechnung(?:snummer)?|fattura|booking|reservation|réservation|reserva|prenotazione|buchung(?:snummer)?|"
    r"confirmation|account|acct|a/c|konto|kontonummer|compte|cuenta|conto|rekening|conta|sort code|"
    r"ref|reference|référence|referencia|riferimento|membership|member|policy|customer|client|"
    r"kundennummer|claim|case|awb|consignment|parcel|package|shipment|colis|paket|pakket|pnr|ticket|"
    r"airway bill|return|rma|refund)(?![\w])"
)
# An identifier with a digit before any space ("a77-20931", "inv-2026-00457"); spaced digit groups.
_VALUE = LazyPattern(
    rf"{FILLER}[\s:=\-]{{0,4}}(?P<value>#?(?=[a-z0-9.\-/]{{0,30}}\d)[a-z0-9]{{1,24}}"
    rf"(?:[.\-/][a-z0-9]{{1,24}}|[ ]\d{{2,12}}(?![a-z])){{0,6}})(?![\w])"
)
# Our references are five characters; these keywords introduce them, so theirs need six or more.
_REFERENCE_WORDS = frozenset({"ref", "reference", "référence", "referencia", "riferimento", "ticket", "case"})
_YEAR = LazyPattern(r"(?:19|20)\d\d")
_AMOUNT = LazyPattern(r"\d{1,7}[.,]\d{2}")
_DATE = LazyPattern(r"(\d{1,4})[./\-](\d{1,2})[./\-](\d{2}|\d{4})")

_HASH_NUMBER = LazyPattern(r"(?<![\w#&/])#(?:[A-Za-z]{1,4}-?)?\d[\d\-]{3,24}(?![\w])")
_CARRIER_SHAPES = (
    LazyPattern(r"(?<![\w])1Z[0-9A-Z]{16}(?![\w])"),  # UPS
    LazyPattern(r"(?<![\w])9[1-5]\d{2}(?: ?\d){16,18}(?![\w])"),  # USPS
    LazyPattern(r"(?<![\w])\d{3}-\d{7}-\d{7}(?![\w])"),  # Amazon order
    LazyPattern(r"(?<![\w])\d[A-Z]\d{11}(?![\w])"),  # Colissimo
)
_UPU = LazyPattern(r"(?<![\w])[A-Z]{2}(?P<serial>\d{8})(?P<check>\d)[A-Z]{2}(?![\w])")  # UPU S10


def find_orders(text: str) -> list[Finding]:
    found = keyword_led(fold(text), _KEYWORDS, _VALUE, "order_or_tracking", _looks_like_a_number)
    for match in _HASH_NUMBER.finditer(text):
        if digit_count(match.group(0)) >= 4 and not _YEAR.fullmatch(match.group(0)[1:]):
            found.append(Finding(match.start(), match.end(), "order_or_tracking"))
    for pattern in _CARRIER_SHAPES:
        found += [Finding(m.start(), m.end(), "order_or_tracking") for m in pattern.finditer(text)]
    found += [Finding(m.start(), m.end(), "order_or_tracking") for m in _UPU.finditer(text) if _s10_valid(m)]
    return found


def _looks_like_a_number(value: str, keyword: str) -> bool:
    """An identifier, not "my order never came", "order 2 days ago" or "policy 2026"."""
    core = value.lstrip("#")
    digits = digit_count(core)
    if keyword in _REFERENCE_WORDS and sum(ch.isalnum() for ch in core) < 6:
        return False
    if _YEAR.fullmatch(core) or _AMOUNT.fullmatch(core) or _is_date(core):
        return False  # "refund of 12.99 euros", "booking for 23/11/2026"
    return digits >= 4 or (digits >= 2 and len(core) >= 6)


def _is_date(core: str) -> bool:
    match = _DATE.fullmatch(core)
    if not match:
        return False
    first, second, last = (int(part) for part in match.groups())
    if len(match.group(1)) == 4:
        first, last = last, first  # 2026-11-23
    elif len(match.group(3)) == 4 and not 1900 <= last <= 2100:
        return False
    return 1 <= min(first, second) <= 12 and max(first, second) <= 31 and min(first, second) >= 1


def _s10_valid(match: re.Match[str]) -> bool:
    weights = (8, 6, 4, 2, 3, 5, 9, 7)
    check = 11 - sum(int(d) * w for d, w in zip(match.group("serial"), weights, strict=True)) % 11
    return {10: 0, 11: 5}.get(check, check) == int(match.group("check"))
