"""What an incident is about: its top terms, from the spike's mention texts, and whether a later
mention belongs to it (shares one of those terms). Pure; stopwords are short lists per language,
enough to keep "the", "is", "vos" out of the terms without a dictionary.

A term counts once per mention (150 people asking "site down?" make "site" and "down" the terms, one
person repeating "help help help" does not). Handles, links and numbers are not terms: they name
people and orders, never the problem, and must not reach an alert."""

import re
from collections import Counter
from collections.abc import Iterable

from ..redaction import MASK, redact

_ENGLISH = (
    # English
    "a an and are as at be been but by can could did do does for from had has have how i i'm im in is"
    " it it's its just me my no not now of on or our please so some still than that the their them"
    " then there this to today too up us was we what when where who why will with would you your yours"
    " anyone anybody else again any all get got hey hi hello thanks thank guys really ok"
)
# French, Spanish, German, Portuguese: the commonest function words
_OTHERS = (
    "le la les un une des de du et est en pas ne je tu il vous nous sur pour avec ce qui que"
    " el los las y es no yo por con lo se del al una para"
    " der die das und ist nicht ich du er sie wir mit auf für ein eine"
    " o os as um uma e é não eu com para do da"
)
STOPWORDS = frozenset(_ENGLISH.split() + _OTHERS.split())
_WORD = re.compile(r"[^\W\d_][\w'’-]*", re.UNICODE)
_NOT_WORDS = re.compile(r"https?://\S+|[@#]\w+|\S+@\S+")
MIN_TERM_LENGTH = 3


def words(text: str) -> set[str]:
    """The distinct content words of a text, lower-cased (personal data redacted first)."""
    cleaned = _NOT_WORDS.sub(" ", redact(text).replace(MASK, " "))
    found = set()
    for match in _WORD.finditer(cleaned):
        word = match.group().lower().strip("'’-")
        if len(word) >= MIN_TERM_LENGTH and word not in STOPWORDS:
            found.add(word)
    return found


def top_terms(texts: Iterable[str], limit: int = 5, min_share: float = 0.1) -> list[str]:
    """The words most mentions share, most shared first (ties alphabetically, so a retry computes
    the same terms); a word in under `min_share` of the mentions is noise, not the incident."""
    counts: Counter[str] = Counter()
    total = 0
    for text in texts:
        total += 1
        counts.update(words(text))
    if total == 0:
        return []
    needed = max(2, min_share * total)
    ranked = sorted(
        (word for word, count in counts.items() if count >= needed), key=lambda w: (-counts[w], w)
    )
    return ranked[:limit]


def belongs(text: str, terms: Iterable[str]) -> bool:
    """A mention belongs to the incident when it shares one of its top terms."""
    wanted = set(terms)
    return bool(wanted) and not wanted.isdisjoint(words(text))
