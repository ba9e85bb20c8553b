"""When a failed alert is tried again, and when it is given up on.

The first retry comes with the next sweep (a throttled send usually goes through a minute later);
then the wait doubles, up to half an hour, so an outage costs a few dozen calls a day, not 1,440.
After a day the alert is recorded as rejected: by then it no longer helps anyone act in time.
"""

from datetime import datetime, timedelta

FIRST_RETRY = timedelta(minutes=1)
LONGEST_WAIT = timedelta(minutes=30)
GIVE_UP_AFTER = timedelta(days=1)


def retry_delay(attempts: int) -> timedelta:
    """The wait after the `attempts`-th failed attempt (1 = the first send failed)."""
    doublings = min(max(attempts - 1, 0), 10)
    return min(FIRST_RETRY * 2**doublings, LONGEST_WAIT)


def give_up(first_failed_at: datetime, now: datetime) -> bool:
    return now - first_failed_at >= GIVE_UP_AFTER
