"""The per-account fan-out of polling: one SQS message per configured account and minute.

A message names an account key and the minute it was scheduled for. SQS standard queues deliver
at least once and the schedule itself may fire twice, so an account can be polled twice in one
minute: that is already safe (stored mentions are claimed once per post, cursors only move
forward under a condition), so no deduplication is attempted here.
"""

import json
from collections.abc import Iterable
from itertools import batched

from aws_lambda_powertools import Logger

logger = Logger(child=True)

BATCH = 10  # SendMessageBatch's limit


class PollQueueError(RuntimeError):
    """Some accounts could not be queued for this minute (the others were)."""


def poll_message(account_key: str, minute: str | None) -> str:
    return json.dumps({"account": account_key, "minute": minute})


def read_poll_message(body: str) -> tuple[str, str | None]:
    """(account key, scheduled minute); raises ValueError on anything else."""
    message = json.loads(body)
    if not isinstance(message, dict) or not isinstance(message.get("account"), str):
        raise ValueError("a poll message is a JSON object naming an account")
    minute = message.get("minute")
    return message["account"], minute if isinstance(minute, str) else None


class PollQueue:
    def __init__(self, sqs_client, queue_url: str):
        self._sqs = sqs_client
        self._url = queue_url

    def send(self, account_keys: Iterable[str], minute: str | None) -> int:
        """Queue every account (10 a request); an entry SQS refuses is tried once more, then every
        account still not queued is named in one error, after the others went out."""
        unsent: list[str] = []
        sent = 0
        for chunk in batched(account_keys, BATCH):
            refused = self._send_batch(chunk, minute)
            if refused:
                refused = self._send_batch(refused, minute)
            unsent += refused
            sent += len(chunk) - len(refused)
        if unsent:
            logger.error("accounts not queued for polling", accounts=unsent, minute=minute)
            raise PollQueueError(f"{len(unsent)} accounts not queued for polling: {', '.join(unsent)}")
        return sent

    def _send_batch(self, keys: tuple[str, ...] | list[str], minute: str | None) -> list[str]:
        entries = [{"Id": str(n), "MessageBody": poll_message(key, minute)} for n, key in enumerate(keys)]
        try:
            response = self._sqs.send_message_batch(QueueUrl=self._url, Entries=entries)
        except Exception:  # the whole request failed: every account in it is unsent
            logger.exception("SendMessageBatch failed", accounts=len(keys))
            return list(keys)
        failed = response.get("Failed") or []
        for entry in failed:
            logger.warning("poll message refused", code=entry.get("Code"), reason=entry.get("Message"))
        return [keys[int(entry["Id"])] for entry in failed]
