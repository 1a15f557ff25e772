"""Line of sight from radar sites to targets: WGS 84 geometry, refraction, field of regard.

For a site and an ECEF target point the geometric slant range, azimuth (from north,
clockwise) and elevation follow exactly from the WGS 84 ENU frame of the site
(:mod:`openbmd.geodesy`). Refraction uses the **effective-Earth model** of
:mod:`openbmd.sensors.horizon` (Skolnik, *Introduction to Radar Systems*, 3rd ed., ch. 8;
Doerry, Sandia report SAND2012-10690): rays are straight over a sphere k times larger,
heights and surface distances kept. Here the sphere is the **osculating sphere of the
ellipsoid at the site in the direction of the target** (radius of curvature of the normal
section at that azimuth, Euler's formula ``1/R = cos^2(az)/M + sin^2(az)/N``):

1. the target's height above that sphere and the central angle theta follow from the
   exact geometric range and elevation (the triangle site - Earth centre - target);
2. on the effective sphere (radius k R, central angle theta / k, same heights) the
   straight ray leaves at the **apparent elevation** (horizon.effective_elevation_rad's
   formula).

With k = 1 the apparent elevation is the geometric one exactly. A target is **visible**
when the straight effective ray does not pass below the effective surface on its way
(which matters for a raised site looking below its horizontal plane), its apparent
elevation is at least ``min_elevation_deg`` and within ``el_limits_deg``, its azimuth
lies within ``az_limits_deg`` of ``boresight_az_deg``, its slant range does not exceed
``max_range_m``, and its position is finite (NaN marks an object that does not exist at
that time). Range and azimuth are geometric (refraction
changes them by far less than a radar's accuracy at the elevations used).

Shapes: sensors ``(S,)``, target points ``(..., 3)`` ECEF (e.g. ``(O, T, 3)``) ->
``(S, ...)``. The compiled kernels run in parallel over the points.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt
from numba import njit, prange

from openbmd.errors import ParameterError, require_finite
from openbmd.geodesy import enu_rotation_matrix

__all__ = [
    "LookAngles",
    "SensorGeometry",
    "SiteLike",
    "effective_ray_point",
    "geometry_point",
    "look_angles",
    "look_point",
    "visible",
    "visible_ecef_point",
    "visible_point",
]

FloatArray = npt.NDArray[np.float64]
_TWO_PI = 2.0 * math.pi


class SiteLike(Protocol):
    """What line of sight needs from a sensor (a :class:`~openbmd.sensors.radar.Radar`)."""

    @property
    def lat_deg(self) -> float: ...
    @property
    def lon_deg(self) -> float: ...
    @property
    def alt_m(self) -> float: ...
    @property
    def k_factor(self) -> float | None: ...
    @property
    def min_elevation_deg(self) -> float: ...
    @property
    def boresight_az_deg(self) -> float: ...
    @property
    def boresight_el_deg(self) -> float: ...
    @property
    def az_limits_deg(self) -> float: ...
    @property
    def el_limits_deg(self) -> tuple[float, float]: ...
    @property
    def max_range_m(self) -> float: ...
    @property
    def site_ecef_m(self) -> FloatArray: ...
    @property
    def curvature_radii_m(self) -> tuple[float, float]: ...


@dataclass(frozen=True, eq=False)
class SensorGeometry:
    """Per-sensor arrays for the compiled kernels (leading axis S); SI units, radians.

    ``site_ecef_m`` (S, 3); ``rotation`` (S, 3, 3) ECEF -> ENU; ``inv_meridian``,
    ``inv_prime_vertical`` (S,) inverse radii of curvature, 1/m; ``alt_m``, ``k_factor``;
    ``el_low_rad`` = max(min elevation, field-of-regard minimum), ``el_high_rad``;
    ``boresight_az_rad``, ``az_half_width_rad`` (>= pi: all round), ``max_range_m``;
    ``boresight_enu`` (S, 3) unit vector of the boresight.
    """

    site_ecef_m: FloatArray
    rotation: FloatArray
    inv_meridian: FloatArray
    inv_prime_vertical: FloatArray
    alt_m: FloatArray
    k_factor: FloatArray
    el_low_rad: FloatArray
    el_high_rad: FloatArray
    boresight_az_rad: FloatArray
    az_half_width_rad: FloatArray
    max_range_m: FloatArray
    boresight_enu: FloatArray

    @classmethod
    def of(cls, sensors: Sequence[SiteLike]) -> SensorGeometry:
        """Pack the sensors' sites and fields of regard (each sensor validated already)."""
        if len(sensors) == 0:
            raise ParameterError("radars", "at least one sensor", "none")
        lat = np.array([s.lat_deg for s in sensors], dtype=float)
        lon = np.array([s.lon_deg for s in sensors], dtype=float)
        radii = np.array([s.curvature_radii_m for s in sensors], dtype=float)
        bore_az = np.radians([s.boresight_az_deg % 360.0 for s in sensors])
        bore_el = np.radians([s.boresight_el_deg for s in sensors])
        el_low = np.radians([max(s.min_elevation_deg, s.el_limits_deg[0]) for s in sensors])
        return cls(
            site_ecef_m=np.ascontiguousarray([s.site_ecef_m for s in sensors], dtype=float),
            rotation=np.ascontiguousarray(enu_rotation_matrix(lat, lon), dtype=float),
            inv_meridian=1.0 / radii[:, 0],
            inv_prime_vertical=1.0 / radii[:, 1],
            alt_m=np.array([s.alt_m for s in sensors], dtype=float),
            k_factor=np.array([1.0 if s.k_factor is None else s.k_factor for s in sensors]),
            el_low_rad=el_low,
            el_high_rad=np.radians([s.el_limits_deg[1] for s in sensors]),
            boresight_az_rad=bore_az,
            az_half_width_rad=np.radians([s.az_limits_deg for s in sensors]),
            max_range_m=np.array([s.max_range_m for s in sensors], dtype=float),
            boresight_enu=np.ascontiguousarray(
                np.stack(
                    [
                        np.cos(bore_el) * np.sin(bore_az),
                        np.cos(bore_el) * np.cos(bore_az),
                        np.sin(bore_el),
                    ],
                    axis=-1,
                )
            ),
        )

    @property
    def parameters(self) -> FloatArray:
        """Per-sensor scalars for the kernels, shape (S, 9): 1/M, 1/N, height, k, lowest and
        highest elevation, boresight azimuth, azimuth half-width, instrumented range."""
        cols = (self.inv_meridian, self.inv_prime_vertical, self.alt_m, self.k_factor,
                self.el_low_rad, self.el_high_rad, self.boresight_az_rad,
                self.az_half_width_rad, self.max_range_m)  # fmt: skip
        return np.ascontiguousarray(np.stack(cols, axis=-1))

    @property
    def size(self) -> int:
        """Number of sensors S."""
        return int(self.alt_m.shape[0])


@dataclass(frozen=True, eq=False)
class LookAngles:
    """Geometry of every sensor-point pair; arrays of shape ``(S, ...)``.

    Attributes
    ----------
    range_m : ndarray
        Geometric slant range, m.
    azimuth_rad : ndarray
        Geometric azimuth from north, clockwise, rad, in [0, 2 pi).
    elevation_rad : ndarray
        Geometric elevation above the site's horizontal plane (WGS 84 normal), rad.
    apparent_elevation_rad : ndarray
        Elevation of the ray in the effective-Earth model, rad (= geometric for k = 1).
    visible : ndarray of bool
        Line of sight clear, inside the field of regard and the instrumented range.
    NaN target points give NaN angles and ``visible`` False.
    """

    range_m: FloatArray
    azimuth_rad: FloatArray
    elevation_rad: FloatArray
    apparent_elevation_rad: FloatArray
    visible: npt.NDArray[np.bool_]


@njit(cache=True)
def effective_ray_point(
    horizontal_m: float,
    up_m: float,
    cos2_az: float,
    inv_meridian: float,
    inv_prime_vertical: float,
    site_alt_m: float,
    k_factor: float,
) -> tuple[float, bool]:
    """Apparent elevation of one target and whether the ray clears the Earth (numba).

    Parameters
    ----------
    horizontal_m, up_m : float
        Horizontal and vertical components of the line of sight in the site's ENU frame, m.
    cos2_az : float
        Square of the cosine of the azimuth (selects the normal section).
    inv_meridian, inv_prime_vertical : float
        1/M and 1/N at the site, 1/m.
    site_alt_m : float
        Site height above the ellipsoid, m.
    k_factor : float
        Effective-Earth factor (1: the apparent elevation is the geometric one).

    Returns
    -------
    apparent_elevation_rad : float
        Elevation of the straight ray on the effective sphere, rad.
    clear : bool
        False when the ray dips below the effective surface (at the site's height if the
        site is below the ellipsoid) before it reaches the target.
    """
    if k_factor == 1.0:
        el_app = math.atan2(up_m, horizontal_m)
        if el_app >= 0.0:
            return el_app, True
    radius = 1.0 / (cos2_az * inv_meridian + (1.0 - cos2_az) * inv_prime_vertical)
    r_eff = k_factor * radius
    if k_factor == 1.0:
        rise = up_m
        across = horizontal_m
    else:
        vertical = radius + site_alt_m + up_m
        theta = math.atan2(horizontal_m, vertical)
        target_alt = math.sqrt(horizontal_m * horizontal_m + vertical * vertical) - radius
        phi = theta / k_factor
        r2 = r_eff + target_alt
        s_half = math.sin(0.5 * phi)
        rise = (target_alt - site_alt_m) - 2.0 * r2 * s_half * s_half
        across = r2 * math.sin(phi)
        el_app = math.atan2(rise, across)
        if el_app >= 0.0:
            return el_app, True
    # a descending ray reaches its lowest radius r1 cos(el) after r1 sin(-el) metres
    chord = math.sqrt(rise * rise + across * across)
    r1 = r_eff + site_alt_m
    surface = r_eff + min(site_alt_m, 0.0)
    blocked = r1 * across < surface * chord and chord * chord > -r1 * rise
    return el_app, not blocked


@njit(cache=True)
def geometry_point(
    x: float, y: float, z: float, site: FloatArray, rot: FloatArray
) -> tuple[float, float, float, float, float, float]:
    """Geometric range, azimuth, elevation and ENU components of one point (numba).

    Returns ``(range_m, azimuth_rad, elevation_rad, east_m, north_m, up_m)``; no refraction.
    """
    dx = x - site[0]
    dy = y - site[1]
    dz = z - site[2]
    east = rot[0, 0] * dx + rot[0, 1] * dy + rot[0, 2] * dz
    north = rot[1, 0] * dx + rot[1, 1] * dy + rot[1, 2] * dz
    up = rot[2, 0] * dx + rot[2, 1] * dy + rot[2, 2] * dz
    horizontal = math.sqrt(east * east + north * north)
    rng = math.sqrt(horizontal * horizontal + up * up)
    return rng, _azimuth(east, north), math.atan2(up, horizontal), east, north, up


@njit(cache=True)
def look_point(
    x: float,
    y: float,
    z: float,
    site: FloatArray,
    rot: FloatArray,
    inv_meridian: float,
    inv_prime_vertical: float,
    site_alt_m: float,
    k_factor: float,
) -> tuple[float, float, float, float, bool, float, float, float]:
    """Geometry of one ECEF point from one site, with refraction (numba, no checks).

    Returns
    -------
    range_m, azimuth_rad, elevation_rad, apparent_elevation_rad : float
    clear : bool
        The ray clears the (effective) Earth.
    east_m, north_m, up_m : float
        ENU components of the line of sight.
    """
    rng, az, el, east, north, up = geometry_point(x, y, z, site, rot)
    horizontal = math.sqrt(east * east + north * north)
    cos2 = 1.0 if horizontal == 0.0 else (north / horizontal) ** 2
    el_app, clear = effective_ray_point(
        horizontal, up, cos2, inv_meridian, inv_prime_vertical, site_alt_m, k_factor
    )
    return rng, az, el, el_app, clear, east, north, up


@njit(cache=True)
def _azimuth(east: float, north: float) -> float:
    az = math.atan2(east, north)
    if az < 0.0:
        az += _TWO_PI
        if az >= _TWO_PI:
            az = 0.0
    return az


@njit(cache=True)
def visible_point(
    rng: float,
    az: float,
    el_app: float,
    clear: bool,
    el_low: float,
    el_high: float,
    boresight_az: float,
    az_half_width: float,
    max_range: float,
) -> bool:
    """Field-of-regard, horizon and range test of one look (numba, no checks)."""
    if not (clear and rng > 0.0 and rng <= max_range):  # also False for NaN
        return False
    if el_app < el_low or el_app > el_high:
        return False
    if az_half_width >= math.pi:
        return True
    off = (az - boresight_az + math.pi) % _TWO_PI - math.pi
    return abs(off) <= az_half_width


@njit(cache=True)
def visible_ecef_point(
    x: float,
    y: float,
    z: float,
    site: FloatArray,
    rot: FloatArray,
    par: FloatArray,
) -> bool:
    """:func:`look_point` then :func:`visible_point`, with early exits (numba, no checks).

    ``par`` holds, in order: 1/M, 1/N, site height, k, lowest and highest elevation (rad),
    boresight azimuth (rad), azimuth half-width (rad), instrumented range (m).
    """
    dx = x - site[0]
    dy = y - site[1]
    dz = z - site[2]
    east = rot[0, 0] * dx + rot[0, 1] * dy + rot[0, 2] * dz
    north = rot[1, 0] * dx + rot[1, 1] * dy + rot[1, 2] * dz
    up = rot[2, 0] * dx + rot[2, 1] * dy + rot[2, 2] * dz
    horizontal = math.sqrt(east * east + north * north)
    rng = math.sqrt(horizontal * horizontal + up * up)
    if not (rng > 0.0 and rng <= par[8]):  # also False for NaN
        return False
    cos2 = 1.0 if horizontal == 0.0 else (north / horizontal) ** 2
    el_app, clear = effective_ray_point(horizontal, up, cos2, par[0], par[1], par[2], par[3])
    if not clear or el_app < par[4] or el_app > par[5]:
        return False
    if par[7] >= math.pi:
        return True
    off = (_azimuth(east, north) - par[6] + math.pi) % _TWO_PI - math.pi
    return abs(off) <= par[7]


@njit(cache=True, parallel=True)
def _look_kernel(
    points: FloatArray,
    site: FloatArray,
    rot: FloatArray,
    par: FloatArray,
    want_angles: bool,
    vis: npt.NDArray[np.bool_],
    angles: FloatArray,
) -> None:
    n_sensors = site.shape[0]
    for p in prange(points.shape[0]):
        x, y, z = points[p, 0], points[p, 1], points[p, 2]
        finite = math.isfinite(x) and math.isfinite(y) and math.isfinite(z)
        for s in range(n_sensors):
            if not want_angles:
                vis[s, p] = finite and visible_ecef_point(x, y, z, site[s], rot[s], par[s])
                continue
            if not finite:
                vis[s, p] = False
                for c in range(4):
                    angles[c, s, p] = math.nan
                continue
            q = par[s]
            rng, az, el, el_app, clear, _, _, _ = look_point(
                x, y, z, site[s], rot[s], q[0], q[1], q[2], q[3]
            )
            vis[s, p] = visible_point(rng, az, el_app, clear, q[4], q[5], q[6], q[7], q[8])
            angles[0, s, p] = rng
            angles[1, s, p] = az
            angles[2, s, p] = el
            angles[3, s, p] = el_app


def _run(
    sensors: Sequence[SiteLike] | SensorGeometry, r_ecef_m: Any, want_angles: bool
) -> tuple[npt.NDArray[np.bool_], FloatArray, tuple[int, ...]]:
    geo = sensors if isinstance(sensors, SensorGeometry) else SensorGeometry.of(sensors)
    pts = np.asarray(r_ecef_m, dtype=float)
    if pts.ndim == 0 or pts.shape[-1] != 3:
        raise ParameterError("r_ecef_m", "an array of shape (..., 3)", f"shape {pts.shape}")
    if np.any(np.isinf(pts)):
        require_finite("r_ecef_m", pts[np.isinf(pts)])
    shape = pts.shape[:-1]
    flat = np.ascontiguousarray(pts.reshape(-1, 3))
    vis = np.empty((geo.size, flat.shape[0]), dtype=np.bool_)
    angles = np.empty((4, geo.size, flat.shape[0]) if want_angles else (4, 0, 0))
    _look_kernel(flat, geo.site_ecef_m, geo.rotation, geo.parameters, want_angles, vis, angles)
    return vis, angles, shape


def visible(sensors: Sequence[SiteLike] | SensorGeometry, r_ecef_m: Any) -> npt.NDArray[np.bool_]:
    """Which sensors see which target points.

    Parameters
    ----------
    sensors : sequence of Radar (S,), or a SensorGeometry
        Sites with their refraction factor, horizon mask, field of regard and range.
    r_ecef_m : array_like, shape (..., 3)
        Target positions in ECEF, m, e.g. ``(O, T, 3)``; NaN rows: no object there.

    Returns
    -------
    ndarray of bool, shape (S, ...)
        True where the line of sight is clear and inside the field of regard and range.

    Examples
    --------
    >>> from openbmd.geodesy import geodetic_to_ecef
    >>> from openbmd.sensors.radar import Radar
    >>> r = Radar("r", 0.0, 0.0, 0.0, frequency_hz=3e9, peak_power_w=1e6,
    ...           pulse_width_s=1e-4, bandwidth_hz=1e6, noise_temperature_k=500.0,
    ...           gain_db=40.0)
    >>> visible([r], geodetic_to_ecef([0.0, 0.0], [3.0, 30.0], 100e3)).tolist()
    [[True, False]]
    """
    vis, _, shape = _run(sensors, r_ecef_m, False)
    return vis.reshape((vis.shape[0], *shape))


def look_angles(sensors: Sequence[SiteLike] | SensorGeometry, r_ecef_m: Any) -> LookAngles:
    """Range, azimuth, geometric and apparent elevation, and visibility; shapes ``(S, ...)``.

    Parameters are those of :func:`visible`.
    """
    vis, angles, shape = _run(sensors, r_ecef_m, True)
    s = vis.shape[0]
    out = [angles[c].reshape((s, *shape)) for c in range(4)]
    return LookAngles(out[0], out[1], out[2], out[3], vis.reshape((s, *shape)))
