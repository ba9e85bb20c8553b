"""E-mail addresses, including the ways people disguise them from scrapers:
"jane dot doe at gmail dot com", "jane[at]example[dot]fr", "jane (at) web (dot) de"."""

from .lazy import LazyPattern
from .spans import Finding, fold

_LOCAL = r"[\w%+\-]{1,64}"
_LABEL = r"[\w\-]{1,63}"
_OPEN, _CLOSE = r"[\[\(\{<]", r"[\]\)\}>]"
# "@" or a bracketed "at"; or, read separately, a spelled " at "/" arroba " between spaces.
_AT = rf"(?:\s{{0,2}}@\s{{0,2}}|\s{{0,2}}{_OPEN}\s{{0,2}}(?:at|@|arroba|chez)\s{{0,2}}{_CLOSE}\s{{0,2}})"
_SPELLED_AT = r"\s{1,2}(?:at|arroba)\s{1,2}"
# ".", a bracketed "dot", a spelled " dot " (or punto, point, punkt, ponto), or " . ".
_DOT = (
    rf"(?:\.|\s{{0,2}}{_OPEN}\s{{0,2}}(?:dot|punto|point|punkt|ponto|\.)\s{{0,2}}{_CLOSE}\s{{0,2}}"
    r"|\s{1,2}(?:dot|punto|point|punkt|ponto)\s{1,2}| \. )"
)
# Spelled-out forms must end in a real top-level domain, or "look at this dot com" would match.
_COMMON_TLDS = (
    "com|net|org|edu|gov|io|co|uk|fr|de|es|it|nl|ie|au|ca|in|br|mx|jp|be|ch|at|pt|pl|se|no|dk|fi|"
    "info|biz|me|us|eu|email|online|app|dev|xyz|live"
)
# After an "@", a comma before a common ending is a typo for a dot ("jane@example,com").
_DOMAIN_DOT = rf"(?:{_DOT}|,(?=(?:{_COMMON_TLDS})\b))"
# Not after an "@": "@noor@fosstodon.org" is a Mastodon handle, a public name, not an address.
_LOCAL_PART = rf"(?<![\w%+\-.@]){_LOCAL}(?:{_DOT}{_LOCAL}){{0,4}}"
_EMAIL = LazyPattern(
    rf"{_LOCAL_PART}{_AT}{_LABEL}(?:{_DOT}{_LABEL}){{0,5}}{_DOMAIN_DOT}[a-z]{{2,24}}(?![\w\-])"
)
_SPELLED_EMAIL = LazyPattern(
    rf"{_LOCAL_PART}{_SPELLED_AT}{_LABEL}(?:{_DOT}{_LABEL}){{0,5}}{_DOT}(?:{_COMMON_TLDS})(?![\w\-@])"
)


def find_emails(text: str) -> list[Finding]:
    folded = fold(text)  # matched in lower case, so "JANE AT EXAMPLE DOT COM" too
    return [
        Finding(m.start(), m.end(), "email")
        for pattern in (_EMAIL, _SPELLED_EMAIL)
        for m in pattern.finditer(folded)
    ]
