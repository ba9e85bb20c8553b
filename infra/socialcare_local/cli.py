"""The `socialcare` command: replay scenarios locally, run the demo, convert real history."""

import argparse
import json
import sys
from pathlib import Path

from .replay.scenario import ScenarioError, load_scenario
from .replay.twcs import ConversionError, write_scenario

DEMO_SCENARIO = Path(__file__).parent / "scenarios" / "morning.jsonl"


def _replay(
    scenario: Path, config: Path | None, report_path: Path | None, lambda_log: Path | None, show: bool
) -> int:
    from socialcare.config import ConfigError

    from .replay.runner import ReplayOptions, replay
    from .replay.timeline import summary_lines, timeline_lines

    try:
        events = load_scenario(scenario)
    except ScenarioError as error:
        print(f"error: malformed scenario: {error}", file=sys.stderr)
        return 2
    log = open(lambda_log, "w", encoding="utf-8") if lambda_log else None  # noqa: SIM115
    try:
        report = replay(events, ReplayOptions(config_path=config, lambda_log=log))
    except (ConfigError, ValueError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    finally:
        if log:
            log.close()
    if report_path:
        report_path.parent.mkdir(parents=True, exist_ok=True)
        report_path.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    if show:
        print("\n".join(timeline_lines(events, report)))
        print()
        print("\n".join(summary_lines(report["summary"])))
        if report_path:
            print(f"Report: {report_path}")
        if lambda_log:
            print(f"Lambda logs: {lambda_log}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="socialcare", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    replay = commands.add_parser(
        "replay", help="play a scenario through the real handlers on moto and a simulated X"
    )
    replay.add_argument("scenario", type=Path, help="JSON Lines scenario (see README, 'Replay scenario')")
    replay.add_argument("--config", type=Path, help="configuration YAML (default: the bundled example)")
    replay.add_argument("--report", type=Path, required=True, help="where to write the JSON report")
    replay.add_argument("--lambda-log", type=Path, help="where to write the functions' JSON logs")
    replay.add_argument("--quiet", action="store_true", help="no timeline on the terminal")

    demo = commands.add_parser("demo", help="replay a morning of a brand's mentions and show the timeline")
    demo.add_argument("--report", type=Path, default=Path("out/demo-report.json"))
    demo.add_argument("--lambda-log", type=Path, default=Path("out/demo-lambda.log"))

    convert = commands.add_parser(
        "convert-twcs", help="turn a 'Customer Support on Twitter' CSV into a scenario"
    )
    convert.add_argument("csv", type=Path)
    convert.add_argument(
        "--brand", required=True, help="the brand's screen name as in author_id, e.g. AppleSupport"
    )
    convert.add_argument("--out", type=Path, required=True)
    convert.add_argument("--limit", type=int, help="keep the first N events")

    args = parser.parse_args(argv)
    if args.command == "replay":
        return _replay(args.scenario, args.config, args.report, args.lambda_log, not args.quiet)
    if args.command == "demo":
        args.lambda_log.parent.mkdir(parents=True, exist_ok=True)
        print(
            f"Replaying {DEMO_SCENARIO.name}: moto stands in for AWS, simulated X and Meta APIs for the"
            " networks."
        )
        print()
        return _replay(DEMO_SCENARIO, None, args.report, args.lambda_log, True)
    try:
        with (
            args.csv.open(encoding="utf-8", newline="") as source,
            args.out.open("w", encoding="utf-8") as target,
        ):
            count = write_scenario(source, target, args.brand, limit=args.limit)
    except (OSError, ConversionError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    print(f"wrote {count} events to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
