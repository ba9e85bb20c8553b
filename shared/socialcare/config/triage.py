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

from typing import Literal

from pydantic import Field, field_validator, model_validator

from ..domain.redaction import CATEGORIES
from .account import Strict
from .behaviour import TriageBehaviour
from .phrases import DEFAULTS_FILE as DEFAULTS_FILE
from .phrases import default_phrases as default_phrases

# The triage domain (phrase matchers, the sentiment lexicon) is imported when the rules are checked
# or built (behaviour.py): a cold start whose configuration triages nothing never loads it.
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


class TriageConfig(TriageBehaviour, Strict):
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
