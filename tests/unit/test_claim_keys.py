"""A claim link that cannot be made never stops its alert, and never goes unnoticed."""

from datetime import UTC, datetime

from aws_lambda_powertools.metrics import Metrics

from socialcare.runtime import claim_keys, metric_names


def test_an_unreadable_key_sends_the_alert_without_a_link_and_counts_it(monkeypatch):
    monkeypatch.setenv("CLAIM_URL", "https://claim.example/")
    monkeypatch.setenv("CLAIM_KEY_SECRET", "arn:aws:secretsmanager:eu-west-1:1:secret:k")
    monkeypatch.setenv("POWERTOOLS_METRICS_NAMESPACE", "socialcare-test")

    def unreadable():
        raise PermissionError("AccessDenied")

    monkeypatch.setattr(claim_keys, "current_key", unreadable)
    metrics = Metrics()
    metrics.clear_metrics()
    assert claim_keys.claim_url("ticket", "TICKET#x#1", "care_team", datetime(2026, 3, 2, tzinfo=UTC)) == ""
    assert metrics.metric_set[metric_names.CLAIM_LINKS_UNAVAILABLE]["Value"] == [1.0]
    metrics.clear_metrics()


def test_a_readable_key_makes_a_link_the_page_can_check(monkeypatch):
    monkeypatch.setenv("CLAIM_URL", "https://claim.example/")
    monkeypatch.setenv("CLAIM_KEY_SECRET", "arn:aws:secretsmanager:eu-west-1:1:secret:k")
    monkeypatch.setattr(claim_keys, "current_key", lambda: b"k" * 32)
    now = datetime(2026, 3, 2, tzinfo=UTC)
    url = claim_keys.claim_url("ticket", "TICKET#x#1", "care_team", now)
    token = url.split("?t=")[1]
    assert url.startswith("https://claim.example/?t=")
    assert claim_keys.claim_links.verify([b"k" * 32], token, now).recipient == "care_team"
