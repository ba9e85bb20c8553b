"""Phrases a care team writes, matched word by word.

"cancel*" matches any word it starts; a lone "*" stands for up to three words ("charged * twice");
a leading "^" matches only where a sentence starts ("^what", not "just what I wanted"); words
match whole words; emoji and punctuation match as written. Texts and phrases are folded alike
(see text.fold) and cut into tokens: words, and every other visible character on its own.

Phrases are indexed by their first token, so each token of a text is compared with the few
phrases that may start there: linear in the text, whatever the number of phrases.
"""

import re
from collections import defaultdict
from dataclasses import dataclass, field

from .text import fold

_TOKEN = re.compile(r"\w+|\S")
_SENTENCE_ENDS = frozenset(".!?¡¿,;:")
_GAP_WORDS = 3
_PREFIX_KEY = 3  # prefixes are indexed by their first characters


@dataclass(frozen=True)
class _Step:
    text: str  # "" for a gap
    prefix: bool = False

    def matches(self, token: str) -> bool:
        return token.startswith(self.text) if self.prefix else token == self.text


@dataclass(frozen=True)
class _Compiled:
    phrase: str
    order: int
    anchored: bool
    steps: tuple[_Step, ...]


def tokens(folded: str) -> list[str]:
    return _TOKEN.findall(folded)


def _compile(phrase: str, order: int) -> _Compiled:
    text = phrase.strip()
    anchored = text.startswith("^")
    steps: list[_Step] = []
    for word in fold(text.removeprefix("^")).split():
        if word == "*":
            if steps and steps[-1].text:
                steps.append(_Step(""))
            continue
        prefix = word.endswith("*") and len(word) > 1
        pieces = tokens(word[:-1] if prefix else word)
        steps += [_Step(piece) for piece in pieces[:-1]]
        steps.append(_Step(pieces[-1], prefix=prefix))
    while steps and not steps[-1].text:
        steps.pop()
    if not steps:
        raise ValueError(f"phrase {phrase!r} has nothing to match")
    return _Compiled(phrase, order, anchored, tuple(steps))


def _match_at(steps: tuple[_Step, ...], words: list[str], start: int) -> bool:
    position = start
    for index, step in enumerate(steps):
        if not step.text:
            following = steps[index + 1]
            for skip in range(_GAP_WORDS + 1):
                if position + skip < len(words) and following.matches(words[position + skip]):
                    return _match_at(steps[index + 1 :], words, position + skip)
            return False
        if position >= len(words) or not step.matches(words[position]):
            return False
        position += 1
    return True


@dataclass(frozen=True)
class Phrases:
    """A list of phrases, and the one found earliest in a text."""

    phrases: tuple[str, ...]
    _exact: dict[str, list[_Compiled]] = field(init=False, repr=False, compare=False)
    _prefixed: dict[str, list[_Compiled]] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        exact: dict[str, list[_Compiled]] = defaultdict(list)
        prefixed: dict[str, list[_Compiled]] = defaultdict(list)
        for order, phrase in enumerate(self.phrases):
            compiled = _compile(phrase, order)
            first = compiled.steps[0]
            if first.prefix:
                prefixed[first.text[:_PREFIX_KEY]].append(compiled)
            else:
                exact[first.text].append(compiled)
        object.__setattr__(self, "_exact", dict(exact))
        object.__setattr__(self, "_prefixed", dict(prefixed))

    def first(self, folded: str) -> str | None:
        """The phrase found earliest in `folded` (a text already folded; at one place, the one
        listed first), or None."""
        words = tokens(folded)
        for start, word in enumerate(words):
            candidates = self._exact.get(word, []) + [
                each
                for length in range(1, _PREFIX_KEY + 1)
                for each in self._prefixed.get(word[:length], [])
                if len(each.steps[0].text[:_PREFIX_KEY]) == length
            ]
            sentence_start = start == 0 or words[start - 1] in _SENTENCE_ENDS
            found = [
                each
                for each in candidates
                if (sentence_start or not each.anchored) and _match_at(each.steps, words, start)
            ]
            if found:
                return min(found, key=lambda each: each.order).phrase
        return None


def check_phrase(phrase: str) -> str:
    """Raises ValueError when a phrase cannot be used: empty, or only wildcards."""
    _compile(phrase, 0)
    return phrase
