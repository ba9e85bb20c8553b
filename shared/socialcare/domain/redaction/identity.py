"""Who someone is: passport and identity numbers, and dates of birth.

Identity numbers are found after a keyword in any of our languages ("passport no.", "DNI",
"Reisepass", "codice fiscale"), or by shape where the shape carries a checksum or is unmistakable
(Spanish DNI/NIE letters, Brazilian CPF digits, French NIR key, Italian codice fiscale, UK NINO).
A date is a date of birth only after a birth word: timestamps and event dates stay readable.
"""

import re

from .lazy import LazyPattern
from .spans import FILLER, Finding, digit_count, fold, keyword_led

# Matched in the folded (lower-case) text; see spans.keyword_led.
_ID_KEYWORDS = LazyPattern(
    r"(?:passport|passeport|reisepass|passnummer|pasaporte|passaporto|paspoort|passaporte|"
    r"id card|identity card|identity document|id number|id no|id nr|id #|national id|personal id|my id|"
    r"carte d['’]identit[ée]|carte vitale|cni|personalausweis|ausweis(?:nummer)?|carta d['’]identit[àa]|"
    r"carta de identidad|documento de identidad|dni|nie|nif|cpf|rg|aadhaa?r|pan(?: card)?|voter id|"
    r"national insurance(?: number| no)?|ni number|nino|bsn|burgerservicenummer|tfn|tax file number|"
    r"tax id|steuer-?id|steueridentifikationsnummer|codice fiscale|num[ée]ro fiscal|s[ée]curit[ée] sociale|"
    r"num[ée]ro de s[ée]cu|medicare(?: card)?|driver['’]?s? licen[cs]e|driving licen[cs]e|licen[cs]e number|"
    r"licen[cs]e no|permis de conduire|f[üu]hrerschein(?:nummer)?|carnet de conducir|patente|rijbewijs|"
    r"residence permit|visa number|green card|sin|social insurance number)(?![\w])"
)
# An identifier with a digit before any space: "c01x00t47", "12 345 678 901", "2123 45670 1".
_ID_VALUE = LazyPattern(
    rf"{FILLER}[\s:#=\-]{{0,4}}(?P<value>(?=[a-z0-9.\-/]{{0,30}}\d)[a-z0-9]{{1,20}}"
    rf"(?:[.\-/][a-z0-9]{{1,20}}|[ ]\d{{1,20}}){{0,8}})(?![\w])"
)
_SHAPED_IDS = (
    LazyPattern(r"(?<![\w])[A-Z]{6}\d{2}[A-EHLMPR-T]\d{2}[A-Z]\d{3}[A-Z](?![\w])"),  # codice fiscale
    LazyPattern(  # UK National Insurance number
        r"(?<![\w])(?!BG|GB|NK|KN|TN|NT|ZZ)[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z]"
        r" ?\d{2} ?\d{2} ?\d{2} ?[A-D](?![\w])"
    ),
    LazyPattern(r"(?<![\w])[A-Z]{3}[PCHFATBLJG][A-Z]\d{4}[A-Z](?![\w])"),  # Indian PAN
)
_CPF = LazyPattern(r"(?<![\d.])\d{3}\.\d{3}\.\d{3}-\d{2}(?![\d.])")
_DNI = LazyPattern(r"(?<![\w])(?P<prefix>[XYZ])?-?(?P<number>\d{7,8})-?(?P<letter>[A-Z])(?![\w])")
_DNI_LETTERS = "TRWAGMYFPDXBNJZSQVHLCKE"
_NIR = LazyPattern(r"(?<![\w])[12] ?\d{2} ?\d{2} ?(?:\d{2}|2[AB]) ?\d{3} ?\d{3} ?\d{2}(?![\w])")

_BIRTH_WORDS = LazyPattern(
    r"(?:d\.?\s?o\.?\s?b\.?|date of birth|birth ?date|birthday|born(?: on)?|b-?day|"
    r"n[ée]e? le|date de naiss(?:ance|\.)|geboren(?: am| op)?|geburtsdatum|geb\.|"
    r"fecha de nac(?:imiento|\.)|f\. ?nac\.|nacid[oa] el|data di nascita|nat[oa] il|geboortedatum|"
    r"data de nascimento|nascid[oa] em)(?![\w])"
)
# Month names and abbreviations in English, French, German, Spanish, Italian, Dutch, Portuguese.
_MONTHS = (
    r"jan(?:uary|vier|uar|uari|eiro)?|enero|ene|gennaio|gen|feb(?:ruary|ruar|ruari|rero|braio)?|"
    r"f[ée]v(?:rier|ereiro)?|mar(?:ch|s|zo|ço)?|m[äa]rz|maart|mrt|apr(?:il|ile)?|avr(?:il)?|abr(?:il)?|"
    r"may|mayo|mai|maggio|mei|maio|june?|juin|juni?|junio|giugno|junho|july?|juil(?:let)?|juli|julio|"
    r"luglio|julho|aug(?:ust|ustus)?|ao[uû]t|agosto|sep(?:t(?:ember|embre)?)?|septiembre|settembre|"
    r"setembro|oct(?:ober|obre|ubre)?|okt(?:ober)?|ottobre|outubro|nov(?:ember|embre|iembre)?|"
    r"dec(?:ember)?|d[ée]c(?:embre)?|dez(?:ember|embro)?|dic(?:iembre|embre)?"
)
_DATE = (
    r"(?:\d{4}[./\-]\d{1,2}[./\-]\d{1,2}|\d{1,2}[./\-]\d{1,2}[./\-](?:\d{4}|\d{2})"
    rf"|\d{{1,2}}(?:st|nd|rd|th|er|º|°)?\.?\s{{1,2}}(?:of\s|de\s)?(?:{_MONTHS})\.?,?\s{{1,2}}(?:de\s)?\d{{4}}"
    rf"|(?:{_MONTHS})\.?\s{{1,2}}\d{{1,2}}(?:st|nd|rd|th)?,?\s{{1,2}}\d{{4}}"
    rf"|\d{{1,2}}(?:st|nd|rd|th|er|º|°)?\.?\s{{1,2}}(?:of\s|de\s)?(?:{_MONTHS})|(?:{_MONTHS})\s{{1,2}}\d{{1,2}}(?:st|nd|rd|th)?)"
)
_BIRTH_DATE = LazyPattern(
    rf"[\s:=\-,]{{0,3}}+(?:(?:is|was|on|am|le|el|il|em|op|the)[\s:=\-,]{{1,3}}+){{0,2}}(?P<value>{_DATE})(?![\w])"
)


def find_identity_numbers(text: str) -> list[Finding]:
    found = keyword_led(fold(text), _ID_KEYWORDS, _ID_VALUE, "passport_or_id", _looks_like_an_id)
    for pattern in _SHAPED_IDS:
        found += [Finding(m.start(), m.end(), "passport_or_id") for m in pattern.finditer(text)]
    found += [
        Finding(m.start(), m.end(), "passport_or_id") for m in _CPF.finditer(text) if _cpf_valid(m.group(0))
    ]
    found += [Finding(m.start(), m.end(), "passport_or_id") for m in _DNI.finditer(text) if _dni_valid(m)]
    found += [
        Finding(m.start(), m.end(), "passport_or_id") for m in _NIR.finditer(text) if _nir_valid(m.group(0))
    ]
    return found


def find_dates_of_birth(text: str) -> list[Finding]:
    return keyword_led(fold(text), _BIRTH_WORDS, _BIRTH_DATE, "date_of_birth")


def _looks_like_an_id(value: str, keyword: str) -> bool:
    return digit_count(value) >= 4


def _cpf_valid(cpf: str) -> bool:
    digits = [int(ch) for ch in cpf if ch.isdigit()]
    if len(set(digits)) == 1:
        return False
    for length in (9, 10):
        total = sum(d * w for d, w in zip(digits[:length], range(length + 1, 1, -1), strict=True))
        if (total * 10 % 11) % 10 != digits[length]:
            return False
    return True


def _dni_valid(match: re.Match[str]) -> bool:
    number = match.group("number")
    if match.group("prefix"):
        if len(number) != 7:
            return False
        number = str("XYZ".index(match.group("prefix"))) + number
    elif len(number) != 8:
        return False
    return _DNI_LETTERS[int(number) % 23] == match.group("letter")


def _nir_valid(nir: str) -> bool:
    compact = nir.replace(" ", "")
    body = compact[:13].replace("2A", "19").replace("2B", "18")
    return 97 - int(body) % 97 == int(compact[13:])
