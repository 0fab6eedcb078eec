"""``archive-sim compare`` end to end on the bundled on-prem, cloud and hybrid variants (cut
down), and the report opened in headless Chromium."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import SCENARIOS

VARIANTS = ("onprem", "cloud", "hybrid")


@pytest.fixture(scope="module")
def compared(tmp_path_factory):
    folder = tmp_path_factory.mktemp("compare")
    files = []
    for v in VARIANTS:
        path = folder / f"{v}.yaml"
        path.write_text(f"extends: {SCENARIOS / f'academic-medical-center-{v}.yaml'}\n"
                        "horizon_months: 30\n"
                        "workload: {annual_studies: 4000, existing: {years: 2}}\n")
        files.append(str(path))
    out = folder / "out"
    result = subprocess.run(
        [sys.executable, "-m", "sim.cli", "compare", *files, "--baseline", "onprem",
         "--out", str(out)], capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr
    return out, result


def test_compare_writes_the_report_tables_and_figures(compared):
    out, result = compared
    for name in ("comparison.json", "annual_by_category.csv", "monthly.csv", "report.html",
                 "report.xlsx", "summary.pdf"):
        assert (out / name).is_file(), name
    figures = sorted(p.name for p in (out / "figures").iterdir())
    assert figures == ["annual-by-category.png", "cumulative-cost.png", "first-bills.png",
                       "reads.png", "stored-by-tier.png"]
    summary = json.loads((out / "comparison.json").read_text())
    assert summary["baseline"] == "academic-medical-center-onprem"
    assert set(summary["versus_baseline"]) == {"academic-medical-center-cloud",
                                              "academic-medical-center-hybrid"}
    assert summary["recommendation"] in summary["scenarios"]
    for name in summary["scenarios"]:
        assert (out / "runs" / name / "ledger.csv").is_file()
    page = (out / "report.html").read_text()
    # self-contained: nothing loaded from the network (sources are quoted as text only)
    assert not re.search(r"""(src|href)=["']?https?:|url\(\s*["']?https?:""", page)
    assert page.count("data:image/png;base64,") == 5
    assert "Report written to" in result.stdout
    assert (out / "summary.pdf").read_bytes().startswith(b"%PDF")


def test_the_pdf_handout_prints_money_literally(compared):
    """Dollar signs are text, not mathematics: the handout's text, extracted, holds each
    option's NPV exactly as the report writes it ("$4,585,008")."""
    from pypdf import PdfReader

    out, _ = compared
    summary = json.loads((out / "comparison.json").read_text())
    text = " ".join(page.extract_text() for page in PdfReader(out / "summary.pdf").pages)
    for name, option in summary["scenarios"].items():
        assert f"{name}: NPV ${option['npv_usd']:,.0f}, total ${option['total_usd']:,.0f}" \
            in text, text[:2000]
    assert "Lowest net present cost:" in text


def test_a_missing_baseline_is_a_clear_error(tmp_path):
    a = SCENARIOS / "academic-medical-center-onprem.yaml"
    b = SCENARIOS / "academic-medical-center-cloud.yaml"
    result = subprocess.run([sys.executable, "-m", "sim.cli", "compare", str(a), str(b),
                             "--baseline", "nope", "--out", str(tmp_path / "o")],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 2
    assert "--baseline" in result.stderr and "Traceback" not in result.stderr


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.mark.skipif(CHROMIUM is None, reason="needs Debian's chromium (apt install chromium; "
                    ".ci/run installs it)")
def test_report_renders_in_headless_chromium(compared, tmp_path):
    """No console errors, every figure decoded (the page's own check), and a screenshot."""
    out, _ = compared
    url = (out / "report.html").as_uri()
    profile = ["--user-data-dir=" + str(tmp_path / "profile")]
    dom = subprocess.run([CHROMIUM, *FLAGS, *profile, "--enable-logging=stderr", "--v=0",
                          "--virtual-time-budget=5000", "--dump-dom", url],
                         capture_output=True, text=True, timeout=120)
    assert dom.returncode == 0, dom.stderr[-2000:]
    # Chromium logs every console message (and uncaught error) as INFO:CONSOLE without its
    # level; the report writes none, so any such line is a failure
    console = [line for line in dom.stderr.splitlines() if ":CONSOLE" in line]
    assert not console, console
    match = re.search(r'data-figures="(\d+)/(\d+)"', dom.stdout)
    assert match, "the page's figure check did not run"
    assert match.group(1) == match.group(2) == "5"
    shot = out / "report-screenshot.png"
    subprocess.run([CHROMIUM, *FLAGS, *profile, "--window-size=1280,1600",
                    "--hide-scrollbars", f"--screenshot={shot}", url],
                   capture_output=True, timeout=120, check=True)
    assert shot.stat().st_size > 10_000
    Path(tmp_path / "last-report-screenshot.png").write_bytes(shot.read_bytes())
