"""Geodesics on the WGS 84 ellipsoid (GeographicLib) and great circles on a sphere.

Both families take scalars or arrays of any broadcastable shape and return arrays of that
shape (numpy scalars when all inputs are scalars). Azimuths are clockwise from north in
[0, 360) deg, as in :mod:`openbmd.geodesy.topocentric`; ``azi2_deg`` is the *forward*
azimuth at the second point (the direction of travel there, as in GeographicLib; the
back azimuth towards point 1 is ``azi2_deg - 180``). Longitudes come back in (-180, 180].

The ellipsoidal functions call Karney's algorithms through ``geographiclib`` (accurate to
about 15 nm for any pair of points, including nearly antipodal ones). ``geographiclib`` is
pure Python, one call per point; repeated inputs are solved once, and a direct problem
with one start point and azimuth builds a single geodesic line and evaluates every
distance on it (about 3x faster than separate calls).

References
----------
C. F. F. Karney, "Algorithms for geodesics", J. Geodesy 87 (2013) 43-55.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from geographiclib.geodesic import Geodesic

from openbmd.constants import MEAN_EARTH_RADIUS_M
from openbmd.errors import require_positive
from openbmd.geodesy._checks import (
    FloatArray,
    FloatOrArray,
    finite,
    latitude_deg,
    scalar_or_array,
    wrap_azimuth_deg,
    wrap_longitude_deg,
)

__all__ = [
    "geodesic_direct",
    "geodesic_inverse",
    "great_circle_direct",
    "great_circle_inverse",
]

_WGS84 = Geodesic.WGS84
_INVERSE_MASK = Geodesic.DISTANCE | Geodesic.AZIMUTH
_DIRECT_MASK = Geodesic.LATITUDE | Geodesic.LONGITUDE | Geodesic.AZIMUTH
_LINE_CAPS = _DIRECT_MASK | Geodesic.DISTANCE_IN

Triple = tuple[FloatOrArray, FloatOrArray, FloatOrArray]


def geodesic_inverse(lat1_deg: Any, lon1_deg: Any, lat2_deg: Any, lon2_deg: Any) -> Triple:
    """Shortest path between two points on the WGS 84 ellipsoid (inverse problem).

    Parameters
    ----------
    lat1_deg, lon1_deg : float or array_like
        Geodetic latitude in [-90, 90] and longitude of the first point, deg.
    lat2_deg, lon2_deg : float or array_like
        Geodetic latitude in [-90, 90] and longitude of the second point, deg.

    Returns
    -------
    distance_m : ndarray, shape (...)
        Length of the geodesic, m.
    azi1_deg : ndarray, shape (...)
        Azimuth of the geodesic at the first point, deg, in [0, 360).
    azi2_deg : ndarray, shape (...)
        Forward azimuth at the second point, deg, in [0, 360).

    Examples
    --------
    >>> from openbmd.geodesy import geodesic_inverse
    >>> distance_m, azi1_deg, azi2_deg = geodesic_inverse(-41.32, 174.81, 40.96, -5.50)
    >>> round(float(distance_m), 3)  # Wellington to Salamanca
    19959679.267
    """
    args = np.broadcast_arrays(
        latitude_deg("lat1_deg", lat1_deg),
        finite("lon1_deg", lon1_deg),
        latitude_deg("lat2_deg", lat2_deg),
        finite("lon2_deg", lon2_deg),
    )
    shape = args[0].shape
    unique_rows, inverse = _unique_rows(args)
    solved = np.empty((unique_rows.shape[0], 3))
    for i, (lat1, lon1, lat2, lon2) in enumerate(unique_rows.tolist()):
        res = _WGS84.Inverse(lat1, lon1, lat2, lon2, _INVERSE_MASK)
        solved[i] = res["s12"], res["azi1"], res["azi2"]
    out = solved[inverse].reshape((*shape, 3))
    return (
        scalar_or_array(out[..., 0]),
        scalar_or_array(wrap_azimuth_deg(out[..., 1])),
        scalar_or_array(wrap_azimuth_deg(out[..., 2])),
    )


def geodesic_direct(lat_deg: Any, lon_deg: Any, azimuth_deg: Any, distance_m: Any) -> Triple:
    """End point of a geodesic of given start, azimuth and length on WGS 84 (direct problem).

    Parameters
    ----------
    lat_deg, lon_deg : float or array_like
        Geodetic latitude in [-90, 90] and longitude of the start point, deg.
    azimuth_deg : float or array_like
        Azimuth at the start point, clockwise from north, deg.
    distance_m : float or array_like
        Length along the geodesic, m (negative goes backwards).

    Returns
    -------
    lat2_deg : ndarray, shape (...)
        Geodetic latitude of the end point, deg.
    lon2_deg : ndarray, shape (...)
        Longitude of the end point, deg, in (-180, 180].
    azi2_deg : ndarray, shape (...)
        Forward azimuth at the end point, deg, in [0, 360).

    Examples
    --------
    >>> from openbmd.geodesy import geodesic_direct
    >>> lat2_deg, lon2_deg, _ = geodesic_direct(-32.06, 115.74, 225.0, 20000e3)
    >>> round(float(lat2_deg), 8), round(float(lon2_deg), 8)  # 20000 km SW of Perth
    (32.11195529, -63.95925278)
    """
    lat, lon, azi, dist = np.broadcast_arrays(
        latitude_deg("lat_deg", lat_deg),
        finite("lon_deg", lon_deg),
        finite("azimuth_deg", azimuth_deg),
        finite("distance_m", distance_m),
    )
    shape = lat.shape
    unique_rows, inverse = _unique_rows([lat, lon, azi, dist])
    starts, line_of_row = _unique_rows([unique_rows[:, 0], unique_rows[:, 1], unique_rows[:, 2]])
    lines = [_WGS84.Line(la, lo, az, _LINE_CAPS) for la, lo, az in starts.tolist()]
    solved = np.empty((unique_rows.shape[0], 3))
    for i, (line_index, s12) in enumerate(
        zip(line_of_row.tolist(), unique_rows[:, 3].tolist(), strict=True)
    ):
        res = lines[line_index].Position(s12, _DIRECT_MASK)
        solved[i] = res["lat2"], res["lon2"], res["azi2"]
    out = solved[inverse].reshape((*shape, 3))
    return (
        scalar_or_array(out[..., 0]),
        scalar_or_array(wrap_longitude_deg(out[..., 1])),
        scalar_or_array(wrap_azimuth_deg(out[..., 2])),
    )


def great_circle_inverse(
    lat1_deg: Any,
    lon1_deg: Any,
    lat2_deg: Any,
    lon2_deg: Any,
    radius_m: float = MEAN_EARTH_RADIUS_M,
) -> Triple:
    """Great-circle distance and azimuths between two points on a sphere.

    For spherical-Earth options; latitudes are taken as spherical (geocentric) latitudes.

    Parameters
    ----------
    lat1_deg, lon1_deg : float or array_like
        Latitude in [-90, 90] and longitude of the first point, deg.
    lat2_deg, lon2_deg : float or array_like
        Latitude in [-90, 90] and longitude of the second point, deg.
    radius_m : float, optional
        Sphere radius, m (default ``constants.MEAN_EARTH_RADIUS_M``, 6371008.8 m).

    Returns
    -------
    distance_m : ndarray, shape (...)
        Arc length, m.
    azi1_deg : ndarray, shape (...)
        Azimuth at the first point, deg, in [0, 360).
    azi2_deg : ndarray, shape (...)
        Forward azimuth at the second point, deg, in [0, 360). Both azimuths are 0 for
        coincident points.

    Examples
    --------
    >>> from openbmd.geodesy import great_circle_inverse
    >>> [float(v) for v in great_circle_inverse(0.0, 0.0, 0.0, 90.0, radius_m=1.0)]
    [1.5707963267948966, 90.0, 90.0]
    """
    lat1 = np.radians(latitude_deg("lat1_deg", lat1_deg))
    lon1 = np.radians(finite("lon1_deg", lon1_deg))
    lat2 = np.radians(latitude_deg("lat2_deg", lat2_deg))
    lon2 = np.radians(finite("lon2_deg", lon2_deg))
    radius = require_positive("radius_m", radius_m)
    sin1, cos1, sin2, cos2 = np.sin(lat1), np.cos(lat1), np.sin(lat2), np.cos(lat2)
    dlon = lon2 - lon1
    sin_dlon, cos_dlon = np.sin(dlon), np.cos(dlon)
    east = cos2 * sin_dlon
    north = cos1 * sin2 - sin1 * cos2 * cos_dlon
    central = np.arctan2(np.hypot(east, north), sin1 * sin2 + cos1 * cos2 * cos_dlon)
    azi1 = np.degrees(np.arctan2(east, north))
    azi2 = np.degrees(np.arctan2(cos1 * sin_dlon, cos1 * sin2 * cos_dlon - sin1 * cos2))
    distance, azi1, azi2 = np.broadcast_arrays(radius * central, azi1, azi2)
    return (
        scalar_or_array(distance + 0.0),
        scalar_or_array(wrap_azimuth_deg(azi1)),
        scalar_or_array(wrap_azimuth_deg(azi2)),
    )


def great_circle_direct(
    lat_deg: Any,
    lon_deg: Any,
    azimuth_deg: Any,
    distance_m: Any,
    radius_m: float = MEAN_EARTH_RADIUS_M,
) -> Triple:
    """End point of a great-circle arc of given start, azimuth and length on a sphere.

    Parameters
    ----------
    lat_deg, lon_deg : float or array_like
        Latitude in [-90, 90] and longitude of the start point, deg.
    azimuth_deg : float or array_like
        Azimuth at the start point, clockwise from north, deg.
    distance_m : float or array_like
        Arc length, m (negative goes backwards).
    radius_m : float, optional
        Sphere radius, m (default ``constants.MEAN_EARTH_RADIUS_M``).

    Returns
    -------
    lat2_deg : ndarray, shape (...)
        Latitude of the end point, deg.
    lon2_deg : ndarray, shape (...)
        Longitude of the end point, deg, in (-180, 180].
    azi2_deg : ndarray, shape (...)
        Forward azimuth at the end point, deg, in [0, 360).

    Examples
    --------
    >>> import math
    >>> from openbmd.geodesy import great_circle_direct
    >>> lat2, lon2, azi2 = great_circle_direct(0.0, 0.0, 0.0, math.pi / 4, radius_m=1.0)
    >>> round(float(lat2), 12), round(float(lon2), 12), round(float(azi2), 12)
    (45.0, 0.0, 0.0)
    """
    lat = np.radians(latitude_deg("lat_deg", lat_deg))
    lon = np.radians(finite("lon_deg", lon_deg))
    azi = np.radians(finite("azimuth_deg", azimuth_deg))
    central = finite("distance_m", distance_m) / require_positive("radius_m", radius_m)
    sin_lat, cos_lat, sin_lon, cos_lon = np.sin(lat), np.cos(lat), np.sin(lon), np.cos(lon)
    sin_az, cos_az = np.sin(azi), np.cos(azi)
    sin_c, cos_c = np.sin(central), np.cos(central)
    # Unit vectors: start point p, and the initial direction d = cos(az) north + sin(az) east.
    p = (cos_lat * cos_lon, cos_lat * sin_lon, sin_lat)
    d = (
        -cos_az * sin_lat * cos_lon - sin_az * sin_lon,
        -cos_az * sin_lat * sin_lon + sin_az * cos_lon,
        cos_az * cos_lat,
    )
    x, y, z = (cos_c * p_i + sin_c * d_i for p_i, d_i in zip(p, d, strict=True))
    lat2 = np.degrees(np.arctan2(z, np.hypot(x, y)))
    lon2 = np.degrees(np.arctan2(y, x))
    azi2 = np.degrees(np.arctan2(sin_az * cos_lat, cos_lat * cos_c * cos_az - sin_lat * sin_c))
    lat2, lon2, azi2 = np.broadcast_arrays(lat2, lon2, azi2)
    return (
        scalar_or_array(lat2 + 0.0),
        scalar_or_array(wrap_longitude_deg(lon2)),
        scalar_or_array(wrap_azimuth_deg(azi2)),
    )


def _unique_rows(columns: Sequence[np.ndarray]) -> tuple[FloatArray, np.ndarray]:
    """Distinct rows of the stacked, flattened columns and the index of each row in them."""
    rows = np.stack([np.ravel(c) for c in columns], axis=-1)
    if rows.shape[0] <= 1:
        return rows, np.zeros(rows.shape[0], dtype=np.intp)
    unique_rows, inverse = np.unique(rows, axis=0, return_inverse=True)
    return unique_rows, np.asarray(inverse).reshape(-1)
