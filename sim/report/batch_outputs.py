"""Write a batch's results (Monte Carlo, sensitivity, sweep): summary JSON, all rows (Parquet),
tables (CSV) and figures (PNG), each file whole."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from sim.files import write_atomically
from sim.report.figures import png
from sim.uncertainty.store import write_bytes, write_text


def write_results(folder: Path, summary: dict, name: str, rows: pd.DataFrame,
                  figures: dict, tables: dict[str, pd.DataFrame] | None = None) -> None:
    """The batch's summary JSON, all rows (Parquet), extra tables (CSV) and figures (PNG)."""
    write_text(folder / f"{name}.json", json.dumps(summary, indent=2) + "\n")
    write_atomically(folder / "rows.parquet", lambda tmp: rows.to_parquet(tmp, index=False))
    for table_name, table in (tables or {}).items():
        write_text(folder / f"{table_name}.csv", table.to_csv(index=False))
    for fig_name, fig in figures.items():
        write_bytes(folder / "figures" / f"{fig_name}.png", png(fig))
