"""The replay report (see "Contracts" in the design notes), read back from where things landed:
tickets from DynamoDB, e-mails from moto's SES, SMS from moto's SNS, replies from the simulated X."""

import email
import statistics
from collections import Counter
from datetime import datetime, timedelta
from email.header import decode_header, make_header
from typing import Any

import boto3
from boto3.dynamodb.types import TypeDeserializer
from moto.core import DEFAULT_ACCOUNT_ID

TICKET_FIELDS = (
    "ticket_id",
    "channel",
    "post_id",
    "post_ids",
    "author_id",
    "author_handle",
    "text",
    "created_at",
    "detected_at",
    "due_at",
    "acknowledged_at",
    "ack_post_id",
    "ack_text",
    "ack_kind",
    "ack_skipped_reason",
    "human_replied_at",
    "latest_replied_at",
    "first_response_seconds",
    "latest_response_seconds",
    "reply_round",
    "waiting_since",
    "status",
    "intent",
    "priority",
    "personal_data",
    "claimed_by",
    "claimed_at",
    "incident_id",
    "follow_up_at",
    "follow_up_text",
    "follow_up_post_id",
)


def _iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _parse(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


class SentMessages:
    """Watches moto's SES and SNS backends and stamps each new message with the virtual time at
    which it appeared (moto keeps no send time of its own)."""

    def __init__(self, region: str):
        from moto.ses.models import ses_backends
        from moto.sns.models import sns_backends

        self._ses = ses_backends[DEFAULT_ACCOUNT_ID][region]
        self._sns = sns_backends[DEFAULT_ACCOUNT_ID][region]
        self.emails: list[dict] = []
        self.sms: list[dict] = []
        self._sms_seen = 0

    def collect(self, now: datetime) -> None:
        for message in self._ses.sent_messages[len(self.emails) :]:
            self.emails.append(_email_entry(message, _iso(now)))
        sms = list(self._sns.sms_messages.values())
        for number, text in sms[self._sms_seen :]:
            self.sms.append({"to": number, "text": text, "at": _iso(now)})
        self._sms_seen = len(sms)


def _email_entry(message: Any, at: str) -> dict:
    raw = getattr(message, "raw_data", None)
    if raw is None:  # a Simple send: moto keeps subject and one body
        to = message.destinations.get("ToAddresses", [])
        return {"to": ", ".join(to), "subject": message.subject, "text": message.body, "at": at}
    parsed = email.message_from_string(raw)
    text = ""
    for part in parsed.walk():
        if part.get_content_type() == "text/plain":
            text = part.get_payload(decode=True).decode(part.get_content_charset() or "utf-8")
            break
    return {
        "to": str(make_header(decode_header(parsed["To"] or ""))),
        "subject": str(make_header(decode_header(parsed["Subject"] or ""))),
        "text": text.rstrip("\n"),
        "at": at,
    }


def read_tickets(table: str, region: str) -> list[dict]:
    client = boto3.client("dynamodb", region_name=region)
    deserialize = TypeDeserializer().deserialize
    items = []
    for page in client.get_paginator("scan").paginate(
        TableName=table, FilterExpression="kind = :k", ExpressionAttributeValues={":k": {"S": "ticket"}}
    ):
        items += [{k: deserialize(v) for k, v in item.items()} for item in page["Items"]]
    tickets = []
    for item in items:
        ticket = {name: item.get(name) for name in TICKET_FIELDS}
        if item.get("ack_state") != "posted":
            ticket["ack_text"] = None
        ticket["escalations"] = [
            {"level": int(e["level"]), "via": e["via"], "to": e["to"], "at": e["at"]}
            | ({"digest": e["digest"]} if e.get("digest") else {})
            for e in item.get("escalations") or []
            if not e.get("error")
        ]
        ticket["ack_state"] = item.get("ack_state")
        ticket["personal_data"] = bool(ticket["personal_data"])
        ticket["reply_round"] = int(ticket["reply_round"] or 1)
        for seconds in ("first_response_seconds", "latest_response_seconds"):
            ticket[seconds] = int(ticket[seconds]) if ticket[seconds] is not None else None
        if ticket["ack_text"] is None:
            ticket["ack_kind"] = None
        tickets.append(ticket)
    return sorted(tickets, key=lambda t: (t["created_at"], t["post_id"]))


def read_incidents(table: str, region: str) -> list[dict]:
    """The report's `incidents`: each with its status posts, who resolved it and its top terms."""
    client = boto3.client("dynamodb", region_name=region)
    deserialize = TypeDeserializer().deserialize
    incidents = []
    for page in client.get_paginator("scan").paginate(
        TableName=table, FilterExpression="kind = :k", ExpressionAttributeValues={":k": {"S": "incident"}}
    ):
        for raw in page["Items"]:
            item = {k: deserialize(v) for k, v in raw.items()}
            incidents.append(
                {
                    "incident_id": item["sk"],
                    "account": item["account"],
                    "started_at": item["started_at"],
                    "resolved_at": item.get("resolved_at"),
                    "resolved_by": item.get("resolved_by"),
                    "mentions": int(item["mentions"]),
                    "top_terms": list(item.get("top_terms") or []),
                    "status_posts": [
                        {"at": post["at"], "post_id": post.get("post_id"), "text": post["text"]}
                        for post in item.get("status_posts") or []
                    ],
                }
            )
    return sorted(incidents, key=lambda incident: incident["started_at"])


def summarize(tickets: list[dict], emails: list[dict], sms: list[dict], channel_replies: list[dict]) -> dict:
    first_responses = [
        (_parse(t["human_replied_at"]) - _parse(t["created_at"])).total_seconds()
        for t in tickets
        if t["human_replied_at"]
    ]
    # The target counts what staff had to answer: a ticket its incident's follow-up closed is not.
    customer = [t for t in tickets if t["status"] not in ("internal", "closed")]
    acked = [t for t in tickets if t["status"] != "internal" and t["acknowledged_at"]]
    within_minute = [
        t for t in acked if _parse(t["acknowledged_at"]) - _parse(t["created_at"]) <= timedelta(minutes=1)
    ]
    met = [t for t in customer if t["human_replied_at"] and t["human_replied_at"] <= t["due_at"]]
    follow_ups = {t["follow_up_post_id"] for t in tickets if t.get("follow_up_post_id")}
    replies_per_post = Counter(
        (r["channel"], r["in_reply_to_id"])
        for r in channel_replies
        if r.get("id") not in follow_ups and r["in_reply_to_id"] is not None  # not status posts
    )
    levels = Counter(level for t in tickets for level in {e["level"] for e in t["escalations"]})
    return {
        "tickets": len(tickets),
        "mentions": sum(len(t["post_ids"]) for t in tickets),
        "acknowledged": len(acked),
        "acknowledged_within_a_minute": len(within_minute),
        "ack_skipped": dict(Counter(t["ack_skipped_reason"] for t in tickets if t["ack_skipped_reason"])),
        "ack_pending": sum(1 for t in customer if t["ack_state"] in ("posting", "retrying", "deferred")),
        "answered": len(first_responses),
        "first_response_seconds": _spread(first_responses),
        "target_met": len(met),
        "target_breached": len(customer) - len(met),
        "tickets_escalated_by_level": {str(level): count for level, count in sorted(levels.items())},
        "emails": len(emails),
        "sms": len(sms),
        "replies_posted_by_socialcare": len(channel_replies),
        "status_posts": sum(1 for r in channel_replies if r["in_reply_to_id"] is None),
        "closed_by_incident_follow_up": sum(1 for t in tickets if t["status"] == "closed"),
        "posts_with_more_than_one_acknowledgement": sum(1 for n in replies_per_post.values() if n > 1),
    }


def _spread(values: list[float]) -> dict:
    if not values:
        return {"count": 0, "median": None, "p90": None, "max": None}
    ordered = sorted(values)
    p90 = ordered[min(len(ordered) - 1, int(round(0.9 * (len(ordered) - 1))))]
    return {"count": len(values), "median": statistics.median(ordered), "p90": p90, "max": ordered[-1]}
