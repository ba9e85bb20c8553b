"""A progress bar for long replays: virtual time covered and mentions played, drawn from
ReplayOptions.on_progress on the terminal's stderr.

The command draws it only when stderr is a terminal (never into a pipe, a log or a test's capture),
only once a replay has run for a moment (short replays show nothing), and clears it when the replay
ends, so the timeline that follows prints on a clean screen. The handlers' output never reaches the
terminal (the local stack sends it to the Lambda log), so nothing is drawn over.
"""

import time
from collections.abc import Callable
from datetime import datetime

from rich.console import Console
from rich.progress import BarColumn, Progress, TaskID, TextColumn, TimeElapsedColumn

from .runner import ReplayProgress

SHOW_AFTER_SECONDS = 1.0  # a replay shorter than this never shows the bar


def _when(moment: datetime) -> str:
    return f"{moment:%b %d %H:%M}"  # UTC; short, so the bar keeps its width on 80 columns


def describe(progress: ReplayProgress) -> tuple[float, float, str, str]:
    """(virtual seconds covered, virtual seconds in all, where the clock is, mentions played)."""
    covered = max(0.0, (progress.now - progress.start).total_seconds())
    end = progress.end or progress.now
    total = max(60.0, (end - progress.start).total_seconds())
    if progress.now > end:  # past the last event: open tickets run out their escalation ladder
        where = f"{_when(progress.now)}, after the last event"
        total = covered
    else:
        where = f"{_when(progress.now)} / {_when(end)}"
    mentions = f"mentions {progress.mentions_played}/{progress.mentions_total}"
    return min(covered, total), total, where, mentions


class ReplayProgressBar:
    """Use as `with ReplayProgressBar() as bar: replay(events, ReplayOptions(on_progress=bar))`."""

    def __init__(
        self,
        console: Console | None = None,
        show_after: float = SHOW_AFTER_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ):
        self._console = console or Console(stderr=True)
        self._clock = clock
        self._show_at = clock() + show_after
        self._bar: Progress | None = None
        self._task: TaskID | None = None

    def __call__(self, progress: ReplayProgress) -> None:
        if self._bar is None:
            if self._clock() < self._show_at:
                return
            self._start()
        covered, total, where, mentions = describe(progress)
        self._bar.update(self._task, completed=covered, total=total, where=where, mentions=mentions)

    def _start(self) -> None:
        self._bar = Progress(
            TextColumn("replaying"),
            BarColumn(),
            TextColumn("{task.fields[where]}"),
            TextColumn("{task.fields[mentions]}"),
            TimeElapsedColumn(),
            console=self._console,
            transient=True,  # cleared at the end: the timeline and summary follow
            redirect_stdout=False,  # the handlers' stdout belongs to the Lambda log
            redirect_stderr=False,
        )
        self._task = self._bar.add_task("replay", total=None, where="", mentions="")
        self._bar.start()

    def close(self) -> None:
        if self._bar is not None:
            self._bar.stop()
            self._bar = None

    def __enter__(self) -> "ReplayProgressBar":
        return self

    def __exit__(self, *_exc) -> None:
        self.close()
