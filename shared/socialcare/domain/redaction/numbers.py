"""Numbers with a checksum or a fixed shape: payment cards (Luhn), IBANs (mod 97), US SSNs."""

from .lazy import LazyPattern
from .spans import Finding, fold, keyword_led

# Digit groups joined by single spaces, dashes or dots; possessive, so a long run is read once.
_GROUPED_DIGITS = LazyPattern(r"\d++(?:[ \-.]\d++)*+")
_DIGITS = LazyPattern(r"\d+")
_CVV_KEYWORD = LazyPattern(
    r"(?:cvv2?|cvc2?|csc|security code|código de seguridad|cryptogramme|kartenprüfnummer|"
    r"codice di sicurezza|código de segurança)(?![\w])"
)
_CVV_VALUE = LazyPattern(r"[\s:#.]{0,3}(?:is\s{1,2}|code\s{1,2})?(?P<value>\d{3,4})(?![\w])")
# A lookahead, so every word start is tried: a failed candidate cannot hide an IBAN inside it.
_IBAN_CANDIDATE = LazyPattern(r"(?<![a-z0-9])(?=([a-z]{2}\d{2}(?:[ \-]?[a-z0-9]){11,30}))")
# Lengths for the countries customers most often write from; others: any length 15-34 that checks.
_IBAN_LENGTHS = {
    "at": 20, "be": 16, "br": 29, "ch": 21, "de": 22, "dk": 18, "es": 24, "fi": 18, "fr": 27,
    "gb": 22, "gr": 27, "ie": 22, "it": 27, "lu": 20, "nl": 18, "no": 15, "pl": 28, "pt": 25, "se": 24,
}  # fmt: skip
_SEPARATORS = LazyPattern(r"[ \-]")
_LETTER_VALUES = str.maketrans({chr(ord("a") + n): str(10 + n) for n in range(26)})
_SSN = LazyPattern(r"(?<![\w\-])(?!000|666|9\d\d)\d{3}([- ])(?!00)\d{2}\1(?!0000)\d{4}(?![\w\-])")
_SSN_KEYWORD = LazyPattern(r"(?:ssn|ss#|social security(?: number| no\.?| #)?)(?![\w])")
_SSN_VALUE = LazyPattern(
    r"[\s:#.(]{0,3}(?:is\s{1,2}|number\s{1,2}|no\.?\s{1,2})?(?P<value>\d{3}[ \-]?\d{2}[ \-]?\d{4})(?!\d)"
)


def luhn_valid(digits: str) -> bool:
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char) * (2 if position % 2 else 1)
        total += value - 9 if value > 9 else value
    return total % 10 == 0


def find_cards(text: str) -> list[Finding]:
    """13-19 digits starting like a card network (2-6), grouped as cards are, passing Luhn, on
    group boundaries, so a card followed by more digits ("4111 1111 1111 1111 12 27") is found."""
    found = []
    for run in _GROUPED_DIGITS.finditer(text):
        if run.end() - run.start() < 13:
            continue
        groups = [(m.start() + run.start(), m.group(0)) for m in _DIGITS.finditer(run.group(0))]
        first = 0
        while first < len(groups):
            best = _longest_card(groups, first)
            if best is None:
                first += 1
                continue
            found.append(Finding(groups[first][0], groups[best][0] + len(groups[best][1]), "card"))
            first = best + 1
    return found + keyword_led(fold(text), _CVV_KEYWORD, _CVV_VALUE, "card")


def _longest_card(groups: list[tuple[int, str]], first: int) -> int | None:
    if groups[first][1][0] not in "23456":
        return None
    best, digits, lengths = None, "", []
    for last in range(first, len(groups)):
        digits += groups[last][1]
        lengths.append(len(groups[last][1]))
        if len(digits) > 19:
            break
        if len(digits) >= 13 and _card_grouping(lengths) and luhn_valid(digits):
            best = last
    return best


def _card_grouping(lengths: list[int]) -> bool:
    """As cards are printed: one block, fours (the last may be shorter), or Amex/Diners 4-6-5/4-6-4,
    so a phone number written "52 1 55 1234 5678" is not read as a card."""
    if len(lengths) == 1 or lengths in ([4, 6, 5], [4, 6, 4]):
        return True
    return all(length == 4 for length in lengths[:-1]) and 1 <= lengths[-1] <= 4


def iban_valid(iban: str) -> bool:
    """ISO 13616: the country and check digits moved to the end, letters as 10-35, mod 97 is 1."""
    return int((iban[4:] + iban[:4]).lower().translate(_LETTER_VALUES)) % 97 == 1


def find_ibans(text: str) -> list[Finding]:
    found: list[Finding] = []
    for match in _IBAN_CANDIDATE.finditer(fold(text)):
        if found and match.start() < found[-1].end:
            continue
        compact = _SEPARATORS.sub("", match.group(1))
        lengths = [_IBAN_LENGTHS[compact[:2]]] if compact[:2] in _IBAN_LENGTHS else range(34, 14, -1)
        for length in lengths:
            if length <= len(compact) and iban_valid(compact[:length]):
                end = _end_of_nth_alnum(text, match.start(), length)
                if not (end < len(text) and text[end].isalnum()):  # the IBAN ends where its word ends
                    found.append(Finding(match.start(), end, "iban"))
                    break
    return found


def _end_of_nth_alnum(text: str, start: int, count: int) -> int:
    position = start
    while count:
        count -= text[position].isalnum()
        position += 1
    return position


def find_ssns(text: str) -> list[Finding]:
    found = [Finding(m.start(), m.end(), "ssn") for m in _SSN.finditer(text)]
    return found + keyword_led(fold(text), _SSN_KEYWORD, _SSN_VALUE, "ssn")
