"""X's weighted character count (twitter-text v3): most Latin text counts 1 per code point,
CJK and emoji count 2, and every URL counts 23 however long it is."""

import re

_URL = re.compile(r"https?://\S+", re.IGNORECASE)
URL_WEIGHT = 23
# Code point ranges that weigh 1; everything else weighs 2 (twitter-text's default config).
_LIGHT_RANGES = ((0, 4351), (8192, 8205), (8208, 8223), (8242, 8247))


def _weight(char: str) -> int:
    point = ord(char)
    return 1 if any(low <= point <= high for low, high in _LIGHT_RANGES) else 2


def weighted_length(text: str) -> int:
    total = 0
    cursor = 0
    for match in _URL.finditer(text):
        total += sum(_weight(ch) for ch in text[cursor : match.start()]) + URL_WEIGHT
        cursor = match.end()
    return total + sum(_weight(ch) for ch in text[cursor:])
