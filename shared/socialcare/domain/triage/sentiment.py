"""Sentiment from VADER's lexicon, which ships inside the package: no network, no downloads.

VADER reads English, emoji and emoticons. For another language, the configured words of that
language (see LanguageRules.sentiment) are added to its lexicon, and the text is read with accents
folded, so "pésimo" and "pesimo" weigh the same; emoji still count in every language.
"""

import copy
from functools import lru_cache

from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

from .text import fold

ENGLISH = "en"


@lru_cache(maxsize=1)
def _base() -> SentimentIntensityAnalyzer:
    return SentimentIntensityAnalyzer()  # reads its two lexicon files once (about 40 ms)


@lru_cache(maxsize=32)
def _analyzer(words: tuple[tuple[str, float], ...]) -> SentimentIntensityAnalyzer:
    analyzer = copy.copy(_base())
    analyzer.lexicon = {**_base().lexicon, **{fold(word): valence for word, valence in words}}
    return analyzer


def compound(text: str, lang: str | None, words: dict[str, float]) -> float:
    """VADER's compound score, -1 (most negative) to 1 (most positive)."""
    analyzer = _analyzer(tuple(sorted(words.items())))
    return analyzer.polarity_scores(text if lang == ENGLISH else fold(text))["compound"]
