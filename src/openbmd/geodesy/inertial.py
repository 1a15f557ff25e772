"""ECI <-> ECEF for a pseudo-inertial frame aligned with ECEF at the scenario epoch.

The ECI frame of openbmd is not J2000/GCRF. It is the ECEF frame frozen at the scenario
epoch (``t_s = 0``): both share the origin (Earth's centre) and the z axis (WGS 84
rotation axis), and ECEF turns about z at the WGS 84 nominal rate
``omega = 7.292115e-5 rad/s``. The angle from the ECI x axis to the ECEF x axis is::

    theta(t_s) = gmst_at_epoch_rad + omega * t_s

With the default ``gmst_at_epoch_rad = 0`` the frames coincide at the epoch; passing the
Greenwich sidereal angle of the epoch aligns the x axis with the equinox of date.

Neglected: precession, nutation, polar motion and changes of the rotation rate (UT1 - UTC).
The first two turn a truly inertial frame against this one by under 0.01 arcsec per hour
(general precession 50.3 arcsec/yr is 0.006 arcsec/h; nutation rates are below
0.004 arcsec/h). Integrating a trajectory in this frame therefore omits an apparent
acceleration below 2e-7 m/s^2 (metres after one hour of flight); polar motion (~0.3 arcsec)
and length-of-day changes (~1 ms/day, < 1e-3 arcsec over an hour) are smaller still in
effect, and nothing defined in ECEF (sites, targets, heights) is touched. For flights
shorter than about an hour these errors are irrelevant next to the other models.

Velocities follow the transport theorem: ``v_ecef = R v_eci - omega x r_ecef``.
"""

from __future__ import annotations

from typing import Any, overload

import numpy as np

from openbmd.constants import TWO_PI, WGS84_OMEGA_RAD_S
from openbmd.geodesy._checks import FloatArray, FloatOrArray, finite, scalar_or_array, vector3

__all__ = [
    "earth_rotation_angle_rad",
    "ecef_to_eci",
    "eci_to_ecef",
    "eci_to_ecef_matrix",
]


def earth_rotation_angle_rad(t_s: Any, gmst_at_epoch_rad: Any = 0.0) -> FloatOrArray:
    """Angle from the ECI x axis to the ECEF x axis, rad, in [0, 2 pi).

    Parameters
    ----------
    t_s : float or array_like
        Time since the scenario epoch, s (negative before it).
    gmst_at_epoch_rad : float or array_like, optional
        The angle at the epoch, rad (default 0: frames coincide at the epoch).

    Returns
    -------
    float or ndarray, shape (...)
        ``gmst_at_epoch_rad + omega * t_s`` reduced to [0, 2 pi), rad.
    """
    theta = _angle(finite("t_s", t_s), gmst_at_epoch_rad)
    return scalar_or_array(np.mod(theta, TWO_PI))


def eci_to_ecef_matrix(t_s: Any, gmst_at_epoch_rad: Any = 0.0) -> FloatArray:
    """Rotation matrix from ECI to ECEF axes.

    Parameters
    ----------
    t_s : float or array_like
        Time since the scenario epoch, s.
    gmst_at_epoch_rad : float or array_like, optional
        Angle from ECI x to ECEF x at the epoch, rad (default 0); broadcasts like ``t_s``.

    Returns
    -------
    ndarray, shape (..., 3, 3)
        ``R`` with ``r_ecef = R @ r_eci``; its transpose maps ECEF to ECI.
    """
    theta = _angle(finite("t_s", t_s), gmst_at_epoch_rad)
    cos_t, sin_t = np.cos(theta), np.sin(theta)
    zero, one = np.zeros_like(theta), np.ones_like(theta)
    rows = [
        np.stack([cos_t, sin_t, zero], axis=-1),
        np.stack([-sin_t, cos_t, zero], axis=-1),
        np.stack([zero, zero, one], axis=-1),
    ]
    return np.stack(rows, axis=-2)


@overload
def eci_to_ecef(
    r_eci_m: Any, t_s: Any, v_eci_m_s: None = None, *, gmst_at_epoch_rad: Any = 0.0
) -> FloatArray: ...


@overload
def eci_to_ecef(
    r_eci_m: Any, t_s: Any, v_eci_m_s: Any, *, gmst_at_epoch_rad: Any = 0.0
) -> tuple[FloatArray, FloatArray]: ...


def eci_to_ecef(
    r_eci_m: Any, t_s: Any, v_eci_m_s: Any = None, *, gmst_at_epoch_rad: Any = 0.0
) -> FloatArray | tuple[FloatArray, FloatArray]:
    """ECI position (and velocity) to ECEF.

    Parameters
    ----------
    r_eci_m : array_like, shape (..., 3)
        Position in the pseudo-inertial frame, m.
    t_s : float or array_like
        Time since the scenario epoch, s; broadcasts against ``r_eci_m[..., 0]``.
    v_eci_m_s : array_like, shape (..., 3), optional
        Inertial velocity, m/s.
    gmst_at_epoch_rad : float or array_like, optional
        Angle from ECI x to ECEF x at the epoch, rad (default 0); broadcasts like ``t_s``.

    Returns
    -------
    r_ecef_m : ndarray, shape (..., 3)
        Position in ECEF, m.
    v_ecef_m_s : ndarray, shape (..., 3)
        Velocity relative to the rotating Earth, m/s; only when ``v_eci_m_s`` is given.

    Examples
    --------
    >>> import numpy as np
    >>> from openbmd.geodesy import eci_to_ecef
    >>> quarter_turn_s = (np.pi / 2) / 7.292115e-5
    >>> eci_to_ecef([1.0, 0.0, 0.0], quarter_turn_s).round(12)
    array([ 0., -1.,  0.])
    """
    r = vector3("r_eci_m", r_eci_m)
    cos_t, sin_t = _cos_sin(t_s, gmst_at_epoch_rad)
    r_ecef = _rotate_z(r, cos_t, sin_t)
    if v_eci_m_s is None:
        return r_ecef
    v = vector3("v_eci_m_s", v_eci_m_s)
    v_ecef = _rotate_z(v, cos_t, sin_t) - _omega_cross(r_ecef)
    return _broadcast_pair(r_ecef, v_ecef)


@overload
def ecef_to_eci(
    r_ecef_m: Any, t_s: Any, v_ecef_m_s: None = None, *, gmst_at_epoch_rad: Any = 0.0
) -> FloatArray: ...


@overload
def ecef_to_eci(
    r_ecef_m: Any, t_s: Any, v_ecef_m_s: Any, *, gmst_at_epoch_rad: Any = 0.0
) -> tuple[FloatArray, FloatArray]: ...


def ecef_to_eci(
    r_ecef_m: Any, t_s: Any, v_ecef_m_s: Any = None, *, gmst_at_epoch_rad: Any = 0.0
) -> FloatArray | tuple[FloatArray, FloatArray]:
    """ECEF position (and velocity) to ECI; inverse of :func:`eci_to_ecef`.

    Parameters
    ----------
    r_ecef_m : array_like, shape (..., 3)
        Position in ECEF, m.
    t_s : float or array_like
        Time since the scenario epoch, s; broadcasts against ``r_ecef_m[..., 0]``.
    v_ecef_m_s : array_like, shape (..., 3), optional
        Velocity relative to the rotating Earth, m/s.
    gmst_at_epoch_rad : float or array_like, optional
        Angle from ECI x to ECEF x at the epoch, rad (default 0); broadcasts like ``t_s``.

    Returns
    -------
    r_eci_m : ndarray, shape (..., 3)
        Position in the pseudo-inertial frame, m.
    v_eci_m_s : ndarray, shape (..., 3)
        Inertial velocity, m/s; only when ``v_ecef_m_s`` is given. A point at rest on
        the equator moves east at ``omega * a``, about 465.1 m/s.
    """
    r = vector3("r_ecef_m", r_ecef_m)
    cos_t, sin_t = _cos_sin(t_s, gmst_at_epoch_rad)
    r_eci = _rotate_z(r, cos_t, -sin_t)
    if v_ecef_m_s is None:
        return r_eci
    v = vector3("v_ecef_m_s", v_ecef_m_s)
    v_eci = _rotate_z(v + _omega_cross(r), cos_t, -sin_t)
    return _broadcast_pair(r_eci, v_eci)


def _angle(t_s: FloatArray, gmst_at_epoch_rad: Any) -> FloatArray:
    gmst = finite("gmst_at_epoch_rad", gmst_at_epoch_rad)
    return np.asarray(gmst + WGS84_OMEGA_RAD_S * t_s, dtype=float)


def _broadcast_pair(a: FloatArray, b: FloatArray) -> tuple[FloatArray, FloatArray]:
    shape = np.broadcast_shapes(a.shape, b.shape)
    return np.broadcast_to(a, shape).copy(), np.broadcast_to(b, shape).copy()


def _cos_sin(t_s: Any, gmst_at_epoch_rad: Any) -> tuple[FloatArray, FloatArray]:
    theta = _angle(finite("t_s", t_s), gmst_at_epoch_rad)
    return np.cos(theta), np.sin(theta)


def _rotate_z(vec: FloatArray, cos_t: FloatArray, sin_t: FloatArray) -> FloatArray:
    """Components of ``vec`` in axes turned by +theta about z (passive rotation)."""
    x, y, z = vec[..., 0], vec[..., 1], vec[..., 2]
    return np.stack(np.broadcast_arrays(cos_t * x + sin_t * y, -sin_t * x + cos_t * y, z), -1)


def _omega_cross(r: FloatArray) -> FloatArray:
    """``omega x r`` for the Earth's rotation vector ``(0, 0, omega)``."""
    return np.stack(
        [-WGS84_OMEGA_RAD_S * r[..., 1], WGS84_OMEGA_RAD_S * r[..., 0], np.zeros_like(r[..., 2])],
        axis=-1,
    )
