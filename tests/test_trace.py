"""Trace replay: the given studies and reads come back exactly; bad rows are named."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import yaml

import sim
from sim.errors import InputError
from sim.report.run_outputs import write_trace
from sim.workload import ReadKind
from tests.conftest import small_academic, write_trace_scenario

STUDIES = """
study_id,created,size_bytes,objects,modality,patient_id,patient_age_years
1.2.840.9,2027-01-03T10:15:30Z,5000000,2,DX,alice,71
1.2.840.7,2027-01-02T08:00:00Z,350000000,680,CT,bob,44.5
1.2.840.8,2027-02-10T23:59:59+00:00,80000000,9,MR,alice,71.1
1.2.840.6,2027-03-01T00:00:00.750Z,1,1,PT,carol,30
"""
READS = """
study_id,time
1.2.840.7,2027-01-02T09:00:00Z
1.2.840.9,2027-01-03T10:20:00Z
1.2.840.7,2027-02-10T23:59:59Z
1.2.840.8,2027-03-05T12:00:00Z
1.2.840.6,2027-03-01T00:00:01Z
"""


def test_trace_replays_studies_and_reads_exactly(tmp_path):
    scenario = sim.load_scenario(write_trace_scenario(tmp_path, STUDIES, READS))
    w = sim.load_workload(scenario)
    st, rd = w.studies, w.reads
    assert list(st.study_uid) == ["1.2.840.7", "1.2.840.9", "1.2.840.8", "1.2.840.6"]
    stamps = np.datetime_as_string(w.calendar.timestamps(st.created_s), unit="s")
    assert list(stamps) == ["2027-01-02T08:00:00", "2027-01-03T10:15:30", "2027-02-10T23:59:59",
                            "2027-03-01T00:00:00"]  # fractions of a second are dropped
    assert list(st.size_bytes) == [350000000, 5000000, 80000000, 1]
    assert list(st.objects) == [680, 2, 9, 1]
    assert [w.modalities[m] for m in st.modality] == ["CT", "CR", "MR", "NM"]  # DX->CR, PT->NM
    assert list(st.patient) == [0, 1, 1, 2]  # bob first, then alice (twice), then carol
    np.testing.assert_allclose(st.age_years, [44.5, 71, 71.1, 30], rtol=1e-6)
    read_uids = [st.study_uid[i] for i in rd.study]
    read_times = list(np.datetime_as_string(w.calendar.timestamps(rd.time_s), unit="s"))
    assert list(zip(read_uids, read_times, strict=True)) == [
        ("1.2.840.7", "2027-01-02T09:00:00"),
        ("1.2.840.9", "2027-01-03T10:20:00"),
        ("1.2.840.7", "2027-02-10T23:59:59"),
        ("1.2.840.6", "2027-03-01T00:00:01"),
        ("1.2.840.8", "2027-03-05T12:00:00"),
    ]
    assert np.all(rd.kind == ReadKind.TRACE)


def test_exported_trace_replays_to_the_same_ledger(tmp_path):
    """A generated run, exported with --export-trace and replayed, bills the same to the cent
    and reproduces every study and read time."""
    scenario = small_academic(**{"horizon_months": 12, "workload.annual_studies": 5000})
    original = sim.run(scenario)
    write_trace(original.workload, tmp_path / "trace")
    replay_file = tmp_path / "replay.yaml"
    data = scenario.model_dump(mode="json")
    workload = data["workload"]
    for key in ("annual_studies", "modalities", "patients", "priors", "reads"):
        workload.pop(key)
    workload["trace"] = {"studies": "trace/studies.csv", "reads": "trace/reads.csv"}
    replay_file.write_text(yaml.safe_dump(data))
    replayed = sim.run(sim.load_scenario(replay_file))
    pd.testing.assert_frame_equal(original.ledger, replayed.ledger)
    a, b = original.workload, replayed.workload
    assert np.array_equal(a.studies.created_s, b.studies.created_s)
    assert np.array_equal(a.studies.size_bytes, b.studies.size_bytes)
    assert np.array_equal(a.studies.delete_s, b.studies.delete_s)
    assert np.array_equal(a.reads.time_s, b.reads.time_s)
    assert np.array_equal(a.reads.study, b.reads.study)


@pytest.mark.parametrize(
    ("studies", "reads", "file", "expected"),
    [
        ("A,2027-13-01T00:00:00Z,10,1,CT,p", None, "studies.csv",
         "column created: row 2 ('2027-13-01T00:00:00Z') is not an ISO 8601 time"),
        ("A,2027-01-01T00:00:00Z,-5,1,CT,p", None, "studies.csv",
         "column size_bytes: row 2 ('-5') is not a whole number from 1 to "
         "1,125,899,906,842,624"),
        ("A,2027-01-01T00:00:00Z,inf,1,CT,p", None, "studies.csv",
         "column size_bytes: row 2 ('inf') is not a whole number from 1 to"),
        ("A,2027-01-01T00:00:00Z,1e300,1,CT,p", None, "studies.csv",
         "column size_bytes: row 2 ('1e300') is not a whole number from 1 to"),
        ("A,2027-01-01T00:00:00Z,10,0,CT,p", None, "studies.csv",
         "column objects: row 2 ('0') is not a whole number from 1 to 2,147,483,647"),
        ("A,2027-01-01T00:00:00Z,10,1e300,CT,p", None, "studies.csv",
         "column objects: row 2 ('1e300') is not a whole number from 1 to 2,147,483,647"),
        ("A,2027-01-01T00:00:00Z,10,nan,CT,p", None, "studies.csv",
         "column objects: row 2 ('nan') is not a whole number from 1 to 2,147,483,647"),
        ("A,2027-01-01T00:00:00Z,10,1,ZZ,p", None, "studies.csv",
         "column modality: row 2 ('ZZ') is not a known modality; allowed: CR, CT"),
        ("A,2026-12-31T00:00:00Z,10,1,CT,p", None, "studies.csv",
         "column created: row 2 ('2026-12-31T00:00:00Z') is outside the run"),
        ("A,2027-01-01T00:00:00Z,10,1,CT,", None, "studies.csv",
         "column patient_id: row 2 is empty"),
        ("A,2027-01-05T00:00:00Z,10,1,CT,p", "B,2027-01-06T00:00:00Z", "reads.csv",
         "column study_id: row 2 ('B') is not a study_id in studies.csv"),
        ("A,2027-01-05T00:00:00Z,10,1,CT,p", "A,2027-01-04T00:00:00Z", "reads.csv",
         "column time: row 2 is before the study was created"),
        ("A,2027-01-05T00:00:00Z,10,1,CT,p\nA,2027-01-06T00:00:00Z,10,1,CT,p", None,
         "studies.csv", "column study_id: row 3 ('A') repeats an earlier study_id"),
    ],
)
def test_malformed_trace_rows_are_named(tmp_path, studies, reads, file, expected):
    header = "study_id,created,size_bytes,objects,modality,patient_id\n"
    reads_csv = None if reads is None else "study_id,time\n" + reads + "\n"
    path = write_trace_scenario(tmp_path, header + studies + "\n", reads_csv)
    with pytest.raises(InputError) as info:
        sim.run(sim.load_scenario(path))
    assert info.value.file.endswith(file)
    assert expected in info.value.message


def test_missing_column_is_named(tmp_path):
    path = write_trace_scenario(tmp_path, "study_id,created,size_bytes\nA,2027-01-01,1\n")
    with pytest.raises(InputError, match="missing column\\(s\\) objects, modality, patient_id"):
        sim.run(sim.load_scenario(path))


def test_minors_rule_needs_ages(tmp_path):
    path = write_trace_scenario(
        tmp_path,
        "study_id,created,size_bytes,objects,modality,patient_id\nA,2027-01-01,1,1,CT,p\n",
        retention="adult_years: 7\n    minors: {below_age: 18, until_age: 18}",
    )
    with pytest.raises(InputError, match="patient_age_years is missing"):
        sim.run(sim.load_scenario(path))
