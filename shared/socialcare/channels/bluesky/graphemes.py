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


def grapheme_length(text: str) -> int:
    graphemes = sum(1 for _ in _cluster().finditer(text))
    return max(graphemes, -(-len(text.encode("utf-8", "surrogatepass")) // 10))
