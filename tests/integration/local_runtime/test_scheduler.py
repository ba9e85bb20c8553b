"""Schedules on the virtual clock."""

import json
from datetime import UTC, datetime, timedelta

import boto3

from socialcare_local.scheduler import Scheduler

from .conftest import START, fixture_recorder


def at(hh, mm, ss=0):
    return datetime(2026, 11, 23, hh, mm, ss, tzinfo=UTC)


def test_first_fire_is_the_next_whole_minute_then_every_rate(deployment, clock):
    scheduler = Scheduler(deployment, clock)
    assert scheduler.next_fire_time() == at(14, 1)
    assert scheduler.run_due() == []  # 14:00:30: nothing yet
    assert [(f.function_id, f.schedule.name, f.at) for f in scheduler.due(at(14, 2))] == [
        ("TickerFunction", "EveryMinute", at(14, 1)),
        ("TickerFunction", "EveryTwoHours", at(14, 1)),
        ("TickerFunction", "EveryMinute", at(14, 2)),
    ]


def test_run_until_fires_at_rate_with_the_scheduled_time_substituted(deployment, clock):
    scheduler = Scheduler(deployment, clock)
    seen_clock = []
    runs = scheduler.run_until(at(14, 4, 10), between=lambda: seen_clock.append(clock.now()))
    assert [(r.schedule_name, r.at) for r in runs] == [
        ("EveryMinute", at(14, 1)),
        ("EveryTwoHours", at(14, 1)),
        ("EveryMinute", at(14, 2)),
        ("EveryMinute", at(14, 3)),
        ("EveryMinute", at(14, 4)),
    ]
    ticks = [event for role, event in fixture_recorder.CALLS if event.get("source") == "tick"]
    assert ticks == [{"at": f"2026-11-23T14:0{m}:00Z", "source": "tick"} for m in (1, 2, 3, 4)]
    assert seen_clock == [at(14, 1), at(14, 2), at(14, 3), at(14, 4)]  # each run happens at its time
    assert clock.now() == at(14, 4, 10)
    assert deployment.invocations["TickerFunction"] == 5
    assert scheduler.next_fire_time() == at(14, 5)


def test_missed_fire_times_all_run_in_order(deployment, clock):
    scheduler = Scheduler(deployment, clock)
    clock.advance(timedelta(minutes=3))  # 14:03:30
    runs = scheduler.run_due()
    assert [r.at for r in runs if r.schedule_name == "EveryMinute"] == [at(14, 1), at(14, 2), at(14, 3)]
    assert scheduler.tick()[0].at == at(14, 4)


def test_a_failing_run_is_retried_by_lambda_then_sent_to_its_on_failure_destination(deployment, clock, table):
    scheduler = Scheduler(deployment, clock)
    table.put_item(Item={"pk": "control", "sk": "ticker", "fail": True})
    clock.set(at(14, 1))
    runs = scheduler.run_due()
    assert scheduler.failure_count == 2 and all("ticker told to fail" in r.error for r in runs)
    assert [r.attempts for r in runs] == [2, 2]  # EventInvokeConfig: MaximumRetryAttempts 1
    sqs = boto3.client("sqs", region_name="us-east-1")

    def bodies(queue):
        response = sqs.receive_message(QueueUrl=deployment.queue_url(queue), MaxNumberOfMessages=10)
        return [json.loads(m["Body"]) for m in response.get("Messages", [])]

    records = bodies("AsyncFailures")
    assert [r["requestPayload"] for r in records] == [
        {"at": "2026-11-23T14:01:00Z", "source": "tick"},
        {"source": "slow"},
    ]
    assert records[0]["requestContext"]["condition"] == "RetriesExhausted"
    assert records[0]["requestContext"]["approximateInvokeCount"] == 2
    assert records[0]["responsePayload"] == {
        "errorMessage": "ticker told to fail",
        "errorType": "RuntimeError",
    }
    # The schedule's DeadLetterConfig is for events Scheduler could not deliver, not function errors.
    assert bodies("ScheduleDeadLetters") == []
    table.delete_item(Key={"pk": "control", "sk": "ticker"})
    assert scheduler.tick()[0].error is None


def test_start_on_a_whole_minute_fires_at_once(aws):
    from socialcare_local.clock import VirtualClock
    from socialcare_local.deployment import LocalDeployment

    from .conftest import TEMPLATE

    clock = VirtualClock(START.replace(second=0))
    with LocalDeployment(TEMPLATE, clock=clock) as deployment:
        assert Scheduler(deployment).next_fire_time() == at(14, 0)
