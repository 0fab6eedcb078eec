"""`archive-sim calibrate`: a workload generated with known parameters, exported as a PACS study
list and access log (and as DICOM files, an S3 Inventory and a Storage Class Analysis), is
fitted back within stated tolerances; no name, ID or birth date reaches any output; malformed
inputs are refused with file, row and column, and nothing is written."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest
import yaml

from sim.calibrate import Sources, fit_workload, read_sources
from sim.calibrate.privacy import Pseudonymizer
from sim.io.scenario_file import load_scenario
from sim.report.calibration_outputs import write_calibration
from sim.workload import generate_workload
from tests.calibration_data import (
    FAKE_NAMES,
    export_pacs_csv,
    patient_id,
    write_dicom_folder,
    write_s3_inventory,
    write_storage_class_analysis,
)
from tests.conftest import ACADEMIC, small_academic
from tests.test_cli import cli

YEARS = 5


@pytest.fixture(scope="module")
def known():
    """The academic scenario at 30,000 studies a year over five years, kept forever."""
    scenario = small_academic(**{"workload.annual_studies": 30_000,
                                 "horizon_months": 12 * YEARS,
                                 "workload.retention": {"keep_forever": True},
                                 "workload.reads.bulk": []})
    return scenario, generate_workload(scenario)


@pytest.fixture(scope="module")
def calibrated(known, tmp_path_factory):
    scenario, workload = known
    folder = tmp_path_factory.mktemp("pacs")
    studies_csv, access_csv = export_pacs_csv(workload, folder)
    data = read_sources(Sources(studies=studies_csv, reads=access_csv),
                        Pseudonymizer(b"k" * 32, persistent=True))
    fit = fit_workload(data.studies, data.reads, scenario)
    out = write_calibration(data, fit, ACADEMIC, folder / "out", trace=True)
    return scenario, fit, out


def test_round_trip_recovers_the_parameters(calibrated):
    """Tolerances: volume 5 %, shares 0.01, growth 0.03/yr (modalities with 5,000+ studies);
    size median 5 %, sigma 0.05, size growth 0.02/yr; MB per object 5 %; returns (modalities
    with 5,000+ studies) probability 0.05, gap median 25 %, gap sigma 0.25, same modality 0.06;
    report delay 10 %, follow-ups 0.05, decay rates 15 %; priors exactly; ages 0.02; weekday
    profile 0.05."""
    truth, fit, _ = calibrated
    w, got = truth.workload, fit.workload
    expected_next = sum(w.annual_studies * s.share * _year_mean(s.growth, YEARS)
                        for s in w.modalities.values())
    assert got["annual_studies"] == pytest.approx(expected_next, rel=0.05)
    for m, spec in w.modalities.items():
        g = got["modalities"][m]
        n = spec.share * w.annual_studies * YEARS
        grown = spec.share * _year_mean(spec.growth, YEARS) * w.annual_studies / expected_next
        assert g["share"] == pytest.approx(grown, abs=0.01), m
        if n >= 5_000:
            assert g["growth"] == pytest.approx(spec.growth, abs=0.03), m
        median_at_end = spec.size_median_mb * (1 + spec.size_growth) ** YEARS
        assert g["size_median_mb"] == pytest.approx(median_at_end, rel=0.05), m
        assert g["size_sigma"] == pytest.approx(spec.size_sigma, abs=0.05), m
        assert g["size_growth"] == pytest.approx(spec.size_growth, abs=0.02), m
        assert g["instance_mb"] == pytest.approx(spec.instance_mb, rel=0.05), m
        if n >= 5_000:
            r, t = g["returns"], spec.returns
            assert r["probability"] == pytest.approx(t.probability, abs=0.05), m
            assert r["gap_median_days"] == pytest.approx(t.gap_median_days, rel=0.25), m
            assert r["gap_sigma"] == pytest.approx(t.gap_sigma, abs=0.25), m
            assert r["same_modality"] == pytest.approx(t.same_modality, abs=0.06), m
    reads = got["reads"]
    assert reads["report_reads"] == w.reads.report_reads
    assert reads["report_delay_hours"] == pytest.approx(w.reads.report_delay_hours, rel=0.1)
    assert reads["followup_reads"] == pytest.approx(w.reads.followup_reads, abs=0.05)
    for fitted, true in zip(reads["decay"][:4], w.reads.decay[:4], strict=True):
        assert fitted["reads_per_year"] == pytest.approx(true.reads_per_year, rel=0.15)
    assert got["priors"]["count"] == w.priors.count
    assert got["priors"]["match"] == w.priors.match
    for fitted, true in zip(got["patients"]["age_bands"], w.patients.age_bands, strict=True):
        assert fitted["share"] == pytest.approx(true.share, abs=0.02)
    weights = np.array(w.weekday_profile) / np.mean(w.weekday_profile)
    np.testing.assert_allclose(got["weekday_profile"], weights, atol=0.05)


def _year_mean(growth: float, years: float) -> float:
    """Mean of (1 + g)^y over the year after ``years``."""
    if growth == 0:
        return 1.0
    b = math.log1p(growth)
    return math.exp(b * years) * math.expm1(b) / b


def test_outputs_load_and_run(calibrated):
    _, fit, out = calibrated
    scenario = load_scenario(out / "scenario.yaml")
    assert scenario.start.isoformat() == fit.start
    assert scenario.workload.annual_studies == fit.workload["annual_studies"]
    fragment = yaml.safe_load((out / "workload.yaml").read_text())
    assert fragment["workload"]["modalities"]["CT"]["share"] > 0
    summary = json.loads((out / "calibration.json").read_text())
    assert summary["fitted"]["annual_studies"] == fit.workload["annual_studies"]
    trace = load_scenario(out / "trace-scenario.yaml")
    assert trace.workload.trace is not None
    for name in ("volume", "sizes", "returns", "decay"):
        assert (out / "figures" / f"{name}.png").stat().st_size > 5_000
    assert "Expected studies in the 12 months after the data" in (out / "report.md").read_text()


def test_no_patient_data_in_any_output(tmp_path):
    """DICOM files and a study list full of names, IDs, birth dates, UIDs and accession numbers:
    none of them appears in any file the calibration writes (the trace included)."""
    dicom = tmp_path / "dicom"
    secrets = write_dicom_folder(dicom, n_studies=40)
    study_list = tmp_path / "list.csv"
    study_list.write_text(
        "Patient Name,Patient ID,Patient Birth Date,Accession Number,Study Date,Modality,"
        "Study Size (MB),Number of Images\n"
        + "".join(f"{FAKE_NAMES[i % 5]},{patient_id(i)},19{50 + i % 40}0{1 + i % 9}15,"
                  f"ACCL{i:05d},2024-{1 + i % 12:02d}-{1 + i % 27:02d},CT,{100 + i},{200 + i}\n"
                  for i in range(60)))
    out = tmp_path / "out"
    result = cli("calibrate", "--dicom", dicom, "--studies", study_list, "--out", out,
                 "--trace")
    assert result.returncode == 0, result.stderr
    forbidden = set(secrets["names"]) | set(secrets["ids"]) | set(secrets["birth_dates"]) \
        | set(secrets["uids"]) | {n.replace("^", " ") for n in secrets["names"]} \
        | {f"ACCL{i:05d}" for i in range(60)} | {f"ACCD{i:05d}" for i in range(40)} \
        | {patient_id(i) for i in range(60)} | {"Doe", "Richard", "Layla", "Nakamura"}
    birth_iso = {f"{b[:4]}-{b[4:6]}-{b[6:]}" for b in secrets["birth_dates"]}
    files = [p for p in out.rglob("*") if p.is_file()]
    assert len(files) >= 8
    for path in files:
        text = path.read_bytes().decode("latin-1")
        for value in forbidden | birth_iso:
            assert value not in text, (path.name, value)
    trace = (out / "trace" / "studies.csv").read_text().splitlines()
    assert trace[0].endswith("patient_age_years")
    assert all(row.split(",")[-1].isdigit() for row in trace[1:])  # whole years only


def test_dicom_folder_round_trip(tmp_path):
    """Sizes and counts of DICOM studies: the files' bytes and number per StudyInstanceUID."""
    dicom = tmp_path / "dicom"
    write_dicom_folder(dicom, n_studies=80, seed=3)
    data = read_sources(Sources(dicom=dicom), Pseudonymizer(b"x" * 32, persistent=True))
    per_study = {}
    for f in dicom.rglob("*.dcm"):
        per_study.setdefault(f.parent.name, []).append(f.stat().st_size)
    assert len(data.studies) == 80
    assert sorted(data.studies.size_bytes) == sorted(sum(v) for v in per_study.values())
    assert sorted(data.studies.objects) == sorted(len(v) for v in per_study.values())
    assert set(data.studies.modality) == {"CT", "CR", "MR", "US"}
    assert data.studies.age_years.between(0, 100).all()
    assert data.studies.patient.nunique() == 12
    fit = fit_workload(data.studies, None, load_scenario(ACADEMIC))
    ct = data.studies[data.studies.modality == "CT"].size_bytes / 1e6
    assert fit.workload["modalities"]["CT"]["size_median_mb"] == \
        pytest.approx(math.exp(np.log(ct).mean()), rel=0.01)


def test_s3_inventory_and_storage_class_analysis(known, tmp_path):
    scenario, workload = known
    few = small_academic(**{"workload.annual_studies": 600, "horizon_months": 12})
    small = generate_workload(few)
    manifest = write_s3_inventory(small, tmp_path / "inventory")
    sca = tmp_path / "sca.csv"
    rates = {(30, 44): 0.3, (45, 59): 0.3, (60, 74): 0.3, (75, 89): 0.3, (90, 119): 0.3,
             (120, 149): 0.3, (150, 179): 0.3, (180, 364): 0.3, (365, 729): 0.1, (730, None): 0.05}
    write_storage_class_analysis(sca, rates)
    data = read_sources(Sources(s3_inventory=manifest, storage_class_analysis=sca),
                        Pseudonymizer(b"y" * 32, persistent=True))
    assert len(data.studies) == len(small.studies)
    assert data.studies.size_bytes.sum() == small.studies.size_bytes.sum()
    assert set(data.studies.storage_class) == {"GLACIER_IR"}
    counts = data.studies.modality.value_counts()
    truth = np.bincount(small.studies.modality, minlength=len(small.modalities))
    for i, m in enumerate(small.modalities):
        assert counts.get(m, 0) == truth[i]
    fit = fit_workload(data.studies, None, scenario, data.class_analysis)
    decay = fit.workload["reads"]["decay"]
    assert decay[0]["reads_per_year"] == pytest.approx(0.3, rel=1e-3)
    assert decay[-1] == {"from_years": round(730 / 365.25, 4), "reads_per_year": 0.05}


@pytest.mark.parametrize(("content", "expected"), [
    ("Study Date,Modality\n2024-01-01,CT\n",
     "no column found for study, size"),
    ("Accession,Study Date,Modality,Size MB\nA1,2024-01-01,CT,10\nA2,01/02/2024,CT,12\n",
     "column Study Date: row 3 ('01/02/2024') is not an ISO 8601 date"),
    ("Accession,Study Date,Modality,Size MB\nA1,2024-01-01,CT,ten\n",
     "column Size MB: row 2 ('ten') is not a positive size"),
])
def test_malformed_study_lists_are_refused(tmp_path, content, expected):
    path = tmp_path / "studies.csv"
    path.write_text(content)
    out = tmp_path / "out"
    result = cli("calibrate", "--studies", path, "--out", out)
    message = " ".join(result.stderr.split())
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert expected in message and "studies.csv" in message
    assert not out.exists()


def test_unreadable_dicom_and_column_mapping(tmp_path):
    folder = tmp_path / "dicom"
    write_dicom_folder(folder, n_studies=3)
    (folder / "study000" / "broken.dcm").write_bytes(b"not a dicom file at all")
    result = cli("calibrate", "--dicom", folder, "--out", tmp_path / "out")
    assert result.returncode == 2 and "broken.dcm" in result.stderr
    assert "not a readable DICOM file" in " ".join(result.stderr.split())
    # a header nobody could guess, named with --column; US dates with --date-format
    path = tmp_path / "export.csv"
    path.write_text("Exam,When,Type,Bytes Stored\n"
                    + "".join(f"E{i},{1 + i % 12:02d}/15/2024,CT,{10**8 + i}\n"
                              for i in range(40)))
    out = tmp_path / "out2"
    result = cli("calibrate", "--studies", path, "--out", out, "--column", "study=Exam",
                 "--column", "date=When", "--column", "modality=Type",
                 "--column", "size=Bytes Stored", "--date-format", "%m/%d/%Y")
    assert result.returncode == 0, result.stderr
    assert load_scenario(out / "scenario.yaml").workload.modalities["CT"].share == 1.0
    bad = cli("calibrate", "--studies", path, "--out", tmp_path / "out3", "--column",
              "study=Nope")
    assert bad.returncode == 2 and "--column study=Nope: no such column" in bad.stderr


def test_pseudonyms_join_files_and_depend_on_the_key():
    import pandas as pd

    a = Pseudonymizer(b"a" * 32, persistent=True)
    b = Pseudonymizer(b"b" * 32, persistent=True)
    ids = pd.Series(["MRN1", "MRN2", "MRN1", ""])
    first = a(ids, "P")
    assert first[0] == first[2] and first[0] != first[1] and pd.isna(first[3])
    assert first[0] == a(pd.Series(["MRN1"]), "P")[0]  # same key, same pseudonym
    assert first[0] != b(ids, "P")[0]
    assert "MRN1" not in first[0] and len(first[0]) == 17


def test_a_readme_command_runs(tmp_path, known):
    """The README's example: a study list and an access log."""
    _, workload = known
    folder = tmp_path / "export"
    small = generate_workload(small_academic(**{"workload.annual_studies": 3000,
                                                "horizon_months": 24}))
    studies_csv, access_csv = export_pacs_csv(small, folder)
    key = tmp_path / "key.txt"
    key.write_text("a-secret-the-hospital-keeps-0123456789")
    result = cli("calibrate", "--studies", studies_csv, "--reads", access_csv, "--key-file",
                 key, "--out", tmp_path / "calibration")
    assert result.returncode == 0, result.stderr
    assert "Calibrated scenario:" in result.stdout
    assert Path(tmp_path / "calibration" / "scenario.yaml").is_file()


def test_parquet_inventory_as_aws_writes_it(tmp_path):
    """AWS's Parquet inventory: snake_case fields, a timestamp column, a manifest saying so."""
    import pandas as pd

    folder = tmp_path / "inv"
    (folder / "data").mkdir(parents=True)
    frame = pd.DataFrame({
        "bucket": ["b"] * 5,
        "key": ["studies/CT/1.2.3/a.dcm", "studies/CT/1.2.3/b.dcm", "studies/MR/1.2.4/a.dcm",
                "studies/CR/1.2.5/a.dcm", "studies/CR/1.2.5/b.dcm"],
        "size": [100, 200, 300, 400, 500],
        "last_modified_date": pd.to_datetime(["2025-01-01T10:00:00Z", "2025-01-01T10:05:00Z",
                                              "2025-02-01T00:00:00Z", "2025-03-01T00:00:00Z",
                                              "2025-03-01T00:00:01Z"]),
        "storage_class": ["STANDARD", "STANDARD", "GLACIER", "STANDARD", "STANDARD"],
    })
    frame.to_parquet(folder / "data" / "part-0.parquet")
    (folder / "manifest.json").write_text(json.dumps({
        "fileFormat": "Parquet", "fileSchema": "message s3.inventory { ... }",
        "files": [{"key": "x/data/part-0.parquet", "size": 1, "MD5checksum": "0"}]}))
    data = read_sources(Sources(s3_inventory=folder / "manifest.json"),
                        Pseudonymizer(b"z" * 32, persistent=True))
    got = data.studies.sort_values("size_bytes")
    assert got.size_bytes.tolist() == [300, 300, 900]
    assert got.modality.tolist() == ["CT", "MR", "CR"]
    assert got.objects.tolist() == [2, 1, 2]
    assert str(got.time.iloc[0]) == "2025-01-01 10:00:00"


def test_bad_key_pattern_and_sweep_values_are_clear_errors(tmp_path):
    manifest = tmp_path / "inv.csv"
    manifest.write_text('"b","studies/CT/1/a.dcm","10","2025-01-01T00:00:00.000Z","STANDARD"\n')
    result = cli("calibrate", "--s3-inventory", manifest, "--key-pattern", "(?P<study>[",
                 "--out", tmp_path / "out")
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "--key-pattern '(?P<study>[': not a regular expression" in result.stderr
    result = cli("sweep", ACADEMIC, "--set", "seed=[1", "--out", tmp_path / "sweep")
    assert result.returncode == 2 and "--set 'seed=[1': each value must be" in result.stderr
