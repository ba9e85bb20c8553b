"""Tickets created in a time window, for the daily report: a paginated scan of the tickets table
with a filter. No index serves "by creation time"; a scan reads the whole table (every item kept
for `retention_days`, not only the day's), so its cost grows with retention: see the README's
"Daily report" for the figures. It runs once a day; a GSI on the creation day would replace it here
alone if the table outgrows that."""

from collections.abc import Iterator
from datetime import datetime

from ..domain.tickets import Ticket
from ..domain.timefmt import to_iso
from .models import TicketModel
from .tickets import to_ticket


def tickets_created_between(starts_at: datetime, ends_at: datetime) -> Iterator[Ticket]:
    """[starts_at, ends_at): the ISO text of times sorts as the times do."""
    condition = (TicketModel.sk == "TICKET") & TicketModel.created_at.between(
        to_iso(starts_at), to_iso(ends_at)
    )
    end = to_iso(ends_at)
    for item in TicketModel.scan(filter_condition=condition):
        if item.created_at < end:  # between() includes its upper bound
            yield to_ticket(item)
