"""A network whose answers were not checked against its official description says so and why,
rather than reporting 0 off-spec answers."""

from datetime import UTC, datetime

from socialcare_local.networks.meta import MetaSimulator
from socialcare_local.networks.meta.world import MetaNetwork
from socialcare_local.networks.x import XSimulator
from socialcare_local.networks.x.world import SIM_APP, XNetwork


def now() -> datetime:
    return datetime(2026, 11, 23, 14, 0, tzinfo=UTC)


def test_without_the_specs_folder_each_network_names_what_it_looked_for(monkeypatch, tmp_path):
    monkeypatch.setenv("SOCIALCARE_SPECS_DIR", str(tmp_path / "specs"))
    x = XNetwork(XSimulator(now, spec_path=None, **SIM_APP))
    meta = MetaNetwork(MetaSimulator(now, spec_dir=None))
    assert x.spec_unchecked == f"no X API description at {tmp_path / 'specs' / 'x' / 'openapi-2.159.json'}"
    assert meta.spec_unchecked == f"no Meta node specs at {tmp_path / 'specs' / 'meta-graph'}"


def test_with_the_specs_there_but_checks_off_the_reason_is_that(monkeypatch, tmp_path):
    folder = tmp_path / "specs"
    (folder / "x").mkdir(parents=True)
    (folder / "x" / "openapi-2.159.json").write_text("{}")
    monkeypatch.setenv("SOCIALCARE_SPECS_DIR", str(folder))
    assert XNetwork(XSimulator(now, spec_path=None, **SIM_APP)).spec_unchecked == (
        "spec checks turned off for this run"
    )
