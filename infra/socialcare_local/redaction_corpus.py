"""The personal-data corpus (tests/data), how the redaction engine scores on it, and the
adversarial text its speed is measured on.

A post counts as found when every character of each of its secrets is inside a span the engine
reports, and the secret no longer appears in the redacted text. A negative post counts as a false
positive when redaction changes it at all.
"""

import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from socialcare.domain.redaction import find_personal_data, redact

DATA = Path(__file__).resolve().parents[2] / "tests" / "data"
POSITIVE = DATA / "personal_data_corpus.jsonl"
NEGATIVE = DATA / "no_personal_data_corpus.jsonl"


def load(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def secrets_of(post: dict) -> list[str]:
    return post["secret"] if isinstance(post["secret"], list) else [post["secret"]]


def found(post: dict) -> bool:
    text = post["text"]
    covered = {i for f in find_personal_data(text) for i in range(f.start, f.end)}
    masked = redact(text)
    for secret in secrets_of(post):
        start = text.find(secret)
        while start != -1:
            if any(i not in covered for i in range(start, start + len(secret))):
                return False
            start = text.find(secret, start + 1)
        if secret in masked:
            return False
    return True


@dataclass
class Score:
    total: Counter = field(default_factory=Counter)
    found: Counter = field(default_factory=Counter)
    missed: list[dict] = field(default_factory=list)
    false_positives: list[tuple[str, str]] = field(default_factory=list)
    negatives: int = 0

    @property
    def recall(self) -> float:
        return sum(self.found.values()) / sum(self.total.values())


def score(positives: list[dict] | None = None, negatives: list[dict] | None = None) -> Score:
    result = Score()
    for post in load(POSITIVE) if positives is None else positives:
        result.total[post["category"]] += 1
        if found(post):
            result.found[post["category"]] += 1
        else:
            result.missed.append(post)
    for post in load(NEGATIVE) if negatives is None else negatives:
        result.negatives += 1
        if (masked := redact(post["text"])) != post["text"]:
            result.false_positives.append((post["text"], masked))
    return result


def adversarial_text(size: int = 100_000) -> str:
    """Inputs that make naive patterns backtrack: long digit runs with separators, long words,
    "@" runs, keyword after keyword, address-like capitals, IBAN prefixes."""
    blocks = [
        "1 2-3.4/5(6)7+8 ",
        "0770 0900 456 ",
        "0123456789",
        "a" * 50,
        "@",
        "a.b.c.d@",
        "order order #1 ",
        "passport no no no ",
        "DOB 12 ",
        "jane dot x at ",
        "1 Aa Bb Cc Dd ",
        "DE89 ",
        "+44 (0) ",
    ]
    piece = size // len(blocks)
    return "".join((block * (piece // len(block) + 1))[:piece] for block in blocks).ljust(size, "9")
