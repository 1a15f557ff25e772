"""Regular latitude/longitude grids of map studies, with exact WGS 84 cell areas.

A grid covers its bounds exactly: ``n`` cells between the latitude bounds and ``m``
between the longitude bounds, each about ``resolution_km`` across at the middle latitude
of the bounds (north-south from the meridian radius of curvature, east-west from the
prime-vertical radius times the cosine of the latitude). Cells are narrower east-west
poleward of the middle and wider equatorward; their areas are exact on the ellipsoid
(:func:`openbmd.sensors.coverage.cell_area_m2`, the authalic-latitude formula), so areas
summed over cells do not depend on that.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from openbmd.errors import ParameterError, require_positive
from openbmd.geodesy import meridian_radius_m, prime_vertical_radius_m
from openbmd.sensors.coverage import cell_area_m2

__all__ = ["MAX_CELLS", "Bounds", "MapGrid", "bounds_around", "check_bounds", "make_grid"]

#: Largest grid accepted (cells); beyond it ask for a coarser resolution.
MAX_CELLS = 4_000_000

#: ``(lat_min_deg, lat_max_deg, lon_min_deg, lon_max_deg)``.
Bounds = tuple[float, float, float, float]


@dataclass(frozen=True)
class MapGrid:
    """Cell centres, edges and areas of a regular latitude/longitude grid.

    Attributes
    ----------
    lat_deg, lon_deg : ndarray, shape (NLAT,), (NLON,)
        Cell centres, deg (increasing).
    lat_edges_deg, lon_edges_deg : ndarray, shape (NLAT + 1,), (NLON + 1,)
        Cell edges, deg.
    cell_area_km2 : ndarray, shape (NLAT, NLON)
        Exact WGS 84 area of each cell, km².
    resolution_km : float
        The resolution asked for (cell size at the middle latitude), km.
    """

    lat_deg: np.ndarray
    lon_deg: np.ndarray
    lat_edges_deg: np.ndarray
    lon_edges_deg: np.ndarray
    cell_area_km2: np.ndarray
    resolution_km: float

    @property
    def shape(self) -> tuple[int, int]:
        """(NLAT, NLON)."""
        return (int(self.lat_deg.size), int(self.lon_deg.size))

    @property
    def size(self) -> int:
        """Number of cells."""
        return int(self.lat_deg.size * self.lon_deg.size)

    @property
    def bounds_deg(self) -> Bounds:
        """``(lat_min, lat_max, lon_min, lon_max)`` of the outer edges, deg."""
        return (
            float(self.lat_edges_deg[0]),
            float(self.lat_edges_deg[-1]),
            float(self.lon_edges_deg[0]),
            float(self.lon_edges_deg[-1]),
        )

    def cell_points(self) -> tuple[np.ndarray, np.ndarray]:
        """Latitudes and longitudes of every cell centre, row by row (NLAT * NLON,), deg."""
        lat, lon = np.meshgrid(self.lat_deg, self.lon_deg, indexing="ij")
        return lat.ravel(), lon.ravel()


def check_bounds(bounds_deg: Any) -> Bounds:
    """``bounds_deg`` as four floats ``(lat_min, lat_max, lon_min, lon_max)``, checked.

    Raises
    ------
    ParameterError
        Not four finite numbers, latitudes outside [-90, 90], empty ranges, longitudes
        outside [-180, 360] or spanning 360 deg or more.
    """
    allowed = "four numbers (lat_min, lat_max, lon_min, lon_max) in degrees"
    try:
        values = tuple(float(v) for v in bounds_deg)
    except (TypeError, ValueError):
        raise ParameterError("bounds_deg", allowed, bounds_deg) from None
    if len(values) != 4 or not all(math.isfinite(v) for v in values):
        raise ParameterError("bounds_deg", allowed, bounds_deg)
    lat0, lat1, lon0, lon1 = values
    if not (-90.0 <= lat0 < lat1 <= 90.0):
        raise ParameterError("bounds_deg", "-90 <= lat_min < lat_max <= 90", (lat0, lat1))
    if not (-180.0 <= lon0 < lon1 <= 360.0 and lon1 - lon0 < 360.0):
        raise ParameterError(
            "bounds_deg", "-180 <= lon_min < lon_max <= 360, spanning < 360 deg", (lon0, lon1)
        )
    return lat0, lat1, lon0, lon1


def make_grid(bounds_deg: Any, resolution_km: float) -> MapGrid:
    """The grid of cells about ``resolution_km`` across that tiles ``bounds_deg``.

    Examples
    --------
    >>> g = make_grid((35.0, 36.0, 139.0, 140.0), 25.0)
    >>> g.shape, round(float(g.cell_area_km2.sum()))
    ((4, 4), 10066)
    """
    lat0, lat1, lon0, lon1 = check_bounds(bounds_deg)
    res_m = 1e3 * float(require_positive("resolution_km", resolution_km))
    mid = 0.5 * (lat0 + lat1)
    dlat = math.degrees(res_m / float(meridian_radius_m(mid)))
    cos_mid = max(math.cos(math.radians(mid)), 1e-3)
    dlon = math.degrees(res_m / (float(prime_vertical_radius_m(mid)) * cos_mid))
    n_lat = max(1, round((lat1 - lat0) / dlat))
    n_lon = max(1, round((lon1 - lon0) / dlon))
    if n_lat * n_lon > MAX_CELLS:
        raise ParameterError(
            "resolution_km",
            f"coarse enough for at most {MAX_CELLS:,} cells",
            f"{resolution_km:g} ({n_lat * n_lon:,} cells)",
        )
    lat_edges = np.linspace(lat0, lat1, n_lat + 1)
    lon_edges = np.linspace(lon0, lon1, n_lon + 1)
    return MapGrid(
        lat_deg=0.5 * (lat_edges[:-1] + lat_edges[1:]),
        lon_deg=0.5 * (lon_edges[:-1] + lon_edges[1:]),
        lat_edges_deg=lat_edges,
        lon_edges_deg=lon_edges,
        cell_area_km2=cell_area_m2(lat_edges, lon_edges) / 1e6,
        resolution_km=float(resolution_km),
    )


def bounds_around(
    lat_deg: Sequence[float] | np.ndarray, lon_deg: Sequence[float] | np.ndarray, margin_km: float
) -> Bounds:
    """The latitude/longitude box of the points, widened by ``margin_km`` on every side.

    The east-west margin uses the poleward edge of the widened box (so the margin is at
    least ``margin_km`` everywhere); latitudes are clipped to [-89.9, 89.9].
    """
    lat = np.asarray(lat_deg, dtype=float).reshape(-1)
    lon = np.asarray(lon_deg, dtype=float).reshape(-1)
    margin = 1e3 * float(margin_km)
    dlat = math.degrees(margin / float(meridian_radius_m(float(lat.mean()))))
    south = max(float(lat.min()) - dlat, -89.9)
    north = min(float(lat.max()) + dlat, 89.9)
    pole = max(abs(south), abs(north))
    cos_pole = max(math.cos(math.radians(pole)), 1e-3)
    dlon = math.degrees(margin / (float(prime_vertical_radius_m(pole)) * cos_pole))
    west, east = float(lon.min()) - dlon, float(lon.max()) + dlon
    if east - west >= 359.0:
        west, east = -180.0, 179.0
    elif west < -180.0:
        west, east = west + 360.0, east + 360.0
    return south, north, west, min(east, west + 359.0)
