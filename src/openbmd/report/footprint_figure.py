"""Map of a defended footprint or a launch area denied, over the shipped coastlines.

The engageable cells are shaded per tier (one translucent colour per interceptor class,
its area in km² in the legend) or by the probability of a successful engagement; the
limit of the threat's reach is dashed; the defence sites, the launch area (footprint) or
the defended point (launch area denied) are marked. Plain latitude/longitude axes
(:mod:`openbmd.report.maps`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from openbmd.errors import require_choice
from openbmd.report.maps import draw_coastlines, figure_png, map_axes

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["COLOR_BY", "footprint_figure", "footprint_png"]

#: What the cells can be shaded by.
COLOR_BY = ("tier", "p_engagement")
_TIER_COLOURS = ("tab:blue", "tab:orange", "tab:green", "tab:purple", "tab:brown", "tab:pink")


def _extent(lat: np.ndarray, lon: np.ndarray) -> tuple[float, float, float, float]:
    dlat = float(lat[1] - lat[0]) if lat.size > 1 else 0.1
    dlon = float(lon[1] - lon[0]) if lon.size > 1 else 0.1
    return (
        float(lon[0] - 0.5 * dlon),
        float(lon[-1] + 0.5 * dlon),
        max(float(lat[0] - 0.5 * dlat), -90.0),
        min(float(lat[-1] + 0.5 * dlat), 90.0),
    )


def footprint_figure(
    ds: Any, *, color_by: str = "tier", figsize: tuple[float, float] = (8.0, 7.0)
) -> Figure:
    """Map of a :func:`~openbmd.analysis.footprint.defended_footprint` or
    :func:`~openbmd.analysis.footprint.launch_area_denied` Dataset.

    Parameters
    ----------
    ds : xarray.Dataset
    color_by : {"tier", "p_engagement"}
        Shade engageable cells per tier, or every reachable cell by its probability of a
        successful engagement.
    figsize : (float, float)
        Figure size, inches.
    """
    from matplotlib.colors import ListedColormap
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    require_choice("color_by", color_by, COLOR_BY)
    lat = np.asarray(ds["lat"], dtype=float)
    lon = np.asarray(ds["lon"], dtype=float)
    extent = _extent(lat, lon)
    fig, ax = map_axes(extent, figsize=figsize)
    area = np.asarray(ds["cell_area_km2"], dtype=float)
    handles: list[Any] = []
    tiers = [str(t) for t in np.asarray(ds["tier"]).tolist()]
    colour = {t: _TIER_COLOURS[i % len(_TIER_COLOURS)] for i, t in enumerate(tiers)}
    if color_by == "p_engagement":
        reach = np.asarray(ds["reachable"], dtype=bool)
        p = np.where(reach, np.asarray(ds["p_engagement"], dtype=float), np.nan)
        mesh = ax.pcolormesh(
            lon, lat, p, shading="nearest", cmap="viridis", vmin=0.0, vmax=1.0, zorder=1
        )
        fig.colorbar(mesh, ax=ax, shrink=0.8, label="probability of a successful engagement")
    else:
        for t in tiers:
            cells = np.asarray(ds["engageable_tier"].sel(tier=t), dtype=bool)
            if not cells.any():
                continue
            ax.pcolormesh(
                lon,
                lat,
                np.where(cells, 1.0, np.nan),
                shading="nearest",
                cmap=ListedColormap([colour[t]]),
                alpha=0.45,
                zorder=1,
            )
            handles.append(
                Patch(color=colour[t], alpha=0.45, label=f"{t}: {area[cells].sum():,.0f} km²")
            )
    engageable = np.asarray(ds["engageable"], dtype=float)
    if 0.0 < engageable.sum() < engageable.size:
        ax.contour(lon, lat, engageable, levels=[0.5], colors="black", linewidths=1.0, zorder=2)
    handles.append(
        Line2D(
            [],
            [],
            color="black",
            lw=1.0,
            label=f"engageable: {ds.attrs['defended_area_km2']:,.0f} km²",
        )
    )
    reach = np.asarray(ds["reachable"], dtype=float)
    if 0.0 < reach.sum() < reach.size:
        ax.contour(
            lon, lat, reach, levels=[0.5], colors="0.4", linewidths=1.0, linestyles="--", zorder=2
        )
        handles.append(
            Line2D([], [], color="0.4", lw=1.0, ls="--", label="limit of the threat's reach")
        )
    draw_coastlines(ax, extent, color="0.85" if color_by == "p_engagement" else "0.25")
    a = ds.attrs
    site_tier = list(a.get("site_tier", []))
    for name, s_lat, s_lon, t in zip(
        a.get("site_names", []),
        a.get("site_lat_deg", []),
        a.get("site_lon_deg", []),
        site_tier,
        strict=False,
    ):
        ax.plot(s_lon, s_lat, "^", color=colour.get(t, "red"), mec="black", ms=8, zorder=5)
        ax.annotate(
            str(name),
            (s_lon, s_lat),
            xytext=(4, 4),
            textcoords="offset points",
            fontsize=8,
            zorder=5,
        )
    handles.append(
        Line2D([], [], marker="^", ls="", color="0.6", mec="black", label="defence site")
    )
    if a.get("kind") == "launch-area-denied":
        ax.plot(
            a["defended_lon_deg"],
            a["defended_lat_deg"],
            "*",
            color="red",
            mec="black",
            ms=14,
            zorder=6,
        )
        handles.append(
            Line2D(
                [], [], marker="*", ls="", color="red", mec="black", ms=10, label="defended point"
            )
        )
        what = "launch area denied"
    else:
        p_lat = np.asarray(a.get("launch_lat_deg", []), dtype=float)
        p_lon = np.asarray(a.get("launch_lon_deg", []), dtype=float)
        if a.get("launch_kind") == "polygon" and p_lat.size > 3:
            ax.fill(p_lon[:-1], p_lat[:-1], facecolor="none", edgecolor="red", lw=1.5, zorder=6)
        ax.plot(p_lon, p_lat, "x", color="red", ms=7, zorder=6)
        handles.append(Line2D([], [], marker="x", ls="", color="red", label="launch area"))
        what = "defended footprint"
    ax.legend(
        handles=handles,
        loc="upper center",
        bbox_to_anchor=(0.5, -0.16),
        ncol=2,
        fontsize=8,
        framealpha=0.9,
    )
    ax.set_title(
        f"{a.get('scenario', '')}: {what} against {a.get('threat', '')} "
        f"({a.get('missile', '')}, {a.get('shape', '')})\n"
        f"engageable {a['defended_area_km2']:,.0f} km², cells of {a.get('resolution_km', 0):g} km",
        fontsize=10,
    )
    fig.tight_layout()
    return fig


def footprint_png(ds: Any, *, color_by: str = "tier", dpi: int = 120) -> bytes:
    """PNG bytes of :func:`footprint_figure`."""
    return figure_png(footprint_figure(ds, color_by=color_by), dpi=dpi, tight=True)
