"""The replay's progress bar: virtual time covered and mentions played, drawn only on a terminal,
only for a replay that lasts, and cleared before the timeline prints."""

import io
from datetime import UTC, datetime, timedelta

from rich.console import Console

from socialcare_local.replay.progress import ReplayProgressBar, describe
from socialcare_local.replay.runner import ReplayProgress

START = datetime(2017, 10, 31, 22, 0, tzinfo=UTC)
END = START + timedelta(days=9)


def at(hours: float, mentions: int = 5) -> ReplayProgress:
    return ReplayProgress(START, START + timedelta(hours=hours), END, mentions, 30, mentions, 21)


def terminal() -> tuple[Console, io.StringIO]:
    screen = io.StringIO()
    return Console(file=screen, force_terminal=True, width=100, color_system=None), screen


def test_it_tells_the_virtual_time_covered_and_the_mentions_played():
    covered, total, where, mentions = describe(at(24 * 3, mentions=7))
    assert covered / total == 1 / 3
    assert where == "Nov 03 22:00 / Nov 09 22:00" and mentions == "mentions 7/21"


def test_after_the_last_event_the_bar_is_full_and_says_why_the_replay_goes_on():
    past = ReplayProgress(START, END + timedelta(hours=1), END, 30, 30, 21, 21)
    covered, total, where, _ = describe(past)
    assert covered == total and where.endswith("after the last event")


def test_the_bar_is_drawn_on_a_terminal_and_cleared_at_the_end():
    console, screen = terminal()
    with ReplayProgressBar(console, show_after=0) as bar:
        bar(at(24 * 3, mentions=7))
        bar._bar.refresh()
    drawn = screen.getvalue()
    assert "Nov 03 22:00 / Nov 09 22:00" in drawn and "mentions 7/21" in drawn
    assert drawn.endswith("\x1b[2K")  # transient: the last thing written erases the bar's line


def test_a_short_replay_draws_nothing():
    console, screen = terminal()
    now = [0.0]
    with ReplayProgressBar(console, show_after=1.0, clock=lambda: now[0]) as bar:
        bar(at(1))
        now[0] = 0.9
        bar(at(2))
    assert screen.getvalue() == ""


def test_the_command_draws_it_only_on_a_terminal_and_never_when_quiet(monkeypatch):
    from socialcare_local import cli

    with cli._progress_bar(quiet=False) as listener:  # pytest's captured stderr is no terminal
        assert listener is None
    monkeypatch.setattr(cli.sys.stderr, "isatty", lambda: True, raising=False)
    with cli._progress_bar(quiet=True) as listener:
        assert listener is None
    with cli._progress_bar(quiet=False) as listener:
        assert isinstance(listener, ReplayProgressBar)
