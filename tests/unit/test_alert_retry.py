from datetime import UTC, datetime

from socialcare.domain.alert_retry import GIVE_UP_AFTER, give_up, retry_delay

T0 = datetime(2026, 11, 23, 14, 0, tzinfo=UTC)


def test_a_failed_alert_is_retried_at_the_next_sweep_then_less_and_less_often():
    waits = [retry_delay(attempts) for attempts in range(1, 9)]
    assert [int(w.total_seconds() // 60) for w in waits] == [1, 2, 4, 8, 16, 30, 30, 30]


def test_an_alert_failing_all_day_is_given_up_after_a_bounded_number_of_attempts():
    failed_at, attempts = T0, 0
    now = T0
    while not give_up(failed_at, now):
        attempts += 1
        now += retry_delay(attempts)
    assert now - failed_at >= GIVE_UP_AFTER and attempts < 60
