"""Hostile and broken input: each exact input ends in exit 2 and a message naming the file, the
field or the option, never a traceback or a hang; output stays inside --out; nothing is left
behind by a refused or killed run."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from sim.cli import main
from sim.errors import InputError
from sim.report.calibration_outputs import _check_loads
from tests.conftest import ACADEMIC, REPO, SCENARIOS, write_trace_scenario

SMALL = f"extends: {ACADEMIC}\nname: small\nhorizon_months: 12\nworkload:\n  annual_studies: 2000\n"
BOMB = "".join(
    f"{chr(97 + i)}: &{chr(97 + i)} [{', '.join([f'*{chr(96 + i)}'] * 9) if i else '1, 1'}]\n"
    for i in range(10))


def archive_sim(monkeypatch, capsys, *args) -> tuple[int, str]:
    """Run the console script in this process: (exit code, stdout + stderr on one line)."""
    monkeypatch.setattr(sys, "argv", ["archive-sim", *map(str, args)])
    code = 0
    try:
        main()
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
    captured = capsys.readouterr()
    return code, " ".join((captured.out + captured.err).split())


@pytest.mark.parametrize(("text", "expected"), [
    (SMALL + "finance: &f\n  discount_rate: 0.05\n  again: *f\n",
     "an alias refers to a value that contains it (a cycle)"),
    (SMALL + "description: x\n" + BOMB, "aliases expand to more than 1,000,000 values"),
    (SMALL + "description: " + "[" * 3000 + "]" * 3000 + "\n", "nested too deeply"),
    (SMALL + "seed: 1\nseed: 2\n", "duplicate key 'seed' (first on line"),
    (SMALL + "  modalities:\n    CT:\n      size_median_mb: .inf\n",
     "workload.modalities.CT.size_median_mb"),
    (SMALL.replace("name: small", "name: \"a\\0b\""),
     "name: must not contain control characters"),
], ids=["self-alias", "alias-bomb", "deep", "duplicate-key", "inf", "nul-name"])
def test_bad_scenario_files_are_named(tmp_path, monkeypatch, capsys, text, expected):
    path = tmp_path / "bad.yaml"
    path.write_text(text)
    code, said = archive_sim(monkeypatch, capsys, "validate", path)
    assert code == 2 and str(path) in said and expected in said, said
    assert "Traceback" not in said


@pytest.mark.parametrize(("extra", "expected"), [
    ("  annual_studies: 1000000000000\n",
     "small.yaml: workload: about 1.01e+12 studies would be drawn"),
    ("  modalities:\n    CT:\n      size_median_mb: 1.0e+300\n",
     "small.yaml: workload.modalities.CT: drawn study sizes reach"),
], ids=["too-many-studies", "huge-sizes"])
def test_workloads_that_cannot_be_held_are_refused_before_drawing(tmp_path, monkeypatch, capsys,
                                                                   extra, expected):
    path = tmp_path / "small.yaml"
    path.write_text(SMALL.replace("  annual_studies: 2000\n", extra))
    code, said = archive_sim(monkeypatch, capsys, "run", path, "--out", tmp_path / "out")
    assert code == 2 and expected in said, said
    assert not (tmp_path / "out").exists()


def test_out_folders_that_cannot_be_written_are_refused_before_running(tmp_path, monkeypatch,
                                                                        capsys):
    scenario = tmp_path / "small.yaml"
    scenario.write_text(SMALL)
    a_file = tmp_path / "a-file"
    a_file.write_text("x")
    cases = [
        (a_file / "sub", "is a file, so no folder can be made under it"),
        (Path("/sys/archive-sim-out"), "--out: cannot create folders in /sys"),
        (tmp_path / ("n" * 300), "bytes long; at most 215 are allowed"),
        (tmp_path / ("deep/" * 900), "at most 3,996 are allowed"),
    ]
    for out, expected in cases:
        code, said = archive_sim(monkeypatch, capsys, "run", scenario, "--out", out)
        assert code == 2 and expected in said, (out, said)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a-file", "small.yaml"]


@pytest.mark.parametrize(("name", "text", "expected"), [
    ("deep.json", '{"Rules": ' + "[" * 100_000 + "]" * 100_000 + "}", "nested too deeply"),
    ("deep.xml", "<LifecycleConfiguration>" + "<Rule>" * 100_000 + "</Rule>" * 100_000
     + "</LifecycleConfiguration>", "nested too deeply"),
    ("twice.json", '{"Rules": [], "Rules": []}', "key 'Rules' appears twice in one object"),
    ("entities.xml", '<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaa">]>'
     "<LifecycleConfiguration>&a;</LifecycleConfiguration>",
     "XML with a DOCTYPE or ENTITY declaration is not accepted"),
])
def test_bad_policy_documents_are_named(tmp_path, monkeypatch, capsys, name, text, expected):
    path = tmp_path / name
    path.write_text(text)
    code, said = archive_sim(monkeypatch, capsys, "validate", path)
    assert code == 2 and str(path) in said and expected in said, said


def test_bad_command_options_are_named(tmp_path, monkeypatch, capsys):
    studies = tmp_path / "studies.csv"
    studies.write_text("StudyInstanceUID,Study Date,Modality,Study Size\n")
    cases = [
        (["calibrate", "--studies", studies, "--date-format", "%Q", "--out", tmp_path / "c1"],
         "--date-format '%Q': not a usable strftime format"),
        (["calibrate", "--studies", studies, "--column", "nofield=Study Date", "--out",
          tmp_path / "c2"], "--column 'nofield=Study Date': 'nofield' is not a field; allowed:"),
        (["calibrate", "--studies", studies, "--out", tmp_path / "c3"],
         f"{studies.name}: 0 studies: calibration needs at least 10 studies"),
        (["montecarlo", SCENARIOS / "academic-medical-center.yaml", "--jobs", "0", "--out",
          tmp_path / "mc"], "--jobs: must be 1 or more (got 0)"),
    ]
    for args, expected in cases:
        code, said = archive_sim(monkeypatch, capsys, *args)
        assert code == 2 and expected in said, (args, said)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["studies.csv"]


def test_option_names_become_safe_folders_inside_out(tmp_path, monkeypatch, capsys):
    """Names that are absolute paths, climb out with .., are long or not ASCII: every file of
    the comparison lands inside --out, each option in its own folder."""
    names = ["/tmp/absolute-name", "../../escape", "x" * 190, "Hôpital Nord", "Hopital/Nord"]
    files = []
    for i, name in enumerate(names):
        path = write_trace_scenario(tmp_path / f"s{i}", "study_id,created,size_bytes,objects,"
                                    "modality,patient_id\nA,2027-01-01T00:00:00Z,1000,1,CT,p\n")
        path.write_text(path.read_text().replace("name: trace-test", f"name: {json.dumps(name)}"))
        files.append(path)
    out = tmp_path / "work" / "out"
    code, said = archive_sim(monkeypatch, capsys, "compare", *files, "--out", out)
    assert code == 0, said
    assert sorted(p.name for p in tmp_path.iterdir()) == ["s0", "s1", "s2", "s3", "s4", "work"]
    assert [p.name for p in (tmp_path / "work").iterdir()] == ["out"]
    folders = json.loads((out / "comparison.json").read_text())["run_folders"]
    assert folders == {"/tmp/absolute-name": "runs/tmp-absolute-name", "../../escape":
                       "runs/escape", "x" * 190: "runs/" + "x" * 80,
                       "Hôpital Nord": "runs/Hopital-Nord", "Hopital/Nord": "runs/Hopital-Nord-2"}
    for folder in folders.values():
        assert (out / folder / "ledger.csv").is_file() and (out / folder / "summary.json").is_file()
    assert not Path("/tmp/absolute-name").exists()


def test_a_refused_batch_leaves_nothing_that_blocks_the_corrected_one(tmp_path, monkeypatch,
                                                                      capsys):
    """A Monte Carlo draw of horizon_months below 1 is refused before batch.json is written;
    the corrected file then runs in the same folder."""
    path = write_trace_scenario(tmp_path / "s", "study_id,created,size_bytes,objects,modality,"
                                "patient_id\nA,2027-01-01T00:00:00Z,1000,1,CT,p\n")
    plain = path.read_text()
    path.write_text(plain.replace("horizon_months: 3",
                                  "horizon_months: {dist: uniform, low: -20, high: 30, "
                                  "integer: true}"))
    out = tmp_path / "mc"
    code, said = archive_sim(monkeypatch, capsys, "montecarlo", path, "--runs", "20", "--out",
                             out, "-j", "1", "-q")
    assert code == 2 and "horizon_months" in said, said
    assert not (out / "batch.json").exists()
    path.write_text(plain.replace("horizon_months: 3",
                                  "horizon_months: {dist: uniform, low: 2, high: 4, "
                                  "integer: true}"))
    code, said = archive_sim(monkeypatch, capsys, "montecarlo", path, "--runs", "2", "--out",
                             out, "-j", "1", "-q")
    assert code == 0, said
    assert (out / "montecarlo.json").is_file()


def test_stale_staging_folders_of_killed_runs_are_removed(tmp_path, monkeypatch, capsys):
    scenario = tmp_path / "small.yaml"
    scenario.write_text(SMALL)
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)
    dead_pid = int(gone.stdout)
    stale = [tmp_path / f".out.{dead_pid}.k3j2h1", tmp_path / f".out.old.{dead_pid}.z9y8"]
    live = tmp_path / f".out.{os.getpid()}.busy"  # a writer still running: left alone
    for folder in [*stale, live]:
        (folder / "figures").mkdir(parents=True)
    code, said = archive_sim(monkeypatch, capsys, "run", scenario, "--out", tmp_path / "out")
    assert code == 0, said
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["small.yaml", "out", live.name])


def _children(pid: int) -> set[int]:
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return set()
    return {int(p) for p in text.split()}


def _running(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state not in ("Z", "X")


@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="needs Linux /proc")
def test_pool_workers_exit_when_the_main_process_is_killed(tmp_path):
    path = tmp_path / "mc.yaml"
    path.write_text(f"extends: {SCENARIOS / 'academic-medical-center-s3-tiered.yaml'}\n"
                    "horizon_months: 24\nworkload:\n  annual_studies: 20000\n  modalities:\n"
                    "    CT:\n      growth: {dist: uniform, low: 0.0, high: 0.1}\n")
    main_process = subprocess.Popen(
        [sys.executable, "-m", "sim.cli", "montecarlo", str(path), "--runs", "200", "-j", "2",
         "-q", "--out", str(tmp_path / "mc")], cwd=REPO, stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 120
        workers: set[int] = set()
        while len(workers) < 2 and time.monotonic() < deadline and main_process.poll() is None:
            workers = _children(main_process.pid)
            time.sleep(0.2)
        assert len(workers) >= 2, "the pool never started"
        time.sleep(1.0)  # the workers are computing
    finally:
        main_process.send_signal(signal.SIGKILL)
        main_process.wait()
    deadline = time.monotonic() + 20
    while any(_running(w) for w in workers) and time.monotonic() < deadline:
        time.sleep(0.2)
    alive = [w for w in workers if _running(w)]
    for w in alive:
        os.kill(w, signal.SIGKILL)
    assert not alive, "pool workers outlived the killed main process"


def test_a_calibrated_scenario_that_does_not_load_names_the_inputs(tmp_path):
    (tmp_path / "scenario.yaml").write_text(f"extends: {ACADEMIC}\nname: calibrated\n"
                                            "workload:\n  modalities:\n    CT:\n"
                                            "      growth: 39.5\n")
    with pytest.raises(InputError) as info:
        _check_loads(tmp_path, ["study list tiny.csv: 24 studies"])
    message = info.value.message
    assert "the scenario.yaml fitted from study list tiny.csv: 24 studies is not a valid " \
           "scenario, so nothing was written" in message
    assert "workload.modalities.CT.growth" in message
    assert str(tmp_path) not in message  # the staging folder is gone when this is read


def test_growth_from_a_few_random_studies_is_not_fitted(tmp_path, monkeypatch, capsys):
    rows = ["StudyInstanceUID,Study Date,Modality,Study Size,Patient ID"]
    for i in range(24):  # 24 studies over two years, a few of each modality
        rows.append(f"1.2.{i},{2025 + i % 2}{1 + i % 12:02d}{1 + i % 27:02d},"
                    f"{('CT', 'MR', 'CR')[i % 3]},{(i + 1) * 7_000_000},P{i % 20}")
    (tmp_path / "tiny.csv").write_text("\n".join(rows) + "\n")
    code, said = archive_sim(monkeypatch, capsys, "calibrate", "--studies",
                             tmp_path / "tiny.csv", "--out", tmp_path / "cal")
    assert code == 0, said
    assert "CT: growth not fitted from 7 studies (needs 100); the base scenario's 0.037 is " \
           "kept" in said
    assert "growth" not in json.loads((tmp_path / "cal" / "calibration.json").read_text()
                                      )["fitted"]["modalities"]["CT"]


@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="needs Linux /proc")
def test_a_forked_worker_exits_when_its_parent_is_killed(tmp_path):
    """The mechanism shard workers use (sim.shards._child calls exit_with_parent first)."""
    script = ("import multiprocessing as mp, os, time\n"
              "from sim.lifeline import exit_with_parent\n"
              "def work(parent):\n    exit_with_parent(parent, 0.1)\n    time.sleep(120)\n"
              "if __name__ == '__main__':\n"
              "    child = mp.get_context('fork').Process(target=work, args=(os.getpid(),))\n"
              "    child.start()\n"
              "    print(child.pid, flush=True)\n    time.sleep(120)\n")
    parent = subprocess.Popen([sys.executable, "-c", script], cwd=REPO, stdout=subprocess.PIPE,
                              text=True)
    child = int(parent.stdout.readline())
    parent.send_signal(signal.SIGKILL)
    parent.wait()
    deadline = time.monotonic() + 10
    while _running(child) and time.monotonic() < deadline:
        time.sleep(0.1)
    still = _running(child)
    if still:
        os.kill(child, signal.SIGKILL)
    assert not still, "the forked worker outlived its parent"


def test_every_command_checks_out_before_work(tmp_path, monkeypatch, capsys):
    uncertain = tmp_path / "u.yaml"
    uncertain.write_text(SMALL + "  modalities:\n    CT:\n"
                         "      growth: {dist: uniform, low: 0.0, high: 0.1}\n")
    plain = tmp_path / "p.yaml"
    plain.write_text(SMALL)
    a_file = tmp_path / "a-file"
    a_file.write_text("x")
    out = a_file / "sub"
    for args in (["montecarlo", uncertain, "--runs", "2"], ["sensitivity", uncertain],
                 ["sweep", plain, "--set", "seed=1,2"], ["compare", plain, uncertain],
                 ["calibrate", "--studies", plain]):
        code, said = archive_sim(monkeypatch, capsys, *args, "-q" if args[0] not in (
            "calibrate",) else "--trace", "--out", out)
        assert code == 2 and "is a file, so no folder can be made under it" in said, (args, said)
