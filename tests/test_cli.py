"""The archive-sim command as a user runs it: outputs, exit codes, messages, determinism."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from sim.ledger import CATEGORIES, COLUMNS
from sim.workload.stats import WORKLOAD_COLUMNS
from tests.conftest import ACADEMIC, REPO

SMALL = """extends: {academic}
name: small
horizon_months: 18
workload:
  annual_studies: 8000
"""


def cli(*args: str | Path, cwd: Path = REPO) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "sim.cli", *map(str, args)],
        capture_output=True, text=True, cwd=cwd, timeout=300,
    )


@pytest.fixture
def small_file(tmp_path):
    path = tmp_path / "small.yaml"
    path.write_text(SMALL.format(academic=ACADEMIC))
    return path


def test_run_writes_the_output_folder(small_file, tmp_path):
    out = tmp_path / "out"
    result = cli("run", small_file, "--out", out)
    assert result.returncode == 0, result.stderr
    assert "Output written to" in result.stdout
    assert "Cost per calendar year" in result.stdout
    ledger = pd.read_csv(out / "ledger.csv")
    assert list(ledger.columns) == COLUMNS
    assert set(ledger["category"]) <= set(CATEGORIES)
    assert ledger["month"].str.fullmatch(r"\d{4}-\d{2}").all()
    assert (ledger["amount_usd"] >= 0).all()
    workload = pd.read_csv(out / "workload.csv")
    assert list(workload.columns) == WORKLOAD_COLUMNS
    summary = json.loads((out / "summary.json").read_text())
    assert summary["seed"] == 20261127
    assert summary["totals_usd"]["cloud-flat"] == pytest.approx(ledger["amount_usd"].sum())
    assert len(summary["scenario_sha256"]) == 64
    assert (out / "scenario.resolved.yaml").is_file()
    assert workload["studies"].sum() == summary["workload"]["studies"]


def test_same_seed_gives_byte_identical_files_and_seed_option_changes_them(small_file, tmp_path):
    a, b, c = tmp_path / "a", tmp_path / "b", tmp_path / "c"
    for out in (a, b):
        assert cli("run", small_file, "--out", out, "-q").returncode == 0
    assert cli("run", small_file, "--out", c, "-q", "--seed", "7").returncode == 0
    for name in ("ledger.csv", "workload.csv"):
        assert (a / name).read_bytes() == (b / name).read_bytes()
        assert (a / name).read_bytes() != (c / name).read_bytes()
    assert json.loads((c / "summary.json").read_text())["seed"] == 7
    assert "seed: 7" in (c / "scenario.resolved.yaml").read_text()


def test_export_trace(small_file, tmp_path):
    out = tmp_path / "out"
    assert cli("run", small_file, "--out", out, "-q", "--export-trace").returncode == 0
    studies = pd.read_csv(out / "trace" / "studies.csv")
    reads = pd.read_csv(out / "trace" / "reads.csv")
    assert list(studies.columns[:6]) == ["study_id", "created", "size_bytes", "objects",
                                         "modality", "patient_id"]
    assert list(reads.columns[:2]) == ["study_id", "time"]
    summary = json.loads((out / "summary.json").read_text())
    assert len(studies) == summary["workload"]["studies"]
    assert len(reads) == summary["workload"]["reads"]


BAD_SCENARIOS = [
    ("unknown field", "workload:\n  annual_studie: 5\n",
     "workload.annual_studie: unknown field; allowed here: annual_studies"),
    ("negative volume", "workload:\n  annual_studies: -5\n",
     "workload.annual_studies: Input should be greater than 0 (got -5)"),
    ("bad date", "start: 2027-02-30\n", "start: "),
    ("bad modality key", "workload:\n  modalities:\n    XX: {share: 0.1}\n",
     "workload.modalities.XX"),
    ("shares", "workload:\n  modalities:\n    CR: {share: 0.9}\n",
     "shares must add up to 1"),
    ("missing trace file",
     "workload:\n  trace: {studies: nowhere.csv}\n  annual_studies: null\n  modalities: null\n"
     "  patients: null\n  priors: null\n  reads: null\n",
     "workload.trace.studies: file not found"),
    ("archive kind", "archives:\n  - {name: x, kind: cloudy, price_usd_per_gib_month: 1, "
     "price_source: s}\n", "archives.0: Input tag 'cloudy' found using 'kind' does not match "
     "any of the expected tags: 'flat', 'cloud'"),
    ("cloud field", "archives:\n  - {name: x, kind: cloud, provider: aws, storage_clas: X}\n",
     "archives.0.storage_clas: unknown field; allowed here: name, kind, provider, catalog"),
    ("yaml syntax", "workload: [unclosed\n", "not valid YAML"),
]


@pytest.mark.parametrize(("label", "override", "expected"), BAD_SCENARIOS,
                         ids=[b[0] for b in BAD_SCENARIOS])
def test_bad_scenarios_exit_2_naming_file_and_field(tmp_path, label, override, expected):
    path = tmp_path / "bad.yaml"
    path.write_text(f"extends: {ACADEMIC}\n{override}")
    for command in (("validate", path), ("run", path, "--out", tmp_path / "out")):
        result = cli(*command)
        assert result.returncode == 2, (label, result.stdout, result.stderr)
        message = " ".join(result.stderr.split())
        assert str(path) in message.replace(" ", "") or str(path) in message
        assert expected in message, message
        assert "Traceback" not in result.stderr
    assert not (tmp_path / "out").exists()  # nothing half-written


def test_malformed_trace_exits_2(tmp_path):
    from tests.conftest import write_trace_scenario

    path = write_trace_scenario(
        tmp_path, "study_id,created,size_bytes,objects,modality,patient_id\nA,yesterday,1,1,CT,p\n"
    )
    result = cli("run", path, "--out", tmp_path / "out")
    assert result.returncode == 2
    assert "studies.csv" in result.stderr and "column created: row 2" in result.stderr
    assert "Traceback" not in result.stderr


def test_refuses_to_replace_a_folder_with_user_files(small_file, tmp_path):
    precious = tmp_path / "mine"
    precious.mkdir()
    (precious / "notes.txt").write_text("keep me")
    result = cli("run", small_file, "--out", precious)
    assert result.returncode == 2
    assert "not an earlier output of this command" in " ".join(result.stderr.split())
    assert (precious / "notes.txt").read_text() == "keep me"


def test_missing_file_and_usage_errors_exit_2(tmp_path):
    result = cli("validate", tmp_path / "nope.yaml")
    assert result.returncode == 2 and "file not found" in result.stderr
    assert cli("run").returncode == 2
    assert "Traceback" not in cli("run").stderr


def test_bundled_scenarios_validate():
    """Every bundled scenario, its catalogs and policies (in this process: one interpreter
    start for all of them)."""
    from typer.testing import CliRunner

    from sim.cli import app

    runner = CliRunner()
    for path in sorted((REPO / "scenarios").glob("*.yaml")):
        result = runner.invoke(app, ["validate", str(path)])
        assert result.exit_code == 0, (path.name, result.output)
        assert "valid scenario" in result.output


@pytest.mark.parametrize(("variant", "tiers"), [
    ("azure", {"Hot", "Cool", "Cold", "Archive"}),
    ("azure-smart-tier", {"Hot", "Cool", "Cold", "SMART_TIER"}),
    ("gcs-lifecycle", {"STANDARD", "NEARLINE", "COLDLINE", "ARCHIVE"}),
])
def test_provider_variants_run_end_to_end(tmp_path, variant, tiers):
    path = tmp_path / "small.yaml"
    path.write_text(f"extends: {REPO / 'scenarios' / f'academic-medical-center-{variant}.yaml'}\n"
                    "horizon_months: 48\nworkload:\n  annual_studies: 6000\n")
    out = tmp_path / "out"
    result = cli("run", path, "--out", out, "-q", "--events")
    assert result.returncode == 0, result.stderr
    ledger = pd.read_csv(out / "ledger.csv")
    assert set(ledger.category) <= set(CATEGORIES)
    assert (ledger.amount_usd >= 0).all()
    assert tiers <= set(ledger.tier)
    summary = json.loads((out / "summary.json").read_text())
    # every catalog but Google's has stand-ins these runs use (Google's were all confirmed)
    assert bool(summary["unconfirmed_prices_used"]) == (not variant.startswith("gcs-"))
    if variant != "azure-smart-tier":  # smart tier's moves are not logged as events
        events = pd.read_csv(out / "events.csv")
        assert "transition" in set(events.event)


def test_reads_parquet_holds_every_read_with_its_time_in_utc(tmp_path):
    """reads.parquet (DESIGN section 4): one row per read of each tiered archive, the columns in
    order, names as categories, times in UTC to the second, as the run's reads table."""
    import sim
    from sim.report.run_outputs import write_run

    scenario = sim.load_scenario(REPO / "scenarios" / "academic-medical-center-hybrid.yaml",
                                 overrides={"workload.annual_studies": 3000,
                                            "horizon_months": 24})
    result = sim.run(scenario)
    written = pd.read_parquet(write_run(result, tmp_path / "out") / "reads.parquet")
    reads = result.reads
    assert list(written.columns) == ["study", "time", "archive", "tier", "latency_s",
                                     "read_kind"]
    assert len(written) == len(reads) and set(written.archive) == set(reads.archive)
    for name in ("archive", "tier", "read_kind"):
        assert isinstance(written[name].dtype, pd.CategoricalDtype)
        assert written[name].astype(str).tolist() == reads[name].astype(str).tolist()
    assert str(written.time.dt.tz) == "UTC"
    start = pd.Timestamp(scenario.start, tz="UTC")
    seconds = (written.time - start) // pd.Timedelta(seconds=1)
    assert seconds.tolist() == reads.time_s.tolist()
    assert written.study.tolist() == reads.study.tolist()
    pd.testing.assert_series_equal(written.latency_s, reads.latency_s, check_names=False)
