"""Compiled geodetic kernels on plain floats (WGS 84), shared by wrappers and propagators.

The scalar kernels (``*_point``) take and return floats in SI units and radians; other
numba code calls them directly inside its loops. The batched kernels (``*_batch``) run the
same arithmetic over a leading axis for the public wrappers in :mod:`openbmd.geodesy`.
Nothing here checks its input: validate once in the caller.

ECEF to geodetic uses the closed-form solution of Vermeille (2002, 2004): the foot point on
the ellipse follows from the real root of a cubic, so there is no iteration and no
tolerance. Outside the evolute of the meridian ellipse (every point more than about 43 km
from the Earth's centre) the cubic has one real root, given by Cardano's formula; inside
it the trigonometric form of the largest root is used, and the equatorial disc inside the
evolute has its own exact formula. The result is exact to rounding (micrometres) from the
centre of the Earth out to beyond geostationary altitude, and exactly +-pi/2 on the polar
axis.

References
----------
H. Vermeille, "Direct transformation from geocentric coordinates to geodetic
coordinates", J. Geodesy 76 (2002) 451-454.
H. Vermeille, "Computing geodetic coordinates from geocentric coordinates",
J. Geodesy 78 (2004) 94-95.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from openbmd.constants import WGS84_A_M, WGS84_B_M, WGS84_E2

_A = WGS84_A_M
_B = WGS84_B_M
_E2 = WGS84_E2
_E4 = WGS84_E2 * WGS84_E2
_E = math.sqrt(WGS84_E2)
_SQRT_1ME2 = math.sqrt(1.0 - WGS84_E2)

__all__ = [
    "ecef_to_geodetic_batch",
    "ecef_to_geodetic_point",
    "geodetic_alt_point",
    "geodetic_to_ecef_batch",
    "geodetic_to_ecef_point",
]


@njit(cache=True)
def _lat_alt_from_rho_z(rho_m: float, z_m: float) -> tuple[float, float]:
    """Geodetic latitude (rad) and ellipsoidal height (m) of the meridian-plane point.

    ``rho_m`` is the distance from the polar axis (>= 0), ``z_m`` the height above the
    equatorial plane.
    """
    if rho_m == 0.0:
        # On the polar axis the pole's normal is the axis itself: exact, no rounding.
        return math.copysign(0.5 * math.pi, z_m), abs(z_m) - _B
    p = (rho_m / _A) ** 2
    q = (1.0 - _E2) * (z_m / _A) ** 2
    r = (p + q - _E4) / 6.0
    e4pq = _E4 * p * q
    evolute = 8.0 * r * r * r + e4pq
    on_disc = False
    u = 0.0
    if evolute > 0.0:
        # Outside the evolute: the single real root, by Cardano.
        rad1 = math.sqrt(evolute)
        rad2 = math.sqrt(e4pq)
        if evolute > 10.0 * _E2:
            half_cbrt = 0.5 * (rad1 + rad2) ** (2.0 / 3.0)
            u = r + half_cbrt + r * r / half_cbrt
        else:
            u = r + 0.5 * (rad1 + rad2) ** (2.0 / 3.0) + 0.5 * abs(rad1 - rad2) ** (2.0 / 3.0)
    elif q > 0.0:
        # Inside the evolute (within ~43 km of the centre), off the equatorial plane:
        # largest of three real roots, trigonometric form (here r < 0).
        abs_r = -r
        m = e4pq / (4.0 * abs_r * abs_r * abs_r)
        theta = math.atan2(math.sqrt(max(m * (2.0 - m), 0.0)), m - 1.0)
        u = r + 2.0 * abs_r * math.cos(theta / 3.0)
    else:
        on_disc = True
    v = math.sqrt(u * u + _E4 * q)
    if on_disc or v == 0.0:
        # Equatorial disc inside the evolute: the normal from the northern foot point.
        lat = math.atan2(math.sqrt(max(_E4 - p, 0.0)), _SQRT_1ME2 * math.sqrt(p))
        alt = -_A * _SQRT_1ME2 * math.sqrt(max(_E2 - p, 0.0)) / _E
        return lat, alt
    w = _E2 * (u + v - q) / (2.0 * v)
    k = (u + v) / (math.sqrt(w * w + u + v) + w)
    d = k * rho_m / (k + _E2)
    hyp = math.sqrt(d * d + z_m * z_m)
    lat = 2.0 * math.atan2(z_m, hyp + d)
    alt = (k + _E2 - 1.0) / k * hyp
    return lat, alt


@njit(cache=True)
def ecef_to_geodetic_point(x_m: float, y_m: float, z_m: float) -> tuple[float, float, float]:
    """WGS 84 geodetic coordinates of one ECEF point (no input checks).

    Parameters
    ----------
    x_m, y_m, z_m : float
        ECEF position, m.

    Returns
    -------
    lat_rad : float
        Geodetic latitude, rad, in [-pi/2, pi/2]; exactly +-pi/2 on the polar axis.
    lon_rad : float
        Longitude, rad, in (-pi, pi]; 0 on the polar axis.
    alt_m : float
        Height above the ellipsoid along its normal, m.
    """
    rho = math.hypot(x_m, y_m)
    lat, alt = _lat_alt_from_rho_z(rho, z_m)
    lon = math.atan2(y_m, x_m) if rho > 0.0 else 0.0
    if lon == -math.pi:
        lon = math.pi
    return lat, lon, alt


@njit(cache=True)
def geodetic_alt_point(x_m: float, y_m: float, z_m: float) -> float:
    """Height above the WGS 84 ellipsoid of one ECEF point, m (no input checks).

    Same arithmetic as :func:`ecef_to_geodetic_point` without the longitude.
    """
    return _lat_alt_from_rho_z(math.hypot(x_m, y_m), z_m)[1]


@njit(cache=True)
def geodetic_to_ecef_point(
    lat_rad: float, lon_rad: float, alt_m: float
) -> tuple[float, float, float]:
    """ECEF position of one WGS 84 geodetic point, m (no input checks).

    Parameters
    ----------
    lat_rad : float
        Geodetic latitude, rad.
    lon_rad : float
        Longitude, rad.
    alt_m : float
        Height above the ellipsoid, m.

    Returns
    -------
    x_m, y_m, z_m : float
        ECEF position, m.
    """
    sin_lat = math.sin(lat_rad)
    cos_lat = math.cos(lat_rad)
    n = _A / math.sqrt(1.0 - _E2 * sin_lat * sin_lat)
    rho = (n + alt_m) * cos_lat
    return (
        rho * math.cos(lon_rad),
        rho * math.sin(lon_rad),
        (n * (1.0 - _E2) + alt_m) * sin_lat,
    )


@njit(cache=True)
def ecef_to_geodetic_batch(ecef_m: np.ndarray) -> np.ndarray:
    """Geodetic coordinates of ``N`` ECEF points.

    Parameters
    ----------
    ecef_m : ndarray, shape (N, 3)
        ECEF positions, m.

    Returns
    -------
    ndarray, shape (N, 3)
        Columns: latitude (rad), longitude (rad), height above the ellipsoid (m).
    """
    n = ecef_m.shape[0]
    out = np.empty((n, 3))
    for i in range(n):
        lat, lon, alt = ecef_to_geodetic_point(ecef_m[i, 0], ecef_m[i, 1], ecef_m[i, 2])
        out[i, 0] = lat
        out[i, 1] = lon
        out[i, 2] = alt
    return out


@njit(cache=True)
def geodetic_to_ecef_batch(
    lat_rad: np.ndarray, lon_rad: np.ndarray, alt_m: np.ndarray
) -> np.ndarray:
    """ECEF positions of ``N`` geodetic points.

    Parameters
    ----------
    lat_rad, lon_rad : ndarray, shape (N,)
        Geodetic latitude and longitude, rad.
    alt_m : ndarray, shape (N,)
        Height above the ellipsoid, m.

    Returns
    -------
    ndarray, shape (N, 3)
        ECEF positions, m.
    """
    n = lat_rad.shape[0]
    out = np.empty((n, 3))
    for i in range(n):
        x, y, z = geodetic_to_ecef_point(lat_rad[i], lon_rad[i], alt_m[i])
        out[i, 0] = x
        out[i, 1] = y
        out[i, 2] = z
    return out
