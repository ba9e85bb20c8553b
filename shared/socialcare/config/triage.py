"""Triage rules in the configuration: phrase lists per language and thresholds, with defaults.

The defaults live in triage_defaults.yaml beside this file, which explains how phrases match.
In the configuration, a list given for a language replaces that default list; a list under `add`
extends it; a language the defaults lack is added:

    triage:
      languages:
        en:
          add: {urgent: ["recall notice"], praise: ["class act"]}
        es:
          question: ["cómo", "cuándo"]          # replaces the Spanish question phrases
      personal_data_categories: [phone, email, card, iban, address, postcode]
"""

from functools import cache, cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from pydantic import Field, field_validator, model_validator

from ..domain.redaction import CATEGORIES
from .account import Strict

# The triage domain (phrase matchers, the sentiment lexicon) is imported when the rules are checked
# or built: a cold start whose configuration changes no phrase and triages nothing never loads it.
if TYPE_CHECKING:
    from ..domain.triage import LanguageRules, TriageRules

DEFAULTS_FILE = Path(__file__).with_name("triage_defaults.yaml")
PhraseList = list[str]
Category = Literal[CATEGORIES]  # type: ignore[valid-type]


class PhraseLists(Strict):
    urgent: PhraseList | None = None
    complaint: PhraseList | None = None
    question: PhraseList | None = None
    praise: PhraseList | None = None
    closing: PhraseList | None = None
    sentiment: dict[str, float] | None = None

    @field_validator("urgent", "complaint", "question", "praise", "closing")
    @classmethod
    def _usable(cls, phrases: PhraseList | None) -> PhraseList | None:
        from ..domain.triage.phrases import check_phrase

        return None if phrases is None else [check_phrase(phrase) for phrase in phrases]

    @field_validator("sentiment")
    @classmethod
    def _valence(cls, words: dict[str, float] | None) -> dict[str, float] | None:
        for word, valence in (words or {}).items():
            if not -4 <= valence <= 4:
                raise ValueError(f"sentiment of {word!r}: {valence} is outside -4 to 4")
        return words


class LanguagePhrases(PhraseLists):
    add: PhraseLists | None = None


class TriageConfig(Strict):
    languages: dict[str, LanguagePhrases] = Field(default_factory=dict)
    personal_data_categories: list[Category] = Field(default_factory=lambda: list(CATEGORIES))
    praise_above: float = Field(default=0.3, ge=-1, le=1)
    complaint_below: float = Field(default=-0.3, ge=-1, le=1)
    closing_max_words: int = Field(default=12, ge=1, le=100)
    # Praise is thanked and opens no escalation ladder; true: it also becomes a low-priority ticket on
    # the low priority's response target, escalated like any other.
    escalate_praise: bool = False

    @field_validator("languages")
    @classmethod
    def _codes(cls, languages: dict[str, LanguagePhrases]) -> dict[str, LanguagePhrases]:
        from ..domain.triage import EVERY_LANGUAGE

        for code in languages:
            if code != EVERY_LANGUAGE and not (2 <= len(code) <= 3 and code.isalpha() and code.islower()):
                raise ValueError(f"{code!r} is not a language code (like en, es) nor {EVERY_LANGUAGE!r}")
        return languages

    @model_validator(mode="after")
    def _ordered(self) -> "TriageConfig":
        if self.complaint_below >= self.praise_above:
            raise ValueError("complaint_below must be below praise_above")
        return self

    @cached_property
    def compiled(self) -> "TriageRules":
        """The rules, built once per configuration (a cold start)."""
        return self.rules()

    def rules(self) -> "TriageRules":
        """The domain's rules: the defaults, with this configuration's changes."""
        from ..domain.triage import TriageRules

        merged = {code: dict(lists) for code, lists in default_phrases().items()}
        for code, given in self.languages.items():
            lists = merged.setdefault(code, {})
            for name in PhraseLists.model_fields:
                value = getattr(given, name)
                if value is not None:
                    lists[name] = value
                extra = getattr(given.add, name) if given.add else None
                if extra:
                    base = lists.get(name) or ({} if name == "sentiment" else [])
                    lists[name] = {**base, **extra} if name == "sentiment" else [*base, *extra]
        return TriageRules(
            languages={code: _language_rules(lists) for code, lists in merged.items()},
            personal_data_categories=frozenset(self.personal_data_categories),
            praise_above=self.praise_above,
            complaint_below=self.complaint_below,
            closing_max_words=self.closing_max_words,
        )


@cache
def default_phrases() -> dict[str, dict]:
    """The defaults file, checked like the configuration (a bad default fails at cold start too)."""
    import yaml  # here: a cold start that reads the compiled configuration parses no YAML

    # libyaml's loader when PyYAML has it: about ten times faster on this file, at the first triage.
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    raw = yaml.load(DEFAULTS_FILE.read_text(encoding="utf-8"), Loader=loader)  # noqa: S506 - a SafeLoader
    return {
        code: PhraseLists.model_validate(lists).model_dump(exclude_none=True) for code, lists in raw.items()
    }


def _language_rules(lists: dict) -> "LanguageRules":
    from ..domain.triage import LanguageRules

    return LanguageRules(
        **{
            name: tuple(lists.get(name) or ())
            for name in ("urgent", "complaint", "question", "praise", "closing")
        },
        sentiment=dict(lists.get("sentiment") or {}),
    )
