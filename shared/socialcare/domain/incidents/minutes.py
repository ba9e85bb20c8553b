"""Minutes as the incidents count them: whole minutes since the Unix epoch, in UTC."""

from datetime import UTC, datetime


def epoch_minute(moment: datetime) -> int:
    if moment.tzinfo is None:
        raise ValueError("a minute needs a time zone, e.g. UTC")
    return int(moment.astimezone(UTC).timestamp() // 60)
