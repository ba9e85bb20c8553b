"""The default triage phrases (triage_defaults.yaml beside this file), read and checked by hand: the
first mention a cold start triages reads them, and a validation library would cost it ~0.1 s.
A test holds this to the configuration's own rules (config/triage.py's PhraseLists)."""

from functools import cache
from pathlib import Path

from .behaviour import PHRASE_LISTS

DEFAULTS_FILE = Path(__file__).with_name("triage_defaults.yaml")


@cache
def default_phrases() -> dict[str, dict]:
    """Language code -> {list name: phrases, or for `sentiment` word -> valence}; a bad default
    fails here, naming it."""
    import yaml  # here: a cold start that reads the compiled configuration parses no YAML

    from ..domain.triage.phrases import check_phrase

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    raw = yaml.load(DEFAULTS_FILE.read_text(encoding="utf-8"), Loader=loader)  # noqa: S506 - a SafeLoader
    checked: dict[str, dict] = {}
    for code, lists in raw.items():
        if not isinstance(lists, dict) or not set(lists) <= set(PHRASE_LISTS):
            raise ValueError(f"{DEFAULTS_FILE.name}: {code}: lists are named {', '.join(PHRASE_LISTS)}")
        checked[code] = {}
        for name, value in lists.items():
            if value is None:
                continue
            where = f"{DEFAULTS_FILE.name}: {code}.{name}"
            if name == "sentiment":
                checked[code][name] = _valences(value, where)
            elif isinstance(value, list) and all(isinstance(phrase, str) for phrase in value):
                checked[code][name] = [check_phrase(phrase) for phrase in value]
            else:
                raise ValueError(f"{where}: expected a list of phrases")
    return checked


def _valences(words: object, where: str) -> dict[str, float]:
    if not isinstance(words, dict):
        raise ValueError(f"{where}: expected words and their valence")
    valences = {}
    for word, valence in words.items():
        if not isinstance(word, str) or isinstance(valence, bool) or not isinstance(valence, int | float):
            raise ValueError(f"{where}: {word!r}: expected a number")
        if not -4 <= valence <= 4:
            raise ValueError(f"{where}: sentiment of {word!r}: {valence} is outside -4 to 4")
        valences[word] = float(valence)
    return valences
