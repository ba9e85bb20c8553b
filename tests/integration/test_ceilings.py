"""Hourly ceilings on the deployed tickets table: never exceeded, what they hold back is listed for
the summary once the hour is over, and each bucket is summarised once."""

from datetime import timedelta

from socialcare.persistence import ceilings
from socialcare.persistence.ceilings import CeilingKind

from .conftest import T0


def test_the_ceiling_admits_exactly_its_limit_and_lists_what_it_held(stack):
    taken = [ceilings.take("x#9001", CeilingKind.ALERT, 3, f"TICKET#x#{n}", T0) for n in range(10)]
    assert taken == [True] * 3 + [False] * 7
    assert ceilings.held_back("x#9001", T0) == []  # the hour is not over yet
    later = T0 + timedelta(hours=1, minutes=1)
    (held,) = ceilings.held_back("x#9001", later)
    assert (held.kind, held.hour, held.held) == (CeilingKind.ALERT, "2026-11-23T14", 7)
    assert held.ticket_pks == [f"TICKET#x#{n}" for n in range(3, 10)]
    assert ceilings.mark_summarised(held, later) and not ceilings.mark_summarised(held, later)
    assert ceilings.held_back("x#9001", later) == []


def test_kinds_accounts_and_hours_count_apart(stack):
    assert ceilings.take("x#9001", CeilingKind.ACKNOWLEDGEMENT, 1, "TICKET#x#1", T0)
    assert ceilings.take("x#9001", CeilingKind.ALERT, 1, "TICKET#x#1", T0)
    assert ceilings.take("x#9002", CeilingKind.ACKNOWLEDGEMENT, 1, "TICKET#x#2", T0)
    assert not ceilings.take("x#9001", CeilingKind.ACKNOWLEDGEMENT, 1, "TICKET#x#3", T0)
    assert ceilings.take("x#9001", CeilingKind.ACKNOWLEDGEMENT, 1, "TICKET#x#4", T0 + timedelta(hours=1))
    held = ceilings.held_back("x#9001", T0 + timedelta(hours=2))
    assert [(h.kind, h.hour, h.held) for h in held] == [(CeilingKind.ACKNOWLEDGEMENT, "2026-11-23T14", 1)]


def test_a_ceiling_of_zero_holds_everything_and_the_list_stays_bounded(stack):
    for n in range(ceilings.HELD_LISTED + 5):
        assert not ceilings.take("x#9001", CeilingKind.ALERT, 0, f"TICKET#x#{n}", T0)
    (held,) = ceilings.held_back("x#9001", T0 + timedelta(hours=1))
    assert held.held == ceilings.HELD_LISTED + 5 and len(held.ticket_pks) == ceilings.HELD_LISTED


def test_the_sms_budget_counts_per_recipient_and_hour_and_tells_what_it_folded(stack):
    taken = [ceilings.take_sms("manager", 2, T0 + timedelta(minutes=n)) for n in range(5)]
    assert taken == [True, True, False, False, False]
    assert ceilings.take_sms("agent", 2, T0)  # another recipient's budget is their own
    assert ceilings.folded_sms("agent") is None
    count, since = ceilings.folded_sms("manager")
    assert (count, since[:16]) == (3, "2026-11-23T14:02")  # since the first fold
    assert ceilings.take_sms("manager", 2, T0 + timedelta(hours=1))  # a new hour, a new budget
    assert not ceilings.take_sms("manager", 0, T0 + timedelta(hours=1))  # 0: no SMS at all
    ceilings.clear_folded_sms("manager", 3)  # the SMS told of 3; the one folded meanwhile waits
    assert ceilings.folded_sms("manager")[0] == 1
    ceilings.clear_folded_sms("manager", 1)
    assert ceilings.folded_sms("manager") is None
