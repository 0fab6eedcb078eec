"""The policy optimizer: a hand-made case whose optimum is known, the bundled S3 variants beaten
on the academic center cut down, the written documents valid and the variant reproducing the
optimum, every candidate of the default spaces a document the provider accepts, bad input."""

from __future__ import annotations

import datetime as dt
import json
import textwrap
from pathlib import Path

import pandas as pd
import pytest

import sim
from sim.errors import InputError
from sim.io.scenario_file import read_merged
from sim.optimize import CURRENT, bind_space, load_space, parse_constraint, prepare, run_search
from sim.optimize.candidates import key_prefixes
from sim.optimize.space import SpaceFile
from sim.tiering.azure_lifecycle import parse_management_policy
from sim.tiering.gcs_lifecycle import parse_gcs_lifecycle
from sim.tiering.intelligent_tiering import parse_it_configurations
from sim.tiering.s3_lifecycle import parse_lifecycle
from tests.conftest import REPO, SCENARIOS

GIB = 2**30


def never_read_after_day_10(folder: Path) -> Path:
    """40 studies of 4 GiB (one object each), two a day from 2027-01-01; each read 2, 5 and
    9 days after it arrives, never again; kept for the whole year."""
    folder.mkdir(parents=True, exist_ok=True)
    start = dt.datetime(2027, 1, 1, 9, 0)
    studies, reads = [], []
    for i in range(40):
        created = start + dt.timedelta(days=i // 2, hours=3 * (i % 2))
        studies.append(f"S{i},{created:%Y-%m-%dT%H:%M:%SZ},{4 * GIB},1,CT,p{i}")
        for days in (2, 5, 9):
            reads.append(f"S{i},{created + dt.timedelta(days=days):%Y-%m-%dT%H:%M:%SZ}")
    (folder / "studies.csv").write_text(
        "study_id,created,size_bytes,objects,modality,patient_id\n" + "\n".join(studies) + "\n")
    (folder / "reads.csv").write_text("study_id,time\n" + "\n".join(sorted(
        reads, key=lambda r: r.split(",")[1])) + "\n")
    (folder / "scenario.yaml").write_text(textwrap.dedent("""\
        name: never-read-after-day-10
        start: 2027-01-01
        horizon_months: 12
        seed: 1
        workload:
          trace: {studies: studies.csv, reads: reads.csv}
          retention: {keep_forever: true}
        archives:
          - name: s3
            kind: cloud
            provider: aws
            catalog: aws-us-east-1
            storage_class: STANDARD
            restore_tier: Standard
        finance: {discount_rate: 0.0}
        """))
    return folder / "scenario.yaml"


def deep_archive_space(folder: Path, days: str) -> Path:
    """A space file: Deep Archive at these days (YAML list items), Standard restores."""
    space = folder / "space.yaml"
    space.write_text(f"s3:\n  transitions:\n    DEEP_ARCHIVE: [{days}]\n"
                     "  restore_tier: [Standard]\n")
    return space


def test_the_known_optimum_is_found_exactly(tmp_path):
    """By hand: every read falls in a study's first 10 days.  Deep Archive at the first
    midnight (day 0) makes the reads on days 2, 5 and 9 wait hours for a restore, so it breaks
    reads_within_5s>=1.  Every other choice moves the study once (the same transition fee) and
    then pays Deep Archive's $0.00099 instead of STANDARD's $0.023 per GB-month, so the earliest
    move after the last read, day 11, is the cheapest; never moving is the dearest."""
    scenario = never_read_after_day_10(tmp_path / "case")
    space = deep_archive_space(tmp_path, "never, 0, 11, 30, 180")
    search = prepare(scenario, "s3", constraints=["reads_within_5s>=1"], budget=20,
                     space_path=space, recheck=0)
    outcome = run_search(search, tmp_path / "out")
    assert outcome.method.startswith("exhaustive: all 5 distinct")
    table = outcome.table.set_index("all.DEEP_ARCHIVE")
    assert outcome.params[outcome.best]["all.DEEP_ARCHIVE"] == 11
    assert not table.loc[0, "feasible"] and table.loc[0, "reads_within_5s"] < 1
    costs = [table.loc[d, "objective"] for d in (11, 30, 180, "never")]
    assert costs == sorted(costs) and len(set(costs)) == 4
    # the scenario as given (no lifecycle) is the never-move policy, measured on its own
    current = outcome.table.set_index("key").loc[CURRENT, "objective"]
    assert current == pytest.approx(table.loc["never", "objective"], rel=1e-12)


def test_a_search_resumes_without_measuring_anything_again(tmp_path):
    scenario = never_read_after_day_10(tmp_path / "case")
    space = deep_archive_space(tmp_path, "never, 11, 30")
    first = run_search(prepare(scenario, "s3", budget=10, space_path=space, recheck=1),
                       tmp_path / "out")
    again = run_search(prepare(scenario, "s3", budget=10, space_path=space, recheck=1,
                               constraints=["reads_within_5s>=1"]), tmp_path / "out")
    assert first.computed_now == 1 + 3 + 2  # today's policy, 3 candidates; best and today again
    assert again.computed_now == 0
    pd.testing.assert_series_equal(first.table["npv_usd"], again.table["npv_usd"])


SMALL = {"workload.annual_studies": 4000, "horizon_months": 36}
BUNDLED_S3 = ["academic-medical-center-s3-tiered.yaml",
              "academic-medical-center-s3-intelligent-tiering.yaml"]


@pytest.fixture(scope="module")
def academic_search(tmp_path_factory):
    """The S3 tiered variant cut down, searched whole over a space that holds both bundled S3
    policies (IA at 30 then GLACIER_IR at 90; everything to Intelligent-Tiering at day 0 with
    Deep Archive Access after 180 days)."""
    folder = tmp_path_factory.mktemp("academic")
    space = folder / "space.yaml"
    space.write_text(textwrap.dedent("""\
        s3:
          transitions:
            STANDARD_IA: [never, 30]
            INTELLIGENT_TIERING: [never, 0]
            GLACIER_IR: [never, 90, 365]
            DEEP_ARCHIVE: [never, 730]
          intelligent_tiering:
            archive_access_days: [off]
            deep_archive_access_days: [off, 180]
          restore_tier: [Standard]
        """))
    out = folder / "out"
    outcome = sim.optimize_policy(SCENARIOS / BUNDLED_S3[0], "s3-lifecycle", out, budget=100,
                           constraints=["priors_within_5s>=0.99"], space=space, jobs=2,
                           overrides=SMALL, recheck=2)
    return outcome, out


def test_the_optimum_beats_every_bundled_s3_variant_that_meets_the_constraint(academic_search):
    outcome, _ = academic_search
    assert outcome.method.startswith("exhaustive")
    best = outcome.table.set_index("key").loc[outcome.best]
    met = 0
    for name in BUNDLED_S3:
        result = sim.run(sim.load_scenario(SCENARIOS / name, overrides=SMALL))
        reads = next(iter(result.summary["reads_by_archive"].values()))
        if reads["priors_within_target_share"] >= 0.99:
            met += 1
            assert best["npv_usd"] <= sum(result.summary["npv_usd"].values()) + 1e-6
    assert met >= 1  # the tiered variant shows every prior within 5 s
    assert best["priors_within_5s"] >= 0.99
    # today's policy (IA 30, GLACIER_IR 90) is a candidate of the space, measured the same way
    table = outcome.table.set_index("key")
    assert outcome.today_key is not None
    assert table.loc[outcome.today_key, "npv_usd"] == table.loc[CURRENT, "npv_usd"]


def test_the_best_documents_validate_and_the_variant_reproduces_the_optimum(academic_search):
    from typer.testing import CliRunner

    from sim.cli import app

    outcome, out = academic_search
    summary = json.loads((out / "optimize.json").read_text())
    files = summary["best_files"]
    runner = CliRunner()
    for name, relative in files.items():
        if name == "apply":
            continue
        result = runner.invoke(app, ["validate", str(out / relative)])
        assert result.exit_code == 0, result.output
        assert "valid" in result.output
    rerun = sim.run(sim.load_scenario(out / files["scenario"]))
    assert sum(rerun.summary["npv_usd"].values()) == pytest.approx(
        summary["best"]["npv_usd"], rel=1e-12)
    assert (out / "figures" / "pareto.png").stat().st_size > 10_000
    page = (out / "report.html").read_text()
    assert "Which policy should archive s3-lifecycle run?" in page
    assert "data:image/png;base64," in page
    assert len(summary["recheck"]) >= 2  # the best two and today's policy, on seed + 1
    assert {r["key"] for r in summary["recheck"]} >= {summary["best"]["key"], CURRENT}
    assert pd.read_csv(out / "candidates.csv")["key"].nunique() == len(summary["candidates"])


@pytest.mark.parametrize("scenario,provider", [
    ("academic-medical-center-s3-tiered.yaml", "s3"),
    ("academic-medical-center-azure.yaml", "azure"),
    ("academic-medical-center-gcs-lifecycle.yaml", "gcs"),
    ("academic-medical-center-hybrid.yaml", "s3"),
])
def test_every_candidate_of_a_default_space_is_a_document_the_provider_accepts(scenario,
                                                                              provider):
    data = read_merged(SCENARIOS / scenario)
    archive = data["archives"][0]["name"]
    groups = {"s3": "s3: {groups: {mammo: [MG], ct: [CT, MR], rest: rest}}",
              "azure": "azure: {groups: {mammo: [MG], rest: rest}}",
              "gcs": "gcs: {groups: {mammo: [MG], rest: rest}}"}[provider]
    for space in (SpaceFile(), SpaceFile.model_validate(__import__("yaml").safe_load(groups))):
        bound = bind_space(space, data, archive)
        candidates = bound.enumerate(limit=10**9) if bound.raw_size < 3e5 else None
        if candidates is None:  # grouped spaces are too large to list: sample them
            import random

            rng = random.Random(0)
            candidates = [bound.normalize({d.name: rng.choice(d.choices)
                                           for d in bound.dimensions}) for _ in range(2000)]
        assert len(candidates) > 5
        for params in candidates:
            assert bound.normalize(params) == params  # normalizing twice changes nothing
            policy = bound.policy(params)
            for field, doc in policy.documents.items():
                if provider == "s3" and field == "lifecycle":
                    parse_lifecycle(doc)
                elif field == "intelligent_tiering":
                    parse_it_configurations(doc)
                elif provider == "azure":
                    parse_management_policy(doc)
                else:
                    parse_gcs_lifecycle(doc)


def test_todays_policy_is_found_in_the_space_when_it_is_there():
    data = read_merged(SCENARIOS / "academic-medical-center-s3-intelligent-tiering.yaml")
    archive = data["archives"][0]
    bound = bind_space(SpaceFile(), data, archive["name"])
    today = bound.today(archive)
    assert today is not None
    assert today["all.INTELLIGENT_TIERING"] == 0 and today["all.deep_archive_access_days"] == 180
    narrow = SpaceFile.model_validate({"s3": {"intelligent_tiering": {
        "deep_archive_access_days": ["off", 365]}}})
    assert bind_space(narrow, data, archive["name"]).today(archive) is None


def test_equivalent_choices_are_one_candidate():
    data = read_merged(SCENARIOS / "academic-medical-center-s3-tiered.yaml")
    bound = bind_space(SpaceFile(), data, "s3-lifecycle")
    base = {d.name: d.choices[0] for d in bound.dimensions}
    # Deep Archive at day 180 with a STANDARD_IA step at 180 too: the same day, so the colder
    # class wins nothing over the warmer one kept; IT archive tiers without IT do not matter
    a = bound.normalize({**base, "all.STANDARD_IA": 30, "all.DEEP_ARCHIVE": 180,
                         "all.deep_archive_access_days": 365, "restore_tier": "Bulk"})
    b = bound.normalize({**base, "all.STANDARD_IA": 30, "all.DEEP_ARCHIVE": 180,
                         "restore_tier": "Bulk"})
    assert bound.key(a) == bound.key(b)
    # IA at 30 then GLACIER_IR at 30: GLACIER_IR is dropped (same day)
    c = bound.normalize({**base, "all.STANDARD_IA": 30, "all.GLACIER_IR": 30})
    assert c["all.GLACIER_IR"] == "never"
    # IA at 90 then DEEP_ARCHIVE at 180 is kept; IA at 90 then GLACIER (30 days later) needs 30
    d = bound.normalize({**base, "all.STANDARD_IA": 90, "all.DEEP_ARCHIVE": 180})
    assert d["all.DEEP_ARCHIVE"] == 180
    # no archive class reached: the restore tier cannot matter
    e = bound.normalize({**base, "all.STANDARD_IA": 30, "restore_tier": "Bulk"})
    assert e["restore_tier"] == bound.dimensions[-1].choices[0]


def test_group_prefixes_come_from_the_object_key():
    assert key_prefixes("studies/{modality}/{yyyy}/{study_id}", ("MG", "CT"), "g") == \
        ["studies/MG/", "studies/CT/"]
    assert key_prefixes("studies/{modality}/{yyyy}/{study_id}", None, "g") == ["studies/"]
    with pytest.raises(InputError, match="does not start with"):
        key_prefixes("{yyyy}/{modality}/{study_id}", ("MG",), "s3.groups")


def test_constraints_take_summary_names_and_percentages():
    assert parse_constraint("priors_within_target_share>=0.99").measure == "priors_within_5s"
    c = parse_constraint("priors_within_5s >= 99%")
    assert c.bound == pytest.approx(0.99)
    assert c.violation({"priors_within_5s": 0.98}) == pytest.approx(0.01)
    assert c.violation({"priors_within_5s": 0.995}) == 0.0
    m = parse_constraint("missed_reads<=1000")
    assert m.violation({"missed_reads": 1500}) == pytest.approx(0.5)


# ------------------------------------------------------------------------------- bad input


@pytest.fixture
def run_cli(monkeypatch, capsys):
    """The console script in this process: (exit code, stdout + stderr on one line)."""
    from tests.test_hostile_inputs import archive_sim

    return lambda *args: archive_sim(monkeypatch, capsys, *args)


@pytest.mark.parametrize("space,expected", [
    ("s3:\n  restore_tier: []\n", "s3.restore_tier: list at least one choice"),
    ("s3:\n  transitions:\n    STANDARD_IA: [0, 30]\n",
     "s3.transitions: STANDARD_IA: 0 days; objects must be stored at least 30 days"),
    ("s3:\n  intelligent_tiering:\n    deep_archive_access_days: [90]\n",
     "s3.intelligent_tiering.deep_archive_access_days.0: Input should be greater than or "
     "equal to 180; or Input should be 'off' (got 90)"),
    ("s3:\n  transitions:\n    GLACIER_DEEP: [30]\n", "transitions"),
    ("s3:\n  groups: {a: [MG], b: [MG, CT]}\n", "MG is already in group 'a'"),
    ("azure:\n  clock: [modification]\n", "s3: missing; the archive 's3-lifecycle' is on aws"),
    ("s3:\n  colour: [blue]\n", "s3.colour: unknown field"),
    ("s3:\n  transitions: {DEEP_ARCHIVE: [off, 730]}\n", "YAML reads a bare off, no, on"),
    ("s3:\n  groups: {mammo: [MGX]}\n",
     "s3.groups.mammo.0: Input should be 'CR', 'CT', 'MR', 'US', 'MG', 'NM', 'XA' or 'OT'; or "
     "Input should be 'rest' (got 'MGX')"),
    ("s3:\n  transitions: {GLACIER_IRR: [30]}\n", "s3.transitions.GLACIER_IRR: Input should be"),
    ("", "the file is empty; leave --space out for the defaults"),
])
def test_a_bad_space_exits_2_naming_the_file_and_field(tmp_path, run_cli, space, expected):
    path = tmp_path / "space.yaml"
    path.write_text(space)
    code, output = run_cli("optimize", SCENARIOS / "academic-medical-center-s3-tiered.yaml",
                           "--archive", "s3-lifecycle", "--out", tmp_path / "out", "--space",
                           path)
    assert code == 2, output
    assert str(path) in output and expected in output
    assert not (tmp_path / "out").exists()  # nothing written


@pytest.mark.parametrize("args,expected", [
    (["--constraint", "prior_speed>=0.99"], "unknown name 'prior_speed'; allowed: npv_usd"),
    (["--constraint", "priors_within_5s=0.99"], "write NAME>=VALUE or NAME<=VALUE"),
    (["--objective", "cheapest"], "--objective 'cheapest': allowed: npv, total"),
    (["--budget", "0"], "--budget: must be 1 or more"),
])
def test_bad_options_exit_2(tmp_path, run_cli, args, expected):
    code, output = run_cli("optimize", SCENARIOS / "academic-medical-center-s3-tiered.yaml",
                           "--archive", "s3-lifecycle", "--out", tmp_path / "out", *args)
    assert code == 2, output
    assert expected in output
    assert not (tmp_path / "out").exists()


def test_an_archive_without_a_policy_to_search_exits_2(tmp_path, run_cli):
    code, output = run_cli("optimize", SCENARIOS / "academic-medical-center-onprem.yaml",
                           "--archive", "onprem-vna", "--out", tmp_path / "out")
    assert code == 2 and "has no policy document to search" in output, output
    code, output = run_cli("optimize", SCENARIOS / "academic-medical-center-s3-tiered.yaml",
                           "--archive", "nope", "--out", tmp_path / "out")
    assert code == 2 and "its archives: s3-lifecycle" in output, output


def test_the_default_space_loads():
    assert load_space(None) == SpaceFile()
    assert (REPO / "scenarios").is_dir()


def test_serial_processes_and_dask_find_the_same(tmp_path):
    """The TPE path (budget below the space's size) on one process, two local processes and
    a Dask LocalCluster: the same candidates proposed, the same measures."""
    scenario = never_read_after_day_10(tmp_path / "case")
    space = tmp_path / "space.yaml"
    space.write_text("s3:\n  transitions:\n    STANDARD_IA: [never, 30]\n"
                     "    GLACIER_IR: [never, 0, 11, 60]\n    DEEP_ARCHIVE: [never, 11, 90]\n"
                     "  restore_tier: [Standard, Bulk]\n")
    tables = []
    for name, jobs, scheduler in (("serial", 1, None), ("pool", 2, None),
                                  ("dask", 2, "local")):
        search = prepare(scenario, "s3", constraints=["reads_within_5s>=1"], budget=9,
                         space_path=space, recheck=1)
        outcome = run_search(search, tmp_path / name, jobs=jobs, scheduler=scheduler)
        assert outcome.method.startswith("Optuna TPE")
        tables.append(outcome.table.drop(columns="run_s"))
    pd.testing.assert_frame_equal(tables[0], tables[1])
    pd.testing.assert_frame_equal(tables[0], tables[2])


def test_a_hybrid_search_writes_a_variant_that_reproduces_it(tmp_path):
    """The hybrid's cache window and capacity with its cloud part's Deep Archive Access days:
    all four candidates measured; the best one's scenario variant gives the same NPV."""
    space = tmp_path / "space.yaml"
    space.write_text(textwrap.dedent("""\
        hybrid: {window_months: [12, 24], capacity_tb: [none, 5]}
        s3:
          transitions: {INTELLIGENT_TIERING: [never]}
          intelligent_tiering: {archive_access_days: [off], deep_archive_access_days: [180]}
          restore_tier: [Standard]
        """))
    out = tmp_path / "out"
    outcome = sim.optimize_policy(SCENARIOS / "academic-medical-center-hybrid.yaml", "hybrid",
                                  out, space=space, recheck=0, budget=10,
                                  overrides={"workload.annual_studies": 2000,
                                             "horizon_months": 24})
    assert outcome.method.startswith("exhaustive: all 4 distinct")
    assert outcome.today_key is not None  # a 24-month window, no capacity: in the space
    summary = json.loads((out / "optimize.json").read_text())
    variant = out / summary["best_files"]["scenario"]
    rerun = sim.run(sim.load_scenario(variant))
    assert sum(rerun.summary["npv_usd"].values()) == pytest.approx(
        summary["best"]["npv_usd"], rel=1e-12)
    assert "On-prem cache:" in (out / "best" / "APPLY.md").read_text()


@pytest.mark.parametrize("scenario", [
    "academic-medical-center-s3-tiered.yaml", "academic-medical-center-azure.yaml",
    "academic-medical-center-gcs-lifecycle.yaml", "academic-medical-center-hybrid.yaml"])
def test_a_written_candidate_is_recognised_as_todays_policy(tmp_path, scenario):
    """Put a candidate's documents and settings into the scenario: the space finds that same
    candidate as today's policy (S3, Azure, GCS, a hybrid's cloud part)."""
    import copy
    import random

    from sim.optimize.search import apply_policy

    data = read_merged(SCENARIOS / scenario)
    name = data["archives"][0]["name"]
    bound = bind_space(SpaceFile(), data, name)
    rng = random.Random(3)
    for k in range(25):
        params = bound.normalize({d.name: rng.choice(d.choices) for d in bound.dimensions})
        written = copy.deepcopy(data)
        apply_policy(written, bound, params, tmp_path / f"c{k}")
        assert bound.today(written["archives"][0]) == params, params


def test_earlier_measurements_count_and_ties_prefer_today(tmp_path):
    """A search with a small budget, then one with a constraint in the same folder: the
    second's table holds every candidate the first measured.  A Deep Archive step after the
    run's end costs nothing in it: today's policy (no lifecycle) wins the tie over it."""
    scenario = never_read_after_day_10(tmp_path / "case")
    space = deep_archive_space(tmp_path, "never, 11, 30, 5000")
    first = run_search(prepare(scenario, "s3", budget=10, space_path=space, recheck=0),
                       tmp_path / "out")
    assert first.method.startswith("exhaustive: all 4")
    again = run_search(prepare(scenario, "s3", budget=10, space_path=space, recheck=0,
                               constraints=["npv_usd<=1e9"]), tmp_path / "out")
    assert set(again.table["key"]) == set(first.table["key"])
    table = first.table.set_index("all.DEEP_ARCHIVE")
    assert table.loc[5000, "objective"] == table.loc["never", "objective"]
    costly = run_search(prepare(scenario, "s3", budget=10, space_path=space, recheck=0,
                                constraints=["reads_within_5s>=1", "npv_usd>=" + str(
                                    table.loc[30, "objective"] + 1)]), tmp_path / "out")
    assert costly.best == costly.today_key  # never moving, not the step at day 5000
    assert costly.verdict == "keep"


def test_constraint_bounds_outside_what_a_measure_takes_are_refused():
    with pytest.raises(InputError, match="for a percentage write e.g. priors_within_5s>=99%"):
        parse_constraint("priors_within_5s>=99")
    with pytest.raises(InputError, match="missed_reads is never negative"):
        parse_constraint("missed_reads<=-5")
