"""Figures of a comparison, one function each; pure plotting (no files).

Colours are the Okabe-Ito palette (safe for colour-blind readers), and every series also differs
by line style or hatch, so the figures read in greyscale print.
"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from sim.compare import Comparison  # noqa: E402
from sim.numbers import tier_tb_by_month  # noqa: E402

PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442",
           "#000000"]
LINES = ["-", "--", "-.", ":"]
HATCHES = ["", "//", "..", "xx", "\\\\", "++", "oo", "--"]


def _style(ax, title: str, ylabel: str) -> None:
    ax.set_title(title, loc="left", fontsize=11)
    ax.set_ylabel(ylabel)
    ax.grid(axis="y", alpha=0.3)
    ax.spines[["top", "right"]].set_visible(False)


def _musd(ax) -> None:
    ax.yaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(lambda v, _: f"{v / 1e6:,.1f}"))


def cumulative_cost(c: Comparison) -> Figure:
    """Cumulative cost of each option, break-even with the baseline marked."""
    fig, ax = plt.subplots(figsize=(8, 4.2))
    x = np.arange(len(c.monthly))
    for i, name in enumerate(c.monthly.columns):
        ax.plot(x, c.monthly[name].cumsum(), LINES[i % 4], color=PALETTE[i % 8], lw=2,
                label=name + (" (baseline)" if name == c.baseline else ""))
    for i, name in enumerate(c.monthly.columns):
        v = c.summary["versus_baseline"].get(name)
        if v and v["payback_months"]:
            m = v["payback_months"]
            ax.plot(m, c.monthly[name].cumsum().iloc[m], "o", color=PALETTE[i % 8], ms=8,
                    mfc="white", mew=2)
            ax.annotate(f"break-even {v['break_even_month']}", (m, c.monthly[name].cumsum()
                        .iloc[m]), textcoords="offset points", xytext=(6, -14), fontsize=8)
    _ticks_years(ax, c)
    _style(ax, "Cumulative cost", "million USD")
    _musd(ax)
    ax.legend(frameon=False, fontsize=8)
    fig.tight_layout()
    return fig


def annual_by_category(c: Comparison) -> Figure:
    """Annual cost of each option, stacked by ledger category."""
    names = list(c.results)
    cats = sorted(c.annual["category"].unique())
    fig, axes = _panels(len(names), 4)
    for ax, name in zip(axes, names, strict=False):
        t = c.annual[c.annual.scenario == name].pivot_table(
            index="year", columns="category", values="amount_usd", aggfunc="sum",
            fill_value=0.0).reindex(columns=cats, fill_value=0.0)
        bottom = np.zeros(len(t))
        for k, cat in enumerate(cats):
            ax.bar(t.index, t[cat], bottom=bottom, color=PALETTE[k % 8],
                   hatch=HATCHES[(k + 3 * (k // 8)) % 8], edgecolor="white", lw=0.5,
                   label=cat)
            bottom += t[cat].to_numpy()
        _style(ax, name, "million USD" if ax is axes[0] else "")
        _musd(ax)
        ax.set_xticks(list(t.index), [str(y) for y in t.index])
        ax.tick_params(axis="x", labelsize=8, rotation=45)
    axes[min(len(names), PANELS_PER_ROW) - 1].legend(frameon=False, fontsize=7, loc="upper left",
                                                    bbox_to_anchor=(1, 1))
    fig.tight_layout()
    return fig


def stored_by_tier(c: Comparison) -> Figure:
    """Data stored in each option's cloud tiers (the ledger's storage rows: GiB-months, or
    GiB-hours over the month's hours), raw capacity installed on-prem, and the logical archive
    size."""
    names = list(c.results)
    fig, axes = _panels(len(names), 3.8)
    for ax, name in zip(axes, names, strict=False):
        r = c.results[name]
        stored = r.workload_table.groupby("month")["stored_bytes_end"].sum() / 1e12
        x = np.arange(len(stored))
        ax.plot(x, stored.to_numpy(), "k-", lw=2, label="archive (logical)")
        days = np.diff(r.workload.calendar.month_bounds_s) / 86_400
        per_month = dict(zip(r.workload.calendar.month_labels, days, strict=True))
        tiers = tier_tb_by_month(r).reindex(stored.index, fill_value=0.0)
        for k, tier in enumerate(tiers.columns):
            ax.plot(x, tiers[tier].to_numpy(), LINES[(k + 1) % 4], color=PALETTE[k % 8],
                    label=str(tier))
        # on-prem tiers: raw capacity installed (the ledger's space rows, TB-days per month)
        space = r.ledger[(r.ledger.category == "space") & (r.ledger.unit == "TB-day raw")]
        if len(space):
            raw = space.assign(tb=space.quantity / space.month.map(per_month)).pivot_table(
                index="month", columns="tier", values="tb", aggfunc="sum",
                fill_value=0.0).reindex(stored.index, fill_value=0.0)
            for k, tier in enumerate(raw.columns):
                ax.plot(x, raw[tier].to_numpy(), LINES[(k + 2) % 4],
                        color=PALETTE[(k + 5) % 8], lw=1.5, label=f"{tier} (raw installed)")
        _ticks_years(ax, c)
        _style(ax, name, "TB" if ax is axes[0] else "")
        ax.legend(frameon=False, fontsize=7)
    fig.tight_layout()
    return fig


PANELS_PER_ROW = 3


def png(fig: Figure, dpi: int = 110) -> bytes:
    """The figure as PNG bytes (and closed)."""
    import io

    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi)
    plt.close(fig)
    return buffer.getvalue()


def _panels(n: int, height: float) -> tuple[Figure, list]:
    """One panel per option, at most PANELS_PER_ROW to a row (a shared y axis); unused panels
    hidden."""
    cols = min(n, PANELS_PER_ROW)
    rows = -(-n // cols)
    fig, axes = plt.subplots(rows, cols, figsize=(4.2 * cols, height * rows), sharey=True,
                             squeeze=False)
    flat = list(axes.ravel())
    for ax in flat[n:]:
        ax.set_visible(False)
    return fig, flat[:n]


def first_bills(c: Comparison, months: int = 24) -> Figure:
    """The first monthly bills of each option."""
    fig, ax = plt.subplots(figsize=(8, 3.8))
    names = list(c.monthly.columns)
    width = 0.8 / len(names)
    n = min(months, len(c.monthly))
    x = np.arange(n)
    for i, name in enumerate(names):
        ax.bar(x + i * width, c.monthly[name].iloc[:n] / 1e3, width, color=PALETTE[i % 8],
               hatch=HATCHES[i % 8], edgecolor="white", lw=0.5, label=name)
    ax.set_xticks(x[::3] + 0.4 - width / 2, c.monthly.index[:n:3], rotation=45, fontsize=8)
    _style(ax, f"The first {n} monthly bills", "thousand USD")
    ax.legend(frameon=False, fontsize=8)
    fig.tight_layout()
    return fig


def reads(c: Comparison) -> Figure:
    """Reads and priors shown within the latency target, and reads missed during outages."""
    names = list(c.results)
    fig, (a1, a2) = plt.subplots(1, 2, figsize=(9, 3.6))
    within = [c.summary["scenarios"][n]["reads"].get("share_within_target", 1.0) * 100
              for n in names]
    priors = [c.summary["scenarios"][n]["reads"].get("priors_within_target_share", 1.0) * 100
              for n in names]
    missed = [c.summary["scenarios"][n]["reads"].get("unavailable", 0) for n in names]
    missed_priors = [c.summary["scenarios"][n]["reads"].get("priors_unavailable", 0)
                     for n in names]
    y = np.arange(len(names))
    a1.barh(y - 0.2, within, 0.4, color=PALETTE[0], label="all reads")
    a1.barh(y + 0.2, priors, 0.4, color=PALETTE[1], hatch="//", edgecolor="white",
            label="priors")
    a1.set_yticks(y, names, fontsize=8)
    a1.set_xlim(0, 100)
    a1.set_xlabel("% shown within the target")
    a1.legend(frameon=False, fontsize=8)
    a1.set_title("Time to display", loc="left", fontsize=11)
    a2.barh(y - 0.2, missed, 0.4, color=PALETTE[5], label="reads")
    a2.barh(y + 0.2, missed_priors, 0.4, color=PALETTE[2], hatch="..", edgecolor="white",
            label="priors")
    a2.set_yticks(y, [""] * len(names))
    a2.set_xlabel("missed while the internet was down")
    a2.legend(frameon=False, fontsize=8)
    a2.set_title("Missed reads", loc="left", fontsize=11)
    fig.tight_layout()
    return fig


def _ticks_years(ax, c: Comparison) -> None:
    labels = list(c.monthly.index)
    ticks = [i for i, m in enumerate(labels) if m.endswith("-01")] or [0]
    ax.set_xticks(ticks, [labels[i][:4] for i in ticks], fontsize=8)


TORNADO_INPUTS = 8
"""Inputs shown in the tornado figure (largest swing first)."""


def decision_pair(c: Comparison) -> tuple[str, str]:
    """The baseline and the option the decision is about: the cheapest, or the runner-up when
    the baseline is cheapest."""
    options = c.summary["scenarios"]
    ranked = sorted(options, key=lambda n: options[n]["npv_usd"])
    other = next(n for n in ranked if n != c.baseline) if len(ranked) > 1 else c.baseline
    return c.baseline, other


def assumptions_tornado(c: Comparison) -> Figure:
    """How each input, at the low and high end of its range, moves the NPV saving of the
    decision's option against the baseline (:func:`sim.sensitivity.decision_swings`)."""
    from sim.sensitivity import decision_swings

    base, option = decision_pair(c)
    swings = decision_swings(c.sensitivity, base, option).head(TORNADO_INPUTS)
    fig, ax = plt.subplots(figsize=(8, 0.45 * max(len(swings), 2) + 1.4))
    if swings.empty:
        ax.text(0.5, 0.5, "no linear inputs found", ha="center", transform=ax.transAxes)
        return fig
    saving = float(swings["saving_usd"].iloc[0])
    y = np.arange(len(swings))[::-1]
    for k, (_, r) in enumerate(swings.iterrows()):
        for end, colour, hatch, label in ((r["low_usd"], PALETTE[0], "", "input at the low end"),
                                          (r["high_usd"], PALETTE[1], "//",
                                           "input at the high end")):
            ax.barh(y[k], end - saving, left=saving, color=colour, hatch=hatch,
                    edgecolor="white", label=label if k == 0 else None)
    ax.axvline(saving, color="black", lw=1)
    ax.set_yticks(y, [_short(t) for t in swings["input"]], fontsize=8)
    ax.xaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(
        lambda v, _: f"{v / 1e6:,.2f}"))
    ax.set_xlabel(f"NPV saving against {base}, million USD", fontsize=8)
    ax.set_title(f"What moves the saving of {option}", loc="left", fontsize=10)
    ax.spines[["top", "right"]].set_visible(False)
    ax.legend(frameon=False, fontsize=8, loc="lower right")
    fig.tight_layout()
    return fig


def _short(text: str, width: int = 60) -> str:
    return text if len(text) <= width else text[:width - 1] + "…"


FIGURES = {
    "assumptions-tornado": assumptions_tornado,
    "cumulative-cost": cumulative_cost,
    "annual-by-category": annual_by_category,
    "stored-by-tier": stored_by_tier,
    "first-bills": first_bills,
    "reads": reads,
}
"""File name (without .png) -> figure function, in report order."""
