"""Convergence figure of a Monte Carlo study (matplotlib, PNG).

Three panels against the number of trials: the probability of no leaker, the expected
leakers and the interceptors expended per raid. Each shows the running estimate, its
95 % confidence band (computed as for the final estimate, see
:mod:`openbmd.analysis.stats`) and Wilkening's analytic value as a dashed line.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from openbmd.report.maps import figure_png

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from openbmd.analysis.montecarlo import MonteCarloResult

__all__ = ["convergence_figure", "convergence_png"]

#: Panel title, convergence field prefix, attribute of the analytic check.
_PANELS = (
    ("P(no leaker)", "p_no_leaker", "p_no_leaker"),
    ("expected leakers per raid", "expected_leakers", "expected_leakers"),
    ("interceptors expended per raid", "interceptors_expended", "interceptors_expended"),
)


def convergence_figure(result: MonteCarloResult) -> Figure:
    """Running estimates with 95 % bands and the analytic values, against trial count."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    conv = result.convergence
    n = np.asarray(conv.trials, dtype=float)
    fig, axes = plt.subplots(3, 1, figsize=(8.0, 9.0), sharex=True)
    for ax, (title, field, analytic_name) in zip(axes, _PANELS, strict=True):
        value = np.asarray(getattr(conv, field), dtype=float)
        low = np.asarray(getattr(conv, f"{field}_low"), dtype=float)
        high = np.asarray(getattr(conv, f"{field}_high"), dtype=float)
        ax.fill_between(n, low, high, color="tab:blue", alpha=0.2, lw=0,
                        label="95 % confidence interval")  # fmt: skip
        ax.plot(n, value, color="tab:blue", lw=1.4, label="Monte Carlo (running)")
        analytic = float(getattr(result.analytic, analytic_name))
        ax.axhline(analytic, color="tab:red", ls="--", lw=1.2,
                   label=f"analytic (Wilkening): {analytic:.3g}")  # fmt: skip
        ax.set_ylabel(title)
        ax.grid(True, alpha=0.3)
        ax.legend(loc="best", fontsize=8)
        _limits(ax, low, high, analytic)
    axes[0].set_ylim(-0.02, 1.02)
    if n.size > 20:
        axes[-1].set_xscale("log")
    axes[-1].set_xlabel("trials")
    final = result.p_no_leaker
    fig.suptitle(
        f"{result.scenario_name}: Monte Carlo of the full pipeline, {result.trials} trials "
        f"(seed {result.seed})\nP(no leaker) = {final.value:.3f} "
        f"[{final.ci95[0]:.3f}, {final.ci95[1]:.3f}] (95 %, Wilson)",
        fontsize=10,
    )
    fig.tight_layout()
    return fig


def convergence_png(result: MonteCarloResult, *, dpi: int = 110) -> bytes:
    """PNG bytes of :func:`convergence_figure`."""
    return figure_png(convergence_figure(result), dpi=dpi)


def _limits(ax: Any, low: np.ndarray, high: np.ndarray, analytic: float) -> None:
    top = max(float(np.max(high)) if high.size else 0.0, analytic)
    bottom = min(float(np.min(low)) if low.size else 0.0, analytic)
    pad = 0.05 * max(top - bottom, 1e-3)
    ax.set_ylim(bottom - pad, top + pad)
