"""A status's length as Mastodon counts it: grapheme clusters, every URL as 23 characters
(`characters_reserved_per_url`), a mention `@user@domain` as `@user`."""

import re
import unicodedata

URL_LENGTH = 23
# As Mastodon's Account::MENTION_RE and its URL rule (http and https links only).
_MENTION = re.compile(r"(?<![=/\w])@([A-Za-z0-9_]+(?:[.-]+[A-Za-z0-9_]+)*)(?:@[\w.-]+\w+)?", re.IGNORECASE)
_URL = re.compile(r"(?<![\w/])https?://[^\s<>\"]+[^\s<>\".,;:!?)\]'»”’]")
_ZWJ = "\u200d"


def countable(text: str, url_length: int = URL_LENGTH) -> str:
    text = _URL.sub("x" * url_length, text)
    return _MENTION.sub(lambda m: "@" + m.group(1), text)


def graphemes(text: str) -> int:
    """Extended grapheme clusters, near enough for length checks without a Unicode segmentation
    library: combining marks, variation selectors, emoji modifiers and tags join the character
    before them, a zero-width joiner joins its neighbours, and regional indicators pair into flags."""
    count, joined, pending_flag = 0, False, False
    for char in text:
        code = ord(char)
        if char == _ZWJ:
            joined = True
            continue
        extends = (
            unicodedata.category(char) in ("Mn", "Me", "Mc")
            or 0xFE00 <= code <= 0xFE0F
            or 0x1F3FB <= code <= 0x1F3FF
            or 0xE0020 <= code <= 0xE007F
        )
        flag = 0x1F1E6 <= code <= 0x1F1FF
        if (extends or joined) and count:
            joined = False
            continue
        if flag and pending_flag:
            pending_flag = False
            continue
        pending_flag = flag
        joined = False
        count += 1
    return count


def status_length(text: str, url_length: int = URL_LENGTH) -> int:
    return graphemes(countable(text, url_length))
