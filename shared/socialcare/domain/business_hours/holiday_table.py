"""Public holidays from the `holidays` package, loaded lazily: the package is imported, and one
country's table built, only when a calendar that has holidays is first asked about a date (its own
import costs tens of milliseconds, which a cold start without holidays should not pay)."""

from dataclasses import dataclass, field
from datetime import date


class UnknownHolidays(ValueError):
    pass


@dataclass(eq=False)
class HolidayTable:
    """Closed local dates: a country's (and subdivision's) public holidays, plus explicit dates."""

    country: str | None = None
    subdivision: str | None = None
    dates: frozenset[date] = frozenset()
    _table: object | None = field(default=None, init=False, repr=False)

    def __contains__(self, day: object) -> bool:
        if day in self.dates:
            return True
        if self.country is None or not isinstance(day, date):
            return False
        return day in self._country_table()

    def check(self) -> None:
        """Load the table now: an unknown country or subdivision fails here, when the configuration
        is read, not on the first ticket."""
        if self.country is not None:
            self._country_table()

    def _country_table(self):
        if self._table is None:
            self._table = country_holidays(self.country, self.subdivision)
        return self._table


def country_holidays(country: str, subdivision: str | None):
    """The country's table; it fills in each year the first time a date of that year is asked."""
    import holidays  # lazy: see the module's docstring

    try:
        return holidays.country_holidays(country, subdiv=subdivision)
    except NotImplementedError as error:
        raise UnknownHolidays(str(error)) from None
