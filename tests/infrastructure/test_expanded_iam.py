"""Every IAM role CloudFormation would create, read from the template after the SAM transform.

The roles SAM generates (for the schedules, and for any function without a Role of its own) and the
managed policies it attaches by itself only exist in the expanded template, so that is what these
tests read. expand_template.py runs the SAM translator offline with the SAM CLI's Python.
"""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from cfn_yaml import load_template

REPO = Path(__file__).resolve().parents[2]
TEMPLATE = REPO / "template.yaml"
EXPANDER = Path(__file__).with_name("expand_template.py")
SAM_PYTHON = Path(os.environ.get("SAM_PYTHON", REPO / ".venv-sam" / "bin" / "python"))

FUNCTIONS = (
    "PollFanOutFunction",
    "PollMentionsFunction",
    "AcknowledgeFunction",
    "EscalateFunction",
    "WebhookFunction",
    "ClaimFunction",
    "DailyReportFunction",
)
SECRETS_PREFIX = {
    "Fn::If": ["HasSecretsPrefix", {"Ref": "SecretsPrefix"}, {"Fn::Sub": "socialcare/${AWS::StackName}/"}]
}
# Actions IAM cannot scope to a resource: the only statements allowed Resource "*".
UNSCOPABLE = {
    frozenset({"xray:puttracesegments", "xray:puttelemetryrecords"}),
    frozenset({"dynamodb:liststreams"}),
    frozenset({"sns:publish"}),  # SMS to a phone number, and only with the topic Deny below
}
DENY_TOPICS = {"Fn::Sub": "arn:${AWS::Partition}:sns:*:*:*"}
STREAM_READ = {"dynamodb:describestream", "dynamodb:getrecords", "dynamodb:getsharditerator"}


# --------------------------------------------------------------------------------------------------
# expanding and reading the template
# --------------------------------------------------------------------------------------------------


def expand(path: Path) -> dict[str, Any]:
    if not SAM_PYTHON.is_file():
        message = f"{SAM_PYTHON} not found: `make sam` installs the SAM CLI (and its translator)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    done = subprocess.run(
        [str(SAM_PYTHON), str(EXPANDER), str(path)], capture_output=True, text=True, timeout=300, check=False
    )
    if done.returncode != 0:
        pytest.fail(f"the SAM transform failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout)


@pytest.fixture(scope="module")
def expanded() -> dict[str, Any]:
    return expand(TEMPLATE)


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _branches(value: Any) -> Iterator[Any]:
    """Every value an item can take whatever the conditions; AWS::NoValue drops out."""
    if isinstance(value, dict) and set(value) == {"Fn::If"}:
        _condition, when_true, when_false = value["Fn::If"]
        yield from _branches(when_true)
        yield from _branches(when_false)
    elif value != {"Ref": "AWS::NoValue"}:
        yield value


def role_statements(role: dict[str, Any]) -> Iterator[dict[str, Any]]:
    for policy in role["Properties"].get("Policies", []):
        for item in _as_list(policy["PolicyDocument"]["Statement"]):
            for statement in _branches(item):
                for resource in _branches(statement.get("Resource")):
                    yield {**statement, "Resource": resource}


def actions(statement: dict[str, Any]) -> set[str]:
    return {a.lower() for a in _as_list(statement.get("Action", []))}


def roles(template: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {k: r for k, r in template["Resources"].items() if r["Type"] == "AWS::IAM::Role"}


def role_problems(template: dict[str, Any]) -> list[str]:
    """What breaks least privilege in any role: managed policies, wildcards, unscoped resources."""
    problems = []
    for name, role in roles(template).items():
        props = role["Properties"]
        for arn in props.get("ManagedPolicyArns", []):
            problems.append(f"{name}: managed policy {json.dumps(arn)}")
        for statement in role_statements(role):
            acts = actions(statement)
            if not acts or "NotAction" in statement or "NotResource" in statement:
                problems.append(f"{name}: statement without a plain Action and Resource: {statement}")
            problems += [f"{name}: wildcard action {a}" for a in sorted(acts) if "*" in a]
            unscoped = statement.get("Resource") == "*" and statement["Effect"] == "Allow"
            if unscoped and frozenset(acts) not in UNSCOPABLE:
                problems.append(f"{name}: Resource '*' for {sorted(acts)}")
    return problems


def function_role(template: dict[str, Any], function: str) -> str:
    role = template["Resources"][function]["Properties"]["Role"]
    return role["Fn::GetAtt"][0]


def grants(template: dict[str, Any], role: str, effect: str = "Allow") -> set[tuple[str, str]]:
    """(action, resource as JSON) pairs a role's statements of one effect name."""
    return {
        (action, json.dumps(statement["Resource"], sort_keys=True))
        for statement in role_statements(roles(template)[role])
        if statement["Effect"] == effect
        for action in actions(statement)
    }


def _arn(logical_id: str, attribute: str = "Arn") -> str:
    return json.dumps({"Fn::GetAtt": [logical_id, attribute]}, sort_keys=True)


def _sub(text: str) -> str:
    return json.dumps({"Fn::Sub": text}, sort_keys=True)


# --------------------------------------------------------------------------------------------------
# every role
# --------------------------------------------------------------------------------------------------


def test_no_role_has_a_managed_policy_a_wildcard_action_or_an_unscoped_resource(
    expanded: dict[str, Any],
) -> None:
    # eight function roles and one per schedule (five): all of them are checked
    assert len(roles(expanded)) == 13
    assert role_problems(expanded) == []


def test_the_check_catches_what_sam_adds_to_a_function_without_its_own_role(tmp_path: Path) -> None:
    template = load_template(TEMPLATE)
    escalate = template["Resources"]["EscalateFunction"]["Properties"]
    del escalate["Role"]
    escalate["Policies"] = [{"Statement": [{"Effect": "Allow", "Action": "sns:*", "Resource": "*"}]}]
    path = tmp_path / "template.yaml"
    path.write_text(json.dumps(template), encoding="utf-8")
    problems = role_problems(expand(path))
    assert any("AWSLambdaBasicExecutionRole" in p for p in problems), problems
    assert any("AWSXrayWriteOnlyAccess" in p for p in problems), problems
    assert any("wildcard action sns:*" in p for p in problems), problems


@pytest.mark.parametrize("function", FUNCTIONS)
def test_each_function_runs_with_its_own_role_trusted_by_lambda_only(
    expanded: dict[str, Any], function: str
) -> None:
    role = function_role(expanded, function)
    assert [f for f in FUNCTIONS if function_role(expanded, f) == role] == [function]
    trust = roles(expanded)[role]["Properties"]["AssumeRolePolicyDocument"]["Statement"]
    assert [(s["Effect"], s["Principal"]) for s in trust] == [("Allow", {"Service": "lambda.amazonaws.com"})]


def test_schedule_roles_invoke_their_function_and_reach_the_dead_letter_queue_only(
    expanded: dict[str, Any],
) -> None:
    schedules = {k: r for k, r in expanded["Resources"].items() if r["Type"] == "AWS::Scheduler::Schedule"}
    assert len(schedules) == 5
    for name, schedule in schedules.items():
        target = schedule["Properties"]["Target"]
        role = target["RoleArn"]["Fn::GetAtt"][0]
        trust = roles(expanded)[role]["Properties"]["AssumeRolePolicyDocument"]["Statement"]
        assert [s["Principal"] for s in trust] == [{"Service": ["scheduler.amazonaws.com"]}], name
        function = target["Arn"]["Fn::GetAtt"][0]
        assert grants(expanded, role) == {
            ("lambda:invokefunction", _arn(function)),
            ("sqs:sendmessage", _arn("ScheduleDeadLetterQueue")),
        }, name


# --------------------------------------------------------------------------------------------------
# the function roles, statement by statement
# --------------------------------------------------------------------------------------------------


def _common(log_group: str) -> set[tuple[str, str]]:
    logs = _sub(
        "arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}"
        f":log-group:${{{log_group}}}:log-stream:*"
    )
    return {
        ("logs:createlogstream", logs),
        ("logs:putlogevents", logs),
        # X-Ray's write actions have no resource type: Tracing: Active needs them on "*"
        ("xray:puttracesegments", '"*"'),
        ("xray:puttelemetryrecords", '"*"'),
    }


def _config_parameter() -> set[tuple[str, str]]:
    return {
        ("ssm:getparameter", _sub(f"arn:${{AWS::Partition}}:ssm:${{AWS::Region}}:${{AWS::AccountId}}:{name}"))
        for name in ("parameter${ConfigParameterName}", "parameter/${ConfigParameterName}")
    }


def _secrets() -> set[tuple[str, str]]:
    arn = {
        "Fn::Sub": [
            "arn:${AWS::Partition}:secretsmanager:${AWS::Region}:${AWS::AccountId}:secret:${Prefix}*",
            {"Prefix": SECRETS_PREFIX},
        ]
    }
    return {("secretsmanager:getsecretvalue", json.dumps(arn, sort_keys=True))}


def _on(resource: str, *names: str) -> set[tuple[str, str]]:
    return {(f"dynamodb:{n}", resource) for n in names}


ITEM_RW = ("getitem", "putitem", "updateitem")
# Tickets and state: a step reads the items it needs together (BatchGetItem), see persistence/batch.py.
BATCH_RW = (*ITEM_RW, "batchgetitem")
SQS_CONSUME = ("receivemessage", "deletemessage", "getqueueattributes", "changemessagevisibility")


def test_poll_role_grants_exactly_what_polling_needs(expanded: dict[str, Any]) -> None:
    expected = (
        _common("PollMentionsLogGroup")
        | _on(_arn("TicketsTable"), *BATCH_RW, "query", "conditioncheckitem")
        | _on(_arn("StateTable"), *BATCH_RW)
        | {(f"sqs:{action}", _arn("PollQueue")) for action in SQS_CONSUME}
        | _secrets()
        | _config_parameter()
    )
    assert grants(expanded, function_role(expanded, "PollMentionsFunction")) == expected
    # what its event source mapping reads: the poll queue, and partial batch failures are reported
    (mapping,) = [
        r
        for r in expanded["Resources"].values()
        if r["Type"] == "AWS::Lambda::EventSourceMapping"
        and r["Properties"]["FunctionName"] == {"Ref": "PollMentionsFunction"}
    ]
    assert json.dumps(mapping["Properties"]["EventSourceArn"], sort_keys=True) == _arn("PollQueue")
    assert mapping["Properties"]["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    assert mapping["Properties"]["ScalingConfig"] == {"MaximumConcurrency": {"Ref": "PollConcurrency"}}


def test_fan_out_role_may_only_send_to_the_poll_queue(expanded: dict[str, Any]) -> None:
    expected = _common("PollFanOutLogGroup") | {("sqs:sendmessage", _arn("PollQueue"))} | _config_parameter()
    assert grants(expanded, function_role(expanded, "PollFanOutFunction")) == expected


def test_webhook_role_stores_tickets_and_reads_secrets_nothing_else(expanded: dict[str, Any]) -> None:
    # No state or idempotency table, no stream, no queue: a delivery only stores tickets.
    expected = (
        _common("WebhookLogGroup")
        | _on(_arn("TicketsTable"), *BATCH_RW, "query", "conditioncheckitem")
        | _secrets()
        | _config_parameter()
    )
    assert grants(expanded, function_role(expanded, "WebhookFunction")) == expected


def test_the_webhook_url_is_public_by_design_and_only_invokes_the_webhook(expanded: dict[str, Any]) -> None:
    resources = expanded["Resources"]
    urls = {k: r for k, r in resources.items() if r["Type"] == "AWS::Lambda::Url"}
    assert sorted(urls) == ["ClaimFunctionUrl", "WebhookFunctionUrl"]
    assert urls["WebhookFunctionUrl"]["Properties"]["AuthType"] == "NONE"  # the HMAC authenticates
    assert urls["ClaimFunctionUrl"]["Properties"]["AuthType"] == "NONE"  # the signed link authorises
    permissions = [r["Properties"] for r in resources.values() if r["Type"] == "AWS::Lambda::Permission"]
    public = [p for p in permissions if p.get("Principal") == "*"]
    by_url = [{"Ref": "WebhookFunction"}, {"Ref": "ClaimFunction"}]
    assert public and all(p["FunctionName"] in by_url for p in public)
    # through the URL only: no one may invoke the function directly
    assert all(p.get("FunctionUrlAuthType") == "NONE" or p.get("InvokedViaFunctionUrl") for p in public)


def test_acknowledge_role_reads_the_tickets_stream_and_keeps_no_idempotency_records(
    expanded: dict[str, Any],
) -> None:
    expected = (
        _common("AcknowledgeLogGroup")
        | {(action, _arn("TicketsTable", "StreamArn")) for action in STREAM_READ}
        | {("dynamodb:liststreams", '"*"')}
        | _on(_arn("TicketsTable"), *BATCH_RW, "query", "conditioncheckitem")
        | _on(_sub("${TicketsTable.Arn}/index/pending_ack"), "query")
        | _on(_arn("StateTable"), *BATCH_RW)
        | {("sqs:sendmessage", _arn("AckFailureQueue"))}
        | _secrets()
        | _config_parameter()
    )
    role = function_role(expanded, "AcknowledgeFunction")
    assert grants(expanded, role) == expected
    # that is the stream its event source mapping reads
    (mapping,) = [
        r
        for r in expanded["Resources"].values()
        if r["Type"] == "AWS::Lambda::EventSourceMapping"
        and r["Properties"]["FunctionName"] == {"Ref": "AcknowledgeFunction"}
    ]
    assert json.dumps(mapping["Properties"]["EventSourceArn"], sort_keys=True) == _arn(
        "TicketsTable", "StreamArn"
    )


def test_escalate_role_sends_as_the_sender_and_sms_only(expanded: dict[str, Any]) -> None:
    ses = _sub("arn:${AWS::Partition}:ses:${AWS::Region}:${AWS::AccountId}:identity/*")
    expected = (
        _common("EscalateLogGroup")
        | _on(_arn("TicketsTable"), "getitem", "updateitem", "query")
        | _on(_sub("${TicketsTable.Arn}/index/awaiting_reply"), "query")
        | _on(_arn("IdempotencyTable"), *ITEM_RW, "deleteitem")
        | {("ses:sendemail", ses), ("ses:sendrawemail", ses)}
        | {("sns:publish", '"*"')}
        | _claim_key()
        | _config_parameter()
    )
    role = function_role(expanded, "EscalateFunction")
    assert grants(expanded, role) == expected
    # SMS only: publishing to any topic in any account (the alarm topic included) is denied
    assert grants(expanded, role, "Deny") == {("sns:publish", json.dumps(DENY_TOPICS))}
    ses_statements = [s for s in role_statements(roles(expanded)[role]) if "ses:sendemail" in actions(s)]
    assert all(
        s["Condition"] == {"StringEquals": {"ses:FromAddress": {"Ref": "SenderEmail"}}}
        for s in ses_statements
    )


def _claim_key() -> set[tuple[str, str]]:
    """The claim links' HMAC key: signed by escalate, verified by claim; no channel secret."""
    return {("secretsmanager:getsecretvalue", json.dumps({"Ref": "ClaimLinkSecret"}))}


def test_claim_role_reads_and_claims_tickets_with_its_key_nothing_else(expanded: dict[str, Any]) -> None:
    expected = (
        _common("ClaimLogGroup")
        | _on(_arn("TicketsTable"), "getitem", "updateitem")
        | _claim_key()
        | _config_parameter()
    )
    assert grants(expanded, function_role(expanded, "ClaimFunction")) == expected


def test_daily_report_role_scans_tickets_and_sends_as_the_sender_only(expanded: dict[str, Any]) -> None:
    ses = _sub("arn:${AWS::Partition}:ses:${AWS::Region}:${AWS::AccountId}:identity/*")
    expected = (
        _common("DailyReportLogGroup")
        | _on(_arn("TicketsTable"), "scan")
        | _on(_arn("IdempotencyTable"), *ITEM_RW, "deleteitem")
        | {("ses:sendemail", ses), ("ses:sendrawemail", ses)}
        | _config_parameter()
    )
    role = function_role(expanded, "DailyReportFunction")
    assert grants(expanded, role) == expected
    ses_statements = [s for s in role_statements(roles(expanded)[role]) if "ses:sendemail" in actions(s)]
    assert all(
        s["Condition"] == {"StringEquals": {"ses:FromAddress": {"Ref": "SenderEmail"}}}
        for s in ses_statements
    )


def test_no_other_role_may_publish_or_read_secrets(expanded: dict[str, Any]) -> None:
    escalate = function_role(expanded, "EscalateFunction")
    incidents = function_role(expanded, "IncidentsFunction")  # pages on-call, posts status updates
    texters = {escalate, incidents}
    mailers = {escalate, incidents, function_role(expanded, "DailyReportFunction")}
    channel_readers = {
        function_role(expanded, f)
        for f in ("PollMentionsFunction", "AcknowledgeFunction", "WebhookFunction", "IncidentsFunction")
    }
    key_readers = {escalate, incidents, function_role(expanded, "ClaimFunction")}
    claim_key = json.dumps({"Ref": "ClaimLinkSecret"})
    for name in roles(expanded):
        granted = {action for action, _resource in grants(expanded, name)}
        if name not in texters:
            assert not any(a.startswith("sns:") for a in granted), name
        if name not in mailers:
            assert not any(a.startswith("ses:") for a in granted), name
        secrets = {r for a, r in grants(expanded, name) if a.startswith("secretsmanager:")}
        if name not in channel_readers:
            assert secrets <= {claim_key}, name
        assert (claim_key in secrets) == (name in key_readers), name


@pytest.mark.parametrize("function", FUNCTIONS)
def test_every_function_has_reserved_concurrency(expanded: dict[str, Any], function: str) -> None:
    props = expanded["Resources"][function]["Properties"]
    assert "ReservedConcurrentExecutions" in props
    # and the secrets prefix it resolves names against is the one its role may read
    assert props["Environment"]["Variables"]["SECRETS_PREFIX"] == SECRETS_PREFIX
