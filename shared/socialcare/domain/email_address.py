"""E-mail addresses in the settings and the configuration: a strict check of their syntax (pure;
config/email_address.py makes it a field type of the configuration).

Without email_validator, whose import (and the DNS code it brings) cost every cold start about
0.1 s, and which checked more than a sender or a staff recipient needs. An address is accepted when:

- it is `local@domain`, with exactly one @ (no quoted local part, no [IP address] domain);
- the local part is dot-separated atoms of RFC 5322's characters (letters, digits and
  !#$%&'*+-/=?^_`{|}~; no leading, trailing or doubled dot), or of letters, digits and marks of
  any script (RFC 6531);
- the domain has a dot: labels of letters, digits and inner hyphens (any script, as in IDN), and
  a last label that is not all digits;
- it holds no space, line break or control character;
- it fits RFC 5321's sizes, counted in UTF-8 octets: local part 64, domain 253 (a label 63, in its
  xn-- form for another script), the whole address 254 (a path of 256 with its angle brackets).

As before, spaces around the address are dropped, a display name (`Care Team <care@acme.example>`)
keeps only the address, and the domain is lowercased. A refusal reads "value is not a valid email
address: <reason>", under the field's name.
"""

import unicodedata

MAX_ADDRESS = 254
MAX_LOCAL = 64
MAX_DOMAIN = 253
MAX_LABEL = 63

_ATOM_SYMBOLS = frozenset("!#$%&'*+-/=?^_`{|}~")


class InvalidEmailAddress(ValueError):
    """The reason an address was refused, in a sentence."""


def check_email_address(value: str) -> str:
    """The address, normalised (no surrounding spaces or display name, lowercase domain); raises
    InvalidEmailAddress saying what is wrong."""
    if "\r" in value or "\n" in value:  # a line break in a mail header starts another header
        raise InvalidEmailAddress("it holds a line break")
    address = value.strip()
    if address.endswith(">") and "<" in address:  # a display name before <address>
        address = address[:-1].rpartition("<")[2].strip()
    if not address:
        raise InvalidEmailAddress("it is empty")
    if any(ch.isspace() or unicodedata.category(ch) in ("Cc", "Cf") for ch in address):
        raise InvalidEmailAddress("it holds a space or a control character")
    local, at, domain = address.rpartition("@")
    if not at:
        raise InvalidEmailAddress("it has no @-sign")
    if "@" in local:
        raise InvalidEmailAddress("it has more than one @-sign")
    _check_local(local)
    domain = domain.lower()
    _check_domain(domain)
    address = unicodedata.normalize("NFC", f"{local}@{domain}")
    if _octets(address) > MAX_ADDRESS:
        raise InvalidEmailAddress(f"it is longer than {MAX_ADDRESS} octets")
    return address


def _check_local(local: str) -> None:
    if not local:
        raise InvalidEmailAddress("nothing comes before the @-sign")
    if _octets(local) > MAX_LOCAL:
        raise InvalidEmailAddress(f"the part before the @-sign is longer than {MAX_LOCAL} octets")
    if local.startswith(".") or local.endswith(".") or ".." in local:
        raise InvalidEmailAddress("the part before the @-sign starts or ends with a dot, or has two in a row")
    bad = sorted({ch for ch in local if ch != "." and not (_word_character(ch) or ch in _ATOM_SYMBOLS)})
    if bad:
        raise InvalidEmailAddress(f"the part before the @-sign holds {_listed(bad)}")


def _check_domain(domain: str) -> None:
    if not domain:
        raise InvalidEmailAddress("nothing comes after the @-sign")
    if _octets(domain) > MAX_DOMAIN:
        raise InvalidEmailAddress(f"the domain is longer than {MAX_DOMAIN} octets")
    labels = domain.split(".")
    if len(labels) < 2:
        raise InvalidEmailAddress("the domain has no dot (like example.com)")
    for label in labels:
        if not label:
            raise InvalidEmailAddress("the domain starts or ends with a dot, or has two in a row")
        bad = sorted({ch for ch in label if ch != "-" and not _word_character(ch)})
        if bad:
            raise InvalidEmailAddress(f"the domain holds {_listed(bad)}")
        if label.startswith("-") or label.endswith("-"):
            raise InvalidEmailAddress(f"the domain's part {label!r} starts or ends with a hyphen")
        if _label_length(label) > MAX_LABEL:
            raise InvalidEmailAddress(f"the domain's part {label[:20]!r}... is longer than {MAX_LABEL}")
    if labels[-1].isdigit():
        raise InvalidEmailAddress(f"the domain ends in {labels[-1]!r}, which is not a top-level domain")


def _word_character(ch: str) -> bool:
    """An ASCII letter or digit, or a letter, mark or digit of another script."""
    if ch.isascii():
        return ch.isalnum()
    return unicodedata.category(ch)[0] in "LMN"


def _label_length(label: str) -> int:
    """The label's length in DNS: its xn-- (punycode) form for another script."""
    return len(label) if label.isascii() else len(b"xn--" + label.encode("punycode"))


def _octets(text: str) -> int:
    return len(text.encode("utf-8"))


def _listed(characters: list[str]) -> str:
    return ", ".join(repr(ch) for ch in characters)
