"""WordPress blog comments through the real handlers: a comment read once, acknowledged under it
as the acknowledging user, a staff user's reply stopping escalation; a comment held for moderation
ticketed and escalated but never answered in public; two sites whose acknowledging users are both
user 2 kept apart."""

import pytest
import yaml

from socialcare_local.replay import world
from socialcare_local.replay.scenario import Account
from socialcare_local.stack import StackOptions, local_stack

from .conftest import T0, at

ACME = Account(
    type="account", channel="wordpress", id="blog.acme.example/2", handle="Acme Care",
    instance="https://blog.acme.example",
)  # fmt: skip
OTHER = Account(
    type="account", channel="wordpress", id="shop.other.example/2", handle="Other Shop",
    instance="https://shop.other.example",
)  # fmt: skip
ARTICLE = 12
STAFF = 3


@pytest.fixture
def wp():
    """Two sites; Acme also reads comments held for moderation."""
    config = yaml.safe_load(world.config_text([ACME, OTHER], None))
    config["accounts"][0]["include_held"] = True
    with local_stack([ACME, OTHER], T0, StackOptions(config_text=yaml.safe_dump(config))) as stack:
        sim = stack.networks["wordpress"].sim
        sim.add_user(ACME.instance, STAFF, "Sam at Acme")
        for site in (ACME, OTHER):
            sim.add_article(site.instance, ARTICLE, "Winter opening hours")
        yield stack, sim


def comment(sim, site: Account, minute: float, text: str, **kw) -> str:
    number = sim.add_comment(site.instance, post=ARTICLE, content=text, at=at(minute), **kw)
    return f"{site.instance.removeprefix('https://')}/{number}"


def test_a_comment_is_stored_once_acknowledged_under_it_and_a_staff_reply_stops_escalation(wp):
    stack, sim = wp
    jane = comment(sim, ACME, 0.1, "<p>My parcel &amp; invoice never came</p>", author_name="Jane Doe")
    stack.minute()
    stack.minute()
    [ticket] = stack.tickets()
    assert (ticket["post_id"], ticket["author_handle"]) == (jane, "Jane Doe")
    assert ticket["text"] == "My parcel & invoice never came"
    [ack] = stack.replies_to(jane)
    assert ticket["ack_post_id"] == ack["id"]
    made = sim.store.site(ACME.instance).comments[int(ack["id"].rpartition("/")[2])]
    assert (made.author, made.post, made.parent) == (2, ARTICLE, 1)  # as the ack user, in the thread
    stack.run_until(at(35))
    comment(sim, ACME, 35, "So sorry Jane, a new parcel leaves today.", author=STAFF, parent=1)
    stack.run_until(at(120))
    assert [e["at"] for e in stack.emails()] == ["2026-11-23T14:31:00Z"]
    assert "https://blog.acme.example/?p=12#comment-1" in stack.emails()[0]["text"]
    [ticket] = stack.tickets()  # our acknowledgement and the staff reply are the brand's, no tickets
    assert ticket["status"] == "answered" and ticket["human_replied_at"] == "2026-11-23T14:35:00Z"


def test_a_comment_held_for_moderation_is_ticketed_and_escalated_but_never_answered_in_public(wp):
    stack, sim = wp
    held = comment(sim, ACME, 0.1, "I was charged twice for my order", author_name="Ann", status="hold")
    stack.run_until(at(32))
    [ticket] = stack.tickets()
    assert ticket["post_id"] == held and ticket["ack_post_id"] is None
    assert stack.replies() == [] and sim.created() == []
    assert [e["at"] for e in stack.emails()] == ["2026-11-23T14:31:00Z"]


def test_two_sites_whose_ack_users_are_both_user_2_stay_apart(wp):
    stack, sim = wp
    on_acme = comment(sim, ACME, 0.1, "Is the shop open on Sunday?", author_name="Jane Doe")
    on_other = comment(sim, OTHER, 0.2, "Is the shop open on Sunday?", author_name="Jane Doe")
    assert on_acme.rpartition("/")[2] == on_other.rpartition("/")[2] == "1"  # the same comment id
    stack.minute()
    stack.minute()
    assert sorted(t["post_id"] for t in stack.tickets()) == sorted([on_acme, on_other])
    assert {(c["site"], c["parent"]) for c in sim.created()} == {
        ("blog.acme.example", 1),
        ("shop.other.example", 1),
    }
    assert [len(stack.replies_to(post)) for post in (on_acme, on_other)] == [1, 1]
    assert stack.spec_violations()["wordpress"] == 0
