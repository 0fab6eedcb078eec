"""The policy search's figure: every candidate's cost against the share of priors shown within
5 s, the Pareto front (no other candidate is both cheaper and faster), the best feasible one and
the policy the scenario gives today."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

from sim.report.figures import PALETTE, _style


def pareto_front(table: pd.DataFrame, cost: str = "objective",
                 speed: str = "priors_within_5s") -> pd.DataFrame:
    """The candidates no other one beats on both cost (lower) and speed (higher), cheapest
    first."""
    rows = table.dropna(subset=[cost, speed]).sort_values([cost, speed],
                                                          ascending=[True, False])
    best_speed = -np.inf
    keep = []
    for index, value in rows[speed].items():
        if value > best_speed:
            keep.append(index)
            best_speed = value
    return rows.loc[keep]


def pareto_figure(table: pd.DataFrame, best: str | None, current: str, objective_label: str,
                  floor: float | None = None) -> Figure:
    """Cost (M or k USD) against priors within 5 s; ``floor``: a priors constraint's bound."""
    fig, ax = plt.subplots(figsize=(9.5, 4.6))
    if "priors_within_5s" not in table:
        ax.text(0.5, 0.5, "the archive keeps no reads table: no prior-fetch times to plot",
                ha="center", va="center", transform=ax.transAxes)
        return fig
    shown = table.dropna(subset=["objective", "priors_within_5s"])
    others = shown[shown["key"] != current]
    feasible = others[others["feasible"]]
    infeasible = others[~others["feasible"]]
    x = lambda frame: 100 * frame["priors_within_5s"]  # noqa: E731
    ax.scatter(x(infeasible), infeasible["objective"], s=18, marker="x", color="#999999",
               label=f"breaks a constraint ({len(infeasible)})")
    ax.scatter(x(feasible), feasible["objective"], s=22, color=PALETTE[0], alpha=0.8,
               label=f"meets every constraint ({len(feasible)})")
    front = pareto_front(others)
    ax.step(x(front), front["objective"], where="post", color=PALETTE[0], lw=1, alpha=0.6,
            label="Pareto front")
    now = shown[shown["key"] == current]
    if len(now):
        ax.scatter(x(now), now["objective"], s=90, marker="s", facecolor="none",
                   edgecolor=PALETTE[5], lw=2, label="the scenario's policy today")
    if best is not None:
        top = shown[shown["key"] == best]
        ax.scatter(x(top), top["objective"], s=160, marker="*", color=PALETTE[1],
                   edgecolor="black", zorder=5, label="best feasible")
    if floor is not None:
        ax.axvline(100 * floor, color="#555555", ls="--", lw=1)
    # the axis shows the region that matters: up to today's policy or the feasible
    # candidates' upper quartile (the dearest outliers are counted, not drawn)
    anchors = [*now["objective"], *(feasible["objective"].quantile([0.75]) if len(feasible)
                                    else shown["objective"].quantile([0.5]))]
    note = ""
    if anchors and len(shown) > 5:
        lowest = float(shown["objective"].min())
        ceiling = max(anchors) + 0.15 * (max(anchors) - lowest) + 1e-9
        above = int((shown["objective"] > ceiling).sum())
        if above:
            ax.set_ylim(lowest - 0.05 * (ceiling - lowest), ceiling)
            note = f"; {above} dearer candidate{'s' if above > 1 else ''} above the axis"
    bottom, top = ax.get_ylim()
    span = top - bottom
    scale, unit = (1e6, "M USD") if span >= 1e6 else (1e3, "k USD")
    digits = max(0, min(3, int(np.ceil(-np.log10(max(span / scale / 5, 1e-9))))))
    _style(ax, "Every candidate policy: cost against prior-fetch speed",
           f"{objective_label} ({unit})")
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v / scale:,.{digits}f}"))
    ax.set_xlabel(f"relevant priors shown within 5 s (%){note}")
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
    fig.tight_layout()
    return fig
