"""Replies that fit what was said (issue: care policies), on in-memory ports through the same
mention path the poll and the webhooks use: praise is thanked and opens no ladder, personal data
gets an invitation to continue privately that echoes nothing, a thank-you after staff answered opens
no ticket, an urgent complaint is marked urgent."""

from datetime import timedelta

from conftest import T0, post

from socialcare.domain.tickets import AckState, TicketStatus
from socialcare.services.acknowledging import Acknowledger
from socialcare.services.mention_path import new_ticket_policy, notice_brand_post

NOW = T0 + timedelta(minutes=1)


def store(config, world, mention) -> str:
    world.network.publish(mention)
    world.tickets.store_mention(mention, new_ticket_policy(config, world.account), NOW)
    return f"TICKET#x:{mention.post_id}"


def acknowledge(config, world, pk: str, now=NOW) -> str:
    acknowledger = Acknowledger(
        config, world.tickets, lambda account: world.network, record_held=world.tickets.ceilings.record_held
    )
    return acknowledger.acknowledge(pk, now)


def reply_text(world) -> str:
    [(_, _, text)] = world.network.created
    return text


def test_praise_is_thanked_without_a_reference_and_opens_no_ladder(config, world):
    pk = store(config, world, post("101", 0.5, text="@AcmeCare the new app update is fantastic, love it"))
    ticket = world.tickets.get(pk)
    assert (ticket.intent, ticket.priority) == ("praise", "low")
    assert ticket.next_level is None and pk not in world.tickets.next_step_at, "nobody is paged for praise"
    assert acknowledge(config, world, pk) == "posted"
    text = reply_text(world)
    assert ticket.ref not in text and "within" not in text, "a thank-you promises nothing"
    assert world.tickets.get(pk).ack_kind == "thanks"


def test_praise_may_be_escalated_as_a_low_priority_ticket_when_configured(config, world):
    config = config.model_copy(update={"triage": config.triage.model_copy(update={"escalate_praise": True})})
    pk = store(config, world, post("101", 0.5, text="@AcmeCare brilliant service today, thank you!"))
    ticket = world.tickets.get(pk)
    assert ticket.intent == "praise" and ticket.next_level == 1


def test_a_phone_number_in_public_gets_the_offline_reply_and_is_never_echoed(config, world):
    text = "@AcmeCare my parcel never came, call me on +44 7700 900123 please"
    pk = store(config, world, post("101", 0.5, text=text))
    ticket = world.tickets.get(pk)
    assert ticket.personal_data and ticket.intent == "complaint"
    assert acknowledge(config, world, pk) == "posted"
    reply = reply_text(world)
    assert "7700" not in reply and "900123" not in reply
    assert ticket.ref in reply and config.acknowledgements.private_contact in reply
    assert world.tickets.get(pk).ack_kind == "offline"
    assert pk in world.tickets.next_step_at, "staff still answer it, privately"


def test_a_complaint_is_acknowledged_with_its_reference_and_promise(config, world):
    pk = store(config, world, post("101", 0.5, text="@AcmeCare my order #A77 hasn't arrived, 9 days now"))
    assert acknowledge(config, world, pk) == "posted"
    ticket = world.tickets.get(pk)
    assert ticket.ack_kind == "acknowledgement" and ticket.ref in reply_text(world)
    assert "within" in reply_text(world)


def test_an_urgent_complaint_is_marked_urgent(config, world):
    pk = store(config, world, post("101", 0.5, text="@AcmeCare you charged my card twice for one order!"))
    assert world.tickets.get(pk).priority == "urgent"


def test_a_thank_you_after_staff_answered_opens_no_ticket(config, world):
    first = post("101", 0.5, text="@AcmeCare where is my refund?", conversation_id="101")
    pk = store(config, world, first)
    staff = post(
        "201", 5, author=world.account.id, text="Sent today!", conversation_id="101", in_reply_to_id="101"
    )
    assert notice_brand_post(world.tickets, staff).human_replies == 1
    follow_up = post("102", 9, text="@AcmeCare sorted, thanks!", conversation_id="101", in_reply_to_id="201")
    store(config, world, follow_up)
    assert set(world.tickets.tickets) == {pk}, "no second ticket"
    answered = world.tickets.get(pk)
    assert answered.status is TicketStatus.ANSWERED and "102" in answered.post_ids, "kept, not lost"


def test_a_customer_answering_staff_reopens_the_ticket_with_a_next_reply_target(config, world):
    pk = store(config, world, post("101", 0.5, text="@AcmeCare where is my refund?", conversation_id="101"))
    staff = post(
        "201", 5, author=world.account.id, text="Sent today!", conversation_id="101", in_reply_to_id="101"
    )
    notice_brand_post(world.tickets, staff)
    follow_up = post("102", 30, text="@AcmeCare thanks, but it still hasn't arrived", conversation_id="101")
    store(config, world, follow_up)
    assert set(world.tickets.tickets) == {pk}, "one ticket per conversation, not one per message"
    ticket = world.tickets.get(pk)
    assert ticket.status is TicketStatus.OPEN and ticket.reply_round == 2
    assert ticket.due_at == T0 + timedelta(minutes=30 + 60), "the next reply is due an hour after it"
    assert world.tickets.next_step_at[pk] == T0 + timedelta(minutes=30 + 30), "the ladder restarts"
    second = post(
        "202", 40, author=world.account.id, text="Chasing it", conversation_id="101", in_reply_to_id="102"
    )
    notice_brand_post(world.tickets, second)
    answered = world.tickets.get(pk)
    assert answered.human_replied_at == T0 + timedelta(minutes=5), "the first response stays"
    assert answered.latest_replied_at == T0 + timedelta(minutes=40)


def test_a_staff_reply_older_than_the_customers_answer_leaves_the_reopened_ticket_waiting(config, world):
    pk = store(config, world, post("101", 0.5, text="@AcmeCare where is my refund?", conversation_id="101"))
    notice_brand_post(
        world.tickets,
        post("201", 5, author=world.account.id, text="Sent!", conversation_id="101", in_reply_to_id="101"),
    )
    store(config, world, post("102", 30, text="@AcmeCare it hasn't come", conversation_id="101"))
    late_read = post(
        "203", 6, author=world.account.id, text="Also...", conversation_id="101", in_reply_to_id="101"
    )
    notice_brand_post(world.tickets, late_read)  # posted before the customer answered: read late
    assert world.tickets.get(pk).status is TicketStatus.OPEN


def test_a_retry_posts_the_reply_the_first_attempt_chose(config, world):
    pk = store(config, world, post("101", 0.5, text="@AcmeCare love the new store layout!"))
    world.network.lose_answer = True
    assert acknowledge(config, world, pk) == "retrying"
    first_text = world.tickets.get(pk).ack_text
    assert acknowledge(config, world, pk, NOW + timedelta(minutes=2)) == "posted"
    ticket = world.tickets.get(pk)
    assert (ticket.ack_text, ticket.ack_kind, ticket.ack_state) == (first_text, "thanks", AckState.POSTED)
    assert len(world.network.created) == 1


def test_a_comment_that_cannot_be_hidden_leaves_the_reply_posted_and_is_counted(config, world):
    from socialcare.channels.base import TransientError

    settings = config.acknowledgements.model_copy(update={"hide_personal_data": True})
    config = config.model_copy(update={"acknowledgements": settings})
    hidden, counted = [], []

    class Hiding:  # the scripted network, on a network that lets the brand hide comments
        can_hide_posts = True

        def __getattr__(self, name):
            return getattr(world.network, name)

        def hide_post(self, target):
            hidden.append(target.post_id)
            raise TransientError("503")

    pk = store(config, world, post("101", 0.5, text="@AcmeCare call me on +44 7700 900123, no parcel"))
    acknowledger = Acknowledger(
        config,
        world.tickets,
        lambda account: Hiding(),
        record_held=world.tickets.ceilings.record_held,
        count=counted.append,
    )
    assert acknowledger.acknowledge(pk, NOW) == "posted"
    assert hidden == ["101"] and counted == ["PostsHideFailed"]
    assert world.tickets.get(pk).ack_state is AckState.POSTED
