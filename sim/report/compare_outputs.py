"""Write a comparison's folder: comparison.json, tables (CSV and one Excel workbook), figures,
report.html, summary.pdf, and each option's ledger and summary.  Written to a staging folder
and moved into place, so the folder appears complete or not at all."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from sim.compare import Comparison
from sim.files import safe_folder_names, staged_folder, write_csv
from sim.report.figures import FIGURES, png
from sim.report.html import render
from sim.report.pdf import handout
from sim.report.side_process import side_process
from sim.version import __version__


def write_comparison(c: Comparison, out_dir: str | Path) -> Path:
    folders = safe_folder_names(list(c.results))
    summary = {**c.summary, "run_folders": {n: f"runs/{f}" for n, f in folders.items()}}
    with staged_folder(out_dir, "comparison.json") as staging:
        (staging / "comparison.json").write_text(
            json.dumps(summary, indent=2, default=_plain) + "\n", encoding="utf-8")
        write_csv(c.annual, staging / "annual_by_category.csv")
        write_csv(c.monthly.reset_index(), staging / "monthly.csv")
        if not c.sensitivity.empty:
            write_csv(c.sensitivity, staging / "assumptions_that_matter.csv")
        if not c.numbers.empty:
            write_csv(c.numbers, staging / "numbers_by_year.csv")
        # the workbook and the PDF (a second and a half) are written by a second process
        # while this one draws the figures and the page
        with side_process(lambda: _workbook_and_handout(c, staging)):
            figures = {}
            (staging / "figures").mkdir()
            for name, draw in FIGURES.items():
                figures[name] = png(draw(c))
                (staging / "figures" / f"{name}.png").write_bytes(figures[name])
            (staging / "report.html").write_text(render(c, figures, __version__),
                                                 encoding="utf-8")
            for name, r in c.results.items():
                folder = staging / "runs" / folders[name]
                folder.mkdir(parents=True)
                write_csv(r.ledger, folder / "ledger.csv")
                (folder / "summary.json").write_text(json.dumps(r.summary, indent=2) + "\n",
                                                     encoding="utf-8")
    return Path(out_dir).resolve()


def _workbook_and_handout(c: Comparison, staging: Path) -> None:
    """report.xlsx (the tables and every option's ledger) and summary.pdf."""
    handout(c, staging / "summary.pdf")
    with pd.ExcelWriter(staging / "report.xlsx", engine="openpyxl") as xlsx:
        c.annual.to_excel(xlsx, sheet_name="annual by category", index=False)
        c.monthly.reset_index().to_excel(xlsx, sheet_name="monthly", index=False)
        if not c.numbers.empty:
            c.numbers.to_excel(xlsx, sheet_name="numbers by year", index=False)
        if not c.sensitivity.empty:
            c.sensitivity.to_excel(xlsx, sheet_name="assumptions that matter", index=False)
        sheets = safe_folder_names(list(c.results), max_chars=31 - len("ledger "))
        for name, r in c.results.items():
            r.ledger.to_excel(xlsx, sheet_name="ledger " + sheets[name], index=False)


def _plain(value):
    if hasattr(value, "item"):
        return value.item()
    raise TypeError(f"not JSON serialisable: {type(value)}")
