"""Geodetic (latitude, longitude, height) <-> ECEF on the WGS 84 ellipsoid.

Every function accepts scalars or arrays of any broadcastable shape and returns arrays
of that shape (numpy scalars when all inputs are scalars); positions are ``(..., 3)``.
Latitudes are geodetic (angle of the ellipsoid normal with the equatorial plane), heights
are along the normal, longitudes are positive east. The arithmetic lives in
:mod:`openbmd.geodesy.kernels`.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from openbmd.constants import WGS84_A_M, WGS84_E2
from openbmd.geodesy._checks import (
    FloatArray,
    FloatOrArray,
    finite,
    latitude_deg,
    latitude_rad,
    scalar_or_array,
    vector3,
)
from openbmd.geodesy.kernels import ecef_to_geodetic_batch, geodetic_to_ecef_batch

__all__ = [
    "ecef_to_geodetic",
    "ecef_to_geodetic_rad",
    "geodetic_to_ecef",
    "geodetic_to_ecef_rad",
    "meridian_radius_m",
    "prime_vertical_radius_m",
]


def geodetic_to_ecef(lat_deg: Any, lon_deg: Any, alt_m: Any = 0.0) -> FloatArray:
    """ECEF position of WGS 84 geodetic coordinates.

    Parameters
    ----------
    lat_deg : float or array_like
        Geodetic latitude, deg, in [-90, 90].
    lon_deg : float or array_like
        Longitude, deg, positive east; any finite value.
    alt_m : float or array_like, optional
        Height above the WGS 84 ellipsoid, m (default 0).

    Returns
    -------
    ndarray, shape (..., 3)
        ECEF position, m; ``...`` is the broadcast shape of the inputs.

    Raises
    ------
    ParameterError
        If a latitude is outside [-90, 90] or any input is not finite.

    Examples
    --------
    >>> from openbmd.geodesy import geodetic_to_ecef
    >>> geodetic_to_ecef(0.0, 0.0, 0.0)
    array([6378137.,       0.,       0.])
    >>> geodetic_to_ecef([0.0, 90.0], 0.0).shape
    (2, 3)
    """
    lat = latitude_deg("lat_deg", lat_deg)
    lon = finite("lon_deg", lon_deg)
    alt = finite("alt_m", alt_m)
    return _to_ecef(np.radians(lat), np.radians(lon), alt)


def geodetic_to_ecef_rad(lat_rad: Any, lon_rad: Any, alt_m: Any = 0.0) -> FloatArray:
    """ECEF position of WGS 84 geodetic coordinates given in radians.

    Parameters
    ----------
    lat_rad : float or array_like
        Geodetic latitude, rad, in [-pi/2, pi/2].
    lon_rad : float or array_like
        Longitude, rad, positive east.
    alt_m : float or array_like, optional
        Height above the WGS 84 ellipsoid, m (default 0).

    Returns
    -------
    ndarray, shape (..., 3)
        ECEF position, m.
    """
    lat = latitude_rad("lat_rad", lat_rad)
    lon = finite("lon_rad", lon_rad)
    alt = finite("alt_m", alt_m)
    return _to_ecef(lat, lon, alt)


def ecef_to_geodetic(ecef_m: Any) -> tuple[FloatOrArray, FloatOrArray, FloatOrArray]:
    """WGS 84 geodetic coordinates of ECEF positions.

    Exact to rounding (micrometres) everywhere, from the Earth's centre to beyond
    geostationary altitude; on the polar axis the latitude is exactly +-90 deg and the
    longitude 0.

    Parameters
    ----------
    ecef_m : array_like, shape (..., 3)
        ECEF position, m.

    Returns
    -------
    lat_deg : ndarray, shape (...)
        Geodetic latitude, deg, in [-90, 90].
    lon_deg : ndarray, shape (...)
        Longitude, deg, in (-180, 180].
    alt_m : ndarray, shape (...)
        Height above the ellipsoid along its normal, m.

    Examples
    --------
    >>> from openbmd.geodesy import ecef_to_geodetic
    >>> lat_deg, lon_deg, alt_m = ecef_to_geodetic([0.0, 0.0, 6356752.314245179])
    >>> float(lat_deg), float(lon_deg), round(float(alt_m), 6)
    (90.0, 0.0, 0.0)
    """
    lat, lon, alt = _to_geodetic(vector3("ecef_m", ecef_m))
    return (
        scalar_or_array(np.degrees(lat)),
        scalar_or_array(np.degrees(lon)),
        scalar_or_array(alt),
    )


def ecef_to_geodetic_rad(ecef_m: Any) -> tuple[FloatOrArray, FloatOrArray, FloatOrArray]:
    """WGS 84 geodetic coordinates of ECEF positions, in radians.

    Parameters
    ----------
    ecef_m : array_like, shape (..., 3)
        ECEF position, m.

    Returns
    -------
    lat_rad : ndarray, shape (...)
        Geodetic latitude, rad, in [-pi/2, pi/2].
    lon_rad : ndarray, shape (...)
        Longitude, rad, in (-pi, pi].
    alt_m : ndarray, shape (...)
        Height above the ellipsoid, m.
    """
    lat, lon, alt = _to_geodetic(vector3("ecef_m", ecef_m))
    return scalar_or_array(lat), scalar_or_array(lon), scalar_or_array(alt)


def prime_vertical_radius_m(lat_deg: Any) -> FloatOrArray:
    """Radius of curvature of the WGS 84 ellipsoid in the prime vertical, m.

    ``N = a / sqrt(1 - e^2 sin^2(lat))``: the distance along the normal from the surface
    to the polar axis; ``a`` at the equator, ``a^2 / b`` at the poles.

    Parameters
    ----------
    lat_deg : float or array_like
        Geodetic latitude, deg, in [-90, 90].

    Returns
    -------
    float or ndarray, shape (...)
        Prime-vertical radius of curvature, m.
    """
    sin_lat = np.sin(np.radians(latitude_deg("lat_deg", lat_deg)))
    return scalar_or_array(WGS84_A_M / np.sqrt(1.0 - WGS84_E2 * sin_lat**2))


def meridian_radius_m(lat_deg: Any) -> FloatOrArray:
    """Radius of curvature of the WGS 84 meridian ellipse, m.

    ``M = a (1 - e^2) / (1 - e^2 sin^2(lat))^(3/2)``; ``b^2 / a`` at the equator.

    Parameters
    ----------
    lat_deg : float or array_like
        Geodetic latitude, deg, in [-90, 90].

    Returns
    -------
    float or ndarray, shape (...)
        Meridian radius of curvature, m.
    """
    sin_lat = np.sin(np.radians(latitude_deg("lat_deg", lat_deg)))
    return scalar_or_array(WGS84_A_M * (1.0 - WGS84_E2) / (1.0 - WGS84_E2 * sin_lat**2) ** 1.5)


def _to_ecef(lat_rad: FloatArray, lon_rad: FloatArray, alt_m: FloatArray) -> FloatArray:
    lat, lon, alt = np.broadcast_arrays(lat_rad, lon_rad, alt_m)
    shape = lat.shape
    out = geodetic_to_ecef_batch(
        np.ascontiguousarray(lat.ravel()),
        np.ascontiguousarray(lon.ravel()),
        np.ascontiguousarray(alt.ravel()),
    )
    return np.asarray(out).reshape((*shape, 3))


def _to_geodetic(ecef_m: FloatArray) -> tuple[FloatArray, FloatArray, FloatArray]:
    flat = np.ascontiguousarray(ecef_m.reshape(-1, 3))
    out = np.asarray(ecef_to_geodetic_batch(flat)).reshape(ecef_m.shape)
    return out[..., 0], out[..., 1], out[..., 2]
