"""acknowledge when things go wrong: rotated credentials, replies refused or failing for good, a Lambda
killed mid-post, a batch running out of time, a ticket deleted under its stream record. Whatever
happens no mention is lost, no post gets a second reply, no alert goes twice, and the failure shows:
on the ticket, in a metric, in the logs."""

import json
from collections import Counter
from datetime import timedelta

import boto3
import pytest
import yaml
from aws_lambda_powertools.metrics.provider.cloudwatch_emf.cloudwatch import AmazonCloudWatchEMFProvider

from socialcare.channels.x.adapter import XAdapter
from socialcare.persistence.models import ticket_pk
from socialcare.runtime import metric_names
from socialcare_local.lambda_context import LambdaContext
from socialcare_local.networks.x import Fault
from socialcare_local.replay import world
from socialcare_local.stack import REGION

from .conftest import BRAND, at

ROTATED = {"access_token": "rotated-token", "access_token_secret": "rotated-secret"}


class Output:
    """What the handlers reported: the metrics they flushed and their log records."""

    def __init__(self, caplog):
        self._caplog = caplog
        self.flushed: list[dict] = []  # each flush's EMF document, as printed to CloudWatch Logs

    def metrics(self) -> Counter:
        """Every metric emitted, summed by name."""
        totals: Counter = Counter()
        for document in self.flushed:
            for directive in document["_aws"]["CloudWatchMetrics"]:
                for metric in directive["Metrics"]:
                    value = document[metric["Name"]]
                    totals[metric["Name"]] += sum(value) if isinstance(value, list) else value
        return totals

    def messages(self, level: str) -> list[str]:
        return [record.getMessage() for record in self._caplog.records if record.levelname == level]


@pytest.fixture
def output(caplog, monkeypatch) -> Output:
    """Taps Powertools where it serialises the metrics it is about to print (wherever stdout goes)."""
    caplog.set_level("WARNING")
    tapped = Output(caplog)
    serialize = AmazonCloudWatchEMFProvider.serialize_metric_set

    def recording(self, *args, **kwargs):
        document = serialize(self, *args, **kwargs)
        tapped.flushed.append(document)
        return document

    monkeypatch.setattr(AmazonCloudWatchEMFProvider, "serialize_metric_set", recording)
    return tapped


def mention(stack, post_id: str, author: str, minute: float = 0.1) -> None:
    stack.mention(post_id, author, "@AcmeCare my parcel never came", at=at(minute), handle=f"user{author}")


def stored_ticket(stack, post_id: str) -> dict:
    """The ticket item as stored, with the fields the report leaves out (ack_error, ack_attempts)."""
    item = boto3.client("dynamodb", region_name=REGION).get_item(
        TableName=stack.deployment.table_name("TicketsTable"),
        Key={"pk": {"S": ticket_pk("x", post_id)}, "sk": {"S": "TICKET"}},
        ConsistentRead=True,
    )["Item"]
    return {name: next(iter(value.values())) for name, value in item.items()}


def post_requests(stack) -> list[dict]:
    return [r for r in stack.sim.requests_log if r["method"] == "POST" and r["path"] == "/2/tweets"]


def assert_nothing_lost_or_repeated(stack, post_ids: list[str]) -> None:
    tickets = stack.tickets()
    assert set(post_ids) <= {p for t in tickets for p in t["post_ids"]}, "every mention is a ticket"
    replies = Counter(p["in_reply_to_id"] for p in stack.sim.created_posts())
    assert all(count == 1 for count in replies.values()), f"a post replied to twice: {replies}"
    for ticket in tickets:
        sent = [(e["level"], e["via"], e["to"]) for e in ticket["escalations"]]
        assert len(sent) == len(set(sent)), f"{ticket['ticket_id']} alerted twice: {sent}"


def regenerate_keys(stack, *, bearer: bool) -> None:
    """The operator regenerates the brand's keys on X: the old ones stop working at once."""
    stack.sim.regenerate_tokens(BRAND.id, **ROTATED, bearer_token="rotated-bearer" if bearer else None)


def _account_secret(secrets) -> dict:
    """The one channel secret, under the stack's prefix (the claim links' key is the stack's own)."""
    (entry,) = [s for s in secrets.list_secrets()["SecretList"] if s["Name"].startswith(world.SECRETS_PREFIX)]
    return entry


def secret_values(stack) -> dict[str, str]:
    """The brand account's secret (the only account in these tests)."""
    secrets = boto3.client("secretsmanager", region_name=REGION)
    entry = _account_secret(secrets)
    return json.loads(secrets.get_secret_value(SecretId=entry["ARN"])["SecretString"])


def edit_secret(stack, edit) -> None:
    """Store a new version of the brand account's secret: edit(values) -> new values."""
    secrets = boto3.client("secretsmanager", region_name=REGION)
    entry = _account_secret(secrets)
    secrets.put_secret_value(SecretId=entry["ARN"], SecretString=json.dumps(edit(secret_values(stack))))


def store_rotated_secret(stack, *, bearer: bool) -> None:
    """...and stores the new ones in the account's secret (a new version, as a rotation does)."""
    rotated = {**ROTATED, **({"bearer_token": "rotated-bearer"} if bearer else {})}
    edit_secret(stack, lambda values: {**values, **rotated})


def config_with_max_attempts(attempts: int) -> str:
    config = yaml.safe_load(world.config_text([BRAND], None))
    config["acknowledgements"]["max_attempts"] = attempts
    return yaml.safe_dump(config)


# -- credentials -------------------------------------------------------------------------------------


def test_a_secret_rotated_mid_run_is_used_at_once_without_a_redeploy(stack, output):
    mention(stack, "1001", "42")
    stack.minute()
    assert len(stack.replies_to("1001")) == 1
    regenerate_keys(stack, bearer=True)
    store_rotated_secret(stack, bearer=True)
    mention(stack, "1002", "43", minute=1.5)
    stack.minute()
    replies = stack.replies_to("1002")
    assert len(replies) == 1 and stack.ticket("1002")["ack_post_id"] == replies[0]["id"]
    refused = {r["method"] for r in stack.sim.requests_log if r["status"] == 401}
    assert refused == {"GET", "POST"}, "the old keys were refused, for reading and for posting"
    metrics = output.metrics()
    # Once in the poll function, once in the acknowledge function: not once per call.
    assert metrics[metric_names.CREDENTIALS_REFRESHED] == 2
    assert metrics[metric_names.ACKNOWLEDGEMENTS_FAILED] == 0
    stack.run_until(at(31))
    assert_nothing_lost_or_repeated(stack, ["1001", "1002"])


def test_refused_credentials_are_retried_until_the_secret_is_rotated_then_the_reply_goes_once(stack, output):
    mention(stack, "1001", "42")
    regenerate_keys(stack, bearer=False)  # the secret still holds the revoked token
    stack.minute()
    ticket = stored_ticket(stack, "1001")
    assert ticket["ack_state"] == "deferred" and "401" in ticket["ack_error"]
    stack.minute()
    store_rotated_secret(stack, bearer=False)
    for _ in range(3):
        stack.minute()
    replies = stack.replies_to("1001")
    assert len(replies) == 1 and stack.ticket("1001")["ack_post_id"] == replies[0]["id"]
    refused_posts = [r for r in post_requests(stack) if r["status"] == 401]
    # At 1, 2 and 4 minutes (backoff); the last refusal found the rotated secret and went through.
    assert len(refused_posts) == 3
    metrics = output.metrics()
    assert metrics[metric_names.CREDENTIALS_REFRESHED] == len(refused_posts)
    assert metrics[metric_names.ACKNOWLEDGEMENTS_FAILED] == 0
    assert_nothing_lost_or_repeated(stack, ["1001"])


def test_a_secret_unusable_at_a_cold_start_delays_acknowledgements_until_it_is_fixed(stack, output):
    mention(stack, "1001", "42")
    stack.minute()
    good = secret_values(stack)
    edit_secret(stack, lambda values: {key: value for key, value in values.items() if key != "api_key"})
    stack.deployment.cold_start("AcknowledgeFunction")  # a new container reads the broken secret
    mention(stack, "1002", "43", minute=1.5)
    stack.minute()
    ticket = stored_ticket(stack, "1002")
    assert ticket["ack_state"] == "deferred" and "lack api_key" in ticket["ack_error"]
    assert ticket["ack_attempts"] == "1" and stack.replies_to("1002") == []
    edit_secret(stack, lambda values: good)
    for _ in range(2):
        stack.minute()
    replies = stack.replies_to("1002")
    assert len(replies) == 1 and stack.ticket("1002")["ack_post_id"] == replies[0]["id"]
    assert output.metrics()[metric_names.ACKNOWLEDGEMENTS_FAILED] == 0
    assert_nothing_lost_or_repeated(stack, ["1001", "1002"])


# -- failures ----------------------------------------------------------------------------------------


def test_a_reply_that_keeps_failing_is_retried_with_backoff_then_given_up_visibly(make_stack, output):
    stack = make_stack(config_text=config_with_max_attempts(3))
    stack.sim.fail_next("POST", r"/2/tweets$", *[Fault.status(503)] * 5)
    mention(stack, "1001", "42")
    posts_by_minute = []
    for _ in range(8):
        stack.minute()
        posts_by_minute.append(len(post_requests(stack)))
    assert posts_by_minute == [1, 2, 2, 3, 3, 3, 3, 3], "after 1, then 2 minutes; then no more"
    ticket = stored_ticket(stack, "1001")
    assert ticket["ack_state"] == "failed" and ticket.get("acknowledged_at") is None
    assert "gave up after 3 attempts" in ticket["ack_error"] and "503" in ticket["ack_error"]
    assert output.metrics()[metric_names.ACKNOWLEDGEMENTS_FAILED] == 1
    assert "acknowledgement failed for good" in output.messages("ERROR")
    stack.run_until(at(31))  # the ticket still escalates: staff learn of it
    assert [e["level"] for e in stack.ticket("1001")["escalations"]] == [1]
    assert stack.replies_to("1001") == []
    assert_nothing_lost_or_repeated(stack, ["1001"])


def test_a_reply_given_up_whose_post_did_go_out_is_recorded_as_ours_never_as_staff(make_stack, output):
    # The only attempt timed out after X made the post: the attempt is given up, then the poll
    # finds our own reply on the brand timeline. It is our acknowledgement, not a staff reply.
    stack = make_stack(config_text=config_with_max_attempts(1))
    stack.sim.fail_next("POST", r"/2/tweets$", Fault.timeout(3, applied=True))
    mention(stack, "1001", "42")
    for _ in range(3):
        stack.minute()
    (reply,) = stack.replies_to("1001")
    ticket = stack.ticket("1001")
    assert ticket["status"] == "open" and ticket["human_replied_at"] is None
    assert ticket["ack_post_id"] == reply["id"]
    assert_nothing_lost_or_repeated(stack, ["1001"])


def test_a_reply_x_refuses_for_good_is_not_retried_and_is_counted_failed(stack, output):
    stack.sim.fail_next("POST", r"/2/tweets$", Fault.status(403))
    mention(stack, "1001", "42")
    for _ in range(5):
        stack.minute()
    assert len(post_requests(stack)) == 1 and stack.replies_to("1001") == []
    ticket = stored_ticket(stack, "1001")
    assert ticket["ack_state"] == "failed" and "403" in ticket["ack_error"]
    assert "ack_skipped_reason" not in ticket, "a failure is not a skip"
    metrics = output.metrics()
    assert metrics[metric_names.ACKNOWLEDGEMENTS_FAILED] == 1
    assert metrics[metric_names.ACKNOWLEDGEMENTS_SKIPPED] == 0
    assert metrics[metric_names.CREDENTIALS_REFRESHED] == 0


# -- Lambda timeouts ---------------------------------------------------------------------------------


class LambdaTimedOut(BaseException):
    """Lambda ends the runtime at its deadline: no except clause, the handler's or Powertools', runs."""


@pytest.fixture
def killed_mid_post(stack, monkeypatch):
    """The first reply is interrupted by the invocation's timeout, before or after X created it
    (set kill["after_x_created_it"]); Lambda reports the timeout to the stream as a function error."""
    kill = {"after_x_created_it": False, "done": False}
    real_post = XAdapter.post_reply

    def post_reply(self, *args, **kwargs):
        if kill["done"]:
            return real_post(self, *args, **kwargs)
        kill["done"] = True
        if kill["after_x_created_it"]:
            real_post(self, *args, **kwargs)
        raise LambdaTimedOut

    real_invoke = stack.deployment.invoke

    def invoke(function_id, event):
        try:
            return real_invoke(function_id, event)
        except LambdaTimedOut:
            raise RuntimeError("Task timed out after 60.00 seconds") from None

    monkeypatch.setattr(XAdapter, "post_reply", post_reply)
    monkeypatch.setattr(stack.deployment, "invoke", invoke)
    # Time enough in every invocation (Lambda's 15-minute maximum): only the kill interrupts a post.
    monkeypatch.setattr(LambdaContext, "get_remaining_time_in_millis", lambda self: 900_000)
    return kill


def test_an_attempt_killed_mid_post_holds_the_ticket_for_its_lease_then_is_taken_over_once(
    stack, killed_mid_post
):
    mention(stack, "1001", "42")
    stack.minute()
    assert killed_mid_post["done"] and stack.replies_to("1001") == []
    for _ in range(3):  # the stream delivers the record again: the dead attempt still holds it
        stack.minute()
    ticket = stored_ticket(stack, "1001")
    assert ticket["ack_state"] == "posting" and ticket["ack_attempts"] == "1"
    assert stack.replies_to("1001") == [] and stack.pump.discarded == []
    for _ in range(3):  # its lease is over: the retry sweep looks for its reply, finds none, posts
        stack.minute()
    replies = stack.replies_to("1001")
    assert len(replies) == 1 and stack.ticket("1001")["ack_post_id"] == replies[0]["id"]
    assert stored_ticket(stack, "1001")["ack_attempts"] == "2"
    stack.run_until(at(31))
    assert_nothing_lost_or_repeated(stack, ["1001"])


def test_a_reply_x_created_before_the_timeout_is_recorded_not_repeated(stack, killed_mid_post):
    killed_mid_post["after_x_created_it"] = True
    mention(stack, "1001", "42")
    for _ in range(8):
        stack.minute()
    replies = stack.replies_to("1001")
    assert len(replies) == 1 and stack.ticket("1001")["ack_post_id"] == replies[0]["id"]
    assert stack.ticket("1001")["status"] == "open", "our own reply is not mistaken for staff's"
    assert_nothing_lost_or_repeated(stack, ["1001"])


def test_a_batch_running_out_of_time_hands_its_last_records_back_to_the_stream(stack, output, monkeypatch):
    # Each reply takes X 20 seconds: a 60-second invocation has time for three, not five.
    posts_at_start = {}
    real_invoke = stack.deployment.invoke

    def invoke(function_id, event):
        posts_at_start["count"] = len(stack.sim.created_posts())
        return real_invoke(function_id, event)

    def remaining(self):
        return max(0, 60_000 - 20_000 * (len(stack.sim.created_posts()) - posts_at_start["count"]))

    monkeypatch.setattr(stack.deployment, "invoke", invoke)
    monkeypatch.setattr(LambdaContext, "get_remaining_time_in_millis", remaining)
    post_ids = [str(1001 + n) for n in range(5)]
    for n, post_id in enumerate(post_ids):
        mention(stack, post_id, str(42 + n))
    stack.minute()
    batches = [b.outcome for b in stack.pump.batches if b.function_id == "AcknowledgeFunction"]
    assert batches == ["partial", "ok"] and stack.pump.discarded == []
    assert [len(stack.replies_to(post_id)) for post_id in post_ids] == [1, 1, 1, 1, 1]
    assert "no time left in this invocation; the stream retries the record" in output.messages("WARNING")
    assert output.metrics()[metric_names.ACKNOWLEDGEMENTS_POSTED] == 5
    assert_nothing_lost_or_repeated(stack, post_ids)


# -- tickets that are gone ---------------------------------------------------------------------------


def test_a_stream_record_for_a_deleted_ticket_posts_nothing_and_the_rest_of_its_batch_goes(stack, output):
    mention(stack, "1001", "42")
    mention(stack, "1002", "43")
    stack.clock.advance(timedelta(minutes=1))
    stack.scheduler.run_due()  # the poll stores both tickets; their stream records wait
    boto3.client("dynamodb", region_name=REGION).delete_item(  # expired, or deleted by hand
        TableName=stack.deployment.table_name("TicketsTable"),
        Key={"pk": {"S": ticket_pk("x", "1001")}, "sk": {"S": "TICKET"}},
    )
    stack.deliver_stream()
    assert stack.replies_to("1001") == [] and len(stack.replies_to("1002")) == 1
    batches = [b.outcome for b in stack.pump.batches if b.function_id == "AcknowledgeFunction"]
    assert batches == ["ok"] and stack.pump.discarded == []
    assert output.metrics()[metric_names.ACKNOWLEDGEMENTS_SKIPPED] == 1
    assert "acknowledgement for a ticket that no longer exists" in output.messages("WARNING")
    stack.run_until(at(31))
    assert stack.replies_to("1001") == []
    assert_nothing_lost_or_repeated(stack, ["1002"])
