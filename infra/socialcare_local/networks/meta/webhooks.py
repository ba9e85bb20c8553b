"""Webhooks as Meta sends them: the verification handshake, then signed POSTs of changes.

`subscribe()` performs Meta's GET (`hub.mode=subscribe`, `hub.challenge`, `hub.verify_token`) and
requires the challenge echoed. Each change then goes out as `{"object", "entry": [{"id", "time",
"changes": [{"field", "value"}]}]}`, the raw body signed `X-Hub-Signature-256: sha256=<hex>` (and the
older `X-Hub-Signature: sha1=<hex>`) with the app secret, JSON escaped to ASCII as Meta sends it.

Delivery is synchronous by default. Queued (`queued=True`), deliveries wait in `deliveries_pending()`
until `deliver_pending()`, so tests can lose, delay, duplicate or reorder them. A non-2xx answer (or
no answer) is retried later, RETRY_DELAYS apart, by `deliver_due()`, then given up and counted.
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import secrets
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import requests

RETRY_DELAYS = (timedelta(seconds=30), timedelta(minutes=2), timedelta(minutes=10), timedelta(minutes=30))
PAGE_FIELDS, INSTAGRAM_FIELDS = {"feed", "mention"}, {"comments", "mentions"}


@dataclass(frozen=True)
class WebhookRequest:
    """What a callback that is a Python callable receives (the local function URL)."""

    method: str
    query: dict
    headers: dict
    body: bytes


Callback = str | Callable[[WebhookRequest], tuple[int, str | bytes]]


class WebhookVerificationError(RuntimeError):
    pass


@dataclass(frozen=True)
class Subscription:
    callback: Callback
    verify_token: str
    app_secret: str
    fields: frozenset[str]


@dataclass(eq=False)  # a delivery is itself: two with the same body are two deliveries
class Delivery:
    id: int
    subscription: Subscription
    object: str
    field: str
    body: bytes
    attempts: int = 0
    next_at: datetime | None = None
    statuses: list = field(default_factory=list)  # HTTP status per attempt, None when no answer

    @property
    def payload(self) -> dict:
        return json.loads(self.body)


def sign(body: bytes, secret: str) -> dict:
    return {
        "X-Hub-Signature-256": "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest(),
        "X-Hub-Signature": "sha1=" + hmac.new(secret.encode(), body, hashlib.sha1).hexdigest(),
    }


# Meta waits this long for an answer before counting a delivery failed (and retrying it later).
DELIVERY_TIMEOUT = 20


def _send(callback: Callback, method: str, query: dict, headers: dict, body: bytes) -> tuple[int | None, str]:
    try:
        if callable(callback):
            status, text = callback(WebhookRequest(method, query, headers, body))
            return status, text.decode() if isinstance(text, bytes) else text
        answer = requests.request(
            method, callback, params=query, headers=headers, data=body or None, timeout=DELIVERY_TIMEOUT
        )
        return answer.status_code, answer.text
    except Exception:  # an unreachable or failing endpoint is a failed delivery, retried later
        return None, ""


class Webhooks:
    def __init__(self, clock: Callable[[], datetime], *, queued: bool = False):
        self.clock, self.queued = clock, queued
        self.subscriptions: list[Subscription] = []
        self.pending: list[Delivery] = []  # queued, not yet attempted
        self.retrying: list[Delivery] = []  # attempted, failed, waiting for their next try
        self.log: list[Delivery] = []  # every delivery made, in order
        self.stats = {"delivered": 0, "failed_attempts": 0, "given_up": 0, "dropped": 0}
        self._ids = itertools.count(1)
        self._lock = threading.Lock()

    def subscribe(
        self, callback: Callback, verify_token: str, app_secret: str, fields: Iterable[str]
    ) -> Subscription:
        challenge = str(secrets.randbelow(10**9) + 10**9)
        query = {"hub.mode": "subscribe", "hub.challenge": challenge, "hub.verify_token": verify_token}
        status, text = _send(callback, "GET", query, {"User-Agent": "facebookplatform/1.0"}, b"")
        if status != 200 or text.strip() != challenge:
            raise WebhookVerificationError(f"the callback answered {status} {text[:80]!r}, not the challenge")
        subscription = Subscription(callback, verify_token, app_secret, frozenset(fields))
        with self._lock:
            self.subscriptions.append(subscription)
        return subscription

    def publish(self, object_: str, entry_id: str, field_: str, value: dict) -> list[Delivery]:
        """One change for every subscription to its field; sent now, or queued when `queued`."""
        with self._lock:
            targets = [s for s in self.subscriptions if field_ in s.fields]
        made = []
        for subscription in targets:
            entry = {
                "id": entry_id,
                "time": int(self.clock().timestamp()),
                "changes": [{"field": field_, "value": value}],
            }
            body = json.dumps({"entry": [entry], "object": object_}, separators=(",", ":")).encode()
            made.append(Delivery(next(self._ids), subscription, object_, field_, body))
        if self.queued:
            with self._lock:
                self.pending += made
        else:
            for delivery in made:
                self._attempt(delivery)
        return made

    def _attempt(self, delivery: Delivery) -> int | None:
        headers = {"Content-Type": "application/json", "User-Agent": "facebookexternalua"}
        headers.update(sign(delivery.body, delivery.subscription.app_secret))
        status, _ = _send(delivery.subscription.callback, "POST", {}, headers, delivery.body)
        with self._lock:
            delivery.attempts += 1
            delivery.statuses.append(status)
            self.log.append(delivery)
            if status is not None and 200 <= status < 300:
                self.stats["delivered"] += 1
                return status
            self.stats["failed_attempts"] += 1
            if delivery.attempts > len(RETRY_DELAYS):
                self.stats["given_up"] += 1
            else:
                delivery.next_at = self.clock() + RETRY_DELAYS[delivery.attempts - 1]
                if delivery not in self.retrying:
                    self.retrying.append(delivery)
        return status

    def deliveries_pending(self) -> list[Delivery]:
        with self._lock:
            return list(self.pending)

    def deliver_pending(self, ids: Iterable[int] | None = None) -> list[int | None]:
        """Send queued deliveries: all in order, or exactly `ids` in that order (repeat one to
        duplicate it). Sent ones leave the queue."""
        with self._lock:
            by_id = {d.id: d for d in self.pending}
            chosen = [by_id[i] for i in ids] if ids is not None else list(self.pending)
            self.pending = [d for d in self.pending if d not in chosen]
        return [self._attempt(d) for d in chosen]

    def drop_pending(self, ids: Iterable[int] | None = None) -> None:
        """Lose queued deliveries (all, or these): Meta never sends them."""
        with self._lock:
            lost = set(ids) if ids is not None else {d.id for d in self.pending}
            self.stats["dropped"] += sum(1 for d in self.pending if d.id in lost)
            self.pending = [d for d in self.pending if d.id not in lost]

    def next_wake(self) -> datetime | None:
        """When the next failed delivery is retried; None when none waits."""
        with self._lock:
            return min((d.next_at for d in self.retrying if d.next_at), default=None)

    def deliver_due(self) -> list[int | None]:
        """Retry failed deliveries whose time has come."""
        now = self.clock()
        with self._lock:
            due = [d for d in self.retrying if d.next_at and d.next_at <= now]
            self.retrying = [d for d in self.retrying if d not in due]
        return [self._attempt(d) for d in due]
