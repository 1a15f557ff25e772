"""Two-body (Keplerian) propagation with universal variables, and classical elements.

The universal-variable formulation (Bate, Mueller & White 1971, ch. 4; Curtis,
*Orbital Mechanics for Engineering Students*, ch. 3; Vallado, *Fundamentals of
Astrodynamics and Applications*, ch. 2, KEPLER) treats elliptic, parabolic and hyperbolic
motion with one equation. Everything is in SI units: positions in m, velocities in m/s,
times in s, ``mu`` in m^3/s^2. Vectors are Cartesian in any inertial frame (for Earth
problems, ECI); the frame of the output is the frame of the input.

Kernels (``@njit``, plain floats) do the work; :func:`propagate_kepler` validates once and
loops over a batch inside numba.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from numba import njit

from openbmd.constants import TWO_PI, WGS84_GM_M3_S2
from openbmd.errors import (
    OpenBMDError,
    ParameterError,
    require_finite,
    require_non_negative,
    require_positive,
)

__all__ = [
    "ConvergenceError",
    "OrbitalElements",
    "elements_to_state",
    "lagrange_coefficients",
    "propagate_kepler",
    "solve_universal_anomaly",
    "state_to_elements",
    "stumpff_c",
    "stumpff_s",
]

#: Below this |z| the Stumpff functions are summed as power series (the closed forms lose
#: digits to cancellation there); 16 terms leave a truncation error below 1e-30.
_SERIES_Z = 1.0
_SERIES_TERMS = 16
_MAX_ITER = 200
#: Bound on input vector components (m or m/s): keeps squares and cross products finite.
_MAX_COMPONENT = 1e100


class ConvergenceError(OpenBMDError):
    """An iterative orbit solver found no solution for the given input."""


@njit(cache=True, error_model="numpy")
def stumpff_c(z: float) -> float:
    """Stumpff function C(z) = (1 - cos sqrt(z)) / z (cosh form for z < 0), dimensionless."""
    if abs(z) < _SERIES_Z:
        total = 0.0
        term = 0.5  # (-z)^0 / 2!
        for k in range(_SERIES_TERMS):
            total += term
            term *= -z / ((2 * k + 3) * (2 * k + 4))
        return total
    if z > 0.0:
        half = math.sin(0.5 * math.sqrt(z))
        return 2.0 * half * half / z
    return (math.cosh(math.sqrt(-z)) - 1.0) / (-z)


@njit(cache=True, error_model="numpy")
def stumpff_s(z: float) -> float:
    """Stumpff function S(z) = (sqrt(z) - sin sqrt(z)) / z^1.5 (sinh form for z < 0)."""
    if abs(z) < _SERIES_Z:
        total = 0.0
        term = 1.0 / 6.0  # (-z)^0 / 3!
        for k in range(_SERIES_TERMS):
            total += term
            term *= -z / ((2 * k + 4) * (2 * k + 5))
        return total
    if z > 0.0:
        sz = math.sqrt(z)
        return (sz - math.sin(sz)) / (sz * z)
    sz = math.sqrt(-z)
    return (math.sinh(sz) - sz) / (sz * -z)


@njit(cache=True, error_model="numpy")
def _kepler_residual(
    chi: float, r0: float, sigma0: float, alpha: float, sqrt_mu_dt: float
) -> tuple[float, float]:
    """Universal Kepler equation F(chi) and dF/dchi (= radius r at chi), both in m^1.5 or m."""
    z = alpha * chi * chi
    c = stumpff_c(z)
    s = stumpff_s(z)
    f = sigma0 * chi * chi * c + (1.0 - alpha * r0) * chi * chi * chi * s + r0 * chi - sqrt_mu_dt
    df = sigma0 * chi * (1.0 - z * s) + (1.0 - alpha * r0) * chi * chi * c + r0
    if not math.isfinite(f):
        # Only reached far beyond the root (cosh overflow); F grows with sign(chi) there.
        f = math.copysign(math.inf, chi)
    return f, df


@njit(cache=True, error_model="numpy")
def _initial_chi(r0: float, rdotv0: float, alpha: float, dt: float, mu: float) -> float:
    """Starting value of chi (Vallado's KEPLER guesses), m^0.5."""
    sqrt_mu = math.sqrt(mu)
    if alpha > 1e-12 / r0:
        return sqrt_mu * alpha * dt
    if alpha < -1e-12 / r0:
        a = 1.0 / alpha
        sign = 1.0 if dt > 0.0 else -1.0
        num = -2.0 * mu * alpha * dt
        den = rdotv0 + sign * math.sqrt(-mu * a) * (1.0 - r0 * alpha)
        if den != 0.0 and num / den > 1.0:
            return sign * math.sqrt(-a) * math.log(num / den)
    return sqrt_mu * dt / r0


@njit(cache=True, error_model="numpy")
def solve_universal_anomaly(
    r0: float, rdotv0: float, alpha: float, dt: float, mu: float
) -> tuple[float, bool]:
    """Solve the universal Kepler equation for the universal anomaly chi.

    Parameters
    ----------
    r0 : float
        Initial radius |r0|, m.
    rdotv0 : float
        Dot product r0 . v0, m^2/s.
    alpha : float
        Reciprocal semi-major axis 2/r0 - v0^2/mu, 1/m (> 0 ellipse, 0 parabola, < 0
        hyperbola).
    dt : float
        Time of flight, s (negative propagates backwards).
    mu : float
        Gravitational parameter, m^3/s^2.

    Returns
    -------
    chi : float
        Universal anomaly, m^0.5.
    converged : bool
        False if the safeguarded Newton iteration did not converge.

    Notes
    -----
    F(chi) is strictly increasing (dF/dchi = r > 0), so a bracket [lo, hi] around the root
    is kept and any Newton step that leaves it, or is not finite, is replaced by bisection;
    the iteration cannot diverge.
    """
    if dt == 0.0:
        return 0.0, True
    sqrt_mu = math.sqrt(mu)
    sigma0 = rdotv0 / sqrt_mu
    target = sqrt_mu * dt
    guess = _initial_chi(r0, rdotv0, alpha, dt, mu)
    if guess == 0.0:  # |dt| so small that chi underflows: the state does not move
        return 0.0, True
    # Bracket the root: F(0) = -sqrt(mu) dt, then expand outwards from the guess.
    if dt > 0.0:
        lo, hi = 0.0, guess
        for _ in range(_MAX_ITER):
            if _kepler_residual(hi, r0, sigma0, alpha, target)[0] >= 0.0:
                break
            lo, hi = hi, 2.0 * hi
    else:
        lo, hi = guess, 0.0
        for _ in range(_MAX_ITER):
            if _kepler_residual(lo, r0, sigma0, alpha, target)[0] <= 0.0:
                break
            lo, hi = 2.0 * lo, lo
    chi = guess
    step_before = hi - lo
    step = step_before
    for _ in range(_MAX_ITER):
        f, df = _kepler_residual(chi, r0, sigma0, alpha, target)
        if f == 0.0:
            return chi, True
        if f < 0.0:
            lo = chi
        else:
            hi = chi
        new = chi - f / df
        # Bisect when Newton leaves the bracket or shrinks the step too slowly (far out
        # on the exponential branch of a hyperbola, where Newton crawls).
        if not (lo < new < hi) or abs(2.0 * f) > abs(step_before * df):
            new = 0.5 * (lo + hi)
        step_before = step
        step = new - chi
        if abs(step) <= 1e-15 * abs(new) or hi - lo <= 1e-15 * abs(new):
            chi = new
            break
        chi = new
    f, _ = _kepler_residual(chi, r0, sigma0, alpha, target)
    # Relative to sqrt(mu) dt, with a floor (1e-20 r0^1.5, i.e. ~1e-17 s) for tiny steps.
    return chi, abs(f) <= 1e-9 * abs(target) + 1e-20 * r0 * math.sqrt(r0)


@njit(cache=True, error_model="numpy")
def lagrange_coefficients(
    r0: float, rdotv0: float, alpha: float, dt: float, mu: float
) -> tuple[float, float, float, float, bool]:
    """Lagrange coefficients f, g, fdot, gdot after time dt (same inputs as the solver).

    Returns ``(f, g_s, fdot_1_s, gdot, converged)`` with r = f r0 + g v0 and
    v = fdot r0 + gdot v0. f and gdot are dimensionless, g is in s, fdot in 1/s.
    """
    if alpha > 0.0:
        # An ellipse repeats: propagate by the remainder modulo the period (keeps chi
        # and the Stumpff arguments small, and the accuracy independent of dt).
        period = TWO_PI / (math.sqrt(mu) * alpha**1.5)
        dt = dt - period * round(dt / period)
    chi, ok = solve_universal_anomaly(r0, rdotv0, alpha, dt, mu)
    sqrt_mu = math.sqrt(mu)
    z = alpha * chi * chi
    c = stumpff_c(z)
    s = stumpff_s(z)
    f = 1.0 - chi * chi * c / r0
    g = dt - chi * chi * chi * s / sqrt_mu
    r = rdotv0 / sqrt_mu * chi * (1.0 - z * s) + (1.0 - alpha * r0) * chi * chi * c + r0
    fdot = sqrt_mu / (r * r0) * chi * (z * s - 1.0)
    gdot = 1.0 - chi * chi * c / r
    return f, g, fdot, gdot, ok


@njit(cache=True, error_model="numpy")
def _propagate_batch(
    r0: np.ndarray, v0: np.ndarray, dt: np.ndarray, mu: float, r_out: np.ndarray, v_out: np.ndarray
) -> int:
    """Propagate N states; returns the index of the first failure, or -1."""
    for k in range(r0.shape[0]):
        rx, ry, rz = r0[k, 0], r0[k, 1], r0[k, 2]
        vx, vy, vz = v0[k, 0], v0[k, 1], v0[k, 2]
        rn = math.sqrt(rx * rx + ry * ry + rz * rz)
        rdotv = rx * vx + ry * vy + rz * vz
        alpha = 2.0 / rn - (vx * vx + vy * vy + vz * vz) / mu
        f, g, fdot, gdot, ok = lagrange_coefficients(rn, rdotv, alpha, dt[k], mu)
        for j in range(3):
            r_out[k, j] = f * r0[k, j] + g * v0[k, j]
            v_out[k, j] = fdot * r0[k, j] + gdot * v0[k, j]
        if not ok or not (math.isfinite(f) and math.isfinite(g)):
            return k
        if not (math.isfinite(fdot) and math.isfinite(gdot)):
            return k
    return -1


def _require_vectors(name: str, value: Any, *, nonzero: bool = False) -> np.ndarray:
    """Return a finite float array of shape (..., 3); optionally with no zero vectors."""
    arr = require_finite(name, value)
    if arr.ndim == 0 or arr.shape[-1] != 3:
        raise ParameterError(name, "an array of shape (3,) or (N, 3)", arr.shape)
    huge = np.abs(arr) > _MAX_COMPONENT
    if np.any(huge):
        raise ParameterError(name, "made of components of magnitude <= 1e100", arr[huge][0])
    if nonzero:
        norms = np.linalg.norm(arr, axis=-1)
        if np.any(norms == 0.0):
            raise ParameterError(name, "a non-zero position vector", 0.0)
    return arr


def _batch_shape(vectors: dict[str, np.ndarray], scalar_name: str, scalar: np.ndarray) -> tuple:
    """Broadcast batch shape of (..., 3) vectors and a per-item scalar; ParameterError if none."""
    shapes = [v.shape[:-1] for v in vectors.values()]
    try:
        return np.broadcast_shapes(*shapes, scalar.shape)
    except ValueError:
        names = ", ".join(f"{n} {v.shape}" for n, v in vectors.items())
        raise ParameterError(
            scalar_name, f"of a shape that broadcasts with {names}", scalar.shape
        ) from None


def propagate_kepler(
    r0_m: Any, v0_m_s: Any, dt_s: Any, mu: float = WGS84_GM_M3_S2
) -> tuple[np.ndarray, np.ndarray]:
    """Propagate two-body states by a time step (elliptic, parabolic or hyperbolic).

    Parameters
    ----------
    r0_m : array_like, shape (3,) or (N, 3)
        Initial position, m, in an inertial frame (e.g. ECI). Must not be zero.
    v0_m_s : array_like, shape (3,) or (N, 3)
        Initial velocity, m/s, same frame.
    dt_s : float or array_like, shape (N,)
        Time step, s; negative values propagate backwards. Leading shapes of the three
        inputs broadcast (one state to many times, or many states by one step).
    mu : float, optional
        Gravitational parameter, m^3/s^2 (default: WGS 84 GM).

    Returns
    -------
    r_m : ndarray, shape (3,) or (N, 3)
        Position after ``dt_s``, m, same frame.
    v_m_s : ndarray, shape (3,) or (N, 3)
        Velocity after ``dt_s``, m/s, same frame.

    Raises
    ------
    ParameterError
        Non-finite input, wrong shape, zero position or ``mu <= 0``.
    ConvergenceError
        The state cannot be propagated (e.g. a radial orbit through the centre, or a
        hyperbolic step so long that the Stumpff functions overflow).

    Examples
    --------
    >>> r, v = propagate_kepler([7.0e6, 0.0, 0.0], [0.0, 7546.05, 0.0], 600.0)
    >>> r.shape
    (3,)
    """
    r0 = _require_vectors("r0_m", r0_m, nonzero=True)
    v0 = _require_vectors("v0_m_s", v0_m_s)
    dt = require_finite("dt_s", dt_s)
    mu_f = float(require_positive("mu", mu))
    batch = _batch_shape({"r0_m": r0, "v0_m_s": v0}, "dt_s", dt)
    r0_b = np.ascontiguousarray(np.broadcast_to(r0, (*batch, 3)).reshape(-1, 3))
    v0_b = np.ascontiguousarray(np.broadcast_to(v0, (*batch, 3)).reshape(-1, 3))
    dt_b = np.ascontiguousarray(np.broadcast_to(dt, batch).reshape(-1))
    r_out = np.empty_like(r0_b)
    v_out = np.empty_like(v0_b)
    bad = _propagate_batch(r0_b, v0_b, dt_b, mu_f, r_out, v_out)
    if bad >= 0:
        raise ConvergenceError(
            f"Kepler propagation failed for state {bad} (r0_m={r0_b[bad].tolist()}, "
            f"v0_m_s={v0_b[bad].tolist()}, dt_s={dt_b[bad]}): no finite solution."
        )
    return r_out.reshape((*batch, 3)), v_out.reshape((*batch, 3))


@dataclass(frozen=True)
class OrbitalElements:
    """Classical orbital elements (arrays of the batch shape).

    Attributes
    ----------
    semi_major_axis_m : ndarray
        a, m; negative for hyperbolas, infinite for a parabola.
    eccentricity : ndarray
        e, dimensionless.
    inclination_rad : ndarray
        i in [0, pi], rad, from the frame's +z axis.
    raan_rad : ndarray
        Right ascension of the ascending node in [0, 2 pi), rad, from +x; 0 for
        equatorial orbits (node undefined).
    argp_rad : ndarray
        Argument of periapsis in [0, 2 pi), rad; 0 for circular orbits.
    true_anomaly_rad : ndarray
        True anomaly in [0, 2 pi), rad. For circular orbits it is measured from the node
        (argument of latitude), for circular equatorial orbits from +x (true longitude).
    """

    semi_major_axis_m: np.ndarray
    eccentricity: np.ndarray
    inclination_rad: np.ndarray
    raan_rad: np.ndarray
    argp_rad: np.ndarray
    true_anomaly_rad: np.ndarray


#: Eccentricity and inclination below which periapsis and node count as undefined.
_SMALL = 1e-11


def state_to_elements(r_m: Any, v_m_s: Any, mu: float = WGS84_GM_M3_S2) -> OrbitalElements:
    """Classical elements from position and velocity (shape (3,) or (N, 3), m and m/s).

    Angles follow Vallado's conventions with the special cases noted in
    :class:`OrbitalElements`. Radial (zero angular momentum) states are rejected.
    """
    r = _require_vectors("r_m", r_m, nonzero=True)
    v = _require_vectors("v_m_s", v_m_s)
    mu_f = float(require_positive("mu", mu))
    r, v = np.broadcast_arrays(r, v)
    rn = np.linalg.norm(r, axis=-1)
    h = np.cross(r, v)
    hn = np.linalg.norm(h, axis=-1)
    if np.any(hn <= _SMALL * rn * np.linalg.norm(v, axis=-1)):
        raise ParameterError("v_m_s", "not parallel to r_m (radial orbit)", v)
    e_vec = np.cross(v, h) / mu_f - r / rn[..., None]
    e = np.linalg.norm(e_vec, axis=-1)
    energy = 0.5 * np.sum(v * v, axis=-1) - mu_f / rn
    with np.errstate(divide="ignore"):
        a = np.where(energy == 0.0, np.inf, -mu_f / (2.0 * energy))
    inc = np.arccos(np.clip(h[..., 2] / hn, -1.0, 1.0))
    node = np.stack([-h[..., 1], h[..., 0], np.zeros_like(hn)], axis=-1)
    nn = np.linalg.norm(node, axis=-1)
    equatorial = nn <= _SMALL * hn
    circular = e <= _SMALL
    node_dir = np.where(
        equatorial[..., None], [1.0, 0.0, 0.0], node / np.where(nn > 0, nn, 1.0)[..., None]
    )
    raan = np.where(equatorial, 0.0, np.arctan2(node[..., 1], node[..., 0]) % TWO_PI)
    h_hat = h / hn[..., None]

    # Angles in the orbit plane, measured from the node direction about h.
    def plane_angle(vec: np.ndarray) -> np.ndarray:
        cos_part = np.sum(node_dir * vec, axis=-1)
        sin_part = np.sum(np.cross(node_dir, vec) * h_hat, axis=-1)
        return np.arctan2(sin_part, cos_part) % TWO_PI

    argp = np.where(circular, 0.0, plane_angle(e_vec))
    nu = (plane_angle(r) - argp) % TWO_PI
    return OrbitalElements(a, e, inc, raan, argp, nu)


def elements_to_state(
    semi_major_axis_m: Any,
    eccentricity: Any,
    inclination_rad: Any,
    raan_rad: Any,
    argp_rad: Any,
    true_anomaly_rad: Any,
    mu: float = WGS84_GM_M3_S2,
) -> tuple[np.ndarray, np.ndarray]:
    """Position (m) and velocity (m/s) from classical elements; inverse of
    :func:`state_to_elements`. Inputs broadcast; outputs have shape (..., 3).

    ``semi_major_axis_m`` must be > 0 for e < 1 and < 0 for e > 1 (parabolas, e = 1, are
    not accepted here), and the true anomaly must lie on the conic (|nu| below the
    asymptote angle for hyperbolas).
    """
    e = require_non_negative("eccentricity", eccentricity)
    a = require_finite("semi_major_axis_m", semi_major_axis_m)
    mu_f = float(require_positive("mu", mu))
    angles = [
        require_finite(n, x)
        for n, x in (
            ("inclination_rad", inclination_rad),
            ("raan_rad", raan_rad),
            ("argp_rad", argp_rad),
            ("true_anomaly_rad", true_anomaly_rad),
        )
    ]
    a, e, inc, raan, argp, nu = np.broadcast_arrays(a, e, *angles)
    p = a * (1.0 - e * e)
    if np.any(p <= 0.0) or np.any(e == 1.0):
        bad = (p <= 0.0) | (e == 1.0)
        raise ParameterError(
            "semi_major_axis_m",
            "> 0 for eccentricity < 1 and < 0 for eccentricity > 1",
            a[bad].ravel()[0],
        )
    denom = 1.0 + e * np.cos(nu)
    if np.any(denom <= 0.0):
        raise ParameterError(
            "true_anomaly_rad", "inside the hyperbola's asymptotes", nu[denom <= 0.0].ravel()[0]
        )
    rn = p / denom
    sqrt_mu_p = np.sqrt(mu_f / p)
    # Perifocal components, then rotate by argp, inclination and raan.
    r_pf = np.stack([rn * np.cos(nu), rn * np.sin(nu)], axis=-1)
    v_pf = np.stack([-sqrt_mu_p * np.sin(nu), sqrt_mu_p * (e + np.cos(nu))], axis=-1)
    cO, sO = np.cos(raan), np.sin(raan)
    cw, sw = np.cos(argp), np.sin(argp)
    ci, si = np.cos(inc), np.sin(inc)
    p_axis = np.stack([cO * cw - sO * sw * ci, sO * cw + cO * sw * ci, sw * si], axis=-1)
    q_axis = np.stack([-cO * sw - sO * cw * ci, -sO * sw + cO * cw * ci, cw * si], axis=-1)
    r = r_pf[..., 0:1] * p_axis + r_pf[..., 1:2] * q_axis
    v = v_pf[..., 0:1] * p_axis + v_pf[..., 1:2] * q_axis
    return r, v
