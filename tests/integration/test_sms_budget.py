"""The per-recipient SMS budget through the real escalate handler: beyond it the recipient's SMS are
folded into their e-mail (which still goes), and their next SMS says how many were folded."""

import boto3
import yaml

from socialcare_local.replay import world

from .conftest import BRAND, at

MANAGER_SMS = "+14155550199"


def budget_config(sms_per_hour: int) -> str:
    data = yaml.safe_load(world.config_text([BRAND], None))
    data["escalation"] = [{"at_percent": 50, "email": ["manager"], "sms": ["manager"]}]
    data["limits"]["sms_per_recipient_per_hour"] = sms_per_hour
    return yaml.safe_dump(data)


def escalation_errors(stack, post_id: str) -> list:
    table = boto3.resource("dynamodb", region_name="us-east-1").Table(
        stack.deployment.table_name("TicketsTable")
    )
    item = table.get_item(Key={"pk": f"TICKET#x#{post_id}", "sk": "TICKET"})["Item"]
    return [record.get("error") for record in item.get("escalations") or []]


def test_past_the_budget_sms_fold_into_email_and_the_next_sms_tells_how_many(make_stack):
    stack = make_stack(config_text=budget_config(2))
    for n in range(5):  # minutes apart: each alert its own message (due together, one digest)
        stack.run_until(at(2 * n))
        stack.mention(
            str(1000 + n), str(100 + n), "@AcmeCare my order never came", at=at(0.1 + 2 * n), handle=f"c{n}"
        )
    stack.run_until(at(45))
    assert len([e for e in stack.emails() if "manager" in e["to"]]) == 5, "every e-mail still goes"
    assert len(stack.sms()) == 2
    errors = [error for n in range(5) for error in escalation_errors(stack, str(1000 + n)) if error]
    assert errors == ["folded: recipient SMS budget (sent by e-mail)"] * 3

    stack.mention("1010", "110", "@AcmeCare still nothing", at=at(61), handle="c10")  # due in the next hour
    stack.run_until(at(100))
    last = stack.sms()[-1]
    assert len(stack.sms()) == 3 and last["to"] == MANAGER_SMS
    assert last["text"].startswith("+3 more since 14:3") and " by e-mail. socialcare " in last["text"]
