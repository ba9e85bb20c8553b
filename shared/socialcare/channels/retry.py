"""Retry transient channel failures with backoff, inside the invocation's time budget."""

import random
import time
from collections.abc import Callable
from dataclasses import dataclass

from .base import TransientError


@dataclass
class Budget:
    """How much of the invocation is left; retries never start what they cannot finish."""

    remaining_ms: Callable[[], int]
    reserve_ms: int = 5_000  # kept back to store results and move cursors

    def allows(self, wait_seconds: float, call_timeout_seconds: float) -> bool:
        needed = (wait_seconds + call_timeout_seconds) * 1000 + self.reserve_ms
        return self.remaining_ms() > needed


def with_retries[T](
    call: Callable[[], T],
    budget: Budget,
    *,
    attempts: int = 4,
    base_delay: float = 0.5,
    call_timeout: float = 10.0,
    sleep: Callable[[float], None] = time.sleep,
) -> T:
    """Call; on TransientError wait base_delay * 2^n (with jitter) and call again while the budget
    allows. The last TransientError propagates: the caller keeps its cursor where it was."""
    for attempt in range(attempts):
        try:
            return call()
        except TransientError:
            delay = base_delay * (2**attempt) * (0.5 + random.random() / 2)
            if attempt == attempts - 1 or not budget.allows(delay, call_timeout):
                raise
            sleep(delay)
    raise AssertionError("unreachable")
