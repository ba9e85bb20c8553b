"""Posts a network sent that could not be read: each kept once, with its raw JSON and the reason,
so nothing is dropped silently and a person can see what came in."""

import hashlib
from datetime import datetime, timedelta

from pynamodb.exceptions import PutError

from ..domain.timefmt import to_iso
from .models import QuarantinedPostModel

# Enough to see what was wrong; a hostile post cannot grow the item towards DynamoDB's 400 KB.
RAW_JSON_LIMIT = 10_000


def quarantine_pk(account_key: str, post_id: str | None, raw_json: str) -> str:
    """A post without a usable id is keyed by its content, so the same answer read twice is kept once."""
    key = post_id or "sha256-" + hashlib.sha256(raw_json.encode("utf-8", "backslashreplace")).hexdigest()[:32]
    return f"QUARANTINE#{account_key}#{key}"


def quarantine_post(
    account_key: str,
    *,
    post_id: str | None,
    raw_json: str,
    reason: str,
    now: datetime,
    retention: timedelta,
) -> bool:
    """Keep the post aside; False when it was kept already (an overlapping or repeated read)."""
    item = QuarantinedPostModel(
        quarantine_pk(account_key, post_id, raw_json),
        account=account_key,
        post_id=post_id,
        reason=reason[:500],
        raw_json=raw_json[:RAW_JSON_LIMIT],
        quarantined_at=to_iso(now),
        expires_at=int((now + retention).timestamp()),
    )
    try:
        item.save(condition=QuarantinedPostModel.pk.does_not_exist())
    except PutError as error:
        if error.cause_response_code == "ConditionalCheckFailedException":
            return False
        raise
    return True
