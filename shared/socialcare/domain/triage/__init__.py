"""Triage of a mention: what the customer wants (intent), how soon a person must look (priority),
and whether the mention holds personal data, from phrase rules a care team can read and change,
helped by a sentiment lexicon. Pure and offline: no network, no model to download.

The first rule that applies decides, and `reasons` says which fired (for logs and staff alerts):

1. an `urgent` phrase: priority urgent, intent complaint (safety, health, fraud, security, legal
   threats, a charge taken twice);
2. a `complaint` phrase: a complaint, even wrapped in praise or sarcasm;
3. a `question` phrase (a question mark, "how do I", "cuánto"...): a question;
4. a `praise` phrase, or a sentiment above `praise_above`: praise;
5. a sentiment below `complaint_below`: a complaint;
6. otherwise: other.

Complaints and questions are normal priority, praise and other low. A reply in a conversation the
brand already answered that only thanks or closes ("sorted, thanks!") is a closing follow-up,
which opens no new ticket.
"""

from dataclasses import dataclass
from typing import Literal

from ..redaction import find_personal_data
from .rules import EVERY_LANGUAGE, LanguageRules, Matchers, TriageRules
from .sentiment import compound
from .text import fold, readable

__all__ = [
    "EVERY_LANGUAGE",
    "LanguageRules",
    "Triage",
    "TriageRules",
    "is_closing",
    "personal_data_categories",
    "triage",
]

Intent = Literal["complaint", "question", "praise", "other"]
Priority = Literal["urgent", "normal", "low"]
_PRIORITY_OF_INTENT: dict[str, Priority] = {
    "complaint": "normal",
    "question": "normal",
    "praise": "low",
    "other": "low",
}


@dataclass(frozen=True)
class Triage:
    intent: Intent
    priority: Priority
    personal_data: bool
    # Which rules fired, e.g. ("urgent: charged * twice", "personal data: phone").
    reasons: tuple[str, ...]
    # A reply in an answered conversation that only thanks or closes: it opens no new ticket.
    closing_follow_up: bool = False


def triage(
    text: str, rules: TriageRules, lang: str | None = None, answered_conversation: bool = False
) -> Triage:
    """Triage of a mention's `text`, in language `lang` when the network says (None: unknown, every
    language's rules apply). `answered_conversation`: it replies in a conversation the brand
    already answered, where a mere thank-you closes rather than opens a ticket."""
    words = readable(text)
    folded = fold(words)
    matchers = rules.matchers(lang)
    categories = personal_data_categories(text, rules)
    data_reasons = tuple(f"personal data: {category}" for category in sorted(categories))
    if answered_conversation and _closes(folded, matchers, rules):
        closing = matchers.closing.first(folded)
        return Triage("praise", "low", bool(categories), (f"closing: {closing}", *data_reasons), True)
    intent, reason = _intent(words, folded, lang, matchers, rules)
    urgent = reason.startswith("urgent:")
    priority: Priority = "urgent" if urgent else _PRIORITY_OF_INTENT[intent]
    return Triage(intent, priority, bool(categories), (reason, *data_reasons))


def is_closing(text: str, rules: TriageRules, lang: str | None = None) -> bool:
    """Whether `text` only thanks or closes ("sorted, thanks!", "gracias, resuelto"): a closing
    phrase, short, and no complaint, question or urgent phrase ("thanks, but it's still down")."""
    folded = fold(readable(text))
    return _closes(folded, rules.matchers(lang), rules)


def personal_data_categories(text: str, rules: TriageRules) -> set[str]:
    """The kinds of personal data in `text` (the redaction detectors'), among those that count.
    Handles are left out: they are public names on the network, and "@ana.pz" beside "@laura_g"
    would read as a spaced-out e-mail address."""
    return {f.category for f in find_personal_data(readable(text))} & rules.personal_data_categories


def _closes(folded: str, matchers: Matchers, rules: TriageRules) -> bool:
    if len(folded.split()) > rules.closing_max_words or matchers.closing.first(folded) is None:
        return False
    return not any(m.first(folded) for m in (matchers.urgent, matchers.complaint, matchers.question))


def _intent(
    words: str, folded: str, lang: str | None, matchers: Matchers, rules: TriageRules
) -> tuple[Intent, str]:
    for name, intent in (("urgent", "complaint"), ("complaint", "complaint"), ("question", "question")):
        phrase = getattr(matchers, name).first(folded)
        if phrase is not None:
            return intent, f"{name}: {phrase}"
    score = compound(words, lang, rules.sentiment_words(lang))
    praise = matchers.praise.first(folded)
    if praise is not None and score > rules.complaint_below:
        return "praise", f"praise: {praise}"
    if score >= rules.praise_above:
        return "praise", f"sentiment: {score:+.2f}"
    if score <= rules.complaint_below:
        return "complaint", f"sentiment: {score:+.2f}"
    return "other", f"no rule fired (sentiment {score:+.2f})"
