"""poll_mentions through its real schedule event: every mention stored once, cursors that only
move past what is stored, rate limits honoured across invocations, staff replies noticed."""

import boto3
import pytest

from socialcare_local.networks.x import Fault

from .conftest import at

BRAND_ID = "9001"


def mentions_requests(stack) -> int:
    return sum(1 for r in stack.sim.requests_log if r["path"].endswith("/mentions"))


def cursor(stack) -> dict:
    table = stack.deployment.table_name("StateTable")
    item = (
        boto3.client("dynamodb")
        .get_item(TableName=table, Key={"pk": {"S": f"x#{BRAND_ID}#mentions"}})
        .get("Item", {})
    )
    return {key: value["S"] for key, value in item.items()}


def counted_for_incidents(stack) -> int:
    """Mentions the incidents job will count, in every minute so far (the stack binds the models)."""
    from socialcare.domain.incidents import epoch_minute
    from socialcare.persistence.incidents import IncidentStore

    now = epoch_minute(stack.clock.now())
    return sum(IncidentStore().minute_counts(f"x#{BRAND_ID}", now - 60, now).values())


def test_a_mention_becomes_one_ticket_with_its_deadline(stack):
    stack.mention("1001", "42", "@AcmeCare my order never came", at=at(0.1), handle="jane")
    stack.clock.set(at(1))
    result = stack.poll()
    assert result["accounts"][0]["stored"] == 1
    ticket = stack.ticket("1001")
    assert ticket["author_handle"] == "jane" and ticket["status"] == "open"
    assert (ticket["created_at"], ticket["detected_at"], ticket["due_at"]) == (
        "2026-11-23T14:00:06Z",
        "2026-11-23T14:01:00Z",
        "2026-11-23T15:00:06Z",
    )


def test_overlapping_polls_store_each_mention_once(stack):
    for n in range(5):
        stack.mention(str(1001 + n), str(42 + n), f"@AcmeCare question {n}", at=at(0.1))
    stack.clock.set(at(1))
    stack.poll()
    # A second poll that started from the old cursor (it overlapped the first) reads them all again.
    table = stack.deployment.table_name("StateTable")
    boto3.client("dynamodb").delete_item(TableName=table, Key={"pk": {"S": f"x#{BRAND_ID}#mentions"}})
    result = stack.poll()
    assert result["accounts"][0]["duplicates"] == 5 and result["accounts"][0]["stored"] == 0
    assert sorted(t["post_id"] for t in stack.tickets()) == ["1001", "1002", "1003", "1004", "1005"]
    assert counted_for_incidents(stack) == 5  # counted as stored, not as read


def test_a_follow_up_joins_the_open_ticket_and_after_staff_answer_reopens_it_for_a_next_reply(stack):
    stack.mention("1001", "42", "@AcmeCare refund please", at=at(0.1))
    stack.mention("1002", "42", "@AcmeCare hello??", at=at(0.5), in_reply_to_id="1001")
    stack.mention("1003", "77", "@AcmeCare same problem here", at=at(0.6), in_reply_to_id="1001")
    stack.clock.set(at(1))
    stack.poll()
    assert stack.ticket("1001")["post_ids"] == ["1001", "1002"]
    assert stack.ticket("1003")["ticket_id"] == "x:1003"  # another author: their own ticket
    stack.staff_reply("2001", "1002", "Hi, checking now", at=at(3))
    stack.mention("1004", "42", "@AcmeCare thanks, and one more thing", at=at(4), in_reply_to_id="2001")
    stack.clock.set(at(5))
    stack.poll()
    ticket = stack.ticket("1004")  # one ticket per conversation, waiting again
    assert (ticket["ticket_id"], ticket["status"], ticket["reply_round"]) == ("x:1001", "open", 2)
    assert ticket["post_ids"] == ["1001", "1002", "1004"]
    assert ticket["waiting_since"] == "2026-11-23T14:04:00Z"
    assert ticket["human_replied_at"] == "2026-11-23T14:03:00Z", "the first response stays on record"


def test_429_in_the_middle_of_pagination_loses_nothing_and_waits_for_the_reset(make_stack):
    stack = make_stack(read_limit=1)  # the second mentions page of the window answers 429
    for n in range(150):
        stack.mention(str(10_000 + n), str(500 + n), f"@AcmeCare outage {n}", at=at(0.5))
    stack.clock.set(at(1))
    first = stack.poll()["accounts"][0]
    assert first["stored"] == 100 and first["paused_until"]
    assert cursor(stack)["cursor"] != "10149", "mid-paging: since_id waits until the paging is complete"
    calls = mentions_requests(stack)
    stack.clock.set(at(5))
    assert stack.poll()["accounts"][0]["stored"] == 0
    assert mentions_requests(stack) == calls, "paused accounts are left alone until X's reset"
    stack.clock.set(at(17))  # after X's reset: the paging resumes below what it stored
    later = stack.poll()["accounts"][0]
    assert (later["stored"], later["cursor_moved"]) == (50, True)
    posts = sorted(p for t in stack.tickets() for p in t["post_ids"])
    assert posts == [str(10_000 + n) for n in range(150)]
    assert cursor(stack)["cursor"] == "10149"


@pytest.mark.parametrize("fault", [Fault.status(503), Fault.malformed(), Fault.timeout(3), Fault.status(502)])
def test_a_transient_failure_is_retried_within_the_invocation(stack, fault):
    stack.mention("1001", "42", "@AcmeCare hi", at=at(0.1))
    stack.sim.fail_next("GET", r"/mentions$", fault)
    stack.clock.set(at(1))
    assert stack.poll()["accounts"][0]["stored"] == 1
    assert cursor(stack)["cursor"] == "1001"


def test_when_retries_run_out_the_cursor_stays_and_the_next_poll_catches_up(stack):
    stack.mention("1001", "42", "@AcmeCare hi", at=at(0.1))
    stack.sim.fail_next("GET", r"/mentions$", *[Fault.status(503)] * 4)
    stack.clock.set(at(1))
    result = stack.poll()["accounts"][0]
    assert result["stored"] == 0 and result["errors"] and not result["cursor_moved"]
    assert "cursor" not in cursor(stack)
    stack.clock.set(at(2))
    assert stack.poll()["accounts"][0]["stored"] == 1


def test_a_crash_after_storing_and_before_the_cursor_moves_loses_and_doubles_nothing(stack, monkeypatch):
    from socialcare.persistence.state import AccountState

    for n in range(3):
        stack.mention(str(1001 + n), str(42 + n), f"@AcmeCare q{n}", at=at(0.1))
    real_advance = AccountState.advance

    def crash(self, *args, **kwargs):
        raise TimeoutError("Lambda timed out")

    monkeypatch.setattr(AccountState, "advance", crash)
    stack.clock.set(at(1))
    failed = stack.poll()  # contained to the account, whose message fails (SQS delivers it again)
    assert failed["retried"] == ["x#9001"] and "TimeoutError" in failed["accounts"][0]["errors"][0]
    monkeypatch.setattr(AccountState, "advance", real_advance)
    stack.mention("1004", "45", "@AcmeCare q3", at=at(1.5))
    stack.clock.set(at(2))
    result = stack.poll()["accounts"][0]
    assert (result["stored"], result["duplicates"]) == (1, 3)
    assert len(stack.tickets()) == 4
    assert counted_for_incidents(stack) == 4  # the crashed poll's mentions counted once


def test_a_staff_reply_stops_the_clock_and_ends_escalation(stack):
    stack.mention("1001", "42", "@AcmeCare my order never came", at=at(0.1))
    stack.clock.set(at(1))
    stack.poll()
    stack.deliver_stream()  # the acknowledgement, which must not count as a staff reply
    stack.clock.set(at(2))
    stack.poll()
    assert stack.ticket("1001")["status"] == "open"
    stack.staff_reply("2001", "1001", "Hi Jane, so sorry, checking now", at=at(20))
    stack.clock.set(at(21))
    assert stack.poll()["accounts"][0]["human_replies"] == 1
    ticket = stack.ticket("1001")
    assert (ticket["status"], ticket["human_replied_at"]) == ("answered", "2026-11-23T14:20:00Z")
    stack.clock.set(at(120))
    stack.escalate()
    assert stack.emails() == [] and stack.sms() == []
