"""`make bench-triage`: how well triage labels mentions, against tests/data/triage/mentions.jsonl.

1. Intent and priority: accuracy, precision and recall per class, and the confusion matrix, with
   the language the set gives each mention, and again as if no language were known.
2. personal_data: precision and recall. closing: precision and recall of the closing-follow-up
   predicate (is_closing).
3. Accuracy per language, and the mislabelled mentions (--show).
4. Time: cold start (the lexicon's load) and milliseconds per mention.
"""

import argparse
import json
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from socialcare.config.triage import TriageConfig
from socialcare.domain.triage import Triage, TriageRules, is_closing, triage

DATA = Path(__file__).resolve().parents[2] / "tests" / "data" / "triage" / "mentions.jsonl"
INTENTS = ("complaint", "question", "praise", "other")
PRIORITIES = ("urgent", "normal", "low")


def load(path: Path = DATA) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


@dataclass
class Scores:
    """Counts for one labelled field: (expected, predicted) pairs."""

    pairs: list[tuple[object, object]]

    @property
    def accuracy(self) -> float:
        return sum(e == p for e, p in self.pairs) / len(self.pairs)

    def precision(self, label: object) -> float | None:
        predicted = [e for e, p in self.pairs if p == label]
        return sum(e == label for e in predicted) / len(predicted) if predicted else None

    def recall(self, label: object) -> float | None:
        expected = [p for e, p in self.pairs if e == label]
        return sum(p == label for p in expected) / len(expected) if expected else None

    def confusion(self) -> Counter:
        return Counter(self.pairs)


def evaluate(mentions: list[dict], rules: TriageRules, use_lang: bool = True) -> dict[str, Scores]:
    results: list[Triage] = [triage(m["text"], rules, m["lang"] if use_lang else None) for m in mentions]
    closings = [is_closing(m["text"], rules, m["lang"] if use_lang else None) for m in mentions]
    return {
        "intent": Scores([(m["intent"], r.intent) for m, r in zip(mentions, results, strict=True)]),
        "priority": Scores([(m["priority"], r.priority) for m, r in zip(mentions, results, strict=True)]),
        "personal_data": Scores(
            [(m["personal_data"], r.personal_data) for m, r in zip(mentions, results, strict=True)]
        ),
        "closing": Scores([(m["closing"], c) for m, c in zip(mentions, closings, strict=True)]),
    }


def _percent(value: float | None) -> str:
    return "   n/a" if value is None else f"{value:6.1%}"


def _report(name: str, scores: Scores, labels: tuple) -> None:
    print(f"   {name}: accuracy {scores.accuracy:.1%} ({len(scores.pairs)} mentions)")
    print(f"   {'':<12} {'precision':>9} {'recall':>7} {'support':>8}")
    support = Counter(e for e, _ in scores.pairs)
    for label in labels:
        print(
            f"   {label!s:<12} {_percent(scores.precision(label)):>9} {_percent(scores.recall(label)):>7} "
            f"{support[label]:>8}"
        )
    confusion = scores.confusion()
    print(
        f"   confusion (rows: labelled, columns: triaged)\n   {'':<12}" + "".join(f"{c:>10}" for c in labels)
    )
    for row in labels:
        print(f"   {row:<12}" + "".join(f"{confusion[(row, column)]:>10}" for column in labels))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--show", action="store_true", help="print every mislabelled mention")
    args = parser.parse_args()

    started = time.perf_counter()
    rules = TriageConfig().rules()
    triage("warm-up: the lexicon loads on first use", rules, "en")
    cold = time.perf_counter() - started
    mentions = load()
    print(f"Triage on {len(mentions)} labelled mentions ({DATA.relative_to(DATA.parents[3])})")

    scores = evaluate(mentions, rules)
    print("1. With the language each mention gives")
    _report("intent", scores["intent"], INTENTS)
    _report("priority", scores["priority"], PRIORITIES)
    unknown = evaluate(mentions, rules, use_lang=False)
    print(
        f"   without a language (every language's rules): intent {unknown['intent'].accuracy:.1%}, "
        f"priority {unknown['priority'].accuracy:.1%}"
    )

    print("2. Personal data and closing follow-ups")
    for name in ("personal_data", "closing"):
        each = scores[name]
        print(
            f"   {name:<14} precision {_percent(each.precision(True))}, "
            f"recall {_percent(each.recall(True))}, support {sum(e for e, _ in each.pairs)}"
        )

    print("3. Per language (intent / priority accuracy)")
    for lang, count in Counter(m["lang"] for m in mentions).most_common():
        subset = [m for m in mentions if m["lang"] == lang]
        each = evaluate(subset, rules)
        print(
            f"   {lang}: {count:>3} mentions, "
            f"{each['intent'].accuracy:6.1%} / {each['priority'].accuracy:6.1%}"
        )

    print("4. Time")
    started = time.perf_counter()
    rounds = 5
    for _ in range(rounds):
        for mention in mentions:
            triage(mention["text"], rules, mention["lang"])
    per_mention = (time.perf_counter() - started) * 1000 / (rounds * len(mentions))
    print(
        f"   cold start (rules compiled, lexicon loaded): {cold * 1000:.0f} ms; "
        f"{per_mention:.2f} ms per mention"
    )

    if args.show:
        print("Mislabelled (labelled -> triaged)")
        for mention in mentions:
            result = triage(mention["text"], rules, mention["lang"])
            if (result.intent, result.priority) != (mention["intent"], mention["priority"]):
                print(
                    f"   {mention['intent']}/{mention['priority']} -> {result.intent}/{result.priority} "
                    f"[{'; '.join(result.reasons)}] {mention['text']!r}"
                )


if __name__ == "__main__":
    main()
