"""Deploying the fixture stack onto moto and invoking its handlers as Lambda would."""

import os
from datetime import UTC, datetime

import boto3
import botocore.client
import pytest

from socialcare_local.deployment import LocalDeployment, local_aws

from .conftest import TEMPLATE, fixture_recorder


def test_tables_are_created_with_gsis_stream_and_ttl(deployment):
    client = boto3.client("dynamodb", region_name="us-east-1")
    table = client.describe_table(TableName="ItemsTable")["Table"]
    assert [index["IndexName"] for index in table["GlobalSecondaryIndexes"]] == ["by_status"]
    assert table["StreamSpecification"] == {"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"}
    assert table["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"
    ttl = client.describe_time_to_live(TableName="ItemsTable")["TimeToLiveDescription"]
    assert (ttl["TimeToLiveStatus"], ttl["AttributeName"]) == ("ENABLED", "expires_at")
    assert deployment.stream_arn("ItemsTable") == table["LatestStreamArn"]


def test_queues_exist_and_environments_carry_their_real_url_and_arn(deployment):
    sqs = boto3.client("sqs", region_name="us-east-1")
    url = sqs.get_queue_url(QueueName="FailuresQueue")["QueueUrl"]
    assert deployment.queue_url("FailuresQueue") == url
    env = deployment.environment("WorkerFunction")
    assert env["FAILURES_URL"] == url
    assert (
        env["FAILURES_ARN"]
        == sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    )
    assert (
        sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["MessageRetentionPeriod"])["Attributes"][
            "MessageRetentionPeriod"
        ]
        == "1209600"
    )


def test_invoke_runs_the_handler_with_its_environment_and_a_context(deployment):
    os.environ.pop("ROLE", None)
    result = deployment.invoke("TickerFunction", {"hello": "world"})
    assert result["event"] == {"hello": "world"}
    assert result["environment"] == {
        "ROLE": "ticker",
        "TABLE_NAME": "ItemsTable",
        "STAGE": "test",
        "AWS_LAMBDA_FUNCTION_NAME": "TickerFunction",
    }
    assert result["code_on_path"]
    context = result["context"]
    assert context["function_name"] == "TickerFunction" and context["memory"] == "256"
    assert context["arn"] == "arn:aws:lambda:us-east-1:123456789012:function:TickerFunction"
    assert 29_000 < context["remaining_ms"] <= 30_000
    assert "ROLE" not in os.environ  # the function's environment is undone after the invocation
    assert deployment.invocations["TickerFunction"] == 1


def test_a_handler_is_imported_once_per_deployment_a_cold_start(clock):
    fixture_recorder.COLD_STARTS.clear()
    with local_aws(), LocalDeployment(TEMPLATE, clock=clock) as first:
        one = first.invoke("TickerFunction", {})["module"]
        assert first.invoke("TickerFunction", {})["module"] == one
        first.invoke("WorkerFunction", {"Records": []})
        assert fixture_recorder.COLD_STARTS == ["ticker", "worker"]
        first.cold_start("TickerFunction")
        assert first.invoke("TickerFunction", {})["module"] != one
        assert first.cold_starts["TickerFunction"] == 2
    with local_aws(), LocalDeployment(TEMPLATE, clock=clock) as second:
        assert second.invoke("TickerFunction", {})["module"] != one
    assert fixture_recorder.COLD_STARTS == ["ticker", "worker", "ticker", "ticker"]


def test_stop_undoes_what_start_changed(clock):
    socialcare_clock = pytest.importorskip("socialcare.clock")
    original = botocore.client.BaseClient._make_api_call
    before = os.environ.get("AWS_ACCOUNT_ID_ENDPOINT_MODE")
    with local_aws():
        assert os.environ["AWS_ACCOUNT_ID_ENDPOINT_MODE"] == "disabled"
        with LocalDeployment(TEMPLATE, clock=clock):
            assert botocore.client.BaseClient._make_api_call is not original
            assert socialcare_clock.now() == clock.now()
        assert botocore.client.BaseClient._make_api_call is original
        assert abs((socialcare_clock.now() - datetime.now(UTC)).total_seconds()) < 5
    assert os.environ.get("AWS_ACCOUNT_ID_ENDPOINT_MODE") == before


def test_unknown_function_is_a_clear_error(deployment):
    with pytest.raises(KeyError, match="NopeFunction"):
        deployment.invoke("NopeFunction", {})


def test_dynamodb_requests_of_handlers_are_counted_for_boto3_and_pynamodb(deployment, table):
    from socialcare_local.streams import StreamPump

    pump = StreamPump(deployment)
    for n in (1, 2):  # the test's own requests are not the handlers' and are not counted
        table.put_item(Item={"pk": f"t{n}", "sk": "ticket", "kind": "ticket"})
    assert deployment.request_counts() == {}
    assert pump.pump() == 2
    counts = deployment.request_counts()
    # One batch: boto3 GetItem for the control item, then one PynamoDB PutItem per record.
    assert counts[("dynamodb", "GetItem")] == 1
    assert counts[("dynamodb", "PutItem")] == 2
    assert all(service == "dynamodb" for service, _ in counts)  # stream reads are the pump's
    assert deployment.request_counts("TickerFunction") == {}
    deployment.reset_request_counts()
    assert deployment.request_counts() == {}
