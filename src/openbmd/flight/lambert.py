"""Lambert's problem: the two-body orbit joining two positions in a given time.

Single-revolution solver in universal variables (Bate, Mueller & White 1971, ch. 5;
Curtis, *Orbital Mechanics for Engineering Students*, ch. 5; Vallado, *Fundamentals of
Astrodynamics and Applications*, ch. 7, universal-variable Lambert). The unknown is
z = chi^2 / a; the time of flight grows monotonically with z on the single-revolution
branch (z from its lower limit up to (2 pi)^2), so the root is kept in a bracket and
every Newton step that leaves it falls back to bisection: the iteration cannot diverge.

SI units throughout (m, m/s, s, m^3/s^2). Vectors are Cartesian in one inertial frame.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from numba import njit

from openbmd.constants import TWO_PI, WGS84_GM_M3_S2
from openbmd.errors import ParameterError, require_positive
from openbmd.flight.kepler import (
    ConvergenceError,
    _batch_shape,
    _require_vectors,
    stumpff_c,
    stumpff_s,
)

__all__ = ["ConvergenceError", "lambert_kernel", "solve_lambert"]

_Z_MAX = TWO_PI * TWO_PI
#: Transfer angles with |sin| below this leave the transfer plane undefined.
_MIN_SIN = 1e-8
_MAX_ITER = 300


@njit(cache=True, error_model="numpy")
def _y_of_z(z: float, r1: float, r2: float, a_const: float) -> float:
    """Auxiliary function y(z), m (negative where no orbit of that z exists)."""
    c = stumpff_c(z)
    s = stumpff_s(z)
    return r1 + r2 + a_const * (z * s - 1.0) / math.sqrt(c)


@njit(cache=True, error_model="numpy")
def _tof_residual(
    z: float, r1: float, r2: float, a_const: float, sqrt_mu_tof: float
) -> tuple[float, float, float]:
    """Return (F(z), dF/dz, y): F = sqrt(mu) * (time of flight at z - wanted time)."""
    c = stumpff_c(z)
    s = stumpff_s(z)
    y = r1 + r2 + a_const * (z * s - 1.0) / math.sqrt(c)
    if y <= 0.0:
        # No orbit (y < 0) or the degenerate limit: flight time is "below zero", so the
        # root lies at larger z.
        return -sqrt_mu_tof, math.nan, y
    ratio = y / c
    f = ratio**1.5 * s + a_const * math.sqrt(y) - sqrt_mu_tof
    if not math.isfinite(f):
        f = -sqrt_mu_tof if z < 0.0 else math.inf
        return f, math.nan, y
    if abs(z) > 1e-4:
        df = ratio**1.5 * ((c - 1.5 * s / c) / (2.0 * z) + 0.75 * s * s / c) + 0.125 * a_const * (
            3.0 * s / c * math.sqrt(y) + a_const * math.sqrt(c / y)
        )
    else:
        df = math.sqrt(2.0) / 40.0 * y**1.5 + 0.125 * a_const * (
            math.sqrt(y) + a_const * math.sqrt(0.5 / y)
        )
    return f, df, y


@njit(cache=True, error_model="numpy")
def lambert_kernel(
    r1_vec: np.ndarray, r2_vec: np.ndarray, tof: float, mu: float, long_way: bool
) -> tuple[np.ndarray, np.ndarray, bool]:
    """Solve one single-revolution Lambert problem.

    Parameters
    ----------
    r1_vec, r2_vec : ndarray, shape (3,)
        Initial and final positions, m (non-zero, not collinear).
    tof : float
        Time of flight, s (> 0).
    mu : float
        Gravitational parameter, m^3/s^2.
    long_way : bool
        True for a transfer angle in (pi, 2 pi), False for (0, pi).

    Returns
    -------
    v1, v2 : ndarray, shape (3,)
        Velocities at r1 and r2, m/s.
    converged : bool
        False if no solution was found (the velocities are then meaningless).
    """
    r1 = math.sqrt(r1_vec[0] ** 2 + r1_vec[1] ** 2 + r1_vec[2] ** 2)
    r2 = math.sqrt(r2_vec[0] ** 2 + r2_vec[1] ** 2 + r2_vec[2] ** 2)
    cos_dnu = (r1_vec[0] * r2_vec[0] + r1_vec[1] * r2_vec[1] + r1_vec[2] * r2_vec[2]) / (r1 * r2)
    cos_dnu = min(1.0, max(-1.0, cos_dnu))
    # A = sin(dnu) sqrt(r1 r2 / (1 - cos dnu)) = +-sqrt(r1 r2 (1 + cos dnu)), no cancellation.
    a_const = math.sqrt(r1 * r2 * (1.0 + cos_dnu))
    if long_way:
        a_const = -a_const
    sqrt_mu = math.sqrt(mu)
    target = sqrt_mu * tof
    v1 = np.full(3, np.nan)
    v2 = np.full(3, np.nan)

    # Bracket: F -> +inf as z -> (2 pi)^2; walk z down from 0 until F < 0 (either the
    # flight is shorter than wanted or y < 0, where no orbit exists).
    hi = _Z_MAX
    lo = 0.0
    found = False
    for _ in range(_MAX_ITER):
        f_lo = _tof_residual(lo, r1, r2, a_const, target)[0]
        if f_lo < 0.0:
            found = True
            break
        hi = lo
        lo = 4.0 * lo - 1.0
        if lo < -4.0e5:  # cosh(sqrt(-z)) overflows beyond ~ -5e5
            break
    if not found:
        return v1, v2, False

    z = 0.5 * (lo + hi) if lo < 0.0 else 0.0
    converged = False
    step_before = hi - lo
    step = step_before
    for _ in range(_MAX_ITER):
        f, df, y = _tof_residual(z, r1, r2, a_const, target)
        if f == 0.0:
            converged = True
            break
        if f < 0.0:
            lo = z
        else:
            hi = z
        new = z - f / df if df > 0.0 and math.isfinite(df) else math.nan
        # Bisect when Newton leaves the bracket or shrinks the step too slowly.
        if not (lo < new < hi) or abs(2.0 * f) > abs(step_before * df):
            new = 0.5 * (lo + hi)
        step_before = step
        step = new - z
        if abs(step) <= 1e-14 * max(1.0, abs(new)):
            z = new
            converged = True
            break
        z = new
    f, _, y = _tof_residual(z, r1, r2, a_const, target)
    if not converged or y <= 0.0 or abs(f) > 1e-8 * target:
        return v1, v2, False
    # Long-way hyperbolas at very negative z: the two terms of the time-of-flight
    # equation cancel; refuse answers that lost more than about 8 digits.
    terms = (y / stumpff_c(z)) ** 1.5 * stumpff_s(z) + abs(a_const) * math.sqrt(y)
    if terms > 1e8 * target:
        return v1, v2, False

    f_lag = 1.0 - y / r1
    g_lag = a_const * math.sqrt(y / mu)
    gdot = 1.0 - y / r2
    for j in range(3):
        v1[j] = (r2_vec[j] - f_lag * r1_vec[j]) / g_lag
        v2[j] = (gdot * r2_vec[j] - r1_vec[j]) / g_lag
    ok = True
    for j in range(3):
        ok = ok and math.isfinite(v1[j]) and math.isfinite(v2[j])
    return v1, v2, ok


@njit(cache=True, error_model="numpy")
def _lambert_batch(
    r1: np.ndarray,
    r2: np.ndarray,
    tof: np.ndarray,
    mu: float,
    long_way: np.ndarray,
    v1_out: np.ndarray,
    v2_out: np.ndarray,
) -> int:
    """Solve N problems; return the index of the first failure, or -1."""
    for k in range(r1.shape[0]):
        v1, v2, ok = lambert_kernel(r1[k], r2[k], tof[k], mu, long_way[k])
        v1_out[k] = v1
        v2_out[k] = v2
        if not ok:
            return k
    return -1


def solve_lambert(
    r1_m: Any,
    r2_m: Any,
    tof_s: Any,
    mu: float = WGS84_GM_M3_S2,
    prograde: bool = True,
    *,
    short_way: bool | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Velocities of the single-revolution two-body orbit from r1 to r2 in a given time.

    Parameters
    ----------
    r1_m, r2_m : array_like, shape (3,) or (N, 3)
        Initial and final positions, m, in one inertial frame (e.g. ECI). They must not
        be collinear (transfer angles 0 or 180 deg leave the orbit plane undefined).
    tof_s : float or array_like, shape (N,)
        Time of flight, s (> 0). Leading shapes of the three inputs broadcast.
    mu : float, optional
        Gravitational parameter, m^3/s^2 (default: WGS 84 GM).
    prograde : bool, optional
        Direction of motion about the frame's +z axis (counter-clockwise seen from +z).
        For transfer planes that contain the z axis (polar orbits) this choice is
        ambiguous; use ``short_way`` there.
    short_way : bool, optional
        If given, overrides ``prograde``: True for a transfer angle below 180 deg, False
        for the long way round (above 180 deg).

    Returns
    -------
    v1_m_s, v2_m_s : ndarray, shape (3,) or (N, 3)
        Velocity at r1 (departure) and at r2 (arrival), m/s, same frame.

    Raises
    ------
    ParameterError
        Non-finite input, wrong shape, zero or coincident/collinear positions,
        ``tof_s <= 0`` or ``mu <= 0``.
    ConvergenceError
        No single-revolution solution was found (never returns NaN).

    Examples
    --------
    >>> v1, v2 = solve_lambert([7.0e6, 0.0, 0.0], [0.0, 8.0e6, 0.0], 3000.0)
    >>> v1.shape
    (3,)
    """
    r1 = _require_vectors("r1_m", r1_m, nonzero=True)
    r2 = _require_vectors("r2_m", r2_m, nonzero=True)
    tof = require_positive("tof_s", tof_s)
    mu_f = float(require_positive("mu", mu))
    batch = _batch_shape({"r1_m": r1, "r2_m": r2}, "tof_s", tof)
    r1_b = np.ascontiguousarray(np.broadcast_to(r1, (*batch, 3)).reshape(-1, 3))
    r2_b = np.ascontiguousarray(np.broadcast_to(r2, (*batch, 3)).reshape(-1, 3))
    tof_b = np.ascontiguousarray(np.broadcast_to(tof, batch).reshape(-1))

    same = np.all(r1_b == r2_b, axis=-1)
    if np.any(same):
        raise ParameterError("r2_m", "different from r1_m", r2_b[same])
    # Geometry from unit vectors (no overflow for large inputs).
    u1 = r1_b / np.linalg.norm(r1_b, axis=-1, keepdims=True)
    u2 = r2_b / np.linalg.norm(r2_b, axis=-1, keepdims=True)
    cross = np.cross(u1, u2)
    sin_dnu = np.linalg.norm(cross, axis=-1)
    collinear = sin_dnu < _MIN_SIN
    if np.any(collinear):
        angle_deg = np.degrees(np.arctan2(sin_dnu, np.sum(u1 * u2, axis=-1)))
        raise ParameterError(
            "r2_m",
            "at a transfer angle from r1_m away from 0 and 180 deg (the transfer plane is "
            "undefined for collinear positions); transfer angle in deg",
            float(angle_deg[collinear][0]),
        )
    if short_way is not None:
        long_way = np.full(tof_b.shape, not short_way)
    else:
        long_way = (cross[:, 2] < 0.0) if prograde else (cross[:, 2] >= 0.0)
    v1 = np.empty_like(r1_b)
    v2 = np.empty_like(r1_b)
    bad = _lambert_batch(r1_b, r2_b, tof_b, mu_f, np.ascontiguousarray(long_way), v1, v2)
    if bad >= 0:
        raise ConvergenceError(
            f"Lambert solver found no single-revolution solution for problem {bad} "
            f"(r1_m={r1_b[bad].tolist()}, r2_m={r2_b[bad].tolist()}, tof_s={tof_b[bad]})."
        )
    return v1.reshape((*batch, 3)), v2.reshape((*batch, 3))
