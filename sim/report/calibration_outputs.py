"""Write a calibration's output folder, all or nothing.

- ``scenario.yaml``: the base scenario (``extends``) with the fitted workload, starting at the
  month after the data end; it is loaded and checked before anything is kept;
- ``workload.yaml``: the fitted ``workload`` block alone, to paste into another scenario;
- ``calibration.json``: fitted values, diagnostics (counts and fit statistics) and notes;
- ``report.md``: a short text report; ``figures/*.png``: goodness of fit;
- with ``trace``: ``trace/studies.csv``, ``trace/reads.csv`` (pseudonymised) and
  ``trace-scenario.yaml`` replaying them.

Nothing written holds a patient name, ID, birth date or a study's own identifiers: only keyed-hash
pseudonyms, ages in whole years, dates, modalities and sizes.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from sim.calibrate import Data
from sim.calibrate.fit import Fit
from sim.errors import InputError
from sim.files import staged_folder, write_csv
from sim.report.calibration_figures import FIGURES
from sim.report.figures import png
from sim.version import __version__

MARKER = "calibration.json"


def write_calibration(data: Data, fit: Fit, base: Path, out_dir: str | Path,
                      trace: bool = False) -> Path:
    """Write the calibration of ``data`` (fitted as ``fit`` on top of the ``base`` scenario
    file) into ``out_dir``."""
    out_dir = Path(out_dir).resolve()
    extends = os.path.relpath(base.resolve(), out_dir)
    with staged_folder(out_dir, MARKER) as staging:
        header = _header(data)
        scenario = {"extends": extends, "name": "calibrated", "start": fit.start,
                    "workload": fit.workload}
        (staging / "scenario.yaml").write_text(header + _yaml(scenario), encoding="utf-8")
        (staging / "workload.yaml").write_text(header + _yaml({"workload": fit.workload}),
                                               encoding="utf-8")
        summary = {"version": __version__, "sources": data.described,
                   "pseudonyms": "keyed hash (HMAC-SHA-256), "
                   + ("a key kept by the hospital" if data.persistent_key
                      else "a random key for this run only"),
                   "start": fit.start, "fitted": fit.workload, "diagnostics": fit.diagnostics,
                   "notes": fit.notes}
        (staging / MARKER).write_text(json.dumps(summary, indent=2, default=_plain) + "\n",
                                      encoding="utf-8")
        (staging / "report.md").write_text(_report(data, fit), encoding="utf-8")
        (staging / "figures").mkdir()
        for name, draw in FIGURES.items():
            (staging / "figures" / f"{name}.png").write_bytes(png(draw(fit), dpi=100))
        if trace:
            _write_trace(data, staging, extends, header)
        _check_loads(staging, data.described)
    return out_dir


def _header(data: Data) -> str:
    lines = [f"Written by archive-sim {__version__} calibrate on {dt.date.today()} from:",
             *[f"  {d}" for d in data.described],
             "Identifiers are keyed-hash pseudonyms; no names, IDs or birth dates are kept."]
    return "".join(f"# {line}\n" for line in lines)


def _yaml(data: dict) -> str:
    return yaml.safe_dump(json.loads(json.dumps(data, default=_plain)), sort_keys=False,
                          allow_unicode=True)


def _plain(value):
    if isinstance(value, np.generic):
        return value.item()
    raise TypeError(f"cannot write {type(value).__name__}")


def _check_loads(folder: Path, sources: list[str]) -> None:
    """The written scenarios load (the fit is complete and valid) before the folder is kept;
    if not, say which inputs gave which values (the staging folder is gone by then)."""
    from sim.io.scenario_file import load_scenario

    for name in ("scenario.yaml", "trace-scenario.yaml"):
        path = folder / name
        if path.is_file():
            try:
                load_scenario(path)
            except InputError as exc:
                raise InputError([f"the {name} fitted from {'; '.join(sources)} is not a valid "
                                  "scenario, so nothing was written:", *exc.problems]) from None


def _write_trace(data: Data, folder: Path, extends: str, header: str) -> None:
    st = data.studies.sort_values("time", kind="stable")
    first = st.time.min().normalize().replace(day=1)
    last = st.time.max()
    months = (last.year - first.year) * 12 + last.month - first.month + 1
    trace = folder / "trace"
    trace.mkdir()
    studies = pd.DataFrame({
        "study_id": st.study, "created": _iso(st.time), "size_bytes": st.size_bytes,
        "objects": st.objects.fillna(1).astype(np.int64), "modality": st.modality,
        "patient_id": st.patient.fillna(st.study.str.replace("S", "P", n=1)),
    })
    ages_known = st.age_years.notna().all()
    if ages_known:
        studies["patient_age_years"] = st.age_years.astype(np.int64)
    write_csv(studies, trace / "studies.csv")
    workload: dict = {key: None for key in ("annual_studies", "modalities", "patients",
                                            "reads", "priors", "existing")}
    workload["trace"] = {"studies": "trace/studies.csv"}
    if data.reads is not None:
        reads = data.reads[data.reads.study.isin(set(st.study))
                           & (data.reads.time >= first)].sort_values("time", kind="stable")
        created = reads.study.map(st.set_index("study").time)
        reads = reads[reads.time >= created]
        write_csv(pd.DataFrame({"study_id": reads.study, "time": _iso(reads.time)}),
                  trace / "reads.csv")
        workload["trace"]["reads"] = "trace/reads.csv"
    if not ages_known:  # the minors rule needs every age
        workload["retention"] = {"minors": None}
    scenario = {"extends": extends, "name": "calibrated-trace",
                "start": first.date().isoformat(), "horizon_months": int(months),
                "workload": workload}
    note = "# Replays the data as read (pseudonymised): studies and reads as they happened.\n"
    if not ages_known:
        note += "# Some ages are unknown: the minors retention rule is switched off here.\n"
    (folder / "trace-scenario.yaml").write_text(header + note + _yaml(scenario),
                                                encoding="utf-8")


def _iso(times: pd.Series) -> pd.Series:
    return times.dt.strftime("%Y-%m-%dT%H:%M:%SZ")


def _report(data: Data, fit: Fit) -> str:
    w = fit.workload
    out = ["# Calibration report", "",
           f"archive-sim {__version__}, {dt.date.today()}.", "", "## Data", ""]
    out += [f"- {d}" for d in data.described]
    d = fit.diagnostics.get("data", {})
    out += [f"- {d.get('studies', 0):,} studies from {d.get('from')} to {d.get('to')} "
            f"({d.get('years')} years)",
            "- Identifiers: keyed-hash pseudonyms ("
            + ("the hospital's key: they repeat in later runs" if data.persistent_key else
               "a random key for this run: they do not repeat") + ")", "",
            "## Fitted workload", "",
            f"Expected studies in the 12 months after the data: {w.get('annual_studies', 0):,} "
            f"(a calibrated scenario starts on {fit.start}).", "",
            "| modality | share | growth/yr | median MB | sigma | size growth/yr | MB/object | "
            "return p | gap median d | gap sigma | same modality |",
            "|---|---|---|---|---|---|---|---|---|---|---|"]
    for m, spec in (w.get("modalities") or {}).items():
        r = spec.get("returns", {})
        out.append("| " + " | ".join(str(x) for x in (
            m, spec.get("share", ""), spec.get("growth", "-"), spec.get("size_median_mb", "-"),
            spec.get("size_sigma", "-"), spec.get("size_growth", "-"),
            spec.get("instance_mb", "-"), r.get("probability", "-"),
            r.get("gap_median_days", "-"), r.get("gap_sigma", "-"),
            r.get("same_modality", "-"))) + " |")
    reads = w.get("reads")
    if reads:
        out += ["", "Reads: " + ", ".join(f"{k} {v}" for k, v in reads.items()
                                          if k not in ("decay", "bulk"))]
        if reads.get("decay"):
            out.append("Reads per study-year by age: " + ", ".join(
                f"from {b['from_years']:g} y: {b['reads_per_year']:g}" for b in reads["decay"]))
    if w.get("priors"):
        out.append(f"Priors pulled per returning study: {w['priors']}")
    out += ["", "## Notes", ""] + [f"- {n}" for n in fit.notes or ["none"]]
    out += ["", "Figures (observed against fitted): figures/volume.png, figures/sizes.png, "
            "figures/returns.png, figures/decay.png.", ""]
    return "\n".join(out)
