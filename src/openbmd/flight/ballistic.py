"""Closed-form ballistic free flight over a spherical, non-rotating Earth in vacuum.

After burnout a ballistic missile follows a Keplerian ellipse until it meets the sphere
(Bate, Mueller & White, *Fundamentals of Astrodynamics*, 1971, ch. 6). Everything follows
from BMW's burnout parameter Q = v^2 r_bo / mu (1: circular speed, 2: escape speed), the
flight-path angle gamma (from the local horizontal) and r_bo = R + h: p = r_bo Q cos^2
gamma, e^2 = 1 + Q (Q - 2) cos^2 gamma, a = r_bo / (2 - Q). Burnout lies on the ascending
branch at true anomaly nu_bo; impact where the descending branch meets radius R
(e cos nu_imp = p/R - 1), so the range angle Psi = nu_imp - nu_bo holds for h > 0 too
(for h = 0 it is BMW's free-flight range equation). Times come from Kepler's equation.
The maximum range uses the vacant-focus construction (chord c = 4a - r_bo - R, reflection
property for gamma_opt); the derivations are in ``docs/orbits.md``.

SI units inside (m, s, rad, m^3/s^2); every function broadcasts array inputs.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from openbmd.constants import DEG, MEAN_EARTH_RADIUS_M, TWO_PI, WGS84_GM_M3_S2
from openbmd.errors import (
    ParameterError,
    UnreachableError,
    require_positive,
    require_range,
)

#: Largest accepted burnout altitude, m: beyond lunar distance no missile burns out, and
#: the cap keeps every closed form far from floating-point overflow.
_MAX_ALT_M = 1.0e9

__all__ = [
    "BurnoutAngles",
    "FreeFlight",
    "MaximumRange",
    "burnout_angles_for_range",
    "burnout_speed_for_range",
    "free_flight",
    "free_flight_deg",
    "maximum_range",
    "q_parameter",
]


@dataclass(frozen=True)
class FreeFlight:
    """Closed-form free flight from burnout to impact (arrays of the broadcast shape).

    Attributes
    ----------
    range_angle_rad, range_m : ndarray
        Range angle Psi at the Earth's centre (rad) and ground range R * Psi (m).
    apogee_alt_m : ndarray
        Apogee altitude above the sphere, m.
    time_of_flight_s : ndarray
        Time from burnout to impact, s.
    impact_speed_m_s, impact_angle_rad : ndarray
        Speed at impact (m/s) and flight-path angle below the horizontal (positive, rad).
    eccentricity, semi_major_axis_m : ndarray
        Shape (dimensionless) and size (m) of the free-flight ellipse.
    """

    range_angle_rad: np.ndarray
    range_m: np.ndarray
    apogee_alt_m: np.ndarray
    time_of_flight_s: np.ndarray
    impact_speed_m_s: np.ndarray
    impact_angle_rad: np.ndarray
    eccentricity: np.ndarray
    semi_major_axis_m: np.ndarray


@dataclass(frozen=True)
class MaximumRange:
    """Maximum free-flight range for a burnout speed and altitude (broadcast arrays).

    Attributes
    ----------
    range_angle_rad, range_m : ndarray
        Maximum range angle Psi_max (rad) and ground range R * Psi_max (m).
    burnout_angle_rad : ndarray
        Optimum burnout flight-path angle gamma_opt from the local horizontal, rad.
    """

    range_angle_rad: np.ndarray
    range_m: np.ndarray
    burnout_angle_rad: np.ndarray


@dataclass(frozen=True)
class BurnoutAngles:
    """The two burnout flight-path angles that reach one range (broadcast arrays).

    Attributes
    ----------
    low_rad : ndarray
        Depressed (flatter) trajectory angle, rad; NaN where no depressed ballistic
        solution exists (e.g. Q >= 1 from the surface, where it would need gamma <= 0).
    high_rad : ndarray
        Lofted (steeper) trajectory angle, rad; NaN where only the depressed one exists.
    """

    low_rad: np.ndarray
    high_rad: np.ndarray


def q_parameter(
    burnout_speed_m_s: Any, burnout_radius_m: Any, mu: float = WGS84_GM_M3_S2
) -> np.ndarray:
    """BMW's burnout parameter Q = v^2 r / mu (dimensionless; 1 circular, 2 escape).

    ``burnout_speed_m_s`` in m/s, ``burnout_radius_m`` (from the Earth's centre) in m,
    ``mu`` in m^3/s^2; arrays broadcast.

    >>> round(float(q_parameter(7000.0, 6.5e6, 3.986004418e14)), 4)
    0.799
    """
    v = require_positive("burnout_speed_m_s", burnout_speed_m_s)
    r = require_positive("burnout_radius_m", burnout_radius_m)
    mu_f = float(require_positive("mu", mu))
    return v * v * r / mu_f


def _common(
    burnout_speed_m_s: Any, burnout_alt_m: Any, earth_radius_m: float, mu: float
) -> tuple[np.ndarray, np.ndarray, float, float, np.ndarray]:
    """Validate speed, altitude, R and mu; return (v, r_bo, R, mu, Q), Q < 2 checked."""
    v = require_positive("burnout_speed_m_s", burnout_speed_m_s)
    h = require_range("burnout_alt_m", burnout_alt_m, 0.0, _MAX_ALT_M)
    radius = float(require_positive("earth_radius_m", earth_radius_m))
    mu_f = float(require_positive("mu", mu))
    r_bo = radius + h
    with np.errstate(over="ignore"):  # absurd speeds overflow to inf: caught as escape
        q = v * v * r_bo / mu_f
    escaping = q >= 2.0
    if np.any(escaping):
        v_esc = np.sqrt(2.0 * mu_f / np.broadcast_to(r_bo, q.shape))[escaping].ravel()[0]
        raise ParameterError(
            "burnout_speed_m_s",
            f"< {v_esc:.1f} (escape speed at the burnout radius; Q = v^2 r / mu must be < 2)",
            np.broadcast_to(v, q.shape)[escaping].ravel()[0].item(),
        )
    return v, r_bo, radius, mu_f, q


def _eccentric_anomaly(nu: np.ndarray, e: np.ndarray) -> np.ndarray:
    """Eccentric anomaly in [0, 2 pi] for true anomaly nu in [0, 2 pi], rad."""
    half = 0.5 * nu
    return 2.0 * np.arctan2(np.sqrt(1.0 - e) * np.sin(half), np.sqrt(1.0 + e) * np.cos(half))


def _conic(
    q: np.ndarray, gamma: np.ndarray, k: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Free-flight conic for Q, flight-path angle (rad) and k = r_bo / R (Q = 2 allowed).

    Returns e, the true anomalies of burnout (ascending, in (0, pi)) and impact
    (descending, in (pi, 2 pi]), and e cos, e sin of the impact anomaly.
    """
    cos_g = np.cos(gamma)
    qc2 = q * cos_g * cos_g
    e = np.sqrt(np.maximum(1.0 + (q - 2.0) * qc2, 0.0))
    nu_bo = np.arctan2(q * np.sin(gamma) * cos_g, qc2 - 1.0)
    e_cos_imp = np.minimum(k * qc2 - 1.0, e)  # = p/R - 1
    e_sin_imp = -np.sqrt(np.maximum(e * e - e_cos_imp * e_cos_imp, 0.0))
    nu_imp = np.arctan2(e_sin_imp, e_cos_imp) % TWO_PI
    nu_imp = np.where(nu_imp <= nu_bo, TWO_PI, nu_imp)  # grazing impact at perigee
    return e, nu_bo, nu_imp, e_cos_imp, e_sin_imp


def _range_angle_limit(gamma: np.ndarray, k: np.ndarray) -> np.ndarray:
    """Supremum of the range angle (rad) over sub-escape speeds at a fixed angle.

    The range grows with Q until the trajectory escapes (Q = 2) or, from k = r_bo/R > 1,
    until its perigee rises to R (grazing), at Q = 2 (k - 1) / (k^2 cos^2 gamma - 1).
    """
    denom = k * k * np.cos(gamma) ** 2 - 1.0
    with np.errstate(divide="ignore", invalid="ignore"):
        q_graze = np.where(denom > 0.0, 2.0 * (k - 1.0) / denom, 2.0)
    _, nu_bo, nu_imp, _, _ = _conic(np.minimum(q_graze, 2.0), gamma, k)
    return nu_imp - nu_bo


def _free_flight(
    speed: Any,
    angle: Any,
    alt: Any,
    earth_radius_m: float,
    mu: float,
    angle_name: str,
    angle_scale: float,
) -> FreeFlight:
    """:func:`free_flight` with the angle in units of ``angle_scale`` rad, named as given."""
    half_pi = 0.5 * math.pi / angle_scale
    gamma = angle_scale * require_range(
        angle_name, angle, 0.0, half_pi, low_open=True, high_open=True
    )
    v, r_bo, radius, mu, q = _common(speed, alt, earth_radius_m, mu)
    v, gamma, r_bo, q = np.broadcast_arrays(v, gamma, r_bo, q)
    cos_g = np.cos(gamma)
    a = r_bo / (2.0 - q)
    p = r_bo * q * cos_g * cos_g
    # Does the ellipse come back down to R? (perigee radius <= R, i.e. p <= 2R - R^2/a.)
    p_max = 2.0 * radius - radius * radius / a
    misses = p > p_max * (1.0 + 1e-12)
    if np.any(misses):
        bound = np.clip(p_max / (r_bo * q), 0.0, 1.0)
        gamma_min = np.arccos(np.sqrt(bound))[misses].ravel()[0]
        raise ParameterError(
            angle_name,
            f"in ({gamma_min / angle_scale:.6g}, {half_pi:.6g}) for "
            f"burnout_speed_m_s={v[misses].ravel()[0]:.6g} at "
            f"burnout_alt_m={r_bo[misses].ravel()[0] - radius:.6g} (flatter trajectories "
            "stay in orbit above the sphere)",
            (gamma[misses].ravel()[0] / angle_scale).item(),
        )
    e, nu_bo, nu_imp, e_cos_imp, e_sin_imp = _conic(q, gamma, r_bo / radius)
    psi = nu_imp - nu_bo
    ecc_bo = _eccentric_anomaly(nu_bo, e)
    ecc_imp = _eccentric_anomaly(nu_imp, e)
    mean_motion = np.sqrt(mu / (a * a * a))
    tof = ((ecc_imp - e * np.sin(ecc_imp)) - (ecc_bo - e * np.sin(ecc_bo))) / mean_motion
    impact_speed = np.sqrt(v * v + 2.0 * mu * (1.0 / radius - 1.0 / r_bo))
    impact_angle = np.arctan2(-e_sin_imp, 1.0 + e_cos_imp)
    return FreeFlight(
        range_angle_rad=psi,
        range_m=radius * psi,
        apogee_alt_m=a * (1.0 + e) - radius,
        time_of_flight_s=tof,
        impact_speed_m_s=impact_speed,
        impact_angle_rad=impact_angle,
        eccentricity=e,
        semi_major_axis_m=a,
    )


def free_flight(
    burnout_speed_m_s: Any,
    burnout_angle_rad: Any,
    burnout_alt_m: Any = 0.0,
    earth_radius_m: float = MEAN_EARTH_RADIUS_M,
    mu: float = WGS84_GM_M3_S2,
) -> FreeFlight:
    """Free flight from burnout to impact on a spherical, non-rotating Earth, in vacuum.

    Parameters
    ----------
    burnout_speed_m_s : array_like
        Burnout speed, m/s (inertial = Earth-relative here; > 0, below escape speed).
    burnout_angle_rad : array_like
        Burnout flight-path angle from the local horizontal, rad, in (0, pi/2), and steep
        enough for the ellipse to come back to the sphere.
    burnout_alt_m : array_like, optional
        Burnout altitude above the sphere, m, in [0, 1e9]. Impact is at altitude 0.
    earth_radius_m : float, optional
        Radius R of the spherical Earth, m (default: IUGG mean radius).
    mu : float, optional
        Gravitational parameter, m^3/s^2 (default: WGS 84 GM).

    Returns
    -------
    FreeFlight
        Range angle and ground range, apogee altitude, time of flight, impact speed and
        angle, eccentricity and semi-major axis, each of the broadcast input shape.

    Raises
    ------
    ParameterError
        Speed <= 0 or at/above escape speed (Q >= 2), angle outside (0, pi/2) or too flat
        to return, altitude < 0, non-finite input.

    Examples
    --------
    >>> ff = free_flight(7000.0, np.radians(30.0))
    >>> round(float(ff.range_m) / 1e3)
    8766
    """
    args = (burnout_speed_m_s, burnout_angle_rad, burnout_alt_m, earth_radius_m, mu)
    return _free_flight(*args, "burnout_angle_rad", 1.0)


def free_flight_deg(
    burnout_speed_m_s: Any,
    burnout_angle_deg: Any,
    burnout_alt_m: Any = 0.0,
    earth_radius_m: float = MEAN_EARTH_RADIUS_M,
    mu: float = WGS84_GM_M3_S2,
) -> FreeFlight:
    """:func:`free_flight` with the burnout flight-path angle in degrees, in (0, 90).

    Errors about the angle name ``burnout_angle_deg`` and quote degrees. The result is in
    SI units (angles in rad).

    Examples
    --------
    >>> round(float(free_flight_deg(7000.0, 30.0).time_of_flight_s))
    1969
    """
    args = (burnout_speed_m_s, burnout_angle_deg, burnout_alt_m, earth_radius_m, mu)
    return _free_flight(*args, "burnout_angle_deg", DEG)


def maximum_range(
    burnout_speed_m_s: Any,
    burnout_alt_m: Any = 0.0,
    earth_radius_m: float = MEAN_EARTH_RADIUS_M,
    mu: float = WGS84_GM_M3_S2,
) -> MaximumRange:
    """Maximum free-flight range and the optimum burnout flight-path angle.

    Parameters
    ----------
    burnout_speed_m_s : array_like
        Burnout speed, m/s; at most the speed at which the maximum range reaches half
        the circumference (for h = 0 the circular speed, Q = 1).
    burnout_alt_m, earth_radius_m, mu
        As in :func:`free_flight`.

    Returns
    -------
    MaximumRange
        ``range_angle_rad``, ``range_m`` and ``burnout_angle_rad`` (gamma_opt).

    Examples
    --------
    >>> best = maximum_range(7000.0)
    >>> round(float(np.degrees(best.burnout_angle_rad)), 2)
    24.97
    """
    v, r_bo, radius, mu_f, q = _common(burnout_speed_m_s, burnout_alt_m, earth_radius_m, mu)
    v, r_bo, q = np.broadcast_arrays(v, r_bo, q)
    gap, psi, gamma_opt = _maximum(q, r_bo, radius)
    beyond = gap < 0.0
    if np.any(beyond):
        r_lim = r_bo[beyond].ravel()[0]
        v_lim = math.sqrt(mu_f * (2.0 / r_lim - 2.0 / (r_lim + radius)))
        raise ParameterError(
            "burnout_speed_m_s",
            f"<= {v_lim:.1f} at this burnout altitude (above it the maximum range would "
            "pass the antipode)",
            v[beyond].ravel()[0].item(),
        )
    return MaximumRange(range_angle_rad=psi, range_m=radius * psi, burnout_angle_rad=gamma_opt)


def _maximum(
    q: np.ndarray, r_bo: np.ndarray, radius: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return (gap, Psi_max, gamma_opt); gap < 0 where the optimum would pass 180 deg.

    Triangle centre / burnout / impact with the chord c = 4a - r_bo - R, written with
    gap = r_bo + R - c = 2 (2R - Q (r_bo + R)) / (2 - Q), exact at Psi = 180 deg, and
    the half-angle forms of the law of cosines.
    """
    gap = 2.0 * (2.0 * radius - q * (r_bo + radius)) / (2.0 - q)
    # Round-off just below zero (Psi_max = 180 deg exactly) counts as zero.
    gap = np.where(gap > -1e-12 * (r_bo + radius), np.maximum(gap, 0.0), gap)
    g = np.maximum(gap, 0.0)
    psi = 2.0 * np.arctan2(
        np.sqrt((2.0 * radius - g) * (2.0 * r_bo - g)), np.sqrt(g * (2.0 * (r_bo + radius) - g))
    )
    gamma_opt = np.arctan2(
        np.sqrt((2.0 * radius - g) * g), np.sqrt((2.0 * r_bo - g) * (2.0 * (r_bo + radius) - g))
    )
    return gap, psi, gamma_opt


def _range_angle(range_m: Any, radius: float) -> np.ndarray:
    circumference = TWO_PI * radius
    rng = require_range("range_m", range_m, 0.0, circumference, low_open=True, high_open=True)
    return rng / radius


def _descending_at(psi: np.ndarray, gamma: np.ndarray, q: np.ndarray) -> np.ndarray:
    """True where the conic from burnout meets radius R at angle psi while descending.

    With u = 1/r, du/dtheta > 0 means r decreasing. From u(theta) = 1/p +
    (1/r_bo - 1/p) cos theta - tan(gamma)/r_bo sin theta (times r_bo).
    """
    cos_g = np.cos(gamma)
    ratio = 1.0 / (q * cos_g * cos_g)  # r_bo / p
    du = -(1.0 - ratio) * np.sin(psi) - np.tan(gamma) * np.cos(psi)
    return du > 0.0


def burnout_speed_for_range(
    range_m: Any,
    burnout_angle_rad: Any,
    burnout_alt_m: Any = 0.0,
    earth_radius_m: float = MEAN_EARTH_RADIUS_M,
    mu: float = WGS84_GM_M3_S2,
) -> np.ndarray:
    """Burnout speed that gives a ground range at a given flight-path angle.

    Solves the conic through burnout (radius R + h, angle gamma) and the impact point
    (radius R, range angle Psi = range_m / R) for Q:

        Q = (1 - cos Psi) / (cos gamma ((r_bo/R) cos gamma - cos(gamma + Psi)))

    (BMW eq. for h = 0 with r_bo/R = 1).

    Parameters
    ----------
    range_m : array_like
        Ground range along the surface, m, in (0, 2 pi R).
    burnout_angle_rad : array_like
        Burnout flight-path angle from the local horizontal, rad, in (0, pi/2).
    burnout_alt_m, earth_radius_m, mu
        As in :func:`free_flight`.

    Returns
    -------
    ndarray
        Burnout speed, m/s.

    Raises
    ------
    UnreachableError
        No ballistic ellipse (Q < 2) from this burnout point and angle reaches the range.

    Examples
    --------
    >>> v = burnout_speed_for_range(10_000e3, np.radians(30.0))
    >>> round(float(v), 1)
    7270.7
    """
    radius = float(require_positive("earth_radius_m", earth_radius_m))
    mu_f = float(require_positive("mu", mu))
    psi = _range_angle(range_m, radius)
    gamma = require_range(
        "burnout_angle_rad", burnout_angle_rad, 0.0, 0.5 * math.pi, low_open=True, high_open=True
    )
    h = require_range("burnout_alt_m", burnout_alt_m, 0.0, _MAX_ALT_M)
    psi, gamma, h = np.broadcast_arrays(psi, gamma, h)
    r_bo = radius + h
    cos_g = np.cos(gamma)
    denom = cos_g * (r_bo / radius * cos_g - np.cos(gamma + psi))
    with np.errstate(divide="ignore", invalid="ignore"):
        q = (1.0 - np.cos(psi)) / denom
        ok = (denom > 0.0) & (q < 2.0) & _descending_at(psi, gamma, q)
    if not np.all(ok):
        i = np.flatnonzero(~ok.ravel())[0]
        limit = radius * _range_angle_limit(gamma.ravel()[i], r_bo.ravel()[i] / radius)
        raise UnreachableError(
            f"range_m={radius * psi.ravel()[i]:.6g} cannot be reached at "
            f"burnout_angle_rad={gamma.ravel()[i]:.6g} from burnout_alt_m={h.ravel()[i]:.6g}: "
            f"sub-escape ballistic ranges at this angle stay below {limit:.6g} m."
        )
    return np.sqrt(q * mu_f / r_bo)


def burnout_angles_for_range(
    range_m: Any,
    burnout_speed_m_s: Any,
    burnout_alt_m: Any = 0.0,
    earth_radius_m: float = MEAN_EARTH_RADIUS_M,
    mu: float = WGS84_GM_M3_S2,
) -> BurnoutAngles:
    """The depressed and lofted burnout flight-path angles that reach a ground range.

    From the same conic as :func:`burnout_speed_for_range`, written as
    (k - cos Psi) cos 2 gamma + sin Psi sin 2 gamma = 2 (1 - cos Psi)/Q - k + cos Psi
    with k = r_bo/R; for h = 0 this is BMW's sin(2 gamma + Psi/2) = (2 - Q)/Q sin(Psi/2).

    Parameters
    ----------
    range_m : array_like
        Ground range along the surface, m, in (0, 2 pi R).
    burnout_speed_m_s, burnout_alt_m, earth_radius_m, mu
        As in :func:`free_flight`.

    Returns
    -------
    BurnoutAngles
        ``low_rad`` and ``high_rad``; NaN marks the one that does not exist where only
        one does. At the maximum range both are equal (gamma_opt).

    Raises
    ------
    UnreachableError
        The range is beyond the maximum range for this speed and altitude.

    Examples
    --------
    >>> ang = burnout_angles_for_range(5_000e3, 6000.0)
    >>> [round(float(np.degrees(x)), 2) for x in (ang.low_rad, ang.high_rad)]
    [24.37, 43.15]
    """
    v, r_bo, radius, _, q = _common(burnout_speed_m_s, burnout_alt_m, earth_radius_m, mu)
    psi = _range_angle(range_m, radius)
    psi, v, r_bo, q = np.broadcast_arrays(psi, v, r_bo, q)
    k = r_bo / radius
    cos_psi = np.cos(psi)
    rhs = 2.0 * (1.0 - cos_psi) / q - k + cos_psi
    amplitude = np.hypot(k - cos_psi, np.sin(psi))
    phase = np.arctan2(np.sin(psi), k - cos_psi)
    ratio = rhs / amplitude
    unreachable = np.abs(ratio) > 1.0 + 1e-12
    if np.any(unreachable):
        _raise_unreachable(unreachable, psi, v, r_bo, q, radius)
    spread = np.arccos(np.clip(ratio, -1.0, 1.0))
    out = []
    for two_gamma in (phase - spread, phase + spread):
        gamma = (0.5 * two_gamma + 0.5 * math.pi) % math.pi - 0.5 * math.pi
        valid = (gamma > 0.0) & (gamma < 0.5 * math.pi)
        with np.errstate(divide="ignore", invalid="ignore"):
            valid &= _descending_at(psi, np.where(valid, gamma, 0.1), q)
        out.append(np.where(valid, gamma, np.nan))
    # The "minus" branch is the depressed one, the "plus" branch the lofted one.
    low, high = out
    swap = low > high
    low, high = np.where(swap, high, low), np.where(swap, low, high)
    neither = np.isnan(low) & np.isnan(high)
    if np.any(neither):
        _raise_unreachable(neither, psi, v, r_bo, q, radius)
    return BurnoutAngles(low_rad=low, high_rad=high)


def _raise_unreachable(bad, psi, v, r_bo, q, radius):
    """Raise UnreachableError for the first bad element, quoting the maximum range."""
    i = np.flatnonzero(bad.ravel())[0]
    gap, psi_max, _ = _maximum(q.ravel()[i], r_bo.ravel()[i], radius)
    reach = (
        f"the maximum range is {radius * float(psi_max):.6g} m"
        if gap >= 0.0
        else "no ballistic trajectory at this speed lands there"
    )
    raise UnreachableError(
        f"range_m={radius * psi.ravel()[i]:.6g} cannot be reached with "
        f"burnout_speed_m_s={v.ravel()[i]:.6g} from burnout_alt_m={r_bo.ravel()[i] - radius:.6g}: "
        f"{reach}."
    )
