"""Turn the public "Customer Support on Twitter" export (twcs.csv) into a replay scenario.

Columns: tweet_id, author_id, inbound, created_at, text, response_tweet_id, in_response_to_tweet_id.
Companies appear by screen name in author_id, customers by anonymised numbers. We keep the chosen
brand's threads: customers' posts in them become mentions, the brand's replies become brand_reply.
"""

import csv
import hashlib
import json
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from typing import TextIO

TWCS_TIME = "%a %b %d %H:%M:%S %z %Y"  # "Tue Oct 31 22:10:47 +0000 2017"


class ConversionError(ValueError):
    pass


def _numeric_id(value: str) -> str:
    """twcs ids are numeric for customers and tweets; anything else gets a stable numeric stand-in."""
    value = value.strip()
    if value.isdigit() and len(value) <= 19:
        return value
    return str(int(hashlib.sha256(value.encode()).hexdigest(), 16) % 10**18)


def _time(text: str, row: int) -> datetime:
    try:
        return datetime.strptime(text.strip(), TWCS_TIME).astimezone(UTC)
    except ValueError:
        raise ConversionError(
            f"row {row}: created_at {text!r} is not like 'Tue Oct 31 22:10:47 +0000 2017'"
        ) from None


def _iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def convert(rows: Iterable[dict], brand: str, *, limit: int | None = None) -> Iterator[dict]:
    """Scenario events (dicts) for `brand`'s threads, ordered by time."""
    tweets: dict[str, dict] = {}
    for number, row in enumerate(rows, start=2):
        missing = {
            "tweet_id",
            "author_id",
            "inbound",
            "created_at",
            "text",
            "in_response_to_tweet_id",
        } - row.keys()
        if missing:
            raise ConversionError(f"the file lacks column(s) {', '.join(sorted(missing))}")
        row = dict(row, _created=_time(row["created_at"], number))
        tweets[row["tweet_id"].strip()] = row

    def root(tweet_id: str) -> str:
        seen = set()
        while (
            tweet_id in tweets
            and tweets[tweet_id]["in_response_to_tweet_id"].strip()
            and tweet_id not in seen
        ):
            seen.add(tweet_id)
            parent = tweets[tweet_id]["in_response_to_tweet_id"].strip().split(".")[0]
            if parent not in tweets:
                break
            tweet_id = parent
        return tweet_id

    brand_key = brand.lower()
    brand_roots = {root(tid) for tid, t in tweets.items() if t["author_id"].strip().lower() == brand_key}
    events = []
    for tweet_id, tweet in tweets.items():
        conversation = root(tweet_id)
        if conversation not in brand_roots:
            continue
        parent = tweet["in_response_to_tweet_id"].strip().split(".")[0] or None
        by_brand = tweet["author_id"].strip().lower() == brand_key
        inbound = tweet["inbound"].strip().lower() == "true"
        if by_brand and parent in tweets:
            events.append(
                {
                    "type": "brand_reply",
                    "at": tweet["_created"],
                    "channel": "x",
                    "id": _numeric_id(tweet_id),
                    "in_reply_to_id": _numeric_id(parent),
                    "text": tweet["text"],
                }
            )
        elif inbound:
            events.append(
                {
                    "type": "mention",
                    "at": tweet["_created"],
                    "channel": "x",
                    "id": _numeric_id(tweet_id),
                    "author_id": _numeric_id(tweet["author_id"]),
                    "author_handle": None,
                    "text": tweet["text"],
                    "conversation_id": _numeric_id(conversation),
                    "in_reply_to_id": _numeric_id(parent) if parent in tweets else None,
                    "lang": None,
                }
            )
    events.sort(key=lambda e: (e["at"], e["type"] != "mention"))
    if limit is not None:
        events = events[:limit]
    for event in events:
        yield dict(event, at=_iso(event["at"]))


def write_scenario(source: TextIO, target: TextIO, brand: str, *, limit: int | None = None) -> int:
    """Write the scenario (account line first); returns how many events were written."""
    account = {"type": "account", "channel": "x", "id": _numeric_id(brand), "handle": brand[:15]}
    target.write(json.dumps(account) + "\n")
    count = 0
    for event in convert(csv.DictReader(source), brand, limit=limit):
        target.write(json.dumps(event, ensure_ascii=False) + "\n")
        count += 1
    if count == 0:
        raise ConversionError(
            f"no threads of {brand!r} in the file (author_id holds the brand's screen name)"
        )
    return count
