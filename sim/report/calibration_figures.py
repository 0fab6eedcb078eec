"""Goodness-of-fit figures of a calibration: observed data against the fitted model."""

from __future__ import annotations

import math

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from sim.calibrate.fit import Fit  # noqa: E402
from sim.report.figures import PALETTE  # noqa: E402


def _grid(n: int, height: float = 2.6) -> tuple[Figure, list]:
    cols = min(n, 4)
    rows = -(-n // cols)
    fig, axes = plt.subplots(rows, cols, figsize=(3.4 * cols, height * rows), squeeze=False)
    flat = list(axes.ravel())
    for ax in flat[n:]:
        ax.set_visible(False)
    return fig, flat[:n]


def _per_modality(fit: Fit, key: str, draw) -> Figure:
    """One panel per modality of ``fit.curves[key]``: ``draw(ax, modality, curve)`` returns
    the panel's title."""
    curves = fit.curves.get(key, {})
    fig, axes = _grid(max(len(curves), 1))
    for ax, (m, curve) in zip(axes, curves.items(), strict=False):
        ax.set_title(f"{m}: {draw(ax, curve)}", loc="left", fontsize=9)
        ax.tick_params(labelsize=7)
    axes[0].legend(frameon=False, fontsize=7)
    fig.tight_layout()
    return fig


def volume(fit: Fit) -> Figure:
    """Studies per 30 days by modality, with the fitted trend."""

    def draw(ax, curve) -> str:
        counts, a, b = curve
        n = counts.size
        blocks = n // 30
        if blocks:
            observed = counts[:blocks * 30].reshape(blocks, 30).sum(axis=1)
            years = (np.arange(n) + 0.5 - n) / 365.25
            fitted = np.exp(a + b * years)[:blocks * 30].reshape(blocks, 30).sum(axis=1)
            ax.plot(observed, ".", color=PALETTE[0], label="observed")
            ax.plot(fitted, "-", color=PALETTE[1], label="fitted")
        return "studies per 30 days"

    return _per_modality(fit, "volume", draw)


def sizes(fit: Fit) -> Figure:
    """Distribution of log study size (trend removed) against the fitted lognormal."""

    def draw(ax, curve) -> str:
        log_mb, mu, sigma = curve
        ax.hist(log_mb, bins=40, density=True, color=PALETTE[0], alpha=0.6, label="observed")
        x = np.linspace(log_mb.min(), log_mb.max(), 200)
        ax.plot(x, np.exp(-((x - mu) ** 2) / (2 * sigma**2)) / (sigma * math.sqrt(2 * math.pi)),
                color=PALETTE[1], label="fitted")
        return f"ln(size MB), median {math.exp(mu):.0f} MB"

    return _per_modality(fit, "sizes", draw)


def returns(fit: Fit) -> Figure:
    """Gaps (days) to the patient's latest earlier study of the same modality, in the data and
    in the fitted model run on the same arrivals (the statistic the fit matches)."""

    def draw(ax, curve) -> str:
        gaps, model_gaps, median = curve
        if gaps.size:
            bins = np.linspace(np.log10(gaps).min(), np.log10(gaps).max(), 40)
            ax.hist(np.log10(gaps), bins=bins, color=PALETTE[0], alpha=0.6, label="observed")
            if model_gaps.size:
                ax.hist(np.log10(model_gaps), bins=bins, histtype="step", color=PALETTE[1],
                        lw=1.5, label="fitted model")
        return f"log10 gap (days); model median {median:.0f} d"

    return _per_modality(fit, "returns", draw)


def decay(fit: Fit) -> Figure:
    """Reads per study-year by study age: the fitted step function."""
    fig, ax = plt.subplots(figsize=(6, 3.2))
    rows = fit.curves.get("decay", [])
    if rows:
        lo = [r[0] for r in rows]
        rate = [r[2] for r in rows]
        ax.step(lo + [lo[-1] + 1], rate + [rate[-1]], where="post", color=PALETTE[1])
        ax.plot(lo, rate, "o", color=PALETTE[0])
    ax.set_yscale("log")
    ax.set_xlabel("study age (years)")
    ax.set_ylabel("reads per study-year")
    ax.set_title("Reads by study age", loc="left", fontsize=10)
    fig.tight_layout()
    return fig


FIGURES = {"volume": volume, "sizes": sizes, "returns": returns, "decay": decay}
