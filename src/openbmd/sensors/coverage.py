"""Radar coverage products: vertical (range-height) and horizontal (map) coverage.

Both answer "where does this radar detect a target of this RCS with probability at
least ``pd``?" from the same pieces, none of them re-implemented here:

* geometry and line of sight: :func:`openbmd.sensors.los.look_angles` (WGS 84 slant range
  and azimuth, apparent elevation in the effective-Earth model of refraction, horizon
  mask, field of regard, instrumented range);
* SNR: :meth:`openbmd.sensors.radar.Radar.snr_db` (radar equation, scan loss);
* Pd: the radar's detection table (:meth:`Radar.pd_table`) read by the compiled
  :func:`openbmd.sensors.detection.pd_from_table_batch` (error < 1e-6); above the
  table's top SNR (40 dB) a second, coarser table of exact values (0.05 dB steps).

**Horizontal coverage** (:func:`coverage_map`): a regular latitude/longitude grid around
the site, the target at a fixed altitude above the ellipsoid in every cell. A cell is
*visible* when the line of sight is clear and inside the field of regard and range, and
*covered* when it is visible and Pd >= ``pd``. Cell areas are exact on the WGS 84
ellipsoid (area between two parallels and two meridians, from the authalic-latitude
formula), so ``covered_area_km2`` is the ellipsoidal area of the covered cells.
``max_range_km`` is the largest slant range, and ``max_ground_range_km`` the largest
great-circle distance on the mean sphere (R = 6371.0088 km), to a covered cell centre.

**Vertical coverage** (:func:`vertical_coverage`): in the vertical plane of the boresight
azimuth, the detection range against elevation angle (radar equation with scan loss,
cut at the instrumented range) and, against target altitude, the longest slant range at
which a target is detected: inside the elevation limits of the field of regard above
the horizon mask, in the effective-Earth (k R) geometry on the mean sphere. Heights there
are above the sphere, as in :mod:`openbmd.sensors.horizon`.
"""

from __future__ import annotations

import math
from functools import lru_cache
from typing import Any

import numpy as np
import numpy.typing as npt
import xarray as xr

from openbmd.constants import MEAN_EARTH_RADIUS_M, WGS84_B_M, WGS84_E2
from openbmd.errors import ParameterError, require_positive, require_range
from openbmd.geodesy import geodetic_to_ecef, meridian_radius_m, prime_vertical_radius_m
from openbmd.sensors.detection import pd_from_table_batch, pd_table, required_snr_db
from openbmd.sensors.horizon import horizon_slant_range_m
from openbmd.sensors.los import SensorGeometry, look_angles
from openbmd.sensors.radar import Radar

__all__ = [
    "MAX_CELLS",
    "cell_area_m2",
    "coverage_grid",
    "coverage_map",
    "covered_area_km2",
    "ray_height_m",
    "vertical_coverage",
]

FloatArray = npt.NDArray[np.float64]

#: Largest map grid accepted (cells); beyond it ask for a coarser resolution.
MAX_CELLS = 4_000_000
#: Default number of cells across a map when no resolution is given.
DEFAULT_CELLS_ACROSS = 301
#: Extra width of the default map beyond the farthest possible detection (fraction).
_MARGIN = 0.08
#: The high-SNR Pd table ends at a multiple of this (dB), at most at _HIGH_SNR_MAX_DB.
_HIGH_SNR_STEP_DB = 20.0
_HIGH_SNR_MAX_DB = 300.0
_E = math.sqrt(WGS84_E2)


# --- grid and areas ------------------------------------------------------------------------


def _zone_area_per_rad(lat_rad: FloatArray) -> FloatArray:
    """Area of the WGS 84 ellipsoid between the equator and ``lat_rad`` per radian of
    longitude, m^2 (exact: the authalic-latitude integral)."""
    s = np.sin(lat_rad)
    es = _E * s
    return WGS84_B_M**2 * (0.5 * s / (1.0 - es * es) + np.arctanh(es) / (2.0 * _E))


def cell_area_m2(lat_edges_deg: Any, lon_edges_deg: Any) -> FloatArray:
    """Exact areas of latitude/longitude cells on the WGS 84 ellipsoid.

    Parameters
    ----------
    lat_edges_deg : array_like, shape (NLAT + 1,)
        Increasing geodetic latitudes of the cell edges, deg, in [-90, 90].
    lon_edges_deg : array_like, shape (NLON + 1,)
        Increasing longitudes of the cell edges, deg.

    Returns
    -------
    ndarray, shape (NLAT, NLON)
        Cell areas, m^2.

    Examples
    --------
    >>> from openbmd.sensors.coverage import cell_area_m2
    >>> round(float(cell_area_m2([-90.0, 90.0], [0.0, 360.0])[0, 0]) / 1e6)  # whole WGS 84
    510065622
    """
    lat = np.radians(require_range("lat_edges_deg", lat_edges_deg, -90.0, 90.0))
    lon = np.radians(np.asarray(lon_edges_deg, dtype=float))
    if np.any(np.diff(lat) <= 0.0) or np.any(np.diff(lon) <= 0.0):
        raise ParameterError("cell edges", "strictly increasing", "non-increasing edges")
    return np.outer(np.diff(_zone_area_per_rad(lat)), np.diff(lon))


def coverage_grid(
    site_lat_deg: float, site_lon_deg: float, half_width_m: float, resolution_m: float
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
    """Regular lat/lon grid around a site reaching ``half_width_m`` in every direction.

    Cells measure about ``resolution_m`` north-south and east-west at the site's latitude.
    The longitude span is wide enough at the poleward edge (at most 360 deg). Longitudes
    are not wrapped (a grid across the antimeridian runs past 180 deg).

    Returns
    -------
    lat_deg, lon_deg : ndarray
        Cell centres, deg.
    lat_edges_deg, lon_edges_deg : ndarray
        Cell edges (one more than the centres), deg; latitudes clipped to [-90, 90].
    """
    half = float(require_positive("half_width_m", half_width_m))
    res = float(require_positive("resolution_m", resolution_m))
    dlat = math.degrees(res / float(meridian_radius_m(site_lat_deg)))
    n_lat = math.ceil(half / res)
    lat_edges = site_lat_deg + dlat * (np.arange(-n_lat, n_lat + 2) - 0.5)
    lat_edges = np.unique(np.clip(lat_edges, -90.0, 90.0))
    poleward = min(max(abs(lat_edges[0]), abs(lat_edges[-1])), 89.9)
    cos_site = max(math.cos(math.radians(site_lat_deg)), 1e-3)
    dlon = math.degrees(res / (float(prime_vertical_radius_m(site_lat_deg)) * cos_site))
    half_lon = math.degrees(
        half / (float(prime_vertical_radius_m(poleward)) * math.cos(math.radians(poleward)))
    )
    n_lon = min(math.ceil(half_lon / dlon), math.floor(180.0 / dlon))
    lon_edges = site_lon_deg + dlon * (np.arange(-n_lon, n_lon + 2) - 0.5)
    cells = (lat_edges.size - 1) * (lon_edges.size - 1)
    if cells > MAX_CELLS:
        raise ParameterError(
            "resolution_km",
            f"coarse enough for at most {MAX_CELLS:,} cells",
            f"{res / 1e3:g} ({cells:,} cells)",
        )
    lat = 0.5 * (lat_edges[:-1] + lat_edges[1:])
    lon = 0.5 * (lon_edges[:-1] + lon_edges[1:])
    return lat, lon, np.asarray(lat_edges, dtype=float), np.asarray(lon_edges, dtype=float)


def covered_area_km2(ds: xr.Dataset) -> float:
    """Ellipsoidal area of the covered cells of a :func:`coverage_map` Dataset, km^2."""
    return float(ds["cell_area_km2"].where(ds["covered"]).sum())


# --- horizontal coverage -------------------------------------------------------------------


def _check_common(radar: Radar, rcs_m2: float, pd: float) -> tuple[float, float, float]:
    if not isinstance(radar, Radar):
        raise ParameterError("radar", "a Radar", type(radar).__name__)
    rcs = float(require_positive("rcs_m2", rcs_m2))
    p = float(require_range("pd", pd, radar.pfa, 1.0, low_open=True, high_open=True))
    need = float(required_snr_db(p, radar.pfa, radar.detector_pulses, radar.swerling))
    return rcs, p, need


def _default_half_width_m(radar: Radar, rcs_m2: float, pd: float, target_alt_m: float) -> float:
    """Farthest ground distance at which the target could be covered, m (with a margin)."""
    reach = float(radar.detection_range_m(rcs_m2, pd))
    if radar.k_factor is not None:
        horizon = float(
            horizon_slant_range_m(max(radar.alt_m, 0.0), max(target_alt_m, 0.0), radar.k_factor)
        )
        reach = min(reach, horizon)
    return min(reach, radar.max_range_m) * (1.0 + _MARGIN)


def coverage_map(
    radar: Radar,
    rcs_m2: float,
    target_alt_m: float,
    *,
    pd: float = 0.9,
    resolution_m: float | None = None,
    half_width_m: float | None = None,
) -> xr.Dataset:
    """Horizontal coverage of one radar against a target of given RCS and altitude.

    Parameters
    ----------
    radar : Radar
        The radar and its site.
    rcs_m2 : float
        Target radar cross-section, m^2 (> 0).
    target_alt_m : float
        Target altitude above the WGS 84 ellipsoid, m (>= 0).
    pd : float, optional
        Required probability of detection per dwell, in (pfa, 1). Default 0.9.
    resolution_m : float, optional
        Cell size at the site's latitude, m. Default: about 300 cells across the map.
    half_width_m : float, optional
        Distance from the site to the map's edges, m. Default: the farthest possible
        detection (radar equation, radar horizon, instrumented range) plus 8 %.

    Returns
    -------
    xarray.Dataset
        On ``(lat, lon)`` (cell centres, deg): ``pd`` (Pd, NaN where not visible),
        ``snr_db`` (dB), ``slant_range_km``, ``azimuth_deg``, ``elevation_deg``
        (apparent), ``visible`` and ``covered`` (bool), ``cell_area_km2``. Attributes:
        radar, site, RCS, altitude, Pd threshold, detection settings, ``covered_area_km2``,
        ``max_range_km``, ``max_ground_range_km``, area model and sources.

    Raises
    ------
    ParameterError
        RCS <= 0, ``pd`` outside (pfa, 1), negative altitude, bad grid sizes.
    """
    rcs, p, need = _check_common(radar, rcs_m2, pd)
    alt = float(require_range("target_alt_m", target_alt_m, 0.0, 2.0e6))
    half = (
        _default_half_width_m(radar, rcs, p, alt)
        if half_width_m is None
        else float(require_positive("half_width_m", half_width_m))
    )
    res = (
        2.0 * half / (DEFAULT_CELLS_ACROSS - 1)
        if resolution_m is None
        else float(require_positive("resolution_m", resolution_m))
    )
    lat, lon, lat_edges, lon_edges = coverage_grid(radar.lat_deg, radar.lon_deg, half, res)
    lat2, lon2 = np.meshgrid(lat, lon, indexing="ij")
    points = np.asarray(geodetic_to_ecef(lat2, lon2, alt))
    fields = _evaluate_cells(radar, rcs, points)
    covered = fields["visible"] & (fields["pd"] >= p)
    area_km2 = cell_area_m2(lat_edges, lon_edges) / 1e6
    ground_km = _great_circle_m(radar.lat_deg, radar.lon_deg, lat2[covered], lon2[covered]) / 1e3
    slant_km = fields["range_m"] / 1e3
    any_cov = bool(np.any(covered))
    dims = ("lat", "lon")
    ds = xr.Dataset(
        {
            "pd": (
                dims,
                np.where(fields["visible"], fields["pd"], np.nan),
                {"long_name": "probability of detection per dwell", "units": "1"},
            ),
            "snr_db": (dims, fields["snr_db"], {"long_name": "SNR at the detector", "units": "dB"}),
            "slant_range_km": (dims, slant_km, {"long_name": "slant range", "units": "km"}),
            "azimuth_deg": (
                dims,
                np.degrees(fields["azimuth_rad"]),
                {"long_name": "azimuth from north, clockwise", "units": "deg"},
            ),
            "elevation_deg": (
                dims,
                np.degrees(fields["elevation_rad"]),
                {"long_name": "apparent elevation (effective Earth)", "units": "deg"},
            ),
            "visible": (
                dims,
                fields["visible"],
                {"long_name": "line of sight clear, in field of regard and range"},
            ),
            "covered": (dims, covered, {"long_name": f"visible and Pd >= {p:g}"}),
            "cell_area_km2": (
                dims,
                area_km2,
                {"long_name": "cell area on the WGS 84 ellipsoid", "units": "km2"},
            ),
        },
        coords={
            "lat": ("lat", lat, {"units": "degrees_north", "long_name": "geodetic latitude"}),
            "lon": ("lon", lon, {"units": "degrees_east", "long_name": "longitude"}),
        },
        attrs={
            **_radar_attrs(radar, rcs, p, need),
            "product": "horizontal coverage",
            "target_alt_m": alt,
            "target_alt_km": alt / 1e3,
            "resolution_km": res / 1e3,
            "covered_area_km2": float(area_km2[covered].sum()),
            "max_range_km": float(slant_km[covered].max()) if any_cov else 0.0,
            "max_ground_range_km": float(ground_km.max()) if any_cov else 0.0,
            "area_model": "exact cell areas on the WGS 84 ellipsoid",
            "ground_range_model": "great circle on the mean sphere R = 6371.0088 km",
        },
    )
    return ds


def _evaluate_cells(radar: Radar, rcs_m2: float, points: FloatArray) -> dict[str, Any]:
    """Look angles, visibility, SNR and Pd of target points ``(..., 3)`` from one radar."""
    look = look_angles(SensorGeometry.of([radar]), points)
    rng = look.range_m[0]
    az = look.azimuth_rad[0]
    el = look.apparent_elevation_rad[0]
    vis = look.visible[0]
    scan = _scan_angle_rad(radar, az, el)
    snr = np.asarray(radar.snr_db(np.maximum(rng, 1.0), rcs_m2, scan), dtype=float)
    grid, values = radar.pd_table()
    step = float(grid[1] - grid[0])
    pd = pd_from_table_batch(
        np.ascontiguousarray(snr.ravel()), float(grid[0]), step, values
    ).reshape(snr.shape)
    # the table stops at its top SNR (40 dB), where a fluctuating target's Pd is still
    # short of 1 by up to ~1e-3: cells above it use a coarser table of exact values there
    above = vis & (snr > grid[-1])
    if values[-1] < 1.0 and np.any(above):
        top = min(
            _HIGH_SNR_STEP_DB * math.ceil(float(snr[above].max()) / _HIGH_SNR_STEP_DB),
            _HIGH_SNR_MAX_DB,
        )
        hi_grid, hi_values = _high_snr_table(
            radar.pfa,
            radar.detector_pulses,
            radar.swerling,
            float(grid[-1]),
            max(top, float(grid[-1]) + 1.0),
        )
        pd[above] = pd_from_table_batch(
            np.ascontiguousarray(snr[above]),
            float(hi_grid[0]),
            float(hi_grid[1] - hi_grid[0]),
            hi_values,
        )
    return {
        "range_m": rng,
        "azimuth_rad": az,
        "elevation_rad": el,
        "visible": vis,
        "snr_db": snr,
        "pd": pd,
    }


@lru_cache(maxsize=32)
def _high_snr_table(
    pfa: float, pulses: int, swerling: int, start_db: float, top_db: float
) -> tuple[FloatArray, FloatArray]:
    """Exact Pd from ``start_db`` to ``top_db`` every 0.05 dB (1 - Pd varies slowly there:
    interpolation error < 1e-7)."""
    return pd_table(pfa, pulses, swerling, snr_db_min=start_db, snr_db_max=top_db, step_db=0.05)


def _scan_angle_rad(radar: Radar, az_rad: FloatArray, el_rad: FloatArray) -> FloatArray:
    """Angle between the line of sight and the boresight, clipped to [0, pi/2] rad."""
    if radar.scan_loss_exponent == 0.0:
        return np.zeros_like(az_rad)
    b_az, b_el = math.radians(radar.boresight_az_deg), math.radians(radar.boresight_el_deg)
    horizontal = np.cos(el_rad) * math.cos(b_el) * np.cos(az_rad - b_az)
    cos_scan = horizontal + np.sin(el_rad) * math.sin(b_el)
    return np.arccos(np.clip(cos_scan, 0.0, 1.0))


def _great_circle_m(lat0_deg: float, lon0_deg: float, lat_deg: Any, lon_deg: Any) -> FloatArray:
    """Great-circle distance on the mean sphere (haversine), m."""
    p0, p1 = math.radians(lat0_deg), np.radians(lat_deg)
    dlon = np.radians(np.asarray(lon_deg) - lon0_deg)
    h = np.sin(0.5 * (p1 - p0)) ** 2 + math.cos(p0) * np.cos(p1) * np.sin(0.5 * dlon) ** 2
    return 2.0 * MEAN_EARTH_RADIUS_M * np.arcsin(np.sqrt(np.clip(h, 0.0, 1.0)))


def _radar_attrs(radar: Radar, rcs: float, pd: float, need_db: float) -> dict[str, Any]:
    sources = "; ".join(f"{k}: {v}" for k, v in sorted(radar.sources.items()))
    return {
        "radar": radar.name,
        "site_lat_deg": radar.lat_deg,
        "site_lon_deg": radar.lon_deg,
        "site_alt_m": radar.alt_m,
        "rcs_m2": rcs,
        "pd_threshold": pd,
        "pfa": radar.pfa,
        "swerling": radar.swerling,
        "pulses": radar.pulses,
        "integration": radar.integration,
        "required_snr_db": need_db,
        "k_factor": radar.k_factor if radar.k_factor is not None else 1.0,
        "max_instrumented_range_km": radar.max_range_m / 1e3,
        "sources": sources or "user-defined radar",
        "software": "openbmd",
    }


# --- vertical coverage ---------------------------------------------------------------------


def ray_height_m(
    range_m: Any,
    elevation_rad: Any,
    antenna_alt_m: float = 0.0,
    k_factor: float = 4.0 / 3.0,
    earth_radius_m: float = MEAN_EARTH_RADIUS_M,
) -> tuple[FloatArray, FloatArray]:
    """Height and ground distance along a straight ray of the effective-Earth model.

    The ray leaves an antenna at height ``antenna_alt_m`` at apparent elevation
    ``elevation_rad``; on the sphere of radius k R it is straight, so at slant range ``R``
    its height is ``sqrt(R^2 + r1^2 + 2 R r1 sin(el)) - k R`` (``r1 = k R + h1``) and the
    ground distance ``k R atan2(R cos(el), r1 + R sin(el))``.

    Returns
    -------
    height_m, ground_range_m : ndarray
        Broadcast shape of ``range_m`` and ``elevation_rad``.
    """
    ke = k_factor * earth_radius_m
    r = np.asarray(range_m, dtype=float)
    el = np.asarray(elevation_rad, dtype=float)
    r1 = ke + antenna_alt_m
    height = np.sqrt(r * r + r1 * r1 + 2.0 * r * r1 * np.sin(el)) - ke
    ground = ke * np.arctan2(r * np.cos(el), r1 + r * np.sin(el))
    return height, ground


def vertical_coverage(
    radar: Radar,
    rcs_m2: float,
    *,
    pd: float = 0.9,
    elevation_deg: Any = None,
    altitude_km: Any = None,
    range_samples: int = 4001,
) -> xr.Dataset:
    """Range-height coverage in the vertical plane of the boresight azimuth.

    Parameters
    ----------
    radar : Radar
    rcs_m2 : float
        Target RCS, m^2 (> 0).
    pd : float, optional
        Required Pd per dwell, in (pfa, 1). Default 0.9.
    elevation_deg : array_like, optional
        Apparent elevations, deg; default 0.25 deg steps over the field of regard above
        the horizon mask.
    altitude_km : array_like, optional
        Target altitudes above the sphere, km (>= 0); default 0 to 1.1 times the highest
        detection, 200 values.
    range_samples : int, optional
        Slant ranges tried per altitude for ``max_range_km`` (resolution of that curve).

    Returns
    -------
    xarray.Dataset
        ``detection_range_km``, ``detection_alt_km``, ``detection_ground_range_km`` on
        ``elevation_deg`` (the lobe: detection range at each elevation, cut at the
        instrumented range, NaN outside the field of regard); ``max_range_km`` and
        ``max_ground_range_km`` on ``altitude_km`` (longest detection of a target at that
        altitude; 0 when never detected). Attributes as :func:`coverage_map`.
    """
    rcs, p, need = _check_common(radar, rcs_m2, pd)
    k = radar.k_factor if radar.k_factor is not None else 1.0
    h1 = max(radar.alt_m, 0.0)
    el_low = max(radar.min_elevation_deg, radar.el_limits_deg[0])
    el_high = radar.el_limits_deg[1]
    if elevation_deg is None:
        el = np.arange(el_low, el_high + 1e-9, 0.25)
    else:
        el = np.atleast_1d(require_range("elevation_deg", elevation_deg, -90.0, 90.0))
    boresight_range = float(radar.detection_range_m(rcs, p))

    def detection_range(el_deg: FloatArray) -> FloatArray:
        scan = np.clip(np.abs(np.radians(el_deg - radar.boresight_el_deg)), 0.0, 0.5 * math.pi)
        loss = np.asarray(radar.scan_loss_db(scan), dtype=float)
        with np.errstate(invalid="ignore"):
            reach = boresight_range * np.power(10.0, loss / 40.0)
        reach = np.minimum(reach, radar.max_range_m)
        return np.where((el_deg >= el_low) & (el_deg <= el_high), reach, np.nan)

    r_det = detection_range(el)
    h_det, g_det = ray_height_m(r_det, np.radians(el), h1, k)
    if altitude_km is None:
        top = float(np.nanmax(h_det)) if np.any(np.isfinite(h_det)) else 100e3
        alt = np.linspace(0.0, 1.1 * top, 200)
    else:
        alt = 1e3 * np.atleast_1d(require_range("altitude_km", altitude_km, 0.0, 1e5))
    reach_max = float(np.nanmax(r_det)) if np.any(np.isfinite(r_det)) else 0.0
    r_alt, g_alt = _max_range_by_altitude(alt, reach_max, h1, k, detection_range, range_samples)
    attrs = {
        **_radar_attrs(radar, rcs, p, need),
        "product": "vertical coverage",
        "boresight_az_deg": radar.boresight_az_deg,
        "earth_model": f"effective Earth, k = {k:g}, mean sphere R = 6371.0088 km",
    }
    return xr.Dataset(
        {
            "detection_range_km": ("elevation_deg", r_det / 1e3, {"units": "km"}),
            "detection_alt_km": ("elevation_deg", h_det / 1e3, {"units": "km"}),
            "detection_ground_range_km": ("elevation_deg", g_det / 1e3, {"units": "km"}),
            "max_range_km": ("altitude_km", r_alt / 1e3, {"units": "km"}),
            "max_ground_range_km": ("altitude_km", g_alt / 1e3, {"units": "km"}),
        },
        coords={
            "elevation_deg": ("elevation_deg", el, {"units": "deg"}),
            "altitude_km": ("altitude_km", alt / 1e3, {"units": "km"}),
        },
        attrs=attrs,
    )


def _max_range_by_altitude(
    alt_m: FloatArray, reach_m: float, h1: float, k: float, detection_range: Any, samples: int
) -> tuple[FloatArray, FloatArray]:
    """Longest slant range (and its ground distance) of a detection at each altitude."""
    if reach_m <= 0.0:
        return np.zeros_like(alt_m), np.zeros_like(alt_m)
    ke = k * MEAN_EARTH_RADIUS_M
    r1 = ke + h1
    rng = np.linspace(reach_m / samples, reach_m, samples)[None, :]
    r2 = (ke + alt_m)[:, None]
    sin_el = np.clip((r2 * r2 - r1 * r1 - rng * rng) / (2.0 * rng * r1), -1.0, 1.0)
    el_deg = np.degrees(np.arcsin(sin_el))
    ok = rng <= detection_range(el_deg)  # NaN outside the field of regard: False
    last = np.where(ok.any(axis=1), samples - 1 - np.argmax(ok[:, ::-1], axis=1), -1)
    best = np.where(last >= 0, rng[0, np.maximum(last, 0)], 0.0)
    best_el = np.radians(el_deg[np.arange(alt_m.size), np.maximum(last, 0)])
    _, ground = ray_height_m(best, best_el, h1, k)
    return best, np.where(last >= 0, ground, 0.0)
