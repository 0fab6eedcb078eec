"""Figures of uncertainty analyses: fan charts of annual cost, the NPV difference from the
baseline, the tornado of one-at-a-time sensitivities, a sweep's NPV by point."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from sim.report.figures import LINES, PALETTE  # noqa: E402
from sim.uncertainty.analyses import fan  # noqa: E402


def fan_chart(rows: pd.DataFrame) -> Figure:
    """Annual cost of each option: the P10-P90 band and the median, over the Monte Carlo runs."""
    fig, ax = plt.subplots(figsize=(8, 4.2))
    for i, name in enumerate(sorted(rows.scenario.unique())):
        f = fan(rows, name) / 1e6
        color = PALETTE[i % 8]
        ax.fill_between(f.index, f.p10, f.p90, color=color, alpha=0.2, lw=0)
        ax.plot(f.index, f.p50, LINES[i % 4], color=color, lw=2, label=f"{name} (P50; P10-P90)")
    ax.set_ylabel("million USD per year")
    ax.set_title("Annual cost over the Monte Carlo runs", loc="left")
    ax.grid(alpha=0.3)
    ax.legend(frameon=False, fontsize=8)
    fig.tight_layout()
    return fig


def npv_difference(rows: pd.DataFrame, baseline: str) -> Figure:
    """Distribution of each option's NPV minus the baseline's (negative: cheaper)."""
    npv = rows[rows.metric == "npv_usd"].pivot(index="task", columns="scenario", values="value")
    others = [n for n in npv.columns if n != baseline]
    fig, ax = plt.subplots(figsize=(8, 3.8))
    for i, name in enumerate(others):
        diff = (npv[name] - npv[baseline]) / 1e6
        ax.hist(diff, bins=30, color=PALETTE[i % 8], alpha=0.5,
                label=f"{name}: cheaper in {(diff < 0).mean():.0%} of runs")
    ax.axvline(0, color="black", lw=1)
    ax.set_xlabel(f"NPV minus {baseline} (million USD)")
    ax.set_title("How much each option saves, over the runs", loc="left")
    ax.legend(frameon=False, fontsize=8)
    fig.tight_layout()
    return fig


def tornado(summary: dict) -> Figure:
    """NPV with each uncertain input at its P10 and P90, the others central."""
    inputs = summary["inputs"][::-1]
    central = summary["central_npv_usd"] / 1e6
    fig, ax = plt.subplots(figsize=(8, 0.5 * len(inputs) + 1.6))
    for y, e in enumerate(inputs):
        lo, hi = e["npv_at_low_usd"] / 1e6, e["npv_at_high_usd"] / 1e6
        ax.barh(y, lo - central, left=central, color=PALETTE[0], label="input at P10" if y == 0
                else None)
        ax.barh(y, hi - central, left=central, color=PALETTE[1], hatch="//",
                label="input at P90" if y == 0 else None)
    ax.set_yticks(range(len(inputs)), [f"{e['input']} ({e['low_value']:g} / "
                                       f"{e['high_value']:g})" for e in inputs], fontsize=8)
    ax.axvline(central, color="black", lw=1)
    ax.set_xlabel("NPV (million USD)")
    ax.set_title(f"Sensitivity of {summary['scenario']}'s NPV", loc="left")
    ax.legend(frameon=False, fontsize=8)
    fig.tight_layout()
    return fig


def sweep_chart(table: pd.DataFrame, grid: dict[str, list]) -> Figure:
    """NPV at each sweep point."""
    fig, ax = plt.subplots(figsize=(8, 3.8))
    labels = [", ".join(f"{p.split('.')[-1]}={row[p]}" for p in grid)
              for _, row in table.iterrows()]
    ax.bar(np.arange(len(table)), table.npv_usd / 1e6, color=PALETTE[0])
    ax.set_xticks(np.arange(len(table)), labels, rotation=45, ha="right", fontsize=7)
    ax.set_ylabel("NPV (million USD)")
    ax.set_title("NPV across the sweep", loc="left")
    fig.tight_layout()
    return fig
