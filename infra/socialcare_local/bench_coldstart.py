"""`make bench-coldstart`: each Lambda function's cold start, as a ratio to a bare `import boto3`.

Every figure is a fresh process, as Lambda starts one: `python -c` in the function's code
directory, with the code directory and the layer (`shared/`) first on sys.path and the function's
environment (tables, sender, secrets prefix; the bundled configuration stands in for the SSM
parameter, whose read is network time, not ours: its compiled form, as `socialcare config publish`
writes it for the stack, or with --yaml the YAML itself). Two parts are timed apart:

- import: `import app`, what Lambda's init phase runs (the handler module builds its container);
- wiring: what the first invocation builds before its first request (the services and clients the
  handler uses, each configured network's adapter class), paid once per cold start too.

Times are the process's CPU time (imports are single-threaded CPU work; on a shared machine CPU
time moves far less than wall time with the neighbours' load). The ratio is (import + wiring) /
bare `import boto3`, medians of interleaved runs. The top
packages come from one `python -X importtime` run of the same code: self time summed per package.
"""

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FUNCTIONS = ROOT / "functions"
LAYER = ROOT / "shared"
TARGET_RATIO = 1.8

# What each function's first invocation builds before its first request: the services its handler
# takes from the container, each configured network's adapter class, and the DynamoDB clients its
# first requests would otherwise build (PynamoDB: one per model's Connection and the store's). Not
# counted, as most invocations never pay them: the adapters' HTTP libraries (imported by their first
# call, oauthlib by the first X post), escalate's SES and SNS clients (built by the first alert
# sent), the triage rules (built by the first mention triaged).
ADAPTERS = "[network(a.channel).adapter_class() for a in app.container.config.accounts]"
TABLES = (
    "from socialcare.persistence.models import TICKETS_MODELS, StreamStateModel\n"
    "[m._get_connection().connection.client for m in (*TICKETS_MODELS, StreamStateModel)]\n"
    "app.container.store._connection.client"
)
WIRING = {
    "acknowledge": f"app.container.acknowledger; {ADAPTERS}\n{TABLES}",
    "escalate": f"app.container.escalator; app.container.idempotency\n{TABLES}",
    "poll_fanout": "",  # its queue client is built at import; it reads no table
    "poll_mentions": f"app.container.poller(lambda: 60_000); {ADAPTERS}\n{TABLES}",
    "webhook": f"app.container.receiver; webhook_class('meta')\n{TABLES}",
    "incidents": f"app.container.incidents; app.container.incident_endings\n{TABLES}",
    "claim": f"app.container.dynamodb\n{TABLES}",  # its desk is built at import
    "daily_report": "",  # its reporter, sender and idempotency store are built at import
}
LAMBDA_ENVIRONMENT = {
    "AWS_REGION": "us-east-1",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_ACCESS_KEY_ID": "bench",  # never used: nothing is sent
    "AWS_SECRET_ACCESS_KEY": "bench",
    "AWS_LAMBDA_FUNCTION_NAME": "bench",
    "TICKETS_TABLE": "socialcare-tickets",
    "STATE_TABLE": "socialcare-state",
    "IDEMPOTENCY_TABLE": "socialcare-idempotency",
    "SENDER_EMAIL": "care@example.com",
    "SECRETS_PREFIX": "socialcare/bench/",
    "TARGET_MINUTES": "60",
    "POWERTOOLS_SERVICE_NAME": "socialcare",
    "POWERTOOLS_METRICS_NAMESPACE": "socialcare",
    "POLL_QUEUE_URL": "https://sqs.us-east-1.amazonaws.com/123456789012/socialcare-poll",
    "AWS_DATA_PATH": str(LAYER / "botocore_data"),  # as the template's Globals set it in the layer
}
BARE = "import time; t0 = time.process_time(); import boto3; print(time.process_time() - t0, 0.0)"


def _function_code(name: str) -> str:
    wiring = WIRING[name] or "pass"
    return (
        "import time; t0 = time.process_time(); import app; t1 = time.process_time()\n"
        "from socialcare.channels.registry import network, webhook_class\n"
        f"{wiring}\n"
        "print(t1 - t0, time.process_time() - t1)"
    )


def _environment(name: str | None, config_file: str | None = None) -> dict[str, str]:
    paths = [str(FUNCTIONS / name), str(LAYER)] if name else []
    keep = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG", "SYSTEMROOT")}
    chosen = {"CONFIG_FILE": config_file} if config_file else {}
    return {**keep, **LAMBDA_ENVIRONMENT, **chosen, "PYTHONPATH": os.pathsep.join(paths)}


def compiled_example(folder: str) -> str:
    """The bundled example's compiled form, written into `folder`: what the stack's parameter holds."""
    from socialcare.config.compiled import compile_config
    from socialcare.config.loader import BUNDLED_EXAMPLE, parse_config

    path = Path(folder) / "config.json"
    path.write_text(compile_config(parse_config(BUNDLED_EXAMPLE.read_text(), str(BUNDLED_EXAMPLE))))
    return str(path)


_CONFIG_FILE: str | None = None  # None: the bundled YAML


def _run(name: str | None, importtime: bool = False) -> subprocess.CompletedProcess:
    command = [sys.executable, *(["-X", "importtime"] if importtime else []), "-c"]
    command.append(_function_code(name) if name else BARE)
    cwd = FUNCTIONS / name if name else ROOT
    environment = _environment(name, _CONFIG_FILE)
    result = subprocess.run(command, cwd=cwd, env=environment, capture_output=True, text=True)
    if result.returncode != 0:
        raise SystemExit(f"{name or 'boto3'}: the cold start failed\n{result.stderr[-2000:]}")
    return result


def _timed(name: str | None) -> tuple[float, float]:
    imported, wired = _run(name).stdout.split()[-2:]
    return float(imported) * 1000, float(wired) * 1000


def top_packages(name: str, count: int) -> list[tuple[str, float]]:
    """Self import time (ms) summed per top-level package, largest first."""
    per_package: dict[str, float] = defaultdict(float)
    for line in _run(name, importtime=True).stderr.splitlines():
        found = re.match(r"import time:\s+(\d+) \|\s+\d+ \|\s*(\S+)", line)
        if found:
            per_package[found[2].split(".")[0]] += int(found[1]) / 1000
    return sorted(per_package.items(), key=lambda item: -item[1])[:count]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=7, help="fresh processes per function (default 7)")
    parser.add_argument("--top", type=int, default=6, help="packages listed per function (default 6)")
    parser.add_argument("--json", action="store_true", help="print the figures as one JSON object")
    parser.add_argument(
        "--yaml", action="store_true", help="read the YAML configuration, not its compiled form"
    )
    args = parser.parse_args(argv)
    global _CONFIG_FILE  # noqa: PLW0603 - one setting for every process this run starts
    with tempfile.TemporaryDirectory() as folder:
        _CONFIG_FILE = None if args.yaml else compiled_example(folder)
        return _measure(args)


def _measure(args: argparse.Namespace) -> int:
    names = sorted(WIRING)
    samples: dict[str | None, list[tuple[float, float]]] = {n: [] for n in [None, *names]}
    for _ in range(args.runs):  # interleaved, so a busy moment weighs on every figure alike
        for name in samples:
            samples[name].append(_timed(name))
    bare = statistics.median(i for i, _ in samples[None])
    figures = {}
    for name in names:
        imported = statistics.median(i for i, _ in samples[name])
        wired = statistics.median(w for _, w in samples[name])
        total = statistics.median(i + w for i, w in samples[name])
        figures[name] = {
            "import_ms": round(imported, 1),
            "wiring_ms": round(wired, 1),
            "ratio_import": round(imported / bare, 2),
            "ratio": round(total / bare, 2),
            "top": [(package, round(ms, 1)) for package, ms in top_packages(name, args.top)],
        }
    if args.json:
        print(json.dumps({"bare_boto3_ms": round(bare, 1), "functions": figures}, indent=2))
        return 0
    print(f"bare `import boto3`: {bare:.0f} ms CPU (median of {args.runs} fresh processes)")
    print(f"configuration: the bundled example, {'YAML' if args.yaml else 'compiled form'}")
    print(f"target: import + wiring <= {TARGET_RATIO}x that")
    print(
        f"{'function':<14} {'import':>8} {'wiring':>8} {'import x':>9} {'total x':>8}  top packages (self ms)"
    )
    for name, f in figures.items():
        top = ", ".join(f"{package} {ms:.0f}" for package, ms in f["top"])
        mark = "" if f["ratio"] <= TARGET_RATIO else "  over"
        print(
            f"{name:<14} {f['import_ms']:>6.0f}ms {f['wiring_ms']:>6.0f}ms {f['ratio_import']:>8.2f}x "
            f"{f['ratio']:>7.2f}x{mark}  {top}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
