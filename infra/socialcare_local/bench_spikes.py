"""`python -m socialcare_local.bench_spikes`: spike detection on generated traffic (traffic.py).

For each weekly volume and seed: four calm weeks are replayed through one detector, minute by minute
(the first week is the detector learning from nothing); incidents in them are false incidents, shown
per simulated week for the first week and for the later ones apart. Then, from the state learned
after three weeks (serialised and read back, as DynamoDB would keep it), each outage shape is
replayed at a random minute of the fourth week, seeded: the detection delay is the minutes from the
outage's first minute to the end of the minute that opened the incident (a minute's count is known
when it ends); an outage with no incident by 15 minutes after it stops is missed. Counts only, no
timings: the figures do not depend on the machine.
"""

import argparse
import random
import statistics

from socialcare.domain.incidents import IncidentStarted, SpikeDetector, SpikeSettings, SpikeState
from socialcare_local.traffic import (
    FIRST_MINUTE,
    MINUTES_PER_WEEK,
    OUTAGES,
    add_outage,
    calm_counts,
    usual_rate,
)

DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")

VOLUMES = (2_000, 20_000, 200_000)
CALM_WEEKS = 4
LATE_MINUTES = 15


def replay(detector: SpikeDetector, counts: list[int], first_minute: int) -> list[int]:
    """The indexes of the minutes that opened an incident."""
    starts = []
    for index, count in enumerate(counts):
        if isinstance(detector.observe(first_minute + index, count), IncidentStarted):
            starts.append(index)
    return starts


def calm_run(volume: int, seed: int, settings: SpikeSettings) -> tuple[list[int], dict]:
    counts = calm_counts(volume, CALM_WEEKS, seed)
    detector = SpikeDetector(settings)
    learned = replay(detector, counts[: 3 * MINUTES_PER_WEEK], FIRST_MINUTE)
    snapshot = detector.state.to_dict()
    last_week = replay(detector, counts[3 * MINUTES_PER_WEEK :], FIRST_MINUTE + 3 * MINUTES_PER_WEEK)
    starts = learned + [3 * MINUTES_PER_WEEK + index for index in last_week]
    return starts, snapshot


def outage_delay(
    volume: int, seed: int, shape, snapshot: dict, settings: SpikeSettings, missed: list[str]
) -> int | None:
    rng = random.Random(f"{seed}:{shape.name}")
    week_start = FIRST_MINUTE + 3 * MINUTES_PER_WEEK
    counts = calm_counts(volume, 1, seed + 1000, start=week_start)
    outage_at = rng.randrange(180, MINUTES_PER_WEEK - shape.minutes - 120)
    add_outage(counts, outage_at, shape, volume, rng)
    # From the learned state, replayed from two hours before the outage to after it.
    begin = outage_at - 120
    end = outage_at + shape.minutes + LATE_MINUTES
    detector = SpikeDetector(settings, SpikeState.from_dict(snapshot))
    for index in range(begin, end):
        event = detector.observe(week_start + index, counts[index])
        if isinstance(event, IncidentStarted) and index >= outage_at:
            return index - outage_at + 1
    day, minute_of_day = divmod(outage_at % MINUTES_PER_WEEK, 24 * 60)
    usual = usual_rate(volume, week_start + outage_at)
    missed.append(
        f"{volume:,} a week, {shape.name}: {DAYS[day]} {minute_of_day // 60:02}:{minute_of_day % 60:02}"
        f" UTC, usually {usual:.2g} a minute"
    )
    return None


def _value(text: str):
    try:
        return int(text)
    except ValueError:
        return tuple(int(part) for part in text.split(",")) if "," in text else float(text)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=10)
    parser.add_argument("--volumes", type=int, nargs="+", default=list(VOLUMES))
    parser.add_argument(
        "--set", nargs="*", default=[], metavar="NAME=VALUE", help="override a SpikeSettings field"
    )
    args = parser.parse_args()
    settings = SpikeSettings(
        **{name: _value(value) for name, value in (pair.split("=", 1) for pair in args.set)}
    )
    print(f"settings: {settings}\n")
    print(
        "| mentions a week | false incidents a week: first week / weeks 2-4 | "
        + " | ".join(f"{shape.name}: delay median / max (detected)" for shape in OUTAGES)
        + " |"
    )
    print("| --- | --- |" + " --- |" * len(OUTAGES))
    missed: list[str] = []
    for volume in args.volumes:
        first_week = later = 0
        delays = {shape.name: [] for shape in OUTAGES}
        for seed in range(args.seeds):
            starts, snapshot = calm_run(volume, seed, settings)
            first_week += sum(1 for start in starts if start < MINUTES_PER_WEEK)
            later += sum(1 for start in starts if start >= MINUTES_PER_WEEK)
            for shape in OUTAGES:
                delays[shape.name].append(outage_delay(volume, seed, shape, snapshot, settings, missed))
        cells = []
        for shape in OUTAGES:
            found = [delay for delay in delays[shape.name] if delay is not None]
            summary = f"{statistics.median(found):g} / {max(found)} min" if found else "-"
            cells.append(f"{summary} ({len(found)}/{args.seeds})")
        weeks_later = args.seeds * (CALM_WEEKS - 1)
        print(
            f"| {volume:,} | {first_week / args.seeds:.2f} / {later / weeks_later:.2f} | "
            + " | ".join(cells)
            + " |"
        )
    print("\nMissed (no incident by 15 minutes after the outage's end):")
    for line in missed:
        print(f"- {line}")


if __name__ == "__main__":
    main()
