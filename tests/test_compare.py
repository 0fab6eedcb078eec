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
    assert figures == ["annual-by-category.png", "assumptions-tornado.png", "cumulative-cost.png",
                       "first-bills.png", "reads.png", "stored-by-tier.png"]
    for name in ("assumptions_that_matter.csv", "numbers_by_year.csv"):
        assert (out / name).is_file(), name
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
    assert page.count("data:image/png;base64,") == 6
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


def test_the_report_leads_with_the_assumptions_and_numbers_that_matter(compared, tmp_path):
    """Rendered in headless Chromium: the assumptions table lists at least five inputs, each
    with its source or ASSUMPTION; every option has a numbers table with TB per year and cost
    per TB-year; no number in scientific notation; no link to a file outside the report."""
    from html.parser import HTMLParser

    out, _ = compared
    dom = subprocess.run([CHROMIUM, *FLAGS, "--user-data-dir=" + str(tmp_path / "p"),
                          "--virtual-time-budget=5000", "--dump-dom",
                          (out / "report.html").as_uri()],
                         capture_output=True, text=True, timeout=120)
    assert dom.returncode == 0, dom.stderr[-2000:]

    class Tables(HTMLParser):
        def __init__(self):
            super().__init__()
            self.tables, self.links, self.text = [], [], []
            self._cell = None

        def handle_starttag(self, tag, attrs):
            a = dict(attrs)
            if tag == "table":
                self.tables.append({"id": a.get("id"), "cls": a.get("class"), "rows": []})
            elif tag == "tr" and self.tables:
                self.tables[-1]["rows"].append([])
            elif tag in ("td", "th"):
                self._cell = []
            elif tag == "a" and a.get("href"):
                self.links.append(a["href"])

        def handle_endtag(self, tag):
            if tag in ("td", "th") and self._cell is not None:
                self.tables[-1]["rows"][-1].append("".join(self._cell).strip())
                self._cell = None

        def handle_data(self, data):
            self.text.append(data)
            if self._cell is not None:
                self._cell.append(data)

    page = Tables()
    page.feed(dom.stdout)
    assumptions = next(t for t in page.tables if t["id"] == "assumptions")
    header, *rows = assumptions["rows"]
    assert header[0] == "input" and header[-1] == "source"
    assert len(rows) >= 5
    assert all(row[-1] for row in rows)  # a source, or ASSUMPTION, for every input
    assert any("ASSUMPTION" in row[-1] for row in rows)
    numbers = [t for t in page.tables if t["cls"] == "numbers"]
    assert len(numbers) == len(VARIANTS)
    for table in numbers:
        head = table["rows"][0]
        assert "TB stored (year end)" in head and "cost per TB-year stored" in head
        years = [row[0] for row in table["rows"][1:]]
        assert years[0] == "2027" and len(years) == 3  # 30 months: 2027, 2028, 2029
    text = " ".join(page.text)
    assert not re.search(r"\d\.\d+e[+-]?\d+", text), re.search(r".{40}\d\.\d+e[+-]?\d+.{20}", text)
    assert all(link.startswith(("#", "https://")) for link in page.links), page.links


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
    assert match.group(1) == match.group(2) == "6"
    shot = out / "report-screenshot.png"
    subprocess.run([CHROMIUM, *FLAGS, *profile, "--window-size=1280,1600",
                    "--hide-scrollbars", f"--screenshot={shot}", url],
                   capture_output=True, timeout=120, check=True)
    assert shot.stat().st_size > 10_000
    Path(tmp_path / "last-report-screenshot.png").write_bytes(shot.read_bytes())
