"""The rules triage applies, as plain data: phrase lists per language and the thresholds.

Built from the configuration (socialcare.config.triage), which holds the defaults a care team
reads and changes; nothing here knows where they came from.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property

from ..redaction import CATEGORIES
from .phrases import Phrases

# Phrases of this language apply to every mention, whatever its language (emoji, "?").
EVERY_LANGUAGE = "all"


@dataclass(frozen=True)
class LanguageRules:
    urgent: tuple[str, ...] = ()
    complaint: tuple[str, ...] = ()
    question: tuple[str, ...] = ()
    praise: tuple[str, ...] = ()
    closing: tuple[str, ...] = ()
    # Words and their valence (-4 to 4) added to VADER's English lexicon for this language.
    sentiment: Mapping[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class Matchers:
    urgent: Phrases
    complaint: Phrases
    question: Phrases
    praise: Phrases
    closing: Phrases


@dataclass(frozen=True, eq=False)
class TriageRules:
    languages: Mapping[str, LanguageRules]
    # Categories of the redaction detectors that make a mention hold personal data.
    personal_data_categories: frozenset[str] = frozenset(CATEGORIES)
    # VADER's compound score (-1 to 1) above which a mention with no phrase found is praise, and
    # below which it is a complaint.
    praise_above: float = 0.3
    complaint_below: float = -0.3
    # A closing follow-up is short: "thanks, sorted" closes, a paragraph that ends in thanks may not.
    closing_max_words: int = 12

    def matchers(self, lang: str | None) -> Matchers:
        """The phrase lists for a mention in `lang`, with those for every language; all
        languages' when `lang` is unknown or has no rules."""
        key = lang if lang in self.languages and lang != EVERY_LANGUAGE else None
        return self._matchers[key]

    def sentiment_words(self, lang: str | None) -> dict[str, float]:
        """Extra lexicon for `lang`; for an unknown language, every language's."""
        if lang in self.languages and lang != EVERY_LANGUAGE:
            return dict(self.languages[lang].sentiment)
        merged: dict[str, float] = {}
        for rules in self.languages.values():
            merged.update(rules.sentiment)
        return merged

    @cached_property
    def _matchers(self) -> dict[str | None, Matchers]:
        every = self.languages.get(EVERY_LANGUAGE, LanguageRules())
        named = [lang for lang in self.languages if lang != EVERY_LANGUAGE]
        built = {lang: _matchers([every, self.languages[lang]]) for lang in named}
        built[None] = _matchers([every, *(self.languages[lang] for lang in named)])
        return built


def _matchers(rule_sets: list[LanguageRules]) -> Matchers:
    def joined(name: str) -> Phrases:
        return Phrases(tuple(dict.fromkeys(p for rules in rule_sets for p in getattr(rules, name))))

    return Matchers(*(joined(name) for name in ("urgent", "complaint", "question", "praise", "closing")))
