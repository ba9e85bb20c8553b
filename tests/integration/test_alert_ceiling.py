"""The account's hourly alert ceiling through the real escalate handler: alerts beyond it are recorded on
their tickets instead of sent, and once the hour is over staff get one summary of everything the
ceilings held back (acknowledgements included), once."""

import re

import boto3
import yaml

from socialcare.persistence import ceilings
from socialcare.persistence.ceilings import CeilingKind
from socialcare_local.replay import world

from .conftest import BRAND, at

CARE_TEAM = "care-team@acme.example"
ACCOUNT_KEY = f"{BRAND.channel}#{BRAND.id}"


def one_level_ladder_config(alerts_per_hour: int) -> str:
    data = yaml.safe_load(world.config_text([BRAND], None))
    data["escalation"] = [{"at_percent": 50, "email": ["care_team"]}]
    data["limits"]["account_alerts_per_hour"] = alerts_per_hour
    return yaml.safe_dump(data)


def escalation_errors(stack, post_id: str) -> list:
    table = boto3.resource("dynamodb", region_name="us-east-1").Table(
        stack.deployment.table_name("TicketsTable")
    )
    item = table.get_item(Key={"pk": f"TICKET#x#{post_id}", "sk": "TICKET"})["Item"]
    return [record.get("error") for record in item.get("escalations") or []]


def test_a_ceiling_of_3_with_10_due_tickets_sends_3_alerts_and_one_summary_listing_the_7_others(make_stack):
    stack = make_stack(config_text=one_level_ladder_config(3))
    for n in range(10):
        stack.mention(
            str(1000 + n), str(100 + n), "@AcmeCare my order never came", at=at(0.1), handle=f"cust{n}"
        )
    stack.run_until(at(30))
    # The acknowledgement ceiling (another function) held one back this hour too.
    assert not ceilings.take(ACCOUNT_KEY, CeilingKind.ACKNOWLEDGEMENT, 0, "TICKET#x#1009", at(30))
    stack.clock.set(at(31))
    result = stack.escalate()
    assert (result["alerts_sent"], result["alerts_capped"]) == (3, 7)
    stack.run_until(at(75))

    digest, summary = stack.emails()  # the three alerts the ceiling let through, due together
    alerted = set(re.findall(r"@(cust\d)", digest["text"]))
    assert len(alerted) == 3 and digest["at"] == "2026-11-23T14:31:00Z"
    assert digest["subject"].startswith("[socialcare] 3 tickets need a reply")
    assert (summary["to"], summary["at"]) == (CARE_TEAM, "2026-11-23T15:00:00Z")
    assert " ".join(summary["subject"].split()) == (  # unfolded
        "[socialcare] X @AcmeCare: 7 alerts and 1 public acknowledgements held back by the hourly ceiling, "
        "2026-11-23 14:00-15:00 UTC"
    )
    held_alerts, held_acks = summary["text"].split("public acknowledgements (these customers got none):")
    listed = re.findall(r"^  \S+ X @(cust\d), due now: https://x\.com/cust\d/status/\d+$", held_alerts, re.M)
    assert sorted(listed) == sorted({f"cust{n}" for n in range(10)} - alerted)
    assert re.findall(r"@(cust\d)", held_acks) == ["cust9"]

    for n in range(10):
        expected = [None] if f"cust{n}" in alerted else ["held: account alert ceiling"]
        assert escalation_errors(stack, str(1000 + n)) == expected
    assert ceilings.held_back(ACCOUNT_KEY, at(75)) == [], "both buckets marked summarised"
