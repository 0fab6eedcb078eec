"""Every notebook runs top to bottom (small runs: ARCHIVE_SIM_SMALL_NOTEBOOKS=1) and is committed
without outputs."""

from __future__ import annotations

import os
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

NOTEBOOKS = sorted((Path(__file__).resolve().parents[1] / "notebooks").glob("*.ipynb"))


def test_there_are_notebooks():
    assert [p.name for p in NOTEBOOKS][:3] == [
        "01-quickstart.ipynb", "02-cloud-vs-onprem-vs-hybrid.ipynb",
        "03-tune-a-lifecycle-policy.ipynb"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_runs_top_to_bottom(path, monkeypatch):
    nb = nbformat.read(path, as_version=4)
    assert all(not c.get("outputs") for c in nb.cells if c.cell_type == "code"), \
        "commit notebooks without outputs"
    monkeypatch.setenv("ARCHIVE_SIM_SMALL_NOTEBOOKS", "1")
    monkeypatch.setenv("MPLBACKEND", "Agg")
    client = NotebookClient(nb, timeout=600, kernel_name="python3",
                            resources={"metadata": {"path": str(path.parent)}})
    client.execute()  # raises CellExecutionError on the first failing cell
    assert os.environ["ARCHIVE_SIM_SMALL_NOTEBOOKS"] == "1"
