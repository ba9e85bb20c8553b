"""Where people live: UK postcodes and street addresses in the formats of the countries we serve.

Street names must be capitalised unless the street word is unmistakable ("221b baker street"), so
"I waited 3 days all the way" stays as written.
"""

from .lazy import LazyPattern
from .spans import Finding, fold

# Royal Mail's rules: outward code letters, then an inward code whose letters skip C I K M O V
# (which is also why "3pm", "1am", "2kg" never match).
_POSTCODE = LazyPattern(r"(?<![\w])(?:(?:[a-pr-uwyz][a-hk-y]?\d[a-z\d]?)|gir) ?\d[abd-hjlnp-uw-z]{2}(?![\w])")
_ORDINAL = LazyPattern(r"\d(?:st|nd|rd|th)")

_NAME = r"(?:[A-ZÀ-Ý][\w'’.\-]{0,30}|\d{1,3}(?:st|nd|rd|th))"
_LOWER_NAME = (
    r"(?!(?:the|a|an|of|on|in|to|my|your|our|for|and|all|at|by|from|with|this|that)\b)[a-z][\w'’\-]{1,30}"
)
_NUMBER = r"\d{1,5}[A-Za-z]?(?:[\-/]\d{1,5}[A-Za-z]?)?"
_UNIT = r"(?:(?i:flat|apt\.?|apartment|unit|suite|ste\.?)\s?#?\d{1,5}[A-Za-z]?(?:,?\s{1,2}|/))?"
_TRAILING_UNIT = (
    r"(?:,?\s{1,2}(?i:apt\.?|apto\.?|apartment|unit|suite|ste\.?|flat|piso|puerta|scala|interno|int\.|#)"
    r"\s?#?\d{1,5}[A-Za-z]?(?![\w]))?"
)
_STREET_WORDS = (
    r"street|st|road|rd|avenue|ave|av|lane|ln|drive|dr|way|close|cl|court|ct|boulevard|blvd|place|pl|"
    r"terrace|tce|crescent|cres|gardens|gdns|square|sq|highway|hwy|parkway|pkwy|row|mews|grove|hill|"
    r"walk|circle|cir|trail|park|green|rise|vale|wharf|quay|parade|esplanade|marg|nagar"
)
_PLAIN_STREET_WORDS = r"street|road|avenue|lane|drive|boulevard|terrace|crescent|gardens|close"
_ENGLISH = LazyPattern(
    rf"(?<![\w]){_UNIT}{_NUMBER},?\s{{1,2}}"
    rf"(?:(?:{_NAME},?\s{{1,2}}){{1,4}}(?i:{_STREET_WORDS})|(?:{_LOWER_NAME}\s{{1,2}}){{1,3}}(?:{_PLAIN_STREET_WORDS}))"
    rf"\b\.?(?:\s(?:N|S|E|W|NE|NW|SE|SW)\b)?{_TRAILING_UNIT}"
)
_PARTICLES = (
    r"(?:(?:de|du|des|de la|la|le|les|l['’]|d['’]|del|della|delle|dei|degli|di|da|do|dos|das|las|los|"
    r"van|von|der|den)\s{0,2})"
)
_FRENCH = LazyPattern(
    rf"(?<![\w])\d{{1,4}}(?:\s?(?i:bis|ter))?,?\s{{1,2}}"
    rf"(?i:rue|avenue|av\.|bd|boulevard|place|allée|impasse|chemin|quai|cours|route|square|passage)\s{{1,2}}"
    rf"{_PARTICLES}{{0,2}}{_NAME}(?:\s{{1,2}}{_PARTICLES}{{0,2}}{_NAME}){{0,3}}"
)
# Street word first, number last (Spanish, Italian, Portuguese); words that are also ordinary
# words ("via DHL 12", "largo") only when capitalised.
_NUMBER_LAST = LazyPattern(
    rf"(?<![\w])(?:(?i:calle|c/|avenida|avda\.?|av\.|rua|travessa|praça)|Paseo|Plaza|Carrer|Camino|Ronda|"
    rf"Via|Viale|Piazza|Piazzale|Corso|Largo|Vicolo|Alameda|Estrada)\s{{1,2}}"
    rf"{_PARTICLES}{{0,2}}{_NAME}(?:\s{{1,2}}{_PARTICLES}{{0,2}}{_NAME}){{0,3}},?\s{{0,2}}(?:n[º°o.]\s?)?\d{{1,5}}[A-Za-z]?(?![\w])"
    rf"{_TRAILING_UNIT}"
)
# South Asian style: "House No. 12, Sector 15", "Plot No. 45-B, Phase 2".
_HOUSE_NUMBER = LazyPattern(
    r"(?<![\w])(?:house|plot|door|h\.)\s?(?:no\.?|number|#)\s?\d{1,5}(?:[\-/]?[a-z0-9]{1,5}){0,3}"
    r"(?:,\s{0,2}(?:sector|block|phase|floor|ward)\s?\d{1,4}[a-z]?){0,3}(?![\w])"
)
_COMPOUND = LazyPattern(
    r"(?<![\w])(?:[A-ZÄÖÜ][a-zäöüß]{2,30}(?:-[A-ZÄÖÜ][a-zäöüß]{1,30})?"
    r"(?:straße|strasse|str\.|weg|gasse|platz|allee|damm|ufer|chaussee|straat|laan|gracht|plein|kade|steeg|dijk|singel)"
    r"|[A-ZÄÖÜ][a-zäöüß]{2,30}\s(?:Straße|Strasse|Str\.|Weg|Platz|Allee|Gasse))\s{1,2}\d{1,4}(?:\s?[a-zA-Z])?(?![\w])"
)
_PO_BOX = LazyPattern(
    r"(?<![\w])(?:p\.?\s?o\.?\s?box|postfach|apartado(?: de correos)?|boîte postale)\s{1,2}\d{1,6}(?![\w])"
)


def find_postcodes(text: str) -> list[Finding]:
    found = []
    for match in _POSTCODE.finditer(fold(text)):
        inward = text[match.end() - 3 : match.end()]
        if _ORDINAL.fullmatch(inward):
            continue  # "F1 2nd place" (a postcode's inward code is written in capitals)
        found.append(Finding(match.start(), match.end(), "postcode"))
    return found


def find_addresses(text: str) -> list[Finding]:
    folded = fold(text)
    return [
        Finding(match.start(), match.end(), "address")
        for pattern, source in (
            (_ENGLISH, text),
            (_FRENCH, text),
            (_NUMBER_LAST, text),
            (_COMPOUND, text),
            (_PO_BOX, folded),
            (_HOUSE_NUMBER, folded),
        )
        for match in pattern.finditer(source)
    ]
