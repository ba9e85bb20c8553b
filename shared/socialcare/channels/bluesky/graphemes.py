"""Bluesky limits a post to 300 graphemes: user-perceived characters (Unicode extended grapheme
clusters, UAX #29), so an emoji family or a flag counts once, as the app shows it."""

from functools import cache


@cache
def _cluster():
    import regex  # imported on first use: the registration must stay cheap to import

    return regex.compile(r"\X")


def grapheme_length(text: str) -> int:
    return sum(1 for _ in _cluster().finditer(text))
