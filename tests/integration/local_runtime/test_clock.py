"""The virtual clock."""

from datetime import UTC, datetime, timedelta, timezone

import pytest

from socialcare_local.clock import VirtualClock


def test_now_advance_and_set_never_backwards():
    clock = VirtualClock(datetime(2026, 11, 23, 14, 0))
    assert clock.now() == datetime(2026, 11, 23, 14, 0, tzinfo=UTC)
    clock.advance(timedelta(minutes=5))
    clock.set(datetime(2026, 11, 23, 16, 10, tzinfo=timezone(timedelta(hours=2))))  # 14:10 UTC
    assert clock.now() == datetime(2026, 11, 23, 14, 10, tzinfo=UTC) and clock.now().tzinfo is UTC
    with pytest.raises(ValueError, match="backwards"):
        clock.set(datetime(2026, 11, 23, 14, 9, tzinfo=UTC))
    with pytest.raises(ValueError, match="backwards"):
        clock.advance(timedelta(seconds=-1))


def test_the_domain_clock_follows_the_virtual_clock_while_deployed(deployment, clock):
    socialcare_clock = pytest.importorskip("socialcare.clock")
    assert socialcare_clock.now() == clock.now()
    clock.advance(timedelta(hours=1))
    assert socialcare_clock.now() == clock.now()
