"""Map figures on plain latitude/longitude axes, with the shipped Natural Earth coastlines.

No map-projection library: a map is an ordinary matplotlib axes in degrees of longitude
(x) and latitude (y) whose aspect ratio is ``1 / cos(mid-latitude)``, so that distances
look right near the middle of the map (an equirectangular view; fine for the regional
maps of a defence study, not for polar or hemispheric ones).

The coastlines are Natural Earth's 1:50m land outlines (public domain), converted once by
:mod:`openbmd.report._build_coastlines` into ``openbmd/data/coastlines_50m.npz``;
nothing is downloaded at run time.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING, Any

import numpy as np

from openbmd.errors import ParameterError, require_range
from openbmd.report._build_coastlines import COASTLINE_RESOURCE

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.collections import LineCollection
    from matplotlib.figure import Figure

#: ``(lon_min_deg, lon_max_deg, lat_min_deg, lat_max_deg)``, as in ``plt.imshow``.
Extent = tuple[float, float, float, float]

__all__ = [
    "Coastlines",
    "Extent",
    "check_extent",
    "coverage_map_figure",
    "coverage_map_png",
    "draw_coastlines",
    "figure_png",
    "load_coastlines",
    "map_axes",
    "vertical_coverage_figure",
    "vertical_coverage_png",
]


@dataclass(frozen=True)
class Coastlines:
    """Coastline polylines: segment ``k`` is ``lon_deg[offsets[k]:offsets[k + 1]]``.

    Attributes
    ----------
    lon_deg, lat_deg : ndarray, shape (P,), float32
        Longitudes in [-180, 180] and latitudes of all points, deg.
    offsets : ndarray, shape (K + 1,), int64
        Start of each segment, and the total count at the end.
    bbox_deg : ndarray, shape (K, 4)
        Per segment ``lon_min, lon_max, lat_min, lat_max``, deg.
    source, licence : str
        Provenance of the data.
    """

    lon_deg: np.ndarray
    lat_deg: np.ndarray
    offsets: np.ndarray
    bbox_deg: np.ndarray
    source: str
    licence: str

    @property
    def n_segments(self) -> int:
        """Number of polylines."""
        return int(self.offsets.size - 1)

    def segments(self, extent: Extent | None = None) -> list[np.ndarray]:
        """Polylines as ``(n, 2)`` lon, lat arrays, deg, optionally only those in ``extent``.

        With an extent reaching past +-180 deg of longitude, segments are repeated shifted
        by 360 deg so that a map across the antimeridian (e.g. 120 to 250 deg) is complete.
        """
        shifts = (0.0,) if extent is None else _lon_shifts(extent)
        out = []
        for shift in shifts:
            if extent is None:
                keep = np.arange(self.n_segments)
            else:
                b = self.bbox_deg
                keep = np.flatnonzero(
                    (b[:, 1] + shift >= extent[0])
                    & (b[:, 0] + shift <= extent[1])
                    & (b[:, 3] >= extent[2])
                    & (b[:, 2] <= extent[3])
                )
            for k in keep.tolist():
                sl = slice(int(self.offsets[k]), int(self.offsets[k + 1]))
                out.append(
                    np.column_stack(
                        [self.lon_deg[sl].astype(float) + shift, self.lat_deg[sl].astype(float)]
                    )
                )
        return out


@cache
def load_coastlines() -> Coastlines:
    """The shipped Natural Earth 1:50m coastlines (loaded once, then cached).

    Examples
    --------
    >>> from openbmd.report.maps import load_coastlines
    >>> coast = load_coastlines()
    >>> coast.n_segments > 1000, "Natural Earth" in coast.source
    (True, True)
    """
    resource = resources.files("openbmd").joinpath(*COASTLINE_RESOURCE)
    with resource.open("rb") as fh, np.load(fh, allow_pickle=False) as data:
        lon = np.ascontiguousarray(data["lon_deg"], dtype=np.float32)
        lat = np.ascontiguousarray(data["lat_deg"], dtype=np.float32)
        offsets = np.ascontiguousarray(data["offsets"], dtype=np.int64)
        source = str(data["source"])
        licence = str(data["licence"])
    if lon.shape != lat.shape or offsets[0] != 0 or offsets[-1] != lon.size:
        raise RuntimeError("corrupt coastline file: offsets do not match the points")
    starts = offsets[:-1]
    bbox = np.column_stack(
        [
            np.minimum.reduceat(lon, starts),
            np.maximum.reduceat(lon, starts),
            np.minimum.reduceat(lat, starts),
            np.maximum.reduceat(lat, starts),
        ]
    ).astype(float)
    for arr in (lon, lat, offsets, bbox):
        arr.setflags(write=False)
    return Coastlines(lon, lat, offsets, bbox, source, licence)


def check_extent(extent: Any) -> Extent:
    """``extent`` as four floats ``(lon_min, lon_max, lat_min, lat_max)``, deg, checked.

    Longitudes may run past 180 (a map across the antimeridian) but span at most 360 deg.

    Raises
    ------
    ParameterError
        Wrong length, non-finite values, latitudes outside [-90, 90] or empty ranges.
    """
    try:
        values = tuple(float(v) for v in extent)
    except (TypeError, ValueError):
        raise ParameterError(
            "extent", "four numbers (lon_min, lon_max, lat_min, lat_max)", extent
        ) from None
    if len(values) != 4:
        raise ParameterError("extent", "four numbers (lon_min, lon_max, lat_min, lat_max)", extent)
    lon0, lon1, lat0, lat1 = values
    require_range("extent longitude", [lon0, lon1], -360.0, 540.0)
    require_range("extent latitude", [lat0, lat1], -90.0, 90.0)
    if not (lon0 < lon1 <= lon0 + 360.0):
        raise ParameterError("extent", "lon_min < lon_max <= lon_min + 360", (lon0, lon1))
    if not lat0 < lat1:
        raise ParameterError("extent", "lat_min < lat_max", (lat0, lat1))
    return lon0, lon1, lat0, lat1


def map_axes(
    extent: Any,
    *,
    ax: Axes | None = None,
    figsize: tuple[float, float] = (7.0, 6.0),
    grid: bool = True,
) -> tuple[Figure, Axes]:
    """Plain lat/lon axes for a map of ``extent``, aspect ``1 / cos(mid-latitude)``.

    Parameters
    ----------
    extent : (lon_min, lon_max, lat_min, lat_max)
        Map limits, deg (see :func:`check_extent`).
    ax : matplotlib Axes, optional
        Axes to set up; a new figure is made when omitted.
    figsize : (float, float)
        Size of a new figure, inches.
    grid : bool
        Draw a light graticule.

    Returns
    -------
    fig, ax
        The figure and the axes (x: longitude, deg east; y: latitude, deg north).
    """
    lon0, lon1, lat0, lat1 = check_extent(extent)
    if ax is None:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        fig, ax = plt.subplots(figsize=figsize)
    else:
        fig = ax.get_figure()  # type: ignore[assignment]
    mid = np.radians(0.5 * (lat0 + lat1))
    ax.set_xlim(lon0, lon1)
    ax.set_ylim(lat0, lat1)
    ax.set_aspect(1.0 / max(float(np.cos(mid)), 0.05))
    ax.set_xlabel("longitude, deg E")
    ax.set_ylabel("latitude, deg N")
    if grid:
        ax.grid(alpha=0.3, linewidth=0.5)
    return fig, ax


def draw_coastlines(
    ax: Axes,
    extent: Any | None = None,
    *,
    color: str = "0.25",
    linewidth: float = 0.6,
    zorder: float = 3.0,
) -> LineCollection:
    """Draw the shipped coastlines on lat/lon axes.

    Parameters
    ----------
    ax : matplotlib Axes
        Axes in degrees (longitude on x, latitude on y), e.g. from :func:`map_axes`.
    extent : (lon_min, lon_max, lat_min, lat_max), optional
        Only segments that reach into this box are drawn (default: the axes' limits).
    color, linewidth, zorder
        Line style.

    Returns
    -------
    matplotlib.collections.LineCollection
        The added collection.
    """
    from matplotlib.collections import LineCollection

    if extent is None:
        x0, x1 = ax.get_xlim()
        y0, y1 = ax.get_ylim()
        extent = (min(x0, x1), max(x0, x1), max(min(y0, y1), -90.0), min(max(y0, y1), 90.0))
    box = check_extent(extent)
    lines = LineCollection(
        load_coastlines().segments(box), colors=color, linewidths=linewidth, zorder=zorder
    )
    ax.add_collection(lines, autolim=False)
    return lines


def figure_png(fig: Figure, *, dpi: int = 120, tight: bool = False) -> bytes:
    """PNG bytes of ``fig``; the figure is closed afterwards. ``tight`` grows or trims the
    canvas to everything drawn (e.g. a legend placed below the axes)."""
    import io

    import matplotlib.pyplot as plt

    buf = io.BytesIO()
    try:
        fig.savefig(buf, format="png", dpi=dpi, bbox_inches="tight" if tight else None)
    finally:
        plt.close(fig)
    return buf.getvalue()


def coverage_map_figure(ds: Any, *, figsize: tuple[float, float] = (7.5, 6.5)) -> Figure:
    """Map of a horizontal coverage Dataset (:func:`openbmd.sensors.coverage.coverage_map`).

    Pd is shaded where the line of sight is clear; the covered region (Pd at or above the
    threshold) is outlined; coastlines and the radar site are drawn.
    """
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
    fig, ax = map_axes(extent, figsize=figsize)
    mesh = ax.pcolormesh(
        lon,
        lat,
        np.asarray(ds["pd"], dtype=float),
        shading="nearest",
        cmap="viridis",
        vmin=0.0,
        vmax=1.0,
        zorder=1,
    )
    fig.colorbar(mesh, ax=ax, shrink=0.8, label="probability of detection per dwell")
    covered = np.asarray(ds["covered"], dtype=float)
    if 0.0 < covered.sum() < covered.size:
        ax.contour(lon, lat, covered, levels=[0.5], colors="red", linewidths=1.2, zorder=2)
    draw_coastlines(ax, extent)
    a = ds.attrs
    ax.plot(a["site_lon_deg"], a["site_lat_deg"], "r^", ms=7, zorder=4, label="radar")
    ax.legend(loc="lower right")
    ax.set_title(
        f"{a['radar']}: RCS {a['rcs_m2']:g} m², target at {a['target_alt_km']:g} km, "
        f"Pd >= {a['pd_threshold']:g}\n"
        f"covered {a['covered_area_km2']:,.0f} km², max range {a['max_range_km']:,.0f} km",
        fontsize=10,
    )
    return fig


def coverage_map_png(ds: Any, *, dpi: int = 120) -> bytes:
    """PNG bytes of :func:`coverage_map_figure`."""
    return figure_png(coverage_map_figure(ds), dpi=dpi)


def vertical_coverage_figure(
    ds: Any,
    *,
    figsize: tuple[float, float] = (9.0, 5.0),
    rays_deg: tuple[float, ...] = (0.0, 1.0, 2.0, 5.0, 10.0, 20.0, 45.0),
) -> Figure:
    """Range-height diagram of a :func:`openbmd.sensors.coverage.vertical_coverage` Dataset.

    Altitude against ground range: straight rays of the effective-Earth model bend upward
    on these axes (the Earth's curvature, reduced by refraction); the detection envelope
    is shaded.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from openbmd.sensors.coverage import ray_height_m

    a = ds.attrs
    k = float(a["k_factor"])
    h1 = max(float(a["site_alt_m"]), 0.0)
    ground = np.asarray(ds["detection_ground_range_km"], dtype=float)
    height = np.asarray(ds["detection_alt_km"], dtype=float)
    ok = np.isfinite(ground) & np.isfinite(height)
    fig, ax = plt.subplots(figsize=figsize)
    if np.any(ok):
        xs = np.concatenate([[0.0], ground[ok], [0.0]])
        ys = np.concatenate([[h1 / 1e3], height[ok], [h1 / 1e3]])
        ax.fill(xs, ys, color="tab:blue", alpha=0.35, label=f"Pd >= {a['pd_threshold']:g}")
        ax.plot(xs, ys, color="tab:blue", lw=1.0)
    reach = (
        float(np.nanmax(np.asarray(ds["detection_range_km"], dtype=float))) if np.any(ok) else 100.0
    )
    x_max = 1.1 * max(float(np.nanmax(ground[ok])) if np.any(ok) else 1.0, 1.0)
    y_max = 1.1 * max(float(np.nanmax(height[ok])) if np.any(ok) else 1.0, 1.0)
    rng = np.linspace(0.0, 3.0 * max(reach, x_max, y_max) * 1e3, 400)
    for el in rays_deg:
        h, g = (v / 1e3 for v in ray_height_m(rng, np.radians(el), h1, k))
        ax.plot(g, h, color="0.6", lw=0.6, ls="--")
        inside = np.flatnonzero((g <= 0.97 * x_max) & (h <= 0.95 * y_max))
        if inside.size:
            j = int(inside[-1])
            ax.annotate(f"{el:g}°", (g[j], h[j]), fontsize=7, color="0.35", ha="right", va="bottom")
    ax.set_xlim(0.0, x_max)
    ax.set_ylim(0.0, y_max)
    ax.set_xlabel("ground range, km")
    ax.set_ylabel("altitude, km")
    ax.set_title(
        f"{a['radar']}: vertical coverage, RCS {a['rcs_m2']:g} m² (effective Earth k = {k:.3g})",
        fontsize=10,
    )
    ax.grid(alpha=0.3)
    ax.legend(loc="upper right")
    fig.tight_layout()
    return fig


def vertical_coverage_png(ds: Any, *, dpi: int = 120) -> bytes:
    """PNG bytes of :func:`vertical_coverage_figure`."""
    return figure_png(vertical_coverage_figure(ds), dpi=dpi)


def _lon_shifts(extent: Extent) -> tuple[float, ...]:
    """Multiples of 360 deg to add to [-180, 180] longitudes to cover ``extent``."""
    return tuple(
        360.0 * k
        for k in (-2, -1, 0, 1, 2)
        if extent[0] <= 180.0 + 360.0 * k and extent[1] >= -180.0 + 360.0 * k
    )
