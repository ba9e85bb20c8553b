"""Reading the template: short tags, intrinsics, tables, queues, functions and their events."""

from datetime import timedelta

import pytest
import yaml

from socialcare_local.cfn import CfnError, CfnLoader, LocalTemplate, parse_rate

from .conftest import FIXTURE, TEMPLATE


def test_short_tags_become_long_forms():
    text = """
    a: !Ref Table
    b: !GetAtt Queue.Arn
    c: !GetAtt [Queue, Arn]
    d: !Sub "${AWS::Region}-x"
    e: !If [Cond, !Ref A, !Ref B]
    f: !Join [",", [x, y]]
    g: !Not [!Equals [a, b]]
    """
    assert yaml.load(text, Loader=CfnLoader) == {  # noqa: S506
        "a": {"Ref": "Table"},
        "b": {"Fn::GetAtt": ["Queue", "Arn"]},
        "c": {"Fn::GetAtt": ["Queue", "Arn"]},
        "d": {"Fn::Sub": "${AWS::Region}-x"},
        "e": {"Fn::If": ["Cond", {"Ref": "A"}, {"Ref": "B"}]},
        "f": {"Fn::Join": [",", ["x", "y"]]},
        "g": {"Fn::Not": [{"Fn::Equals": ["a", "b"]}]},
    }


def test_environment_is_globals_merged_with_the_function_and_resolved():
    template = LocalTemplate(TEMPLATE)
    assert template.functions["TickerFunction"].environment == {
        "TABLE_NAME": "ItemsTable",
        "STAGE": "test",
        "REGION_LABEL": "us-east-1-test",
        "FAILURES_ARN": "arn:aws:sqs:us-east-1:123456789012:FailuresQueue",
        "DEBUG": "true",
        "SECOND_LABEL": "b",
        "JOINED": "123456789012/ItemsTable",
        "ROLE": "ticker",
    }


def test_parameters_override_defaults_and_are_checked():
    template = LocalTemplate(TEMPLATE, parameters={"Stage": "prod"})
    env = template.functions["WorkerFunction"].environment
    assert (env["STAGE"], env["DEBUG"], env["OPTIONAL"], env["ROLE"]) == ("prod", "false", "set", "worker")
    with pytest.raises(CfnError, match="not one of"):
        LocalTemplate(TEMPLATE, parameters={"Stage": "qa"})
    with pytest.raises(CfnError, match="unknown parameter"):
        LocalTemplate(TEMPLATE, parameters={"Nope": "x"})
    with pytest.raises(CfnError, match="must be an e-mail address"):
        LocalTemplate(TEMPLATE, parameters={"Sender": "nobody"})
    with pytest.raises(CfnError, match="outside"):
        LocalTemplate(TEMPLATE, parameters={"TargetMinutes": "0"})


def test_tables_queues_and_function_settings():
    template = LocalTemplate(TEMPLATE)
    table = template.tables["ItemsTable"]
    assert table.name == "ItemsTable" and table.ttl_attribute == "expires_at"
    assert table.create_kwargs["StreamSpecification"] == {
        "StreamEnabled": True,
        "StreamViewType": "NEW_AND_OLD_IMAGES",
    }
    assert table.create_kwargs["GlobalSecondaryIndexes"][0]["IndexName"] == "by_status"
    assert set(template.queues) == {"FailuresQueue", "ScheduleDeadLetters", "AsyncFailures"}
    worker = template.functions["WorkerFunction"]
    assert worker.code_dir == FIXTURE / "functions" / "worker"
    assert (worker.handler_module, worker.handler_name, worker.timeout_seconds, worker.memory_mb) == (
        "app",
        "lambda_handler",
        5,
        256,
    )
    assert worker.layer_dirs == (FIXTURE / "layer",)
    assert (worker.async_max_retries, worker.async_on_failure_queue) == (2, None)  # Lambda's defaults
    ticker = template.functions["TickerFunction"]
    assert (ticker.async_max_retries, ticker.async_on_failure_queue) == (1, "AsyncFailures")


def test_events_become_schedules_and_stream_sources():
    template = LocalTemplate(TEMPLATE)
    ticker = template.functions["TickerFunction"]
    minute, slow = ticker.schedules
    assert (minute.name, minute.every, minute.max_retries, minute.dead_letter_queue) == (  # Scheduler's own
        "EveryMinute",
        timedelta(minutes=1),
        0,
        "ScheduleDeadLetters",
    )
    assert "<aws.scheduler.scheduled-time>" in minute.input_template
    assert slow.every == timedelta(hours=2) and slow.dead_letter_queue is None
    (source,) = template.functions["WorkerFunction"].streams
    assert (source.table_logical_id, source.batch_size, source.bisect, source.max_retries) == (
        "ItemsTable",
        3,
        True,
        2,
    )
    assert source.report_batch_item_failures and source.on_failure_queue == "FailuresQueue"
    assert source.max_record_age_seconds == 3600
    assert source.filter_patterns == [
        {"eventName": ["INSERT"], "dynamodb": {"NewImage": {"kind": {"S": ["ticket"]}}}}
    ]


@pytest.mark.parametrize(
    ("expression", "every"),
    [
        ("rate(1 minute)", timedelta(minutes=1)),
        ("rate(5 minutes)", timedelta(minutes=5)),
        ("rate(1 hour)", timedelta(hours=1)),
        ("rate(3 hours)", timedelta(hours=3)),
        ("rate(1 day)", timedelta(days=1)),
    ],
)
def test_rates(expression, every):
    assert parse_rate(expression) == every


def test_cron_is_refused_clearly():
    with pytest.raises(CfnError, match="rate"):
        parse_rate("cron(0 12 * * ? *)")
