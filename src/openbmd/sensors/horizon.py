"""Radar horizon in the effective-Earth model of standard atmospheric refraction.

A refractive index that falls linearly with height bends rays toward the Earth. The
effective-Earth model (Schelleng, Burrows & Ferrell, Proc. IRE 21 (1933); Skolnik,
*Introduction to Radar Systems*, 3rd ed. (2001), ch. 8; Doerry, *Earth Curvature and
Atmospheric Refraction Effects on Radar Signal Propagation*, Sandia report SAND2012-10690
(2013)) replaces the Earth of radius R by a sphere of radius k R on which rays are straight
lines; heights above the surface and distances along the surface are kept. k = 4/3 is
the standard atmosphere (refractivity gradient -39 N-units/km); k = 1 is no refraction.

:func:`horizon_range_m` returns the **ground distance** between the antenna and a target
whose line of sight just grazes the (effective) Earth: the arc along the Earth's surface
(sea level, sphere of radius R) between the points below them,

.. math:: d = k R \\left[\\arccos\\frac{kR}{kR + h_1} + \\arccos\\frac{kR}{kR + h_2}\\right].

In the model this arc equals the arc on the effective sphere; the central angle on the
real Earth is d / R. For h << k R, d ≈ sqrt(2 k R h1) + sqrt(2 k R h2), i.e. Skolnik's
d[km] ≈ 4.12 (sqrt(h1[m]) + sqrt(h2[m])) for k = 4/3. A target at ground distance d is
above the horizon iff d < horizon_range_m (equivalently
:func:`effective_elevation_rad` of the grazing ray is the horizon dip).

Heights are above the sphere (mean sea level). The model describes the lower troposphere
at low elevation angles; the real refractivity gradient weakens with height (roughly
exponential refractivity), so for high targets the 4/3 model overstates the bending and
the horizon distance a little (see Doerry 2013 for the exponential reference atmosphere).
"""

from __future__ import annotations

from typing import Any, TypeAlias

import numpy as np
import numpy.typing as npt

from openbmd.constants import MEAN_EARTH_RADIUS_M
from openbmd.errors import ParameterError, require_range

FloatOrArray: TypeAlias = np.float64 | npt.NDArray[np.float64]

#: Standard-atmosphere effective-Earth factor (Skolnik, 3rd ed., ch. 8).
STANDARD_K_FACTOR = 4.0 / 3.0
#: Validity domain of the inputs (generous; keeps every product finite): heights up to
#: 1e9 m (2.6 times the Moon's distance), k up to 1e6 (a practically flat Earth), radii
#: up to 1e10 m.
MAX_HEIGHT_M = 1.0e9
MAX_K_FACTOR = 1.0e6
MAX_EARTH_RADIUS_M = 1.0e10


def _out(arr: npt.NDArray[np.float64]) -> FloatOrArray:
    return arr[()] if arr.ndim == 0 else arr


def _height(name: str, value: Any) -> npt.NDArray[np.float64]:
    return require_range(name, value, 0.0, MAX_HEIGHT_M)


def _radii(k_factor: Any, earth_radius_m: Any) -> tuple[Any, Any]:
    """(k R, R) in m, checked."""
    k = require_range("k_factor", k_factor, 0.0, MAX_K_FACTOR, low_open=True)
    r = require_range("earth_radius_m", earth_radius_m, 0.0, MAX_EARTH_RADIUS_M, low_open=True)
    return k * r, r


def _grazing_angle(ke: npt.NDArray[np.float64], h: npt.NDArray[np.float64]) -> Any:
    """Central angle (rad) from a point at height h to its tangent point on the sphere ke.

    ``arccos(ke / (ke + h))`` written as ``arctan(sqrt(h (2 ke + h)) / ke)``, which keeps
    full precision for small h.
    """
    return np.arctan2(np.sqrt(h * (2.0 * ke + h)), ke)


def horizon_range_m(
    antenna_height_m: Any,
    target_alt_m: Any,
    k_factor: Any = STANDARD_K_FACTOR,
    earth_radius_m: Any = MEAN_EARTH_RADIUS_M,
) -> FloatOrArray:
    """Ground distance at which a target of given altitude sinks below the radar horizon.

    Parameters
    ----------
    antenna_height_m : float or array_like
        Antenna height h1 above the sphere (sea level), m, in [0, 1e9].
    target_alt_m : float or array_like
        Target altitude h2 above the sphere, m, in [0, 1e9].
    k_factor : float or array_like, optional
        Effective-Earth factor k, in (0, 1e6]; 4/3 standard refraction (default), 1 no
        refraction.
    earth_radius_m : float or array_like, optional
        Earth radius R, m, in (0, 1e10]; default the mean radius 6371.0088 km.

    Returns
    -------
    float or ndarray
        Ground (great-circle, sea-level) distance d, m, from the point below the antenna
        to the point below the target when the line of sight grazes the effective Earth.

    Examples
    --------
    >>> round(float(horizon_range_m(100.0, 0.0)) / 1e3, 2)  # Skolnik: 4.12 sqrt(100) km
    41.22
    """
    h1 = _height("antenna_height_m", antenna_height_m)
    h2 = _height("target_alt_m", target_alt_m)
    ke, _ = _radii(k_factor, earth_radius_m)
    d = ke * (_grazing_angle(ke, h1) + _grazing_angle(ke, h2))
    return _out(np.asarray(d, dtype=float))


def horizon_slant_range_m(
    antenna_height_m: Any,
    target_alt_m: Any,
    k_factor: Any = STANDARD_K_FACTOR,
    earth_radius_m: Any = MEAN_EARTH_RADIUS_M,
) -> FloatOrArray:
    """Length of the grazing ray: antenna to target at the horizon, effective geometry.

    The sum of the two tangent lengths ``sqrt(h (2 k R + h))`` on the effective sphere,
    m; the approximate (refracted) radar range of a target at the horizon. Parameters as
    in :func:`horizon_range_m`.
    """
    h1 = _height("antenna_height_m", antenna_height_m)
    h2 = _height("target_alt_m", target_alt_m)
    ke, _ = _radii(k_factor, earth_radius_m)
    s = np.sqrt(h1 * (2.0 * ke + h1)) + np.sqrt(h2 * (2.0 * ke + h2))
    return _out(np.asarray(s, dtype=float))


def effective_elevation_rad(
    ground_range_m: Any,
    antenna_height_m: Any,
    target_alt_m: Any,
    k_factor: Any = STANDARD_K_FACTOR,
    earth_radius_m: Any = MEAN_EARTH_RADIUS_M,
) -> FloatOrArray:
    """Elevation angle of the straight ray to a target, in the effective-Earth geometry.

    With central angle phi = d / (k R) and radii r_i = k R + h_i, the ray from the
    antenna to the target leaves at elevation
    ``atan2(r2 cos(phi) - r1, r2 sin(phi))`` above the local horizontal. With refraction
    (k > 1) this is the apparent (refracted) elevation the radar sees, higher than the
    geometric one; a negative value below ``-arccos(kR/(kR+h1))`` means the ray is blocked
    by the Earth.

    Parameters
    ----------
    ground_range_m : float or array_like
        Ground (sea-level great-circle) distance d between the antenna and the point
        below the target, m, in [0, pi R].
    antenna_height_m, target_alt_m, k_factor, earth_radius_m
        As in :func:`horizon_range_m`.

    Returns
    -------
    float or ndarray
        Elevation, rad, in [-pi/2, pi/2] (+pi/2 straight up at d = 0 and h2 > h1).

    Examples
    --------
    At the horizon range the ray is tangent: elevation = minus the horizon dip.

    >>> import math
    >>> d = horizon_range_m(1000.0, 5000.0)
    >>> kr = 4 / 3 * 6371008.8
    >>> el = effective_elevation_rad(d, 1000.0, 5000.0)
    >>> bool(abs(el + math.acos(kr / (kr + 1000.0))) < 1e-12)
    True
    """
    h1 = _height("antenna_height_m", antenna_height_m)
    h2 = _height("target_alt_m", target_alt_m)
    ke, r = _radii(k_factor, earth_radius_m)
    d = require_range("ground_range_m", ground_range_m, 0.0)
    if np.any(d > np.pi * r):
        raise ParameterError(
            "ground_range_m", "in [0, pi * earth_radius_m] (half a great circle)", float(np.max(d))
        )
    phi = d / ke
    r2 = ke + h2
    # r2 cos(phi) - r1 = (h2 - h1) - r2 (1 - cos phi), with 1 - cos phi = 2 sin^2(phi/2)
    up = (h2 - h1) - r2 * (2.0 * np.sin(0.5 * phi) ** 2)
    el = np.arctan2(up, r2 * np.sin(phi))
    return _out(np.asarray(el, dtype=float))
