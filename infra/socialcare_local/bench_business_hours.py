"""`python -m socialcare_local.bench_business_hours`: what business hours cost.

- cold start: a fresh process per figure (medians of interleaved runs, CPU time), after the imports
  a function has anyway: building one country's holiday table with its lazy load of `holidays`,
  against the package's own loader (`holidays.country_holidays`, which imports every country);
- arithmetic: due times per second on the issue's calendar (lunch break, GB holidays), and a week
  of business time on a calendar open one hour a weekday (168 open days walked, never minutes).
"""

import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

RUNS = 7
PRELUDE = (
    "import time, datetime, boto3, aws_lambda_powertools, pydantic, dateutil.parser\n"
    "import socialcare.config.schema\n"
    "from socialcare.domain.business_hours import HolidayTable\n"
    "t = time.process_time()\n"
)
OURS = PRELUDE + (
    "table = HolidayTable('GB', 'ENG'); datetime.date(2026, 12, 25) in table\n"
    "print(time.process_time() - t)\n"
)
PACKAGE = PRELUDE + (
    "import holidays\n"
    "table = holidays.country_holidays('GB', subdiv='ENG'); datetime.date(2026, 12, 25) in table\n"
    "print(time.process_time() - t)\n"
)


def _seconds(code: str) -> float:
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)  # noqa: S603
    return float(out.stdout)


def cold_start() -> tuple[float, float]:
    ours, package = [], []
    for _ in range(RUNS):
        ours.append(_seconds(OURS))
        package.append(_seconds(PACKAGE))
    return statistics.median(ours) * 1000, statistics.median(package) * 1000


def arithmetic() -> tuple[float, float]:
    from socialcare.domain.business_hours import (
        BusinessCalendar,
        HolidayTable,
        ResponsePolicy,
        Target,
        parse_weekly,
    )

    weekdays = ("mon", "tue", "wed", "thu", "fri")
    office = BusinessCalendar(
        ZoneInfo("Europe/London"),
        parse_weekly({"mon": ["09:00-12:30", "13:30-18:00"], **{d: ["09:00-18:00"] for d in weekdays[1:]}}),
        HolidayTable("GB", "ENG"),
    )
    policy = ResponsePolicy(office, {"normal": Target(60), "low": Target(480)})
    start = datetime(2026, 1, 1, tzinfo=UTC)
    count = 20_000
    began = time.perf_counter()
    for n in range(count):
        policy.due_at(start + timedelta(minutes=37 * n), "low")
    per_second = count / (time.perf_counter() - began)
    thin = BusinessCalendar(ZoneInfo("Europe/London"), parse_weekly({d: ["10:00-11:00"] for d in weekdays}))
    began = time.perf_counter()
    thin.add(start, timedelta(days=7))
    return per_second, (time.perf_counter() - began) * 1000


def main() -> None:
    ours, package = cold_start()
    print(f"GB/ENG holiday table at cold start (CPU, median of {RUNS}): {ours:.0f} ms lazily, one country;")
    print(f"  {package:.0f} ms with holidays.country_holidays (every country imported)")
    per_second, week_ms = arithmetic()
    print(f"due times on the issue's calendar (low, 8 business hours): {per_second:,.0f} per second")
    print(f"a week of business time, open an hour a weekday (168 days walked): {week_ms:.1f} ms, first call")


if __name__ == "__main__":
    main()
