"""Bluesky limits a post's text to 300 graphemes: user-perceived characters (Unicode extended
grapheme clusters, UAX #29), so an emoji family or a flag counts once, as the app shows it; and to
3,000 bytes of UTF-8, which only long runs of emoji sequences reach. The length socialcare checks
against the limit of 300 is the larger of the graphemes and a tenth of the bytes: within it, both
of Bluesky's limits hold."""

from functools import cache


@cache
def _cluster():
    import regex  # imported on first use: the registration must stay cheap to import

    return regex.compile(r"\X")


def grapheme_count(text: str) -> int:
    return sum(1 for _ in _cluster().finditer(text))


def grapheme_length(text: str) -> int:
    """The reply length checked against 300: graphemes, or a tenth of the UTF-8 bytes if more."""
    return max(grapheme_count(text), -(-len(text.encode("utf-8", "surrogatepass")) // 10))
