"""Public holidays from the `holidays` package, loaded lazily: the package is imported, and one
country's table built, only when a calendar that has holidays is first asked about a date (its own
import costs tens of milliseconds, which a cold start without holidays should not pay)."""

import importlib.util
import sys
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from types import ModuleType


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
    """The country's table; it fills in each year the first time a date of that year is asked.

    holidays.country_holidays would import the package of all ~250 countries (about 150 ms); this
    loads the one module the registry names for the country, and falls back to the package's own
    loader if that module needs another country's."""
    import holidays  # lazy: see the module's docstring

    try:
        return _one_country(country)(subdiv=subdivision)
    except NotImplementedError as error:
        raise UnknownHolidays(str(error)) from None
    except ImportError:
        pass
    try:
        return holidays.country_holidays(country, subdiv=subdivision)
    except NotImplementedError as error:
        raise UnknownHolidays(str(error)) from None


def _one_country(code: str):
    from holidays.registry import COUNTRIES

    # Each entry: module -> (class, alpha-2 code, alpha-3 code, aliases...).
    found = next(((module, entry[0]) for module, entry in COUNTRIES.items() if code in entry[1:3]), None)
    if found is None:
        raise UnknownHolidays(f"Country {code} not available")
    module_name, class_name = found
    name = f"holidays.countries.{module_name}"
    module = sys.modules.get(name) or _load(name, module_name)
    return getattr(module, class_name)


def _load(name: str, module_name: str) -> ModuleType:
    import holidays

    path = Path(holidays.__file__).with_name("countries") / f"{module_name}.py"
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot load {path}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)  # not registered: the package, if ever imported, loads its own
    return module
