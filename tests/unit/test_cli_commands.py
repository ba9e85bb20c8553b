"""`socialcare` as a person meets it before any replay runs: every option explained, files that
cannot be read or written named in one line with exit status 2, convert-twcs leaving nothing behind."""

import argparse
import re
from pathlib import Path

import pytest

from socialcare_local.cli import main, parser

README = Path(__file__).parents[2] / "README.md"
ACCOUNT = '{"type": "account", "channel": "x", "id": "9001", "handle": "AcmeCare"}\n'
CSV = (
    "tweet_id,author_id,inbound,created_at,text,response_tweet_id,in_response_to_tweet_id\n"
    "1,sprintcare,False,Tue Oct 31 22:30:47 +0000 2017,@115712 Sorry! DM us.,,3\n"
    "3,115712,True,Tue Oct 31 22:08:27 +0000 2017,@sprintcare my phone keeps dropping calls,1,\n"
)


def one_error_line(capsys) -> str:
    err = capsys.readouterr().err
    assert "Traceback" not in err and "malformed" not in err
    assert len(err.strip().splitlines()) == 1, err
    return err


def commands() -> dict[str, argparse.ArgumentParser]:
    subparsers = next(a for a in parser()._actions if isinstance(a, argparse._SubParsersAction))
    return dict(subparsers.choices)


def test_every_option_of_every_command_says_what_it_is_for():
    for name, command in commands().items():
        for action in command._actions:
            assert action.help, f"{name} {action.option_strings or action.dest} has no help text"


def test_every_readme_section_the_help_points_to_exists():
    headings = {line.lstrip("#").strip() for line in README.read_text().splitlines() if line.startswith("#")}
    texts = [parser().format_help(), *(c.format_help() for c in commands().values())]
    pointers = {
        name for text in texts for name in re.findall(r"README\.md, '([^']+)'", " ".join(text.split()))
    }
    assert {"Replay scenario", "Replay report", "Converting real history"} <= pointers
    assert pointers <= headings, pointers - headings


def test_a_missing_scenario_is_one_line_naming_the_file(tmp_path, capsys):
    assert main(["replay", str(tmp_path / "nope.jsonl"), "--report", str(tmp_path / "r.json")]) == 2
    assert "cannot read the scenario" in one_error_line(capsys)


def test_a_missing_configuration_is_one_line_before_anything_runs(tmp_path, capsys):
    scenario = tmp_path / "s.jsonl"
    scenario.write_text(ACCOUNT)
    config = tmp_path / "my-config.yaml"
    code = main(["replay", str(scenario), "--config", str(config), "--report", str(tmp_path / "r.json")])
    assert code == 2
    err = one_error_line(capsys)
    assert "cannot read the configuration" in err and str(config) in err


def test_a_report_folder_that_cannot_be_created_is_one_line(tmp_path, capsys):
    scenario = tmp_path / "s.jsonl"
    scenario.write_text(ACCOUNT)
    (tmp_path / "a-file").write_text("")
    report = tmp_path / "a-file" / "out" / "r.json"
    assert main(["replay", str(scenario), "--report", str(report)]) == 2
    assert "cannot create the folder for the report" in one_error_line(capsys)


def test_a_malformed_line_keeps_its_number_and_reason(tmp_path, capsys):
    scenario = tmp_path / "s.jsonl"
    scenario.write_text(ACCOUNT + '{"type": "mention", "at": "soon"}\n')
    assert main(["replay", str(scenario), "--report", str(tmp_path / "r.json")]) == 2
    err = capsys.readouterr().err
    assert f"malformed scenario: {scenario}:2: " in err and len(err.strip().splitlines()) == 1


def convert(tmp_path, *args) -> tuple[int, Path]:
    source = tmp_path / "twcs.csv"
    source.write_text(CSV)
    out = tmp_path / "history.jsonl"
    return main(["convert-twcs", str(source), "--out", str(out), *args]), out


def test_convert_writes_the_scenario_and_nothing_else(tmp_path, capsys):
    code, out = convert(tmp_path, "--brand", "sprintcare")
    assert code == 0 and len(out.read_text().splitlines()) == 3
    assert sorted(p.name for p in tmp_path.iterdir()) == ["history.jsonl", "twcs.csv"]


def test_an_unknown_brand_leaves_no_file_behind_and_an_earlier_one_untouched(tmp_path, capsys):
    code, out = convert(tmp_path, "--brand", "nobodycare")
    assert code == 2 and "no threads of 'nobodycare'" in one_error_line(capsys)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["twcs.csv"]
    out.write_text("an earlier scenario\n")
    assert convert(tmp_path, "--brand", "nobodycare")[0] == 2
    assert out.read_text() == "an earlier scenario\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["history.jsonl", "twcs.csv"]


@pytest.mark.parametrize("limit", ["0", "-5", "ten"])
def test_a_limit_below_one_or_not_a_number_is_refused(tmp_path, capsys, limit):
    with pytest.raises(SystemExit) as exit_:
        convert(tmp_path, "--brand", "sprintcare", "--limit", limit)
    assert exit_.value.code == 2
    assert "argument --limit:" in capsys.readouterr().err
    assert not (tmp_path / "history.jsonl").exists()


def test_a_missing_csv_is_one_line(tmp_path, capsys):
    code = main(["convert-twcs", str(tmp_path / "nope.csv"), "--brand", "x", "--out", str(tmp_path / "o")])
    assert code == 2 and "cannot read the CSV" in one_error_line(capsys)
    assert list(tmp_path.iterdir()) == []
