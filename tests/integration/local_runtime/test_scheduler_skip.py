"""A replay skips fire times where nothing can happen: each schedule keeps its own fire times, and
what the skipped ones would have invoked is counted."""

from datetime import UTC, datetime

from socialcare_local.scheduler import Scheduler


def at(hh, mm, ss=0):
    return datetime(2026, 11, 23, hh, mm, ss, tzinfo=UTC)


def test_the_first_fire_time_after_a_moment_is_on_each_schedules_own_grid(deployment, clock):
    scheduler = Scheduler(deployment, clock)  # every minute and every two hours, from 14:01
    assert scheduler.first_fire_at_or_after(at(15, 30, 20)) == at(15, 31)
    assert scheduler.first_fire_at_or_after(at(14, 0)) == at(14, 1)  # nothing before the next one


def test_skipped_fire_times_are_not_run_but_counted_and_later_ones_keep_their_times(deployment, clock):
    scheduler = Scheduler(deployment, clock)
    clock.set(at(14, 1))
    idle = scheduler.run_due()  # both schedules at 14:01
    scheduler.record_idle(idle)
    last = scheduler.skip_before(at(17, 30))
    assert last == at(17, 29)  # where a ticking clock would stand
    assert deployment.invocations["TickerFunction"] == 2  # nothing ran while skipping
    # 14:02..17:29 every minute (208) and 16:01 every two hours (1)
    assert scheduler.skipped_invocations == {"TickerFunction": 209}
    clock.set(at(18, 1))
    runs = scheduler.run_due()
    assert [(r.schedule_name, r.at) for r in runs if r.schedule_name == "EveryTwoHours"] == [
        ("EveryTwoHours", at(18, 1))
    ]
    assert [r.at for r in runs if r.schedule_name == "EveryMinute"][0] == at(17, 30)
