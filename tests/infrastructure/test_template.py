"""What an operator relies on in template.yaml, checked without AWS (needs only PyYAML).

The names checked here (parameters, resources, environment variables, index names) are a contract
with the handlers, the layer and the local runtime: renaming one breaks them.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from cfn_yaml import load_template

from socialcare.runtime import metric_names

TEMPLATE_PATH = Path(__file__).resolve().parents[2] / "template.yaml"

FUNCTIONS = {
    "PollFanOutFunction": "functions/poll_fanout/",
    "PollMentionsFunction": "functions/poll_mentions/",
    "AcknowledgeFunction": "functions/acknowledge/",
    "EscalateFunction": "functions/escalate/",
    "WebhookFunction": "functions/webhook/",
    "ClaimFunction": "functions/claim/",
    "DailyReportFunction": "functions/daily_report/",
    "IncidentsFunction": "functions/incidents/",
}
SCHEDULED = [
    name for name in FUNCTIONS if name not in ("WebhookFunction", "ClaimFunction")
]  # the webhook runs when Meta calls
TABLES = ("TicketsTable", "StateTable", "IdempotencyTable")
QUEUES = ("ScheduleDeadLetterQueue", "AckFailureQueue", "PollDeadLetterQueue")  # each alarmed
SCHEDULED = ("PollFanOutFunction", "AcknowledgeFunction", "EscalateFunction")

CONTRACT_ENV = {
    "TICKETS_TABLE": {"Ref": "TicketsTable"},
    "STATE_TABLE": {"Ref": "StateTable"},
    "IDEMPOTENCY_TABLE": {"Ref": "IdempotencyTable"},
    "CONFIG_PARAMETER": {"Ref": "ConfigParameterName"},
    "SECRETS_PREFIX": {
        "Fn::If": ["HasSecretsPrefix", {"Ref": "SecretsPrefix"}, {"Fn::Sub": "socialcare/${AWS::StackName}/"}]
    },
    "TARGET_MINUTES": {"Ref": "TargetMinutes"},
    "SENDER_EMAIL": {"Ref": "SenderEmail"},
    "API_BASE_URLS": {"Ref": "ApiBaseUrls"},
    "POWERTOOLS_SERVICE_NAME": "socialcare",
    "POWERTOOLS_METRICS_NAMESPACE": "socialcare",
    "POWERTOOLS_LOG_LEVEL": {"Ref": "LogLevel"},
}

ACK_FILTER = {"eventName": ["INSERT"], "dynamodb": {"Keys": {"pk": {"S": [{"prefix": "TICKET#"}]}}}}
SCHEDULE_INPUT = {"source": "socialcare.schedule", "scheduled_time": "<aws.scheduler.scheduled-time>"}


# --------------------------------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def template() -> dict[str, Any]:
    return load_template(TEMPLATE_PATH)


@pytest.fixture(scope="module")
def resources(template: dict[str, Any]) -> dict[str, Any]:
    return template["Resources"]


def _of_type(resources: dict[str, Any], type_: str) -> dict[str, Any]:
    return {name: res for name, res in resources.items() if res["Type"] == type_}


def _props(resources: dict[str, Any], name: str) -> dict[str, Any]:
    return resources[name].get("Properties", {})


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _function_setting(template: dict[str, Any], name: str, key: str) -> Any:
    """A function's effective property: its own value, else the Globals.Function one."""
    own = template["Resources"][name]["Properties"]
    return own.get(key, template.get("Globals", {}).get("Function", {}).get(key))


def _effective_env(template: dict[str, Any], name: str) -> dict[str, Any]:
    glob = template.get("Globals", {}).get("Function", {}).get("Environment", {}).get("Variables", {})
    own = template["Resources"][name]["Properties"].get("Environment", {}).get("Variables", {})
    return {**glob, **own}


def _expand_if(value: Any) -> Iterator[Any]:
    """Every concrete value an (optionally Fn::If-wrapped) item can take; AWS::NoValue drops out."""
    if isinstance(value, dict) and set(value) == {"Fn::If"}:
        _condition, when_true, when_false = value["Fn::If"]
        yield from _expand_if(when_true)
        yield from _expand_if(when_false)
    elif value == {"Ref": "AWS::NoValue"}:
        return
    else:
        yield value


def _statements(document: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """Every statement a policy document can produce, one per branch of any Fn::If."""
    for item in _as_list(document.get("Statement", [])):
        for statement in _expand_if(item):
            resource = statement.get("Resource")
            if isinstance(resource, dict) and "Fn::If" in resource:
                for branch in _expand_if(resource):
                    yield {**statement, "Resource": branch}
            else:
                yield statement


def _role_of(resources: dict[str, Any], function: str) -> str:
    """The logical id of the function's own AWS::IAM::Role (Role: !GetAtt <role>.Arn)."""
    role = resources[function]["Properties"]["Role"]
    assert set(role) == {"Fn::GetAtt"} and role["Fn::GetAtt"][1] == "Arn", f"{function}: {role}"
    return role["Fn::GetAtt"][0]


def _function_statements(resources: dict[str, Any], name: str) -> list[dict[str, Any]]:
    statements: list[dict[str, Any]] = []
    for policy in resources[_role_of(resources, name)]["Properties"].get("Policies", []):
        statements.extend(_statements(policy["PolicyDocument"]))
    return statements


def _all_iam_statements(resources: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    """Identity policy statements: every IAM role or policy in the template."""
    for name, res in resources.items():
        props = res.get("Properties", {})
        if res["Type"] in ("AWS::IAM::Policy", "AWS::IAM::ManagedPolicy"):
            for statement in _statements(props.get("PolicyDocument", {})):
                yield name, statement
        elif res["Type"] == "AWS::IAM::Role":
            for policy in props.get("Policies", []):
                for statement in _statements(policy.get("PolicyDocument", {})):
                    yield name, statement


def _actions(statement: dict[str, Any]) -> set[str]:
    return {a.lower() for a in _as_list(statement.get("Action", []))}


def _actions_on(statements: list[dict[str, Any]], resource: Any) -> set[str]:
    found: set[str] = set()
    for statement in statements:
        if statement.get("Effect") == "Allow" and resource in _as_list(statement.get("Resource")):
            found |= _actions(statement)
    return found


def _events(resources: dict[str, Any], name: str, type_: str) -> dict[str, dict[str, Any]]:
    events = resources[name]["Properties"].get("Events", {})
    return {key: ev["Properties"] for key, ev in events.items() if ev["Type"] == type_}


def _arn(logical_id: str) -> dict[str, Any]:
    return {"Fn::GetAtt": [logical_id, "Arn"]}


# --------------------------------------------------------------------------------------------------
# template shape and parameters
# --------------------------------------------------------------------------------------------------


def test_is_a_sam_template(template: dict[str, Any]) -> None:
    assert template["AWSTemplateFormatVersion"] == "2010-09-09"
    assert template["Transform"] == "AWS::Serverless-2016-10-31"


def test_parameters_contract(template: dict[str, Any]) -> None:
    params = template["Parameters"]
    assert set(params) >= {
        "TargetMinutes",
        "SenderEmail",
        "AlarmEmail",
        "ConfigParameterName",
        "ApiBaseUrls",
        "LogLevel",
    }
    assert params["TargetMinutes"]["Type"] == "Number"
    assert int(params["TargetMinutes"]["Default"]) == 60
    assert int(params["TargetMinutes"]["MinValue"]) == 1
    for email in ("SenderEmail", "AlarmEmail"):
        assert params[email]["Type"] == "String"
        assert "@" in params[email]["AllowedPattern"]
    assert params["ConfigParameterName"]["Default"] == ""
    assert params["ApiBaseUrls"]["Default"] == ""  # every network at its public address
    assert params["LogLevel"]["Default"] == "INFO"
    assert "INFO" in params["LogLevel"]["AllowedValues"]
    assert "DEBUG" in params["LogLevel"]["AllowedValues"]
    # retention lives in the YAML configuration, not in the template
    assert not any("retention" in p.lower() for p in params)


def test_optional_config_parameter_condition(template: dict[str, Any]) -> None:
    assert template["Conditions"]["HasConfigParameter"] == {
        "Fn::Not": [{"Fn::Equals": [{"Ref": "ConfigParameterName"}, ""]}]
    }


# --------------------------------------------------------------------------------------------------
# tables
# --------------------------------------------------------------------------------------------------


def test_exactly_the_three_tables(resources: dict[str, Any]) -> None:
    assert set(_of_type(resources, "AWS::DynamoDB::Table")) == set(TABLES)


@pytest.mark.parametrize("name", TABLES)
def test_every_table_is_on_demand_encrypted_and_recoverable(resources: dict[str, Any], name: str) -> None:
    props = _props(resources, name)
    assert props["BillingMode"] == "PAY_PER_REQUEST"
    assert props["PointInTimeRecoverySpecification"]["PointInTimeRecoveryEnabled"] is True
    assert props["SSESpecification"]["SSEEnabled"] is True
    assert "TableName" not in props, "CloudFormation names the tables; code reads the names from env"
    assert "ProvisionedThroughput" not in props
    for gsi in props.get("GlobalSecondaryIndexes", []):
        assert "ProvisionedThroughput" not in gsi


@pytest.mark.parametrize("name", ["TicketsTable", "StateTable"])
def test_business_data_survives_stack_deletion(resources: dict[str, Any], name: str) -> None:
    assert resources[name]["DeletionPolicy"] == "Retain"
    assert resources[name]["UpdateReplacePolicy"] == "Retain"


def test_tickets_table_keys_indexes_stream_and_ttl(resources: dict[str, Any]) -> None:
    props = _props(resources, "TicketsTable")
    assert props["KeySchema"] == [
        {"AttributeName": "pk", "KeyType": "HASH"},
        {"AttributeName": "sk", "KeyType": "RANGE"},
    ]
    attributes = {a["AttributeName"]: a["AttributeType"] for a in props["AttributeDefinitions"]}
    assert attributes == {
        "pk": "S",
        "sk": "S",
        "esc_bucket": "S",
        "next_step_at": "S",
        "ack_bucket": "S",
        "ack_retry_at": "S",
        "mention_bucket": "S",
        "counted_at": "S",
    }
    indexes = {gsi["IndexName"]: gsi for gsi in props["GlobalSecondaryIndexes"]}
    assert set(indexes) == {"awaiting_reply", "pending_ack", "mention_minutes"}
    expected_keys = {
        "awaiting_reply": ("esc_bucket", "next_step_at"),
        "pending_ack": ("ack_bucket", "ack_retry_at"),
        "mention_minutes": ("mention_bucket", "counted_at"),
    }
    for index_name, (hash_key, range_key) in expected_keys.items():
        gsi = indexes[index_name]
        assert gsi["KeySchema"] == [
            {"AttributeName": hash_key, "KeyType": "HASH"},
            {"AttributeName": range_key, "KeyType": "RANGE"},
        ]
        # sparse and cheap: the index only points at items, reads go to the table
        assert gsi["Projection"] == {"ProjectionType": "KEYS_ONLY"}
        assert hash_key not in ("pk", "sk"), "a sparse index must not be keyed on attributes every item has"
    assert props["StreamSpecification"]["StreamViewType"] == "NEW_IMAGE"
    assert props["TimeToLiveSpecification"] == {"AttributeName": "expires_at", "Enabled": True}


def test_state_table_keys(resources: dict[str, Any]) -> None:
    props = _props(resources, "StateTable")
    assert props["KeySchema"] == [{"AttributeName": "pk", "KeyType": "HASH"}]
    assert props["AttributeDefinitions"] == [{"AttributeName": "pk", "AttributeType": "S"}]


def test_idempotency_table_matches_powertools(resources: dict[str, Any]) -> None:
    props = _props(resources, "IdempotencyTable")
    assert props["KeySchema"] == [{"AttributeName": "id", "KeyType": "HASH"}]
    assert props["AttributeDefinitions"] == [{"AttributeName": "id", "AttributeType": "S"}]
    assert props["TimeToLiveSpecification"] == {"AttributeName": "expiration", "Enabled": True}


# --------------------------------------------------------------------------------------------------
# queues
# --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", QUEUES)
def test_queues_are_encrypted_and_keep_messages_two_weeks(resources: dict[str, Any], name: str) -> None:
    assert resources[name]["Type"] == "AWS::SQS::Queue"
    props = _props(resources, name)
    assert props.get("SqsManagedSseEnabled") is True or "KmsMasterKeyId" in props
    assert int(props["MessageRetentionPeriod"]) == 14 * 24 * 3600


# --------------------------------------------------------------------------------------------------
# layer and functions
# --------------------------------------------------------------------------------------------------


def test_shared_layer(resources: dict[str, Any]) -> None:
    layer = resources["SharedLayer"]
    assert layer["Type"] == "AWS::Serverless::LayerVersion"
    props = layer["Properties"]
    assert props["ContentUri"].rstrip("/") == "shared"
    assert props["CompatibleRuntimes"] == ["python3.13"]
    assert props["CompatibleArchitectures"] == ["arm64"]
    assert props["RetentionPolicy"] == "Delete"
    assert layer["Metadata"]["BuildMethod"] == "python3.13"
    # compiled dependencies (pydantic-core, PyYAML) must be aarch64 builds
    assert layer["Metadata"].get("BuildArchitecture") == "arm64"


def test_exactly_the_four_functions(resources: dict[str, Any]) -> None:
    assert set(_of_type(resources, "AWS::Serverless::Function")) == set(FUNCTIONS)
    assert not _of_type(resources, "AWS::Lambda::Function")


@pytest.mark.parametrize("name", FUNCTIONS)
def test_function_runtime_settings(template: dict[str, Any], name: str) -> None:
    assert template["Resources"][name]["Properties"]["CodeUri"] == FUNCTIONS[name]
    assert _function_setting(template, name, "Handler") == "app.lambda_handler"
    assert _function_setting(template, name, "Runtime") == "python3.13"
    assert _function_setting(template, name, "Architectures") == ["arm64"]
    assert _function_setting(template, name, "MemorySize") == 256
    # A webhook or a claim page must answer within seconds; the daily report scans the tickets
    # table once a day; the others get a minute's work.
    timeouts = {"WebhookFunction": 15, "ClaimFunction": 15, "DailyReportFunction": 300}
    assert _function_setting(template, name, "Timeout") == timeouts.get(name, 60)
    assert {"Ref": "SharedLayer"} in _function_setting(template, name, "Layers")


@pytest.mark.parametrize("name", FUNCTIONS)
def test_every_function_gets_the_contract_environment(template: dict[str, Any], name: str) -> None:
    env = _effective_env(template, name)
    for key, value in CONTRACT_ENV.items():
        assert env.get(key) == value, f"{name}: {key} should be {value!r}, is {env.get(key)!r}"


@pytest.mark.parametrize("name", FUNCTIONS)
def test_every_function_logs_to_its_own_group_kept_30_days(resources: dict[str, Any], name: str) -> None:
    log_group_ref = resources[name]["Properties"]["LoggingConfig"]["LogGroup"]
    assert set(log_group_ref) == {"Ref"}
    log_group = resources[log_group_ref["Ref"]]
    assert log_group["Type"] == "AWS::Logs::LogGroup"
    assert log_group["Properties"]["RetentionInDays"] == 30


def test_scheduled_async_invocations_are_not_retried_for_hours(template: dict[str, Any]) -> None:
    for name in FUNCTIONS:
        config = _function_setting(template, name, "EventInvokeConfig")
        assert config is not None, name
        assert config["MaximumRetryAttempts"] == 0
        assert config["MaximumEventAgeInSeconds"] <= 900


# --------------------------------------------------------------------------------------------------
# events
# --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", SCHEDULED)
def test_every_function_runs_every_minute(resources: dict[str, Any], name: str) -> None:
    schedules = _events(resources, name, "ScheduleV2")
    assert len(schedules) == 1, f"{name} should have one ScheduleV2 event"
    (schedule,) = schedules.values()
    assert schedule["ScheduleExpression"] == "rate(1 minute)"
    assert json.loads(schedule["Input"]) == SCHEDULE_INPUT


def test_every_schedule_has_a_dead_letter_queue_and_no_retries(resources: dict[str, Any]) -> None:
    schedules = {
        (name, key): props
        for name, res in resources.items()
        if res["Type"] == "AWS::Serverless::Function"
        for key, props in _events(resources, name, "ScheduleV2").items()
    }
    assert len(schedules) == 5
    for where, props in schedules.items():
        assert props["DeadLetterConfig"] == {"Arn": _arn("ScheduleDeadLetterQueue")}, where
        assert props["RetryPolicy"]["MaximumRetryAttempts"] == 0, where
        # a fixed schedule name would clash when two stacks share an account and region
        assert props.get("OmitName") is True or "Name" not in props, where
    # no other kind of schedule slipped in without a DLQ
    for name in SCHEDULED:
        types = {ev["Type"] for ev in resources[name]["Properties"]["Events"].values()}
        assert types <= {"ScheduleV2", "DynamoDB", "SQS"}, name


def test_daily_report_runs_once_a_day_at_the_configured_local_hour(resources: dict[str, Any]) -> None:
    (schedule,) = _events(resources, "DailyReportFunction", "ScheduleV2").values()
    assert schedule["ScheduleExpression"] == {"Fn::Sub": "cron(0 ${DailyReportHour} * * ? *)"}
    assert schedule["ScheduleExpressionTimezone"] == {"Ref": "DailyReportTimezone"}


def test_dashboard_has_a_yesterday_row_of_the_daily_figures(resources: dict[str, Any]) -> None:
    text, _variables, metrics = _dashboard(resources)
    assert "Yesterday" in text
    shown = {m[1] for m in metrics if m[0] == "socialcare"}
    for name in (
        metric_names.DAILY_TICKETS,
        metric_names.DAILY_FIRST_RESPONSE_MEDIAN,
        metric_names.DAILY_FIRST_RESPONSE_P90,
        metric_names.DAILY_TARGET_MET,
        metric_names.DAILY_TARGET_BREACHED,
        metric_names.DAILY_INCIDENTS,
        metric_names.DAILY_CLAIMS,
    ):
        assert name in shown, name
    assert "SEARCH('{socialcare,network,service}" in text, "tickets per network"


def test_acknowledge_stream_event(resources: dict[str, Any]) -> None:
    streams = _events(resources, "AcknowledgeFunction", "DynamoDB")
    assert len(streams) == 1
    (stream,) = streams.values()
    assert stream["Stream"] == {"Fn::GetAtt": ["TicketsTable", "StreamArn"]}
    assert stream["StartingPosition"] == "TRIM_HORIZON"
    assert stream["BatchSize"] == 10
    assert stream["MaximumBatchingWindowInSeconds"] == 0
    assert stream["BisectBatchOnFunctionError"] is True
    assert stream["MaximumRetryAttempts"] == 5
    assert 60 <= stream["MaximumRecordAgeInSeconds"] <= 86400
    assert stream["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    assert stream["DestinationConfig"]["OnFailure"]["Destination"] == _arn("AckFailureQueue")
    assert stream["DestinationConfig"]["OnFailure"].get("Type") == "SQS"
    filters = stream["FilterCriteria"]["Filters"]
    assert len(filters) == 1
    assert json.loads(filters[0]["Pattern"]) == ACK_FILTER
    for other in ("PollMentionsFunction", "EscalateFunction"):
        assert not _events(resources, other, "DynamoDB"), f"{other} must not consume the ticket stream"


# --------------------------------------------------------------------------------------------------
# polling fanned out per account (PollFanOutFunction -> PollQueue -> PollMentionsFunction)
# --------------------------------------------------------------------------------------------------


def test_poll_queue_retries_a_failed_account_then_keeps_it_in_an_alarmed_dead_letter_queue(
    template: dict[str, Any], resources: dict[str, Any]
) -> None:
    queue = _props(resources, "PollQueue")
    assert queue.get("SqsManagedSseEnabled") is True or "KmsMasterKeyId" in queue
    # a message is never handed to a second poller while its first invocation may still run
    assert int(queue["VisibilityTimeout"]) > _function_setting(template, "PollMentionsFunction", "Timeout")
    redrive = queue["RedrivePolicy"]
    assert redrive["deadLetterTargetArn"] == _arn("PollDeadLetterQueue")
    assert 2 <= int(redrive["maxReceiveCount"]) <= 5
    # every receive happens before the message expires, so a failing account reaches the DLQ
    assert int(redrive["maxReceiveCount"]) * int(queue["VisibilityTimeout"]) < int(
        queue["MessageRetentionPeriod"]
    )


def test_the_poll_function_takes_one_account_at_a_time_at_the_reserved_concurrency(
    resources: dict[str, Any],
) -> None:
    assert not _events(resources, "PollMentionsFunction", "ScheduleV2"), "the fan-out is scheduled instead"
    (source,) = _events(resources, "PollMentionsFunction", "SQS").values()
    assert source["Queue"] == _arn("PollQueue")
    assert 1 <= source["BatchSize"] <= 5
    assert source["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    # no more pollers than reserved: excess messages wait instead of being throttled into the DLQ
    assert source["ScalingConfig"]["MaximumConcurrency"] == {"Ref": "PollConcurrency"}
    reserved = _props(resources, "PollMentionsFunction")["ReservedConcurrentExecutions"]
    assert reserved["Fn::If"][1] == {"Ref": "PollConcurrency"}
    consumers = [n for n in FUNCTIONS if _events(resources, n, "SQS")]
    assert consumers == ["PollMentionsFunction"]


def test_poll_concurrency_fits_an_sqs_event_source(template: dict[str, Any]) -> None:
    spec = template["Parameters"]["PollConcurrency"]
    assert int(spec["MinValue"]) >= 2, "MaximumConcurrency of an SQS event source is at least 2"
    assert int(spec["Default"]) >= 20, "500 accounts within the minute (make bench-fanout)"


def test_only_the_fan_out_sends_to_the_poll_queue_and_only_the_poll_function_consumes_it(
    template: dict[str, Any], resources: dict[str, Any]
) -> None:
    queue = _arn("PollQueue")
    consume = {
        "sqs:receivemessage",
        "sqs:deletemessage",
        "sqs:getqueueattributes",
        "sqs:changemessagevisibility",
    }
    fanout = _function_statements(resources, "PollFanOutFunction")
    assert _actions_on(fanout, queue) == {"sqs:sendmessage"}
    poll = _function_statements(resources, "PollMentionsFunction")
    assert _actions_on(poll, queue) == consume
    for name in ("AcknowledgeFunction", "EscalateFunction"):
        assert not _actions_on(_function_statements(resources, name), queue), name
    # the fan-out reads its configuration and sends, nothing else: no table, no secret
    granted = {a for s in fanout for a in _actions(s)}
    assert not any(a.startswith(("dynamodb:", "secretsmanager:", "ses:", "sns:")) for a in granted)
    assert _effective_env(template, "PollFanOutFunction")["POLL_QUEUE_URL"] == {"Ref": "PollQueue"}
    assert "POLL_QUEUE_URL" not in _effective_env(template, "PollMentionsFunction")


def test_polls_that_fall_behind_the_minute_are_alarmed(resources: dict[str, Any]) -> None:
    (alarm,) = [
        a
        for a in _alarms(resources).values()
        if a["Namespace"] == "AWS/SQS"
        and a["MetricName"] == "ApproximateAgeOfOldestMessage"
        and _dimension(a, "QueueName") == {"Fn::GetAtt": ["PollQueue", "QueueName"]}
    ]
    assert alarm["Statistic"] == "Maximum" and alarm["AlarmActions"] == [{"Ref": "AlarmTopic"}]
    assert 60 <= alarm["Threshold"] <= 300


# --------------------------------------------------------------------------------------------------
# IAM: least privilege (as written; test_expanded_iam.py checks what SAM generates from it)
# --------------------------------------------------------------------------------------------------

# Actions IAM cannot scope to a resource, each allowed on "*" and nowhere else.
UNSCOPABLE = {
    frozenset({"xray:puttracesegments", "xray:puttelemetryrecords"}): set(FUNCTIONS),
    frozenset({"dynamodb:liststreams"}): {"AcknowledgeFunction"},
    frozenset({"sns:publish"}): {
        "EscalateFunction",
        "IncidentsFunction",
    },  # SMS to phone numbers; topics are denied
}
SECRETS_PREFIX = {
    "Fn::If": ["HasSecretsPrefix", {"Ref": "SecretsPrefix"}, {"Fn::Sub": "socialcare/${AWS::StackName}/"}]
}


@pytest.mark.parametrize("name", FUNCTIONS)
def test_every_function_has_its_own_role_with_inline_statements_only(
    resources: dict[str, Any], name: str
) -> None:
    props = resources[name]["Properties"]
    # Policies would make SAM generate a role with AWS managed policies added
    assert "Policies" not in props, f"{name}: statements belong in its role"
    role_name = _role_of(resources, name)
    role = resources[role_name]
    assert role["Type"] == "AWS::IAM::Role"
    assert "ManagedPolicyArns" not in role["Properties"], role_name
    trust = role["Properties"]["AssumeRolePolicyDocument"]["Statement"]
    assert [s["Principal"] for s in trust] == [{"Service": "lambda.amazonaws.com"}], role_name
    others = [f for f in FUNCTIONS if f != name and _role_of(resources, f) == role_name]
    assert not others, f"{role_name} is shared with {others}"


def test_no_wildcard_actions_and_resource_star_only_where_iam_allows_nothing_else(
    resources: dict[str, Any],
) -> None:
    statements = list(_all_iam_statements(resources))
    assert statements
    roles = {_role_of(resources, f): f for f in FUNCTIONS}
    for name, statement in statements:
        actions = _actions(statement)
        assert actions, f"{name}: {statement}"
        assert not any("*" in action for action in actions), f"{name}: {statement}"
        assert "NotAction" not in statement and "NotResource" not in statement, name
        if "*" in _as_list(statement.get("Resource")):
            assert statement["Effect"] == "Allow"
            allowed_for = UNSCOPABLE.get(frozenset(actions), set())
            assert roles.get(name) in allowed_for, f"{name}: Resource '*' for {sorted(actions)}"


def test_dynamodb_permissions_per_function(resources: dict[str, Any]) -> None:
    tickets, state, idem = (_arn(t) for t in TABLES)
    stream = {"Fn::GetAtt": ["TicketsTable", "StreamArn"]}
    per_item = {"dynamodb:getitem", "dynamodb:putitem", "dynamodb:updateitem"}
    # a step reads the items it needs together (persistence/batch.py)
    batched = per_item | {"dynamodb:batchgetitem"}
    idem_actions = {"dynamodb:getitem", "dynamodb:putitem", "dynamodb:updateitem", "dynamodb:deleteitem"}
    stream_actions = {"dynamodb:describestream", "dynamodb:getrecords", "dynamodb:getsharditerator"}

    poll = _function_statements(resources, "PollMentionsFunction")
    assert _actions_on(poll, tickets) == batched | {"dynamodb:query", "dynamodb:conditioncheckitem"}
    assert _actions_on(poll, state) == batched
    assert not _actions_on(poll, idem)

    ack = _function_statements(resources, "AcknowledgeFunction")
    assert _actions_on(ack, tickets) == batched | {"dynamodb:query", "dynamodb:conditioncheckitem"}
    assert _actions_on(ack, {"Fn::Sub": "${TicketsTable.Arn}/index/pending_ack"}) == {"dynamodb:query"}
    assert _actions_on(ack, state) == batched
    assert not _actions_on(ack, idem), "an acknowledgement's idempotency is its ticket's own state"
    assert _actions_on(ack, _arn("AckFailureQueue")) == {"sqs:sendmessage"}
    # the event source mapping reads the tickets stream, and no other stream in the account
    assert _actions_on(ack, stream) == stream_actions

    esc = _function_statements(resources, "EscalateFunction")
    assert _actions_on(esc, tickets) == {"dynamodb:getitem", "dynamodb:updateitem", "dynamodb:query"}
    assert _actions_on(esc, {"Fn::Sub": "${TicketsTable.Arn}/index/awaiting_reply"}) == {"dynamodb:query"}
    assert not _actions_on(esc, state)
    assert _actions_on(esc, idem) == idem_actions

    # indexes are only reachable by the function that sweeps them, the stream by its consumer
    for statement in poll:
        assert "/index/" not in json.dumps(statement.get("Resource")), statement
    for statement in poll + esc:
        assert not _actions(statement) & stream_actions, statement


def test_secrets_only_under_the_stack_prefix(template: dict[str, Any], resources: dict[str, Any]) -> None:
    secret_arn = {
        "Fn::Sub": [
            "arn:${AWS::Partition}:secretsmanager:${AWS::Region}:${AWS::AccountId}:secret:${Prefix}*",
            {"Prefix": SECRETS_PREFIX},
        ]
    }
    for name in ("PollMentionsFunction", "AcknowledgeFunction"):
        assert _actions_on(_function_statements(resources, name), secret_arn) == {
            "secretsmanager:getsecretvalue"
        }
        # the functions resolve names against the very prefix IAM allows
        assert _effective_env(template, name)["SECRETS_PREFIX"] == SECRETS_PREFIX
    claim_key = {"Ref": "ClaimLinkSecret"}  # the claim links' HMAC key, the template's own secret
    for name, statement in _all_iam_statements(resources):
        if any(a.startswith("secretsmanager:") for a in _actions(statement)):
            assert _actions(statement) == {"secretsmanager:getsecretvalue"}, name
            assert statement["Resource"] in (secret_arn, claim_key), name
            if statement["Resource"] == claim_key:
                # escalation and incidents sign links in their alerts, the claim page checks them
                assert name in ("EscalateRole", "ClaimRole", "IncidentsRole"), name
    esc = _function_statements(resources, "EscalateFunction")
    esc_secrets = [s["Resource"] for s in esc if any(a.startswith("secretsmanager:") for a in _actions(s))]
    assert esc_secrets == [claim_key]  # escalation signs claim links; it reads no channel credentials


def test_secrets_prefix_parameter(template: dict[str, Any]) -> None:
    param = template["Parameters"]["SecretsPrefix"]
    assert param["Default"] == ""
    assert template["Conditions"]["HasSecretsPrefix"] == {
        "Fn::Not": [{"Fn::Equals": [{"Ref": "SecretsPrefix"}, ""]}]
    }
    pattern = param["AllowedPattern"]
    for good in ("", "socialcare/prod/", "acme/care-team/"):
        assert re.fullmatch(pattern, good), good
    # without the closing "/", socialcare/prod would also match socialcare/production/...
    for bad in ("socialcare/prod", "/", "*", "socialcare/*/", "a//"):
        assert not re.fullmatch(pattern, bad), bad


@pytest.mark.parametrize("name", FUNCTIONS)
def test_ssm_parameter_is_granted_only_when_configured(resources: dict[str, Any], name: str) -> None:
    (policy,) = resources[_role_of(resources, name)]["Properties"]["Policies"]
    ssm_items = [item for item in policy["PolicyDocument"]["Statement"] if "ssm:" in json.dumps(item)]
    assert len(ssm_items) == 1, f"{name} should have exactly one ssm statement"
    (item,) = ssm_items
    condition, when_set, when_unset = item["Fn::If"]
    assert condition == "HasConfigParameter"
    assert when_unset == {"Ref": "AWS::NoValue"}
    assert _actions(when_set) == {"ssm:getparameter"}
    for resource in _expand_if(when_set["Resource"]):
        assert "${ConfigParameterName}" in resource["Fn::Sub"]
        assert ":parameter" in resource["Fn::Sub"]


@pytest.mark.parametrize("name", FUNCTIONS)
def test_logs_only_to_the_functions_own_log_group(resources: dict[str, Any], name: str) -> None:
    log_group = resources[name]["Properties"]["LoggingConfig"]["LogGroup"]["Ref"]
    logs = [
        s for s in _function_statements(resources, name) if any(a.startswith("logs:") for a in _actions(s))
    ]
    assert len(logs) == 1, name
    (statement,) = logs
    assert _actions(statement) == {"logs:createlogstream", "logs:putlogevents"}
    assert statement["Resource"] == {
        "Fn::Sub": "arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}"
        f":log-group:${{{log_group}}}:log-stream:*"
    }


def test_escalation_email_is_pinned_to_the_sender(resources: dict[str, Any]) -> None:
    esc = _function_statements(resources, "EscalateFunction")
    ses = [s for s in esc if any(a.startswith("ses:") for a in _actions(s))]
    assert ses
    for statement in ses:
        assert _actions(statement) <= {"ses:sendemail", "ses:sendrawemail"}
        assert statement["Condition"]["StringEquals"]["ses:FromAddress"] == {"Ref": "SenderEmail"}
    for name in ("PollMentionsFunction", "AcknowledgeFunction"):
        for statement in _function_statements(resources, name):
            assert not any(a.startswith(("ses:", "sns:")) for a in _actions(statement)), name


def test_sms_publish_can_never_reach_a_topic(resources: dict[str, Any]) -> None:
    sns = [
        (name, s)
        for name, s in _all_iam_statements(resources)
        if any(a.startswith("sns:") for a in _actions(s))
    ]
    assert sorted((name, s["Effect"], json.dumps(s["Resource"])) for name, s in sns) == [
        ("EscalateRole", "Allow", '"*"'),
        ("EscalateRole", "Deny", json.dumps({"Fn::Sub": "arn:${AWS::Partition}:sns:*:*:*"})),
        ("IncidentsRole", "Allow", '"*"'),
        ("IncidentsRole", "Deny", json.dumps({"Fn::Sub": "arn:${AWS::Partition}:sns:*:*:*"})),
    ]
    assert all(_actions(s) == {"sns:publish"} for _, s in sns)


# --------------------------------------------------------------------------------------------------
# concurrency
# --------------------------------------------------------------------------------------------------

CONCURRENCY = {
    "PollFanOutFunction": 2,  # one run a minute, and one overlapping it: no parameter needed
    "PollMentionsFunction": "PollConcurrency",
    "AcknowledgeFunction": "AcknowledgeConcurrency",
    "EscalateFunction": "EscalateConcurrency",
    "WebhookFunction": "WebhookConcurrency",
    "ClaimFunction": 5,  # a person clicking a link: a handful at once
    "DailyReportFunction": 1,  # one run a day
    "IncidentsFunction": 2,  # one run a minute, and one overlapping it
}


@pytest.mark.parametrize("name", FUNCTIONS)
def test_every_function_has_reserved_concurrency_from_a_parameter(
    template: dict[str, Any], name: str
) -> None:
    reserved = template["Resources"][name]["Properties"]["ReservedConcurrentExecutions"]
    parameter = CONCURRENCY[name]
    if isinstance(parameter, int):
        assert reserved == {"Fn::If": ["ReservesConcurrency", parameter, {"Ref": "AWS::NoValue"}]}
        return
    assert reserved == {"Fn::If": ["ReservesConcurrency", {"Ref": parameter}, {"Ref": "AWS::NoValue"}]}
    spec = template["Parameters"][parameter]
    assert spec["Type"] == "Number"
    assert int(spec["MinValue"]) >= 1, "0 would stop the function altogether"
    assert int(spec["Default"]) >= 1
    assert "quota" in template["Parameters"]["ReserveConcurrency"]["Description"]


def test_concurrency_defaults_fit_the_work(template: dict[str, Any]) -> None:
    params = template["Parameters"]
    assert params["ReserveConcurrency"]["Default"] == "true"
    assert template["Conditions"]["ReservesConcurrency"] == {
        "Fn::Equals": [{"Ref": "ReserveConcurrency"}, "true"]
    }
    # escalation is one sweep a minute; polling will fan out per account
    assert 1 <= int(params["EscalateConcurrency"]["Default"]) <= 2
    assert int(params["PollConcurrency"]["Default"]) > int(params["EscalateConcurrency"]["Default"])


# --------------------------------------------------------------------------------------------------
# monitoring
# --------------------------------------------------------------------------------------------------


def _alarms(resources: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {n: r["Properties"] for n, r in _of_type(resources, "AWS::CloudWatch::Alarm").items()}


def _dimension(alarm: dict[str, Any], name: str) -> Any:
    return {d["Name"]: d["Value"] for d in alarm.get("Dimensions", [])}.get(name)


def test_every_alarm_notifies_and_ignores_missing_data(resources: dict[str, Any]) -> None:
    alarms = _alarms(resources)
    assert alarms
    for name, alarm in alarms.items():
        assert {"Ref": "AlarmTopic"} in alarm["AlarmActions"], name
        assert alarm["TreatMissingData"] == "notBreaching", name


def test_alarm_topic_is_encrypted_and_mailed(resources: dict[str, Any]) -> None:
    topic = _props(resources, "AlarmTopic")
    assert topic.get("KmsMasterKeyId"), "the alarm topic must be encrypted"
    # CloudWatch cannot use the AWS managed aws/sns key: the key must let cloudwatch.amazonaws.com in
    key_ref = topic["KmsMasterKeyId"]
    if isinstance(key_ref, dict) and "Ref" in key_ref:
        key_policy = _props(resources, key_ref["Ref"])["KeyPolicy"]
        principals = json.dumps([s.get("Principal") for s in key_policy["Statement"]])
        assert "cloudwatch.amazonaws.com" in principals
    subscriptions = [
        r["Properties"]
        for r in _of_type(resources, "AWS::SNS::Subscription").values()
        if r["Properties"]["TopicArn"] == {"Ref": "AlarmTopic"}
    ]
    assert {"Protocol": "email", "Endpoint": {"Ref": "AlarmEmail"}, "TopicArn": {"Ref": "AlarmTopic"}} in [
        {k: s[k] for k in ("Protocol", "Endpoint", "TopicArn")} for s in subscriptions
    ]


@pytest.mark.parametrize("name", FUNCTIONS)
def test_errors_alarm_per_function(resources: dict[str, Any], name: str) -> None:
    matching = [
        a
        for a in _alarms(resources).values()
        if a["Namespace"] == "AWS/Lambda"
        and a["MetricName"] == "Errors"
        and _dimension(a, "FunctionName") == {"Ref": name}
    ]
    assert len(matching) == 1, name
    (alarm,) = matching
    assert alarm["Statistic"] == "Sum"
    assert alarm["Period"] * alarm["EvaluationPeriods"] <= 300
    assert alarm["Threshold"] == 1
    assert alarm["ComparisonOperator"] == "GreaterThanOrEqualToThreshold"


def test_iterator_age_alarm(resources: dict[str, Any]) -> None:
    matching = [
        a
        for a in _alarms(resources).values()
        if a["MetricName"] == "IteratorAge"
        and _dimension(a, "FunctionName") == {"Ref": "AcknowledgeFunction"}
    ]
    assert len(matching) == 1
    (alarm,) = matching
    assert alarm["Statistic"] == "Maximum"
    assert alarm["Threshold"] == 120000
    assert alarm["ComparisonOperator"] == "GreaterThanThreshold"


@pytest.mark.parametrize("queue", QUEUES)
def test_queue_depth_alarm(resources: dict[str, Any], queue: str) -> None:
    matching = [
        a
        for a in _alarms(resources).values()
        if a["Namespace"] == "AWS/SQS"
        and a["MetricName"] == "ApproximateNumberOfMessagesVisible"
        and _dimension(a, "QueueName") == {"Fn::GetAtt": [queue, "QueueName"]}
    ]
    assert len(matching) == 1, queue
    (alarm,) = matching
    assert alarm["Threshold"] == 1
    assert alarm["ComparisonOperator"] == "GreaterThanOrEqualToThreshold"


def _dashboard(resources: dict[str, Any]) -> tuple[str, dict[str, Any], list[list[Any]]]:
    """The dashboard body's text, its Fn::Sub variables and every metric line of its widgets."""
    dashboards = _of_type(resources, "AWS::CloudWatch::Dashboard")
    assert len(dashboards) == 1
    (dashboard,) = dashboards.values()
    body = dashboard["Properties"]["DashboardBody"]
    text, variables = body["Fn::Sub"] if isinstance(body.get("Fn::Sub"), list) else (body["Fn::Sub"], {})
    # it must be valid JSON once substituted (placeholders sit inside JSON strings)
    parsed = json.loads(text)
    lines = [m for w in parsed["widgets"] for m in w["properties"].get("metrics", [])]
    return text, variables, [m for m in lines if isinstance(m[0], str)]  # not math/search expressions


def _alarmed_metric_names() -> set[str]:
    """The names metric_names.py marks "alarmed", plus PostsQuarantined (a person must look)."""
    source = Path(metric_names.__file__).read_text(encoding="utf-8")
    marked = re.findall(r'^[A-Z_]+ = "(\w+)"\s*#.*\balarmed\b', source, flags=re.MULTILINE)
    return {*marked, metric_names.POSTS_QUARANTINED}


def _custom_metric_alarms(resources: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {n: a for n, a in _alarms(resources).items() if a["Namespace"] == "socialcare"}


def test_every_metric_marked_alarmed_has_an_alarm_on_powertools_dimensions(
    resources: dict[str, Any],
) -> None:
    alarmed = _alarmed_metric_names()
    assert {"PollStalled", "AccountUnavailable", "AcknowledgementsFailed", "AlertsRejected"} <= alarmed
    alarms = _custom_metric_alarms(resources)
    by_metric = {a["MetricName"]: a for a in alarms.values()}
    assert set(by_metric) == alarmed
    for metric, alarm in by_metric.items():
        # Powertools emits the service dimension only: an alarm with other dimensions never fires
        assert alarm["Dimensions"] == [{"Name": "service", "Value": "socialcare"}], metric
        assert alarm["Statistic"] == "Sum", metric
        assert alarm["Threshold"] == 1, metric
        assert alarm["ComparisonOperator"] == "GreaterThanOrEqualToThreshold", metric
        assert metric in alarm["AlarmDescription"], "the e-mail must say which metric fired"


# Alarms on what is retried or reconciled by itself: noise once, a person's problem when it lasts.
PERSISTENT_ONLY = {"AlertsFailed", "WebhookRejected", "WebhookChangesFailed"}


@pytest.mark.parametrize("metric", sorted(PERSISTENT_ONLY))
def test_retried_failures_alarm_only_when_they_persist(resources: dict[str, Any], metric: str) -> None:
    alarm = next(a for a in _custom_metric_alarms(resources).values() if a["MetricName"] == metric)
    # e.g. a failed send is retried the next minute: three 5-minute periods in a row, all failing
    assert (alarm["Period"], alarm["EvaluationPeriods"], alarm["DatapointsToAlarm"]) == (300, 3, 3)
    for other in _custom_metric_alarms(resources).values():
        if other["MetricName"] not in PERSISTENT_ONLY:
            assert other["Period"] * other["EvaluationPeriods"] <= 300, other["MetricName"]


def test_every_custom_metric_named_by_an_alarm_or_the_dashboard_is_defined(
    resources: dict[str, Any],
) -> None:
    defined = {value for key, value in vars(metric_names).items() if key.isupper()}
    named = {a["MetricName"] for a in _custom_metric_alarms(resources).values()}
    _text, _variables, metrics = _dashboard(resources)
    named |= {m[1] for m in metrics if m[0] == "socialcare"}
    assert named
    assert named <= defined, f"not in metric_names.py: {sorted(named - defined)}"


def test_dashboard_shows_functions_stream_queues_and_business_metrics(resources: dict[str, Any]) -> None:
    text, variables, metrics = _dashboard(resources)
    names = {(m[0], m[1]) for m in metrics}
    for metric in ("Invocations", "Errors", "Duration", "IteratorAge"):
        assert ("AWS/Lambda", metric) in names
    assert ("AWS/SQS", "ApproximateNumberOfMessagesVisible") in names
    for metric in (
        "MentionsStored",
        "AcknowledgementsPosted",
        "AcknowledgementsSkipped",
        "AlertsSent",
        "RateLimited",
        *_alarmed_metric_names(),
    ):
        assert ["socialcare", metric, "service", "socialcare"] in [m[:4] for m in metrics], metric
    referenced = json.dumps(variables)
    for name in (*FUNCTIONS, *QUEUES):
        assert name in referenced or f"${{{name}" in text, f"dashboard does not show {name}"


def test_outputs(template: dict[str, Any]) -> None:
    outputs = template["Outputs"]
    expected = {
        "TicketsTableName": {"Ref": "TicketsTable"},
        "StateTableName": {"Ref": "StateTable"},
        "IdempotencyTableName": {"Ref": "IdempotencyTable"},
        "PollMentionsFunctionArn": _arn("PollMentionsFunction"),
        "PollFanOutFunctionArn": _arn("PollFanOutFunction"),
        "PollQueueUrl": {"Ref": "PollQueue"},
        "PollDeadLetterQueueUrl": {"Ref": "PollDeadLetterQueue"},
        "AcknowledgeFunctionArn": _arn("AcknowledgeFunction"),
        "EscalateFunctionArn": _arn("EscalateFunction"),
        "ScheduleDeadLetterQueueUrl": {"Ref": "ScheduleDeadLetterQueue"},
        "AckFailureQueueUrl": {"Ref": "AckFailureQueue"},
        "AlarmTopicArn": {"Ref": "AlarmTopic"},
    }
    for key, value in expected.items():
        assert outputs[key]["Value"] == value, key
    assert "Dashboard" in outputs["DashboardUrl"]["Value"]["Fn::Sub"]


# --------------------------------------------------------------------------------------------------
# cfn-lint (runs where cfn-lint is installed: the project's .venv has it)
# --------------------------------------------------------------------------------------------------


def test_cfn_lint_is_clean() -> None:
    pytest.importorskip("cfnlint")
    from cfnlint.api import lint_file

    matches = lint_file(TEMPLATE_PATH)
    assert not matches, "\n".join(str(m) for m in matches)
