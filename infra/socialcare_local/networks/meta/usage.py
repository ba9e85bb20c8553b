"""Call budgets and the usage headers Meta sends with every answer.

Each page or Instagram account has a call budget per window (Business Use Case limits), and the app
one across all of them. `X-Business-Use-Case-Usage` and `X-App-Usage` report the share used in
percent, so a client can slow down before the limit; past it the calls are refused (80001 / 80002,
or 32 for pages when configured so; 4 for the app) until the window ends, and
`estimated_time_to_regain_access` says how many minutes that is.
"""

from __future__ import annotations

import json
import math
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

OBJECT_THROTTLE = {"pages": 80001, "instagram": 80002}


@dataclass
class Window:
    start: datetime
    used: int = 0


class Usage:
    def __init__(
        self,
        clock: Callable[[], datetime],
        *,
        object_budget: int,
        app_budget: int,
        window: timedelta,
        page_throttle_code: int = 80001,
    ):
        self.clock, self.window, self.app_budget = clock, window, app_budget
        self.object_budget = object_budget
        self.budgets: dict[str, int] = {}
        self.codes = {**OBJECT_THROTTLE, "pages": page_throttle_code}
        self._windows: dict[str, Window] = {}
        self._lock = threading.Lock()

    def set_budget(self, object_id: str, calls: int) -> None:
        with self._lock:
            self.budgets[object_id] = calls

    def _current(self, key: str) -> Window:
        now = self.clock()
        window = self._windows.get(key)
        if window is None or now >= window.start + self.window:
            window = self._windows[key] = Window(now)
        return window

    def consume(self, owner_id: str, kind: str) -> int | None:
        """Count one call; the throttle error code instead when a budget is spent (nothing counted)."""
        with self._lock:
            app, obj = self._current("app"), self._current(owner_id)
            if app.used >= self.app_budget:
                return 4
            if obj.used >= self.budgets.get(owner_id, self.object_budget):
                return self.codes[kind]
            app.used += 1
            obj.used += 1
            return None

    def exhaust(self, owner_id: str) -> None:
        """Spend the whole budget now (the rate-limited fault): refused until the window ends."""
        with self._lock:
            self._current(owner_id).used = self.budgets.get(owner_id, self.object_budget)

    def headers(self, owner_id: str | None, kind: str | None) -> dict:
        with self._lock:
            headers = {"X-App-Usage": json.dumps(self._figures("app", self.app_budget, with_wait=False))}
            if owner_id and kind:
                figures = self._figures(owner_id, self.budgets.get(owner_id, self.object_budget))
                headers["X-Business-Use-Case-Usage"] = json.dumps({owner_id: [{"type": kind, **figures}]})
            return headers

    def _figures(self, key: str, budget: int, *, with_wait: bool = True) -> dict:
        window = self._current(key)
        percent = min(100, math.ceil(window.used * 100 / budget)) if budget else 100
        # Time and CPU shares follow the call share: the simulator does no real work to measure.
        figures = {"call_count": percent, "total_cputime": percent // 2, "total_time": percent}
        if with_wait:
            left = window.start + self.window - self.clock()
            figures["estimated_time_to_regain_access"] = (
                max(1, math.ceil(left.total_seconds() / 60)) if percent >= 100 else 0
            )
        return figures
