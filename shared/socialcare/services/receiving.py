"""webhook: a network pushes what happened; each post it announces takes the poll's path into tickets.

A request is checked whole before anything of it is stored: the signature over the raw body, its
size, its JSON and its shape. A verified delivery's changes are stored one by one, each failure
contained to its change; polling stays the reconciliation pass for what a delivery could not store.
Meta retries any answer other than 2xx, so 500 is kept for "nothing stored, and a retry may help".
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from aws_lambda_powertools import Logger

from ..channels.base import ChannelAdapter, PermanentError
from ..channels.webhook import Change, MalformedPayload, Webhook, WebhookRequest
from ..domain.posts import Post
from ..domain.tickets import Stored
from .mention_path import is_brands, new_ticket_policy, not_after, notice_brand_post
from .ports import Tickets

if TYPE_CHECKING:
    from ..config import AccountConfig, Config

logger = Logger(child=True)

MAX_BODY_BYTES = 256 * 1024  # Meta's deliveries are a few KB; batching keeps them far below this


@dataclass
class Receipt:
    """What one request did; `status` and `message` are the answer (never echoing the payload)."""

    status: int
    message: str
    rejected: bool = False  # refused as not from the network or not its shape: nothing stored
    stored: int = 0
    joined: int = 0
    duplicates: int = 0
    human_replies: int = 0
    acks_recovered: int = 0
    ignored: int = 0  # changes that need nothing from us (other accounts, fields we don't use)
    failed: int = 0  # changes that could not be stored: polling reconciles them

    @property
    def kept(self) -> int:
        return self.stored + self.joined + self.duplicates + self.human_replies + self.acks_recovered


def _rejected(status: int, message: str) -> Receipt:
    return Receipt(status=status, message=message, rejected=True)


class Receiver:
    def __init__(
        self,
        config: Config,
        store: Tickets,
        adapter_for: Callable[[AccountConfig], ChannelAdapter],
        *,
        max_body_bytes: int = MAX_BODY_BYTES,
    ):
        self._config = config
        self._store = store
        self._adapter_for = adapter_for
        self._max_body_bytes = max_body_bytes

    def verify(self, webhook: Webhook, request: WebhookRequest) -> Receipt:
        """The network's verification of the callback (a GET)."""
        answer = webhook.challenge_answer(request.query)
        if answer is None:
            return _rejected(403, "verification refused")
        return Receipt(status=200, message=answer)

    def receive(self, webhook: Webhook, request: WebhookRequest, now: datetime) -> Receipt:
        if len(request.body) > self._max_body_bytes:
            return _rejected(413, f"body over {self._max_body_bytes} bytes")
        if not webhook.signature_valid(request):
            return _rejected(401, "missing or invalid signature")
        try:
            payload = json.loads(request.body)
            announced = webhook.announcements(payload)
        except (ValueError, RecursionError) as error:  # JSONDecodeError and MalformedPayload included
            reason = str(error) if isinstance(error, MalformedPayload) else "not JSON"
            return _rejected(400, f"malformed payload: {reason}")
        receipt = Receipt(status=200, message="ok", ignored=len(announced.ignored))
        retry_helps = self._store_changes(webhook, announced.changes, now, receipt)
        if receipt.failed and not receipt.kept and retry_helps:
            receipt.status, receipt.message = 500, "nothing stored; please retry"
        return receipt

    def _store_changes(
        self, webhook: Webhook, changes: list[Change], now: datetime, receipt: Receipt
    ) -> bool:
        """Stored oldest first, a brand reply after a mention of the same second, as the poll does.
        Returns whether retrying the delivery could store what failed."""
        retry_helps = False
        posts: list[tuple[Post, AccountConfig]] = []
        for change in changes:
            account = self._config.account(change.channel, change.account_id)
            if account is None or change.channel not in webhook.channels:
                receipt.ignored += 1  # an account this deployment does not care for
                continue
            try:
                post = change.post if change.post is not None else change.read(self._adapter_for(account))
            except Exception as error:  # noqa: BLE001 - contained to this change, counted
                retry_helps = retry_helps or not isinstance(error, PermanentError)
                self._failed(receipt, account, change.ref, error)
                continue
            if post is None:
                receipt.ignored += 1  # announced, then deleted before we could read it
                continue
            posts.append((post, account))
        for post, account in sorted(posts, key=lambda pair: (pair[0].created_at, is_brands(*pair))):
            post = not_after(post, now)  # after sorting: clamping must not reorder the timeline
            try:
                self._keep(post, account, now, receipt)
            except Exception as error:  # noqa: BLE001 - contained to this post, counted
                retry_helps = True
                self._failed(receipt, account, post.post_id, error)
        return retry_helps

    def _keep(self, post: Post, account: AccountConfig, now: datetime, receipt: Receipt) -> None:
        if is_brands(post, account):
            noticed = notice_brand_post(self._store, post)
            receipt.human_replies += noticed.human_replies
            receipt.acks_recovered += noticed.acks_recovered
            return
        outcome = self._store.store_mention(post, new_ticket_policy(self._config, account), now)
        if outcome is Stored.CREATED:
            receipt.stored += 1
        elif outcome in (Stored.JOINED, Stored.REOPENED):
            receipt.joined += 1
        else:
            receipt.duplicates += 1

    @staticmethod
    def _failed(receipt: Receipt, account: AccountConfig, ref: str, error: Exception) -> None:
        receipt.failed += 1
        logger.warning(
            "webhook change not stored; polling will reconcile it",
            account=account.key,
            ref=ref,
            error=f"{type(error).__name__}: {error}"[:300],
        )
