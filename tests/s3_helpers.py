"""Build a one-archive S3 scenario around a hand-made trace and policy documents."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import sim

GIB = 2**30
KIB = 1024
HEADER = "study_id,created,size_bytes,objects,modality,patient_id\n"


def s3_run(folder: Path, studies: str, reads: str | None = None, *, lifecycle=None,
           intelligent_tiering=None, storage_class="STANDARD", start="2027-01-01",
           horizon_months=3, restore_tier="Standard", events=True, extra="", header=HEADER):
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "studies.csv").write_text(header + textwrap.dedent(studies).strip() + "\n")
    lines = ["    studies: studies.csv"]
    if reads is not None:
        (folder / "reads.csv").write_text("study_id,time\n" + textwrap.dedent(reads).strip()
                                          + "\n")
        lines.append("    reads: reads.csv")
    archive = [f"    storage_class: {storage_class}", f"    restore_tier: {restore_tier}"]
    if lifecycle is not None:
        (folder / "lifecycle.json").write_text(json.dumps(lifecycle))
        archive.append("    lifecycle: lifecycle.json")
    if intelligent_tiering is not None:
        (folder / "it.json").write_text(json.dumps(intelligent_tiering))
        archive.append("    intelligent_tiering: it.json")
    trace = "\n".join(lines)
    body = "\n".join(archive)
    (folder / "scenario.yaml").write_text(f"""name: s3-test
start: {start}
horizon_months: {horizon_months}
seed: 1
workload:
  trace:
{trace}
  retention: {{keep_forever: true}}
archives:
  - name: s3
    kind: cloud
    provider: aws
    catalog: aws-us-east-1
{body}
{extra}
finance: {{discount_rate: 0.0}}
""")
    return sim.run(sim.load_scenario(folder / "scenario.yaml"), events=events)


def row(ledger, month, tier, category, unit="GiB-month"):
    sel = ledger[(ledger.month == month) & (ledger.tier == tier) & (ledger.category == category)
                 & (ledger.unit == unit)]
    assert len(sel) == 1, (month, tier, category, unit, ledger.to_string())
    return sel.iloc[0]
