"""Local frames at a site: ECEF <-> ENU (east, north, up) and azimuth/elevation/range.

The ENU frame of a site at geodetic (lat, lon, alt) on WGS 84 has its origin at the site,
``e`` pointing east, ``n`` north and ``u`` along the outward ellipsoid normal. Azimuth is
measured clockwise from north towards east, in [0, 360) deg; elevation is above the
local horizontal plane (the plane normal to ``u``), in [-90, 90] deg; range is the
straight-line distance, m. Sites broadcast against the leading axes of the vectors.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from openbmd.errors import require_non_negative, require_range
from openbmd.geodesy._checks import (
    FloatArray,
    FloatOrArray,
    finite,
    latitude_deg,
    scalar_or_array,
    vector3,
    wrap_azimuth_deg,
)
from openbmd.geodesy.ellipsoid import geodetic_to_ecef

__all__ = [
    "aer_to_ecef",
    "aer_to_enu",
    "ecef_to_aer",
    "ecef_to_enu",
    "ecef_vector_to_enu",
    "enu_rotation_matrix",
    "enu_to_aer",
    "enu_to_ecef",
    "enu_vector_to_ecef",
]


def enu_rotation_matrix(site_lat_deg: Any, site_lon_deg: Any) -> FloatArray:
    """Rotation from ECEF to the ENU frame of a site.

    Parameters
    ----------
    site_lat_deg : float or array_like
        Geodetic latitude of the site, deg, in [-90, 90].
    site_lon_deg : float or array_like
        Longitude of the site, deg, positive east.

    Returns
    -------
    ndarray, shape (..., 3, 3)
        Matrix ``R`` whose rows are the east, north and up unit vectors in ECEF, so that
        ``v_enu = R @ v_ecef`` and ``v_ecef = R.T @ v_enu``.

    Examples
    --------
    >>> from openbmd.geodesy import enu_rotation_matrix
    >>> enu_rotation_matrix(0.0, 0.0)
    array([[0., 1., 0.],
           [0., 0., 1.],
           [1., 0., 0.]])
    """
    sin_lat, cos_lat, sin_lon, cos_lon = _site_trig(site_lat_deg, site_lon_deg)
    sin_lat, cos_lat, sin_lon, cos_lon = np.broadcast_arrays(sin_lat, cos_lat, sin_lon, cos_lon)
    zero = np.zeros_like(sin_lat)
    east = np.stack([-sin_lon, cos_lon, zero], axis=-1)
    north = np.stack([-sin_lat * cos_lon, -sin_lat * sin_lon, cos_lat], axis=-1)
    up = np.stack([cos_lat * cos_lon, cos_lat * sin_lon, sin_lat], axis=-1)
    return np.stack([east, north, up], axis=-2) + 0.0


def ecef_vector_to_enu(vector_ecef: Any, site_lat_deg: Any, site_lon_deg: Any) -> FloatArray:
    """Rotate a free vector (velocity, acceleration, line of sight) from ECEF to ENU.

    No translation: use :func:`ecef_to_enu` for positions.

    Parameters
    ----------
    vector_ecef : array_like, shape (..., 3)
        Vector in ECEF axes, any unit.
    site_lat_deg, site_lon_deg : float or array_like
        Geodetic latitude in [-90, 90] and longitude of the site, deg.

    Returns
    -------
    ndarray, shape (..., 3)
        The same vector in the site's east, north, up axes, same unit.
    """
    vec = vector3("vector_ecef", vector_ecef)
    return _ecef_to_enu_axes(vec, *_site_trig(site_lat_deg, site_lon_deg))


def enu_vector_to_ecef(vector_enu: Any, site_lat_deg: Any, site_lon_deg: Any) -> FloatArray:
    """Rotate a free vector from the ENU axes of a site to ECEF (no translation).

    Parameters
    ----------
    vector_enu : array_like, shape (..., 3)
        Vector in the site's east, north, up axes, any unit.
    site_lat_deg, site_lon_deg : float or array_like
        Geodetic latitude in [-90, 90] and longitude of the site, deg.

    Returns
    -------
    ndarray, shape (..., 3)
        The same vector in ECEF axes, same unit.
    """
    vec = vector3("vector_enu", vector_enu)
    return _enu_to_ecef_axes(vec, *_site_trig(site_lat_deg, site_lon_deg))


def ecef_to_enu(
    ecef_m: Any, site_lat_deg: Any, site_lon_deg: Any, site_alt_m: Any = 0.0
) -> FloatArray:
    """Position relative to a site, in the site's ENU frame.

    Parameters
    ----------
    ecef_m : array_like, shape (..., 3)
        ECEF position of the target, m.
    site_lat_deg : float or array_like
        Geodetic latitude of the site, deg, in [-90, 90].
    site_lon_deg : float or array_like
        Longitude of the site, deg.
    site_alt_m : float or array_like, optional
        Height of the site above the WGS 84 ellipsoid, m (default 0).

    Returns
    -------
    ndarray, shape (..., 3)
        East, north, up coordinates of the target from the site, m.

    Examples
    --------
    >>> from openbmd.geodesy import ecef_to_enu, geodetic_to_ecef
    >>> ecef_to_enu(geodetic_to_ecef(0.0, 0.0, 1000.0), 0.0, 0.0).round(9)
    array([   0.,    0., 1000.])
    """
    target = vector3("ecef_m", ecef_m)
    site = geodetic_to_ecef(
        _site_lat(site_lat_deg),
        finite("site_lon_deg", site_lon_deg),
        finite("site_alt_m", site_alt_m),
    )
    return _ecef_to_enu_axes(target - site, *_site_trig(site_lat_deg, site_lon_deg))


def enu_to_ecef(
    enu_m: Any, site_lat_deg: Any, site_lon_deg: Any, site_alt_m: Any = 0.0
) -> FloatArray:
    """ECEF position of a point given in the ENU frame of a site.

    Parameters
    ----------
    enu_m : array_like, shape (..., 3)
        East, north, up coordinates from the site, m.
    site_lat_deg, site_lon_deg : float or array_like
        Geodetic latitude in [-90, 90] and longitude of the site, deg.
    site_alt_m : float or array_like, optional
        Height of the site above the WGS 84 ellipsoid, m (default 0).

    Returns
    -------
    ndarray, shape (..., 3)
        ECEF position, m.
    """
    local = vector3("enu_m", enu_m)
    site = geodetic_to_ecef(
        _site_lat(site_lat_deg),
        finite("site_lon_deg", site_lon_deg),
        finite("site_alt_m", site_alt_m),
    )
    return site + _enu_to_ecef_axes(local, *_site_trig(site_lat_deg, site_lon_deg))


def enu_to_aer(enu_m: Any) -> tuple[FloatOrArray, FloatOrArray, FloatOrArray]:
    """Azimuth, elevation and range of ENU positions.

    Parameters
    ----------
    enu_m : array_like, shape (..., 3)
        East, north, up coordinates, m.

    Returns
    -------
    az_deg : ndarray, shape (...)
        Azimuth clockwise from north, deg, in [0, 360); 0 straight up or down.
    el_deg : ndarray, shape (...)
        Elevation above the horizontal plane, deg, in [-90, 90]; 0 at zero range.
    range_m : ndarray, shape (...)
        Distance, m.

    Examples
    --------
    >>> from openbmd.geodesy import enu_to_aer
    >>> [float(v) for v in enu_to_aer([-1000.0, 0.0, 1000.0])]
    [270.0, 45.0, 1414.213562373095]
    """
    local = vector3("enu_m", enu_m)
    east, north, up = local[..., 0], local[..., 1], local[..., 2]
    horizontal = np.hypot(east, north)
    az = wrap_azimuth_deg(np.degrees(np.arctan2(east, north)))
    el = np.degrees(np.arctan2(up, horizontal))
    return scalar_or_array(az), scalar_or_array(el), scalar_or_array(np.hypot(horizontal, up))


def aer_to_enu(az_deg: Any, el_deg: Any, range_m: Any) -> FloatArray:
    """ENU position of an azimuth, elevation and range.

    Parameters
    ----------
    az_deg : float or array_like
        Azimuth clockwise from north, deg; any finite value.
    el_deg : float or array_like
        Elevation above the horizontal plane, deg, in [-90, 90].
    range_m : float or array_like
        Distance, m, >= 0.

    Returns
    -------
    ndarray, shape (..., 3)
        East, north, up coordinates, m.
    """
    az = np.radians(finite("az_deg", az_deg))
    el = np.radians(require_range("el_deg", el_deg, -90.0, 90.0))
    rng = require_non_negative("range_m", range_m)
    horizontal = rng * np.cos(el)
    return np.stack(
        np.broadcast_arrays(horizontal * np.sin(az), horizontal * np.cos(az), rng * np.sin(el)),
        axis=-1,
    )


def ecef_to_aer(
    target_ecef_m: Any, site_lat_deg: Any, site_lon_deg: Any, site_alt_m: Any = 0.0
) -> tuple[FloatOrArray, FloatOrArray, FloatOrArray]:
    """Azimuth, elevation and range of an ECEF target seen from a geodetic site.

    Parameters
    ----------
    target_ecef_m : array_like, shape (..., 3)
        ECEF position of the target, m.
    site_lat_deg, site_lon_deg : float or array_like
        Geodetic latitude in [-90, 90] and longitude of the site, deg.
    site_alt_m : float or array_like, optional
        Height of the site above the WGS 84 ellipsoid, m (default 0).

    Returns
    -------
    az_deg, el_deg, range_m : ndarray, shape (...)
        As in :func:`enu_to_aer`.
    """
    target = vector3("target_ecef_m", target_ecef_m)
    return enu_to_aer(ecef_to_enu(target, site_lat_deg, site_lon_deg, site_alt_m))


def aer_to_ecef(
    az_deg: Any,
    el_deg: Any,
    range_m: Any,
    site_lat_deg: Any,
    site_lon_deg: Any,
    site_alt_m: Any = 0.0,
) -> FloatArray:
    """ECEF position of a point at azimuth, elevation and range from a geodetic site.

    Parameters
    ----------
    az_deg, el_deg, range_m : float or array_like
        As in :func:`aer_to_enu`.
    site_lat_deg, site_lon_deg : float or array_like
        Geodetic latitude in [-90, 90] and longitude of the site, deg.
    site_alt_m : float or array_like, optional
        Height of the site above the WGS 84 ellipsoid, m (default 0).

    Returns
    -------
    ndarray, shape (..., 3)
        ECEF position, m.
    """
    return enu_to_ecef(aer_to_enu(az_deg, el_deg, range_m), site_lat_deg, site_lon_deg, site_alt_m)


def _site_lat(site_lat_deg: Any) -> FloatArray:
    return latitude_deg("site_lat_deg", site_lat_deg)


def _site_trig(
    site_lat_deg: Any, site_lon_deg: Any
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
    lat = np.radians(_site_lat(site_lat_deg))
    lon = np.radians(finite("site_lon_deg", site_lon_deg))
    return np.sin(lat), np.cos(lat), np.sin(lon), np.cos(lon)


def _ecef_to_enu_axes(
    vec: FloatArray,
    sin_lat: FloatArray,
    cos_lat: FloatArray,
    sin_lon: FloatArray,
    cos_lon: FloatArray,
) -> FloatArray:
    x, y, z = vec[..., 0], vec[..., 1], vec[..., 2]
    east = -sin_lon * x + cos_lon * y
    along_meridian = cos_lon * x + sin_lon * y
    north = -sin_lat * along_meridian + cos_lat * z
    up = cos_lat * along_meridian + sin_lat * z
    return np.stack(np.broadcast_arrays(east, north, up), axis=-1)


def _enu_to_ecef_axes(
    vec: FloatArray,
    sin_lat: FloatArray,
    cos_lat: FloatArray,
    sin_lon: FloatArray,
    cos_lon: FloatArray,
) -> FloatArray:
    east, north, up = vec[..., 0], vec[..., 1], vec[..., 2]
    along_meridian = -sin_lat * north + cos_lat * up
    x = -sin_lon * east + cos_lon * along_meridian
    y = cos_lon * east + sin_lon * along_meridian
    z = cos_lat * north + sin_lat * up
    return np.stack(np.broadcast_arrays(x, y, z), axis=-1)
