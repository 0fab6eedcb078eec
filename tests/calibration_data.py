"""Synthetic hospital data for calibration tests: a generated workload exported the way a PACS
exports a study list and an access log (with names, IDs and birth dates that must never reach an
output), DICOM files made with pydicom, an S3 Inventory report and a Storage Class Analysis
export."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import numpy as np
import pandas as pd

from sim.workload.model import Workload

FAKE_NAMES = ("Doe^Jane", "Roe^Richard", "Public^John^Q", "Moustafa^Layla", "Nakamura^Ken")


def patient_id(p: int) -> str:
    return f"MRN{7_000_000 + p}"


def birth_date(p: int) -> str:
    return f"19{40 + p % 55:02d}{1 + p % 12:02d}{1 + p % 28:02d}"


def export_pacs_csv(workload: Workload, folder: Path) -> tuple[Path, Path]:
    """studies.csv and access.csv as a PACS would export them (identifying columns included)."""
    folder.mkdir(parents=True, exist_ok=True)
    st, rd, cal = workload.studies, workload.reads, workload.calendar
    stamps = pd.to_datetime(cal.timestamps(st.created_s))
    # birth date so that the age at the study is the model's age
    birth = stamps - pd.to_timedelta(np.asarray(st.age_years, dtype=float) * 365.25, unit="D")
    accession = np.char.add("ACC", np.arange(len(st)).astype(str))
    studies = pd.DataFrame({
        "Accession Number": accession,
        "Patient ID": [patient_id(p) for p in st.patient],
        "Patient Name": [FAKE_NAMES[p % len(FAKE_NAMES)] for p in st.patient],
        "Patient Birth Date": birth.strftime("%Y%m%d"),
        "Study Date": stamps.strftime("%Y%m%d"),
        "Study Time": stamps.strftime("%H%M%S"),
        "Modality": np.asarray(workload.modalities, dtype=object)[st.modality],
        "Study Size (MB)": st.size_bytes / 1e6,
        "Number of Images": st.objects,
    })
    studies_csv = folder / "studies.csv"
    studies.to_csv(studies_csv, index=False)
    access = pd.DataFrame({
        "Accession Number": accession[rd.study],
        "Access Time": pd.to_datetime(cal.timestamps(rd.time_s)).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "User": np.char.add("dr.smith", (rd.study % 7).astype(str)),
    })
    access_csv = folder / "access.csv"
    access.to_csv(access_csv, index=False)
    return studies_csv, access_csv


def write_dicom_folder(folder: Path, n_studies: int = 60, seed: int = 1) -> dict:
    """Small DICOM files (headers and a little pixel data) for ``n_studies`` studies of a few
    patients; returns the identifying values written (names, IDs, birth dates, UIDs)."""
    from pydicom.dataset import FileDataset, FileMetaDataset
    from pydicom.uid import ExplicitVRLittleEndian, generate_uid

    rng = np.random.default_rng(seed)
    folder.mkdir(parents=True, exist_ok=True)
    secrets = {"names": set(), "ids": set(), "birth_dates": set(), "uids": set()}
    modalities = ["CT", "CR", "MR", "US"]
    for s in range(n_studies):
        p = s % 12
        uid = generate_uid()
        modality = modalities[s % len(modalities)]
        date = pd.Timestamp("2024-01-01") + pd.Timedelta(days=int(rng.integers(0, 400)))
        name, pid, birth = FAKE_NAMES[p % len(FAKE_NAMES)], patient_id(p), birth_date(p)
        secrets["names"].add(name)
        secrets["ids"].add(pid)
        secrets["birth_dates"].add(birth)
        secrets["uids"].add(uid)
        for i in range(int(rng.integers(2, 6))):
            meta = FileMetaDataset()
            meta.MediaStorageSOPClassUID = "1.2.840.10008.5.1.4.1.1.2"
            meta.MediaStorageSOPInstanceUID = generate_uid()
            meta.TransferSyntaxUID = ExplicitVRLittleEndian
            path = folder / f"study{s:03d}" / f"img{i:03d}.dcm"
            path.parent.mkdir(exist_ok=True)
            ds = FileDataset(str(path), {}, file_meta=meta, preamble=b"\0" * 128)
            ds.PatientName = name
            ds.PatientID = pid
            ds.PatientBirthDate = birth
            ds.StudyInstanceUID = uid
            ds.SeriesInstanceUID = generate_uid()
            ds.SOPInstanceUID = meta.MediaStorageSOPInstanceUID
            ds.StudyDate = date.strftime("%Y%m%d")
            ds.StudyTime = "101500"
            ds.Modality = modality
            ds.AccessionNumber = f"ACCD{s:05d}"
            ds.PixelData = bytes(int(rng.integers(20_000, 60_000)))
            ds.save_as(path, enforce_file_format=True)
    return secrets


def write_s3_inventory(workload: Workload, folder: Path, objects_cap: int = 20) -> Path:
    """An S3 Inventory report (manifest.json and one CSV.gz) of the workload's studies, each
    stored as min(objects, cap) objects under studies/{modality}/{study}/."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "data").mkdir(exist_ok=True)
    st, cal = workload.studies, workload.calendar
    stamps = pd.to_datetime(cal.timestamps(st.created_s))
    rows = []
    for i in range(len(st)):
        n = int(min(st.objects[i], objects_cap))
        size = int(st.size_bytes[i])
        modality = workload.modalities[st.modality[i]]
        for k in range(n):
            part = size // n + (size % n if k == 0 else 0)
            rows.append(f'"archive-bucket","studies/{modality}/1.2.840.{i}/{k:04d}.dcm",'
                        f'"{part}","{stamps[i].strftime("%Y-%m-%dT%H:%M:%S.000Z")}",'
                        f'"GLACIER_IR"')
    data = folder / "data" / "inventory-0.csv.gz"
    data.write_bytes(gzip.compress(("\n".join(rows) + "\n").encode()))
    manifest = {"sourceBucket": "archive-bucket", "destinationBucket": "arn:aws:s3:::reports",
                "version": "2016-11-30", "creationTimestamp": "1700000000000",
                "fileFormat": "CSV",
                "fileSchema": "Bucket, Key, Size, LastModifiedDate, StorageClass",
                "files": [{"key": "reports/archive-bucket/inv/data/inventory-0.csv.gz",
                           "size": data.stat().st_size, "MD5checksum": "0"}]}
    path = folder / "manifest.json"
    path.write_text(json.dumps(manifest))
    return path


def write_storage_class_analysis(path: Path, rates: dict[tuple[int, int | None], float]) -> None:
    """A Storage Class Analysis export: for each age group, 1,000,000 MB stored a day and the
    share ``rate`` of it retrieved per year, over 30 days."""
    lines = ["Date,ConfigId,Filter,StorageClass,ObjectAge,ObjectCount,DataUploaded_MB,"
             "Storage_MB,DataRetrieved_MB,GetRequestCount"]
    for day in range(30):
        date = (pd.Timestamp("2026-10-01") + pd.Timedelta(days=day)).strftime("%Y-%m-%d")
        for (lo, hi), rate in rates.items():
            group = f"{lo:03d}-{hi:03d}" if hi is not None else f"{lo}+"
            retrieved = 1_000_000 * rate / 365.25
            lines.append(f"{date},all,,STANDARD,{group},1000,0,1000000,{retrieved:.4f},10")
    path.write_text("\n".join(lines) + "\n")
