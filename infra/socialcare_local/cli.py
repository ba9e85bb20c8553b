"""The `socialcare` command: replay scenarios locally, run the demo, convert real history.

A file that cannot be read or written is one line on stderr and exit status 2, as is a malformed
scenario line (with its line number and reason) or a configuration the handlers would refuse.
"""

import argparse
import contextlib
import csv
import json
import os
import sys
import tempfile
from datetime import date
from pathlib import Path

from .replay.scenario import ScenarioError, ScenarioUnreadable, load_scenario
from .replay.twcs import ConversionError, write_scenario

DEMO_SCENARIO = Path(__file__).parent / "scenarios" / "morning.jsonl"
# The demo team's care policy (business hours, targets per priority) over the bundled example.
DEMO_POLICY = Path(__file__).parent / "scenarios" / "morning_policy.yaml"
README = "see README.md, '{}'"


class UserError(Exception):
    """Something the person running the command can fix: printed as one line, exit status 2."""


def _fail(message: str) -> int:
    print(f"error: {message}", file=sys.stderr)
    return 2


def _why(error: OSError) -> str:
    return error.strerror or str(error)


def _check_readable(path: Path, what: str) -> None:
    try:
        path.read_text(encoding="utf-8")
    except OSError as error:
        raise UserError(f"cannot read the {what} {path}: {_why(error)}") from None
    except UnicodeDecodeError:
        raise UserError(f"cannot read the {what} {path}: not UTF-8 text") from None


def _prepare_output(path: Path, what: str) -> None:
    """Before a long run: the file's folder exists (created if need be) and can take the file."""
    if path.is_dir():
        raise UserError(f"the {what} {path} is a folder, not a file")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise UserError(f"cannot create the folder for the {what} {path}: {_why(error)}") from None
    try:  # a file there now, rather than an error once the replay is over
        tempfile.TemporaryFile(dir=path.parent).close()
    except OSError as error:
        raise UserError(f"cannot write the {what} in {path.parent}: {_why(error)}") from None


@contextlib.contextmanager
def _written_on_success(path: Path, what: str):
    """A file written beside `path` and renamed onto it only when the block succeeds: an error
    leaves nothing behind (and an earlier file of that name untouched)."""
    _prepare_output(path, what)
    try:
        handle = tempfile.NamedTemporaryFile(  # noqa: SIM115 - renamed or removed below
            "w", encoding="utf-8", newline="", dir=path.parent, prefix=f".{path.name}.", delete=False
        )
    except OSError as error:
        raise UserError(f"cannot write the {what} {path}: {_why(error)}") from None
    try:
        with handle:
            yield handle
        os.replace(handle.name, path)
    except BaseException:
        Path(handle.name).unlink(missing_ok=True)
        raise


def _replay(
    scenario: Path,
    config: Path | None,
    report_path: Path,
    lambda_log: Path | None,
    *,
    quiet: bool,
) -> int:
    from socialcare.config import ConfigError

    from .replay.runner import ReplayOptions, replay
    from .replay.timeline import summary_lines, summary_sentence, timeline_lines

    try:
        events = load_scenario(scenario)
    except ScenarioUnreadable as error:
        return _fail(str(error))
    except ScenarioError as error:
        return _fail(f"malformed scenario: {error}")
    try:
        if config is not None:
            _check_readable(config, "configuration")
        _prepare_output(report_path, "report")
        if lambda_log is not None:
            _prepare_output(lambda_log, "Lambda log")
        log = open(lambda_log, "w", encoding="utf-8") if lambda_log else None  # noqa: SIM115
    except UserError as error:
        return _fail(str(error))
    except OSError as error:
        return _fail(f"cannot write the Lambda log {lambda_log}: {_why(error)}")
    try:
        with _progress_bar(quiet) as on_progress:
            report = replay(
                events, ReplayOptions(config_path=config, lambda_log=log, on_progress=on_progress)
            )
    except (ConfigError, ValueError) as error:
        return _fail(str(error))
    finally:
        if log:
            log.close()
    try:
        with _written_on_success(report_path, "report") as target:
            target.write(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    except (UserError, OSError) as error:
        print(summary_sentence(report["summary"]))
        return _fail(str(error) if isinstance(error, UserError) else f"cannot write the report: {error}")
    if quiet:
        print(summary_sentence(report["summary"]))
        print(f"Report: {report_path}")
        return 0
    print("\n".join(timeline_lines(events, report)))
    print()
    print("\n".join(summary_lines(report["summary"])))
    print(f"Report: {report_path}")
    if lambda_log:
        print(f"Lambda logs: {lambda_log}")
    return 0


@contextlib.contextmanager
def _progress_bar(quiet: bool):
    """The progress bar's listener, or None: only on a terminal, never when quiet."""
    if quiet or not sys.stderr.isatty():
        yield None
        return
    from .replay.progress import ReplayProgressBar

    with ReplayProgressBar() as bar:
        yield bar


def _convert(csv_path: Path, brand: str, out: Path, limit: int | None) -> int:
    try:
        source = csv_path.open(encoding="utf-8", newline="")
    except OSError as error:
        return _fail(f"cannot read the CSV {csv_path}: {_why(error)}")
    try:
        with source, _written_on_success(out, "scenario") as target:
            count = write_scenario(source, target, brand, limit=limit)
    except UserError as error:
        return _fail(str(error))
    except (ConversionError, csv.Error) as error:
        return _fail(f"{csv_path}: {error}")
    except UnicodeDecodeError:
        return _fail(f"cannot read the CSV {csv_path}: not UTF-8 text")
    except OSError as error:
        return _fail(f"cannot convert {csv_path} into {out}: {_why(error)}")
    print(f"wrote {count} events to {out}")
    return 0


def _publish_config(yaml_path: Path, out: Path) -> int:
    """Validate the YAML as a cold start would, then write its compiled form (config/compiled.py)."""
    from socialcare.config import ConfigError
    from socialcare.config.compiled import CompiledConfigError, compile_config
    from socialcare.config.loader import parse_config

    try:
        text = yaml_path.read_text(encoding="utf-8")
    except OSError as error:
        return _fail(f"cannot read the configuration {yaml_path}: {_why(error)}")
    except UnicodeDecodeError:
        return _fail(f"cannot read the configuration {yaml_path}: not UTF-8 text")
    try:
        compiled = compile_config(parse_config(text, str(yaml_path)))
        with _written_on_success(out, "compiled configuration") as target:
            target.write(compiled)
    except (ConfigError, CompiledConfigError, UserError) as error:
        return _fail(str(error))
    print(f"wrote the compiled configuration ({len(compiled.encode())} bytes) to {out}")
    return 0


def _positive_count(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"a whole number of events is needed, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be 1 or more (how many events to keep), got {value}")
    return value


def parser() -> argparse.ArgumentParser:
    main_parser = argparse.ArgumentParser(
        prog="socialcare",
        description="Replay mentions through socialcare's real handlers on this machine, or convert"
        " real history into a scenario.",
        epilog="The scenario and report formats: " + README.format("Replaying your own mentions"),
    )
    commands = main_parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    replay = commands.add_parser(
        "replay",
        help="play a scenario through the real handlers on moto and simulated networks",
        description="Play a scenario through the real handlers on moto and simulated networks, on a"
        " virtual clock, then print the timeline and a summary and write the report.",
    )
    replay.add_argument(
        "scenario", type=Path, help="JSON Lines scenario (" + README.format("Replay scenario") + ")"
    )
    replay.add_argument(
        "--config",
        type=Path,
        metavar="YAML",
        help="configuration YAML (default: the bundled example with the scenario's accounts; a file"
        " without `accounts` is a policy laid over that example; " + README.format("Configuration") + ")",
    )
    replay.add_argument(
        "--report",
        type=Path,
        required=True,
        metavar="JSON",
        help="where to write the JSON report (" + README.format("Replay report") + ")",
    )
    replay.add_argument(
        "--lambda-log", type=Path, metavar="FILE", help="where to write the functions' JSON logs and metrics"
    )
    replay.add_argument(
        "--quiet",
        action="store_true",
        help="no progress bar or timeline: only the one-line summary and the report's path",
    )

    demo = commands.add_parser(
        "demo",
        help="replay a morning of a brand's mentions and show the timeline",
        description="Replay the bundled morning (X, Facebook, Instagram) and show the timeline.",
    )
    demo.add_argument(
        "--report",
        type=Path,
        default=Path("out/demo-report.json"),
        metavar="JSON",
        help="where to write the JSON report (default: %(default)s)",
    )
    demo.add_argument(
        "--lambda-log",
        type=Path,
        default=Path("out/demo-lambda.log"),
        metavar="FILE",
        help="where to write the functions' JSON logs and metrics (default: %(default)s)",
    )

    convert = commands.add_parser(
        "convert-twcs",
        help="turn a 'Customer Support on Twitter' CSV into a scenario",
        description="Turn the public 'Customer Support on Twitter' export into a replay scenario of one"
        " brand's threads (" + README.format("Converting real history") + "). Nothing is written on error.",
    )
    convert.add_argument("csv", type=Path, help="the export, e.g. twcs.csv (UTF-8, with its header row)")
    convert.add_argument(
        "--brand", required=True, help="the brand's screen name as in author_id, e.g. AppleSupport"
    )
    convert.add_argument(
        "--out", type=Path, required=True, metavar="JSONL", help="where to write the scenario"
    )
    convert.add_argument(
        "--limit", type=_positive_count, metavar="N", help="keep only the first N events (N >= 1)"
    )
    daily = commands.add_parser(
        "daily-report",
        help="print the daily report of one day of a replay (its text part)",
        description="Print the daily report e-mail's text for one day of a replay's report: the"
        " figures the daily_report function sends.",
    )
    daily.add_argument("--report", type=Path, required=True, metavar="JSON", help="a replay's report")
    daily.add_argument(
        "--date",
        type=date.fromisoformat,
        required=True,
        metavar="YYYY-MM-DD",
        help="the day to report, local to --timezone (midnight to midnight)",
    )
    daily.add_argument(
        "--timezone", default="UTC", help="the team's IANA time zone, e.g. Europe/London (default: UTC)"
    )

    config = commands.add_parser(
        "config",
        help="validate a configuration and publish its compiled form",
        description="Work with the configuration YAML (" + README.format("Configuration") + ").",
    )
    config_commands = config.add_subparsers(
        dest="config_command", required=True, metavar="ACTION", help="publish: see `config publish --help`"
    )
    publish = config_commands.add_parser(
        "publish",
        help="validate the YAML and write the compiled form the functions read at cold start",
        description="Validate the configuration YAML with every rule a cold start applies, then write"
        " its compiled form: the value to store in the stack's configuration parameter, read at cold"
        " start without validating again. Nothing is written on error.",
    )
    publish.add_argument("yaml", type=Path, help="the configuration YAML, e.g. config.yaml")
    publish.add_argument(
        "--out", type=Path, required=True, metavar="JSON", help="where to write the compiled form"
    )
    return main_parser


def _daily_report(report_path: Path, day: date, timezone: str) -> int:
    from zoneinfo import ZoneInfoNotFoundError

    from .replay.daily import daily_report_text

    try:
        report = json.loads(report_path.read_text(encoding="utf-8"))
        print(daily_report_text(report, day, timezone), end="")
    except OSError as error:
        return _fail(f"cannot read the report {report_path}: {_why(error)}")
    except ZoneInfoNotFoundError:  # a KeyError: before the next
        return _fail(f"unknown time zone {timezone!r}")
    except (ValueError, KeyError) as error:
        return _fail(f"not a replay report ({report_path}): {error}")
    return 0


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        if args.command == "replay":
            return _replay(args.scenario, args.config, args.report, args.lambda_log, quiet=args.quiet)
        if args.command == "demo":
            print(
                f"Replaying {DEMO_SCENARIO.name} with the care policy {DEMO_POLICY.name}: moto stands in"
                " for AWS, simulated networks for X, Facebook, Instagram, Mastodon, Bluesky and WordPress."
            )
            print()
            return _replay(DEMO_SCENARIO, DEMO_POLICY, args.report, args.lambda_log, quiet=False)
        if args.command == "daily-report":
            return _daily_report(args.report, args.date, args.timezone)
        if args.command == "config":
            return _publish_config(args.yaml, args.out)
        return _convert(args.csv, args.brand, args.out, args.limit)
    except KeyboardInterrupt:
        print("interrupted: no report written", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
