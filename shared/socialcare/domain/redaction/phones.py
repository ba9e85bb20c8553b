"""Phone numbers: libphonenumber's matcher over the digit runs of the text, region by region.

The matcher is accurate but slow (about 0.3 ms per run and region), so it only reads runs of
digits and separators that hold 7 digits or more and are not plainly something else (a date, an
id), stops at the first region that reads a whole run, and has a budget per text. Past the budget
(only adversarial input gets there: dozens of digit runs) or in a run too long to be one number,
the run is masked whole, so hostile input costs breadth, never time. Digits glued to a word
("call07700900456", "ring me:+33612345678") are runs too; the matcher sees the run alone.
"""

from .lazy import LazyPattern
from .spans import Finding, digit_count, is_alnum

# Regions customers of a European/Anglophone brand most often write in; None reads "+" numbers.
REGIONS = ("GB", "US", "FR", "DE", "ES", "IT", "NL", "IE", "AU", "CA", "IN", "BR", "MX", "JP")
MIN_DIGITS, MAX_DIGITS = 7, 15
MATCHER_BUDGET = 40  # digit runs per text handed to the matcher
MAX_RUN = 64  # longer runs are lists of numbers, not one number: masked whole, never parsed

# A run: optional "+"/"(+"/"(", then digits joined by at most three separators at a time.
_RUN = LazyPattern(r"(?:\(\+?|\+)?+\d(?:[ \-./()]{1,3}+(?=[\d(+])\(?\+?\d|\d)*+")
_COUNTRY_CODE = LazyPattern(r"(?:\(?\+\d{0,3}\)?[ \-.]?|\(?00\d{1,3}\)?[ \-.]?)$")
_ISO_DATE = LazyPattern(r"\d{4}[-/.]\d{1,2}[-/.]\d{1,2}")
_DATE = LazyPattern(r"\d{1,2}[-/. ]\d{1,2}[-/. ]\d{2,4}")
_THOUSANDS = LazyPattern(r"\d{1,2}([.,])\d{3}(?:\1\d{3})*(?:[.,]\d{1,2})?")
_IP_ADDRESS = LazyPattern(r"\d{1,3}(?:\.\d{1,3}){3}")
_TIMESTAMP = LazyPattern(r"\d{4}[-/.]\d{1,2}[-/.]\d{1,2}[ T]\d{1,2}")
_NOT_PHONES = (_ISO_DATE, _DATE, _THOUSANDS, _IP_ADDRESS, _TIMESTAMP)
_HEX_TOKEN = LazyPattern(r"[0-9a-fA-F]+")
_CURRENCY = "$€£¥₹₩₽¢"
_IDENTIFIER_JOINS = ":=/#._-"


def find_phones(text: str, taken: list[Finding]) -> list[Finding]:
    """Phone numbers in `text` (normalised), skipping runs other detectors already explain."""
    covered = _coverage(taken)
    found: list[Finding] = []
    budget = MATCHER_BUDGET
    for run in _RUN.finditer(text):
        start, end = run.span()
        if all(i in covered for i in range(start, end)) or not _plausible(text, start, end, whole_run=True):
            continue
        if budget > 0 and end - start <= MAX_RUN:
            budget -= 1
            found.extend(_matched(text, start, end))
        else:
            found.append(Finding(start, end, "phone"))
    return found


def _coverage(findings: list[Finding]) -> set[int]:
    return {i for finding in findings for i in range(finding.start, finding.end)}


def _matched(text: str, start: int, end: int) -> list[Finding]:
    """The union of what each region reads in the run, stopping at a region that reads all of it
    (a German "0151 23456789" read as British leaves "0151" behind)."""
    # Imported by the first run that gets this far (most log lines never do): its import costs a
    # cold start about 0.05 s.
    from phonenumbers import Leniency, PhoneNumberMatcher

    piece = text[start:end]
    international = piece.lstrip("(").startswith("+")
    found: set[Finding] = set()
    for region in (None,) if international else REGIONS:
        for match in PhoneNumberMatcher(piece, region, leniency=Leniency.POSSIBLE):
            if _plausible(text, start + match.start, start + match.end):
                found.add(
                    _with_country_code(text, start, Finding(start + match.start, start + match.end, "phone"))
                )
                if digit_count(match.raw_string) == digit_count(piece):
                    return list(found)
    if international and not found and _plausible(text, start, end):
        # "+" then 7-15 digits is a phone number even in a format the metadata no longer knows
        # (Mexico's old "+52 1" mobile prefix): masking it costs nothing.
        found.add(Finding(start, end, "phone"))
    return list(found)


def _with_country_code(text: str, run_start: int, finding: Finding) -> Finding:
    """The matcher may read "+33 6 12 34 56 78" as a national number after "+33": keep the
    country code with it, or "+33" stays visible."""
    prefix = _COUNTRY_CODE.search(text, run_start, finding.start)
    return Finding(prefix.start(), finding.end, "phone") if prefix else finding


def _plausible(text: str, start: int, end: int, whole_run: bool = False) -> bool:
    """Not a date, a timestamp, a price, an ISBN, an IP address, a long identifier or a segment of
    one (an ARN's account, a ticket key), which the matcher would happily call "possible" numbers.
    A whole run is checked before the matcher reads it (logs are full of timestamps and ids)."""
    candidate = text[start:end]
    digits = digit_count(candidate)
    grouped = whole_run and not candidate.isdigit()  # a run may hold several numbers
    if digits < MIN_DIGITS or (digits > MAX_DIGITS and not grouped):
        return False
    international = candidate.lstrip("(").startswith("+")
    if not international and (
        any(shape.fullmatch(candidate) for shape in _NOT_PHONES)
        or (not whole_run and _ISO_DATE.search(candidate))
        or _compact_date(candidate)
        or _isbn(candidate)
    ):
        return False
    if text[end : end + 1] == ":" and text[end + 1 : end + 2].isdigit():
        return False  # the hour of a timestamp
    before = text[max(0, start - 2) : start].rstrip(" ")
    after = text[end : end + 2].lstrip(" ")
    if (before and before[-1] in _CURRENCY) or (after and after[0] in _CURRENCY + "%"):
        return False
    return international or _not_inside_identifier(text, start, end)


def _not_inside_identifier(text: str, start: int, end: int) -> bool:
    joined_before = start >= 2 and text[start - 1] in _IDENTIFIER_JOINS and is_alnum(text, start - 2)
    joined_after = end + 1 < len(text) and text[end] in _IDENTIFIER_JOINS and is_alnum(text, end + 1)
    if joined_before and (joined_after or text[start - 1] not in ":="):
        return False  # "us-east-1:123456789012:function", "Root=1-67891233-abc", "TICKET#x#1001"
    if not (is_alnum(text, start - 1) or is_alnum(text, end)):
        return True
    # Glued to letters ("call07700900456", "07700900456pls"): a number only if the token is not hex
    # (request ids, hashes) and the number looks dialled (a trunk "0" or ten digits and more).
    left, right = start, end
    while left > 0 and text[left - 1].isalnum():
        left -= 1
    while right < len(text) and text[right].isalnum():
        right += 1
    token = text[left:right]
    if _HEX_TOKEN.fullmatch(token) or any(ch.isdigit() for ch in text[left:start] + text[end:right]):
        return False
    return text[start] == "0" or digit_count(text[start:end]) >= 10


def _isbn(piece: str) -> bool:
    digits = [int(ch) for ch in piece if ch.isdigit()]
    if len(digits) != 13 or piece[:3] not in ("978", "979"):
        return False
    return sum(d * (3 if i % 2 else 1) for i, d in enumerate(digits)) % 10 == 0


def _compact_date(digits: str) -> bool:
    if len(digits) != 8 or not digits.isdigit():
        return False
    year, month, day = int(digits[:4]), int(digits[4:6]), int(digits[6:])
    return 1900 <= year <= 2100 and 1 <= month <= 12 and 1 <= day <= 31
