"""The one-page PDF handout: the decision in words and the cumulative-cost figure."""

from __future__ import annotations

import textwrap

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.backends.backend_pdf import PdfPages  # noqa: E402

from sim.compare import Comparison  # noqa: E402
from sim.report.figures import LINES, PALETTE  # noqa: E402
from sim.report.html import summary_lines  # noqa: E402


def handout(c: Comparison, path) -> None:
    """Write the A4 one-page summary to ``path``: text set literally (a dollar sign is a dollar
    sign, not mathematics) in embedded TrueType fonts, so the PDF's text can be searched and
    copied."""
    with plt.rc_context({"pdf.fonttype": 42, "text.parse_math": False}):
        _handout(c, path)


def _handout(c: Comparison, path) -> None:
    fig = plt.figure(figsize=(8.27, 11.69))
    fig.text(0.07, 0.95, "Imaging archive: cost comparison", fontsize=18, weight="bold")
    s = c.summary
    fig.text(0.07, 0.925, f"{len(s['scenarios'])} options, {s['horizon_months']} months from "
             f"{s['start']}, baseline {s['baseline']}; NPV at {s['discount_rate']:.1%}",
             fontsize=9, color="#444")
    chart_top = 0.44  # the chart keeps the lower part of the page, whatever the text
    rows: list[tuple[str, float, str, float]] = [
        (part, 10, "black", 0.022) for line in summary_lines(s)
        for part in textwrap.wrap(line, 95)]
    if s["risks"]:
        rows.append(("Risks", 11, "bold", 0.024))
        rows += [(part, 8.5, "#8a2b00", 0.018) for risk in s["risks"]
                 for part in textwrap.wrap("- " + risk, 100)]
    y = 0.89
    for i, (text, size, style, step) in enumerate(rows):
        if y - step < chart_top + 0.03 and i < len(rows) - 1:
            fig.text(0.07, y, "... more in report.html", fontsize=9, style="italic")
            break
        fig.text(0.07, y, text, fontsize=size, color="black" if style == "bold" else style,
                 weight="bold" if style == "bold" else "normal")
        y -= step
    ax = fig.add_axes((0.1, 0.06, 0.85, chart_top - 0.1))
    for i, name in enumerate(c.monthly.columns):
        ax.plot(range(len(c.monthly)), c.monthly[name].cumsum() / 1e6, LINES[i % 4],
                color=PALETTE[i % 8], lw=2, label=name)
    ax.set_title("Cumulative cost (million USD)", loc="left", fontsize=11)
    labels = list(c.monthly.index)
    ticks = [i for i, m in enumerate(labels) if m.endswith("-01")] or [0]
    ax.set_xticks(ticks, [labels[i][:4] for i in ticks], fontsize=8)
    ax.grid(alpha=0.3)
    ax.legend(frameon=False, fontsize=8)
    with PdfPages(path) as pdf:
        pdf.savefig(fig)
    plt.close(fig)
