"""What a detector reports, and the text helpers every detector shares."""

import re
from collections.abc import Callable
from dataclasses import dataclass

CATEGORIES = (
    "phone",
    "email",
    "card",
    "iban",
    "ssn",
    "postcode",
    "address",
    "passport_or_id",
    "date_of_birth",
    "order_or_tracking",
)


@dataclass(frozen=True, order=True)
class Finding:
    start: int
    end: int
    category: str


def _look_alikes() -> dict[int, str]:
    """Look-alike characters mapped one for one, so offsets in the normalised text are offsets in
    the original: odd spaces to a space, dashes to "-", full-width and non-Latin digits to 0-9."""
    table = {code: " " for code in (0x00A0, 0x1680, 0x202F, 0x205F, 0x3000, 0x180E, 0xFEFF, 0x2060)}
    table.update({code: " " for code in range(0x2000, 0x200E)})  # en quad .. zero-width joiners
    table.update({code: "-" for code in (0x2010, 0x2011, 0x2012, 0x2013, 0x2014, 0x2015, 0x2212)})
    table.update({0xFE58: "-", 0xFE63: "-", 0xFF0D: "-", 0xFF0B: "+", 0xFF20: "@", 0xFF0E: "."})
    for zero in (0x0660, 0x06F0, 0x0966, 0x09E6, 0xFF10):
        table.update({zero + n: str(n) for n in range(10)})
    return table


_LOOK_ALIKES = str.maketrans(_look_alikes())
# Lower case one for one (str.lower() is not: "İ" becomes two characters), for A-Z and Latin-1.
_FOLD = str.maketrans(
    {code: chr(code + 32) for code in [*range(0x41, 0x5B), *range(0xC0, 0xDF)] if code != 0xD7}
)

# Words that sit between a keyword and its value: "order no. 123", "passeport est 12AB34567".
FILLER = (
    r"(?:[\s:#.\-(]{0,3}+(?:(?:no|nr|num|number|numéro|numero|número|nummer|id|is|was|est|es|ist|è|é|"
    r"ref|code|card|de|du|da|del|di|of)\b|n[°º.])\.?){0,3}"
)


def normalise(text: str) -> str:
    """Same length as `text`, with look-alikes replaced (see _look_alikes)."""
    return text.translate(_LOOK_ALIKES)


def fold(text: str) -> str:
    """Same length as `text`, lower case: keyword patterns run case-sensitively on this, which
    lets the regex engine skip ahead by first character (several times faster than (?i))."""
    return text.translate(_FOLD)


def digit_count(text: str) -> int:
    return sum(map(str.isdigit, text))


def is_alnum(text: str, index: int) -> bool:
    """Whether text[index] exists and is a letter or digit (so a match there would be glued)."""
    return 0 <= index < len(text) and text[index].isalnum()


def keyword_led(
    folded: str,
    keywords: re.Pattern[str],
    value: re.Pattern[str],
    category: str,
    accept: Callable[[str, str], bool] = lambda value, keyword: True,
) -> list[Finding]:
    """Values introduced by a keyword, both matched in the folded text. Each keyword is matched
    once and the value anchored right after it with bounded patterns: linear in the text."""
    found = []
    for keyword in keywords.finditer(folded):
        if keyword.start() and (folded[keyword.start() - 1].isalnum() or folded[keyword.start() - 1] in "_#"):
            continue  # inside a word: "unpassport", "x#order"
        match = value.match(folded, keyword.end())
        if match and accept(match.group("value"), keyword.group(0)):
            found.append(Finding(match.start("value"), match.end("value"), category))
    return found
