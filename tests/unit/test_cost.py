"""The cost model's arithmetic: list prices times measured quantities, fixed costs apart from mentions."""

import pytest

from socialcare_local import prices
from socialcare_local.cost import (
    MINUTES_PER_MONTH,
    SERVICES,
    Activity,
    Standing,
    cost_by_service,
    gb_seconds,
    month,
    table,
)


def test_a_million_write_units_cost_the_on_demand_list_price():
    assert cost_by_service(Activity(write_units=1e6))["DynamoDB"] == pytest.approx(0.625)
    assert cost_by_service(Activity(read_units=1e6))["DynamoDB"] == pytest.approx(0.125)


def test_lambda_bills_invocations_and_gb_seconds_from_each_functions_memory():
    used = gb_seconds({"Poll": 1000, "Ack": 10}, {"Poll": 0.5, "Ack": 2.0}, {"Poll": 256, "Ack": 1024})
    assert used == pytest.approx(1000 * 0.5 * 0.25 + 10 * 2.0 * 1.0)
    cost = cost_by_service(Activity(lambda_invocations=1010, lambda_gb_seconds=used))["Lambda"]
    assert cost == pytest.approx(1010 * 0.20 / 1e6 + used * 0.0000133334)


def test_messages_are_priced_per_unit_and_standing_resources_per_month():
    cost = cost_by_service(
        Activity(emails=2000, sms_parts=10, secrets_calls=20_000), Standing(secrets=3, alarms=18)
    )
    assert cost["SES"] == pytest.approx(0.20)
    assert cost["SNS SMS"] == pytest.approx(10 * prices.SNS_SMS_PART.usd)
    assert cost["Secrets Manager"] == pytest.approx(3 * 0.40 + 2 * 0.05)
    assert cost["CloudWatch"] == pytest.approx(1.80)


def test_no_mentions_leaves_only_the_fixed_part_and_mentions_scale_linearly():
    per_mention = Activity(write_units=20, read_units=10, lambda_invocations=2, emails=0.1)
    idle = Activity(lambda_invocations=3, scheduler_invocations=3)
    quiet = month(
        mentions=0,
        per_mention=per_mention,
        accounts=2,
        per_account_minute=Activity(sqs_requests=3),
        per_stack_minute=idle,
        standing=Standing(alarms=1),
    )
    assert sum(quiet.mentions.values()) == 0
    assert quiet.fixed["EventBridge Scheduler"] == pytest.approx(3 * MINUTES_PER_MONTH / 1e6)
    assert quiet.fixed["SQS"] == pytest.approx(2 * 3 * MINUTES_PER_MONTH * 0.40 / 1e6)
    small, large = (
        month(
            mentions=n,
            per_mention=per_mention,
            accounts=2,
            per_account_minute=Activity(),
            per_stack_minute=idle,
            standing=Standing(),
        )
        for n in (10_000, 1_000_000)
    )
    for service in SERVICES:
        assert large.mentions[service] == pytest.approx(100 * small.mentions[service])
    assert large.fixed == small.fixed


def test_the_table_lists_every_service_and_totals_each_column():
    columns = {"a": {s: 1.0 for s in SERVICES}, "b": {s: 0.5 for s in SERVICES}}
    lines = table(columns).splitlines()
    assert [line.split()[0] for line in lines[1:-1]] == [s.split()[0] for s in SERVICES]
    assert lines[-1].split()[1:] == [f"{len(SERVICES):.2f}", f"{len(SERVICES) / 2:.2f}"]


def test_every_price_names_its_region_page_and_date():
    for name, price in prices.ALL.items():
        assert price.region == "us-east-1", name
        assert price.page.startswith("https://aws.amazon.com/"), name
        assert price.checked and price.unit and price.usd > 0, name


def test_an_sms_is_billed_per_part():
    from socialcare_local.bench_cost import sms_parts

    assert [sms_parts("a" * n) for n in (160, 161, 306, 307)] == [1, 2, 2, 3]
    assert [sms_parts("é" * n) for n in (70, 71)] == [1, 2]


def test_custom_metrics_are_counted_once_per_name_and_dimensions_from_emf_lines():
    import json

    from socialcare_local.bench_cost import LogMeter

    def emf(name, service):
        directive = {"Namespace": "socialcare", "Dimensions": [["service"]], "Metrics": [{"Name": name}]}
        return json.dumps({"_aws": {"CloudWatchMetrics": [directive]}, "service": service, name: 1}) + "\n"

    log = LogMeter()
    text = (
        emf("PollStalled", "socialcare")
        + emf("PollStalled", "socialcare")
        + emf("AlertsFailed", "socialcare")
    )
    log.write(text[:50])  # a line may arrive in pieces
    log.write(text[50:] + '{"level": "INFO"}\n')
    assert len(log.metrics) == 2
    assert log.bytes == len((text + '{"level": "INFO"}\n').encode())
