"""The engine against 300+ realistic posts with personal data, in the formats of ten countries,
and posts with none (times, prices, event dates, model numbers, our ticket references).
Per-category figures: make bench-redaction."""

from collections import Counter

from socialcare.domain.redaction import CATEGORIES
from socialcare_local.redaction_corpus import NEGATIVE, POSITIVE, load, score, secrets_of


def test_the_corpus_is_large_varied_and_well_formed():
    positives, negatives = load(POSITIVE), load(NEGATIVE)
    assert len(positives) >= 200 and len(negatives) >= 60
    assert set(Counter(post["category"] for post in positives)) == set(CATEGORIES)
    assert {"US", "GB", "FR", "DE", "ES", "IT", "NL", "IN", "BR", "AU"} <= {
        post["country"] for post in positives
    }
    for post in positives:
        assert all(secret and secret in post["text"] for secret in secrets_of(post)), post


def test_recall_is_at_least_95_percent_overall():
    result = score()
    missed = [post["text"] for post in result.missed]
    assert result.recall >= 0.95, missed


def test_no_post_without_personal_data_is_changed():
    assert score(positives=[]).false_positives == []
