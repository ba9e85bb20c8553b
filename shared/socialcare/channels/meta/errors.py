"""Meta's `{"error": {...}}` answers and usage headers, as ChannelErrors and pauses. Pure functions.

Rate limits: codes 4 (app), 17 (user), 32 (page), 613 (custom) and 80001-80014 (Business Use Case)
wait for `estimated_time_to_regain_access` in X-Business-Use-Case-Usage. socialcare also stops
itself BEFORE the limit: once any share Meta reports (calls, CPU time, total time, for the app or
the account) reaches SLOW_DOWN_PERCENT, the account's calls pause for the rest of the estimated
window, so the last few calls are kept for a person and never spent by a poller."""

import json
import math
import re
from datetime import datetime, timedelta
from typing import Any

from ..base import (
    AccountUnavailable,
    AuthenticationFailed,
    ChannelError,
    PermanentError,
    RateLimited,
    TransientError,
)

SLOW_DOWN_PERCENT = 90
RATE_LIMIT_CODES = frozenset({4, 17, 32, 613, *range(80001, 80015)})
# 190: the token is invalid or expired; 102: the session is; these subcodes say the same.
TOKEN_CODES = frozenset({102, 190})
TOKEN_SUBCODES = frozenset({458, 459, 460, 463, 464, 467})
TRANSIENT_CODES = frozenset({1, 2})
OBJECT_MISSING_SUBCODE = 33
# No usable estimate: a throttled account waits one window; one near its limit a few minutes (Meta's
# windows roll, so its share falls as old calls leave it).
THROTTLED_WAIT = timedelta(minutes=15)
NEAR_LIMIT_WAIT = timedelta(minutes=5)
WAIT_BOUNDS = (timedelta(minutes=1), timedelta(hours=24))
_DETAIL_LENGTH = 200
_SURROGATE = re.compile("[\ud800-\udfff]")
_USAGE_SHARES = ("call_count", "total_cputime", "total_time")


def clean(text: str) -> str:
    """Lone surrogates (legal in JSON, not in UTF-8) would fail the write to DynamoDB."""
    return _SURROGATE.sub("\ufffd", text)


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        return None
    return float(value)


def _header_json(headers, name: str) -> Any:
    value = headers.get(name)
    if not isinstance(value, str) or len(value) > 10_000:
        return None
    try:
        return json.loads(value)
    except (ValueError, RecursionError):
        return None


def _usages(headers, owner_id: str) -> list[dict]:
    """The usage entries for this account (X-Business-Use-Case-Usage) and the app (X-App-Usage)."""
    found = []
    business = _header_json(headers, "X-Business-Use-Case-Usage")
    if isinstance(business, dict):
        entries = business.get(owner_id)
        if isinstance(entries, list):
            found += [entry for entry in entries if isinstance(entry, dict)]
    app = _header_json(headers, "X-App-Usage")
    if isinstance(app, dict):
        found.append(app)
    return found


def _bounded(now: datetime, wait: timedelta) -> datetime:
    low, high = WAIT_BOUNDS
    return now + min(max(wait, low), high)


def _estimated_wait(usages: list[dict]) -> timedelta | None:
    minutes = [
        number
        for entry in usages
        if (number := _number(entry.get("estimated_time_to_regain_access"))) is not None and number > 0
    ]
    return timedelta(minutes=min(max(minutes), 24 * 60)) if minutes else None


def pause_until(headers, owner_id: str, now: datetime) -> datetime | None:
    """When the usage headers say the account (or the app) is at SLOW_DOWN_PERCENT or more of a
    limit: the time to call again (the estimated window, bounded); else None."""
    usages = _usages(headers, owner_id)
    shares = [
        number
        for entry in usages
        for name in _USAGE_SHARES
        if (number := _number(entry.get(name))) is not None
    ]
    if not shares or max(shares) < SLOW_DOWN_PERCENT:
        return None
    return _bounded(now, _estimated_wait(usages) or NEAR_LIMIT_WAIT)


def throttled_until(headers, owner_id: str, now: datetime) -> datetime:
    return _bounded(now, _estimated_wait(_usages(headers, owner_id)) or THROTTLED_WAIT)


def _code(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) < 10:
        return int(value)
    return None


def failure(
    status: int, body: Any, headers, *, owner_id: str, now: datetime, where: str, on_account: bool
) -> ChannelError:
    """The ChannelError for a Graph answer that is not a success. `on_account`: the request was on
    the brand account itself, so a missing object means the account is gone, not one post."""
    error = body.get("error") if isinstance(body, dict) else None
    if not isinstance(error, dict):
        if status >= 500 or status == 429:
            return TransientError(f"{where} answered {status}")
        return (TransientError if status < 400 else PermanentError)(
            f"{where} answered {status} without a Graph error"
        )
    code, subcode = _code(error.get("code")), _code(error.get("error_subcode"))
    message = error.get("message")
    detail = clean(message[:_DETAIL_LENGTH]) if isinstance(message, str) else "no message"
    said = f"{where} answered {status}, code {code}" + (f"/{subcode}" if subcode else "") + f": {detail}"
    if code in RATE_LIMIT_CODES:
        return RateLimited(throttled_until(headers, owner_id, now), said)
    if code in TOKEN_CODES or subcode in TOKEN_SUBCODES:
        return AuthenticationFailed(said)
    if code in TRANSIENT_CODES or status >= 500 or error.get("is_transient") is True:
        return TransientError(said)
    # Meta names the missing object: the account itself, or only something asked of it (a mention).
    if code == 100 and subcode == OBJECT_MISSING_SUBCODE and on_account and f"'{owner_id}'" in detail:
        return AccountUnavailable(said)
    return PermanentError(said)
