"""Business hours: a team's calendar (calendar.py) and the response policy built on it (policy.py)."""

from .calendar import BusinessCalendar, CalendarError, Closure, parse_clock, parse_weekly
from .holiday_table import HolidayTable, UnknownHolidays
from .policy import PRIORITIES, ResponsePolicy, Target

__all__ = [
    "PRIORITIES",
    "BusinessCalendar",
    "CalendarError",
    "Closure",
    "HolidayTable",
    "ResponsePolicy",
    "Target",
    "UnknownHolidays",
    "parse_clock",
    "parse_weekly",
]
