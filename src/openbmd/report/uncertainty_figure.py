"""Figure of a parameter-uncertainty study: bands, sensitivity ranking, probability map.

:func:`uncertainty_figure` draws, from an
:class:`~openbmd.analysis.uncertainty.UncertaintyResult`:

* **bands**: one row per output, the 5-95 % band as a bar, the full range as a thin
  line, the median as a tick and the nominal scenario's value as a red diamond (each row
  on its own scale);
* a **tornado** of Spearman's rank correlation of each parameter with the headline
  output (``leakers`` when it varies, else ``analytic_p_no_leaker``), dashed lines at
  the chance level of the sample size;
* a **heat map** of the rank correlations of every output with every parameter;
* with a footprint, the **probability map**: the fraction of samples in which each
  cell of the defended footprint is engageable, with coastlines.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

import numpy as np

from openbmd.report.maps import draw_coastlines, figure_png, map_axes

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from openbmd.analysis.uncertainty import UncertaintyResult

__all__ = ["headline_output", "short_name", "uncertainty_figure", "uncertainty_png"]

#: Outputs the tornado shows, first one that varies.
HEADLINES = ("leakers", "analytic_p_no_leaker", "defended_area_km2")


def short_name(parameter: str) -> str:
    """A parameter path shortened for a figure label.

    Examples
    --------
    >>> short_name("defence.sites[0].overrides.burnout_speed_m_s")
    'sites[0].burnout_speed_m_s'
    """
    text = re.sub(r"^(defence|sensors)\.", "", parameter)
    return text.replace(".overrides.", ".")


def headline_output(result: UncertaintyResult) -> str | None:
    """The output the tornado shows: the first of :data:`HEADLINES` that is ranked."""
    ranked = {e.output for e in result.sensitivity.entries}
    for name in HEADLINES:
        if name in ranked:
            return name
    return next(iter(o for o in result.outputs if o in ranked), None)


def uncertainty_figure(result: UncertaintyResult, *, width_in: float = 15.0) -> Figure:
    """Bands, tornado and heat map (and the probability map with a footprint)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    has_map = result.probability_map is not None
    outputs = list(result.bands)
    rows = max(len(outputs), 2)
    fig = plt.figure(figsize=(width_in, max(5.5, 0.5 * rows + 1.6)), layout="constrained")
    grid = fig.add_gridspec(
        2, 3 if has_map else 2, width_ratios=[1, 1.2, 1.3][: 3 if has_map else 2]
    )
    band_area = grid[:, 0].subgridspec(rows, 1, hspace=0.0)
    for i, name in enumerate(outputs):
        _band_row(fig.add_subplot(band_area[i, 0]), result, name, first=i == 0)
    _tornado(fig.add_subplot(grid[0, 1]), result)
    _heatmap(fig, fig.add_subplot(grid[1, 1]), result)
    if has_map:
        _probability_map(fig, fig.add_subplot(grid[:, 2]), result)
    fig.suptitle(
        f"{result.scenario_name}: {result.samples} samples (Latin hypercube), seed {result.seed}",
        fontsize=11,
    )
    return fig


def uncertainty_png(result: UncertaintyResult, *, dpi: int = 110) -> bytes:
    """PNG bytes of :func:`uncertainty_figure`."""
    return figure_png(uncertainty_figure(result), dpi=dpi)


def _band_row(ax: Axes, result: UncertaintyResult, name: str, *, first: bool) -> None:
    b = result.bands[name]
    ax.plot([b.low, b.high], [0, 0], color="0.6", lw=1.0, zorder=1)
    ax.plot([b.q05, b.q95], [0, 0], color="tab:blue", lw=7, solid_capstyle="butt", zorder=2)
    ax.plot([b.q50], [0], marker="|", color="black", ms=14, mew=2, zorder=3)
    if np.isfinite(b.nominal):
        ax.plot([b.nominal], [0], marker="D", color="tab:red", ms=5, zorder=4)
    span = b.high - b.low
    pad = 0.08 * span if span > 0 else max(abs(b.high) * 0.1, 0.5)
    ax.set_xlim(b.low - pad, b.high + pad)
    ax.set_ylim(-1, 1)
    ax.set_yticks([])
    ax.set_ylabel(name, rotation=0, ha="right", va="center", fontsize=8)
    ax.tick_params(axis="x", labelsize=7, pad=1)
    for side in ("top", "right", "left"):
        ax.spines[side].set_visible(False)
    if first:
        ax.set_title("bands: 5-95 % (bar), range (line), median (|), nominal (red)", fontsize=9)


def _tornado(ax: Axes, result: UncertaintyResult) -> None:
    name = headline_output(result)
    if name is None:
        ax.text(0.5, 0.5, "no output varies: no ranking", ha="center", va="center")
        ax.set_axis_off()
        return
    entries = result.sensitivity.for_output(name)[::-1]
    rho = np.array([e.spearman for e in entries])
    colors = ["tab:red" if r < 0 else "tab:blue" for r in rho]
    y = np.arange(len(entries))
    ax.barh(y, rho, color=colors)
    ax.set_yticks(y, [short_name(e.parameter) for e in entries], fontsize=8)
    ax.set_xlim(-1, 1)
    ax.axvline(0.0, color="black", lw=0.8)
    limit = result.sensitivity.threshold
    if np.isfinite(limit) and limit < 1.0:
        for x in (-limit, limit):
            ax.axvline(x, color="0.4", lw=0.8, ls="--")
    ax.set_xlabel("Spearman rank correlation (dashed: chance level)", fontsize=8)
    ax.set_title(f"what moves {name} most", fontsize=9)
    ax.tick_params(axis="x", labelsize=7)


def _heatmap(fig: Figure, ax: Axes, result: UncertaintyResult) -> None:
    names = result.parameter_names
    outputs = [o for o in result.outputs if result.sensitivity.for_output(o)]
    if not outputs:
        ax.set_axis_off()
        return
    rho = np.zeros((len(outputs), len(names)))
    for i, o in enumerate(outputs):
        for e in result.sensitivity.for_output(o):
            rho[i, names.index(e.parameter)] = e.spearman
    image = ax.imshow(rho, cmap="RdBu_r", vmin=-1.0, vmax=1.0, aspect="auto")
    ax.set_xticks(np.arange(len(names)), [short_name(n) for n in names], rotation=60, ha="right")
    ax.set_yticks(np.arange(len(outputs)), outputs)
    ax.tick_params(labelsize=7)
    if rho.size <= 150:
        for (i, j), v in np.ndenumerate(rho):
            ax.text(j, i, f"{v:.2f}", ha="center", va="center", fontsize=6)
    fig.colorbar(image, ax=ax, shrink=0.8, label="Spearman rho")
    ax.set_title("rank correlation, every output and parameter", fontsize=9)


def _probability_map(fig: Figure, ax: Axes, result: UncertaintyResult) -> None:
    ds: Any = result.probability_map
    lat = np.asarray(ds["lat"], dtype=float)
    lon = np.asarray(ds["lon"], dtype=float)
    dlat = float(lat[1] - lat[0]) if lat.size > 1 else 0.1
    dlon = float(lon[1] - lon[0]) if lon.size > 1 else 0.1
    extent = (
        lon[0] - 0.5 * dlon,
        lon[-1] + 0.5 * dlon,
        max(lat[0] - 0.5 * dlat, -90.0),
        min(lat[-1] + 0.5 * dlat, 90.0),
    )
    map_axes(extent, ax=ax)
    p = np.asarray(ds["p_engageable"], dtype=float)
    mesh = ax.pcolormesh(lon, lat, p, shading="nearest", cmap="viridis", vmin=0, vmax=1, zorder=1)
    fig.colorbar(mesh, ax=ax, shrink=0.7, label="probability that a cell is engageable")
    if np.any((p > 0.0) & (p < 1.0)):  # a map that differs between samples
        cs = ax.contour(lon, lat, p, levels=[0.05, 0.5, 0.95], colors="white", linewidths=0.8)
        ax.clabel(cs, fontsize=6, fmt="%.2f")
    draw_coastlines(ax, extent)
    a = ds.attrs
    if "site_lat_deg" in a:
        ax.plot(
            np.atleast_1d(a["site_lon_deg"]),
            np.atleast_1d(a["site_lat_deg"]),
            "r^",
            ms=6,
            zorder=4,
            label="defence sites",
        )
        ax.legend(loc="lower right", fontsize=7)
    ax.set_title(
        f"defended footprint, probability over the samples\n"
        f"area 5/50/95 %: {a['area_p05_km2']:,.0f} / {a['area_p50_km2']:,.0f} / "
        f"{a['area_p95_km2']:,.0f} km²",
        fontsize=9,
    )
