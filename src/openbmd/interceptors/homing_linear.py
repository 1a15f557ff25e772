"""Zarchan's linearised planar engagement and the closed forms of ideal PN.

The model of P. Zarchan, *Tactical and Strategic Missile Guidance* (AIAA), chapters on
proportional navigation, heading error and target manoeuvre: small angles, constant
closing speed, relative position ``y`` across the initial line of sight. Used to check
:func:`openbmd.interceptors.homing.simulate_homing` against the closed forms and against
adjoint results. See ``docs/endgame.md``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from openbmd.errors import (
    ParameterError,
    require_choice,
    require_finite,
    require_non_negative,
    require_positive,
)
from openbmd.interceptors.homing_kernels import LAW_APN, LAW_PN, linear_kernel

_LAWS = {"pn": LAW_PN, "apn": LAW_APN}
#: Largest history (engagements x samples) kept in memory.
_MAX_HISTORY_POINTS = 50_000_000


@dataclass(frozen=True)
class LinearEngagement:
    """Zarchan's planar linear engagement, N runs (histories NaN-padded to K samples).

    Attributes
    ----------
    miss_m : ndarray, shape (N,)
        Signed relative position at t = tF (target minus interceptor), m.
    time_s : ndarray, shape (N, K)
        Sample times, s.
    commanded_accel_m_s2 : ndarray, shape (N, K)
        Guidance command n_c, m/s^2.
    achieved_accel_m_s2 : ndarray, shape (N, K)
        Interceptor acceleration n_L after the lag, m/s^2.
    relative_position_m : ndarray, shape (N, K)
        Relative position y, m.
    """

    miss_m: np.ndarray
    time_s: np.ndarray
    commanded_accel_m_s2: np.ndarray
    achieved_accel_m_s2: np.ndarray
    relative_position_m: np.ndarray


def linear_engagement(
    flight_time_s: ArrayLike,
    *,
    interceptor_speed_m_s: ArrayLike = 1.0,
    heading_error_rad: ArrayLike = 0.0,
    target_accel_m_s2: ArrayLike = 0.0,
    nav_ratio: ArrayLike = 4.0,
    law: str = "pn",
    time_constant_s: ArrayLike = 0.0,
    step_s: float = 1e-3,
) -> LinearEngagement:
    """Zarchan's linearised planar engagement (small angles, constant closing speed).

    ``y'' = n_T - n_L``, ``n_L' = (n_c - n_L)/tau``, ``n_c = N' Vc dlambda/dt`` with
    ``lambda = y/(Vc t_go)``, so that ``n_c = N' (y + y' t_go)/t_go^2`` (PN) and APN adds
    ``N' n_T / 2``; the closing speed cancels. A heading error sets ``y'(0) = -Vm HE``;
    the target's step acceleration acts from t = 0. Integrated with RK4 (step adjusted
    to divide tF) until one step before tF, where the command is singular.

    Parameters
    ----------
    flight_time_s : array_like, shape (N,) or scalar
        Flight time tF, s (> 0).
    interceptor_speed_m_s : array_like, shape (N,) or scalar
        Interceptor speed Vm, m/s (scales the heading error).
    heading_error_rad : array_like, shape (N,) or scalar
        Heading error HE, rad.
    target_accel_m_s2 : array_like, shape (N,) or scalar
        Target step acceleration n_T across the LOS, m/s^2.
    nav_ratio : array_like, shape (N,) or scalar
        Effective navigation ratio N' (> 0).
    law : {"pn", "apn"}
        Guidance law.
    time_constant_s : array_like, shape (N,) or scalar
        First-order lag, s (0: none).
    step_s : float
        Largest integration step, s.

    Returns
    -------
    LinearEngagement

    Examples
    --------
    >>> out = linear_engagement(10.0, interceptor_speed_m_s=3000.0, heading_error_rad=-0.01)
    >>> round(float(out.commanded_accel_m_s2[0, 0]), 6)  # -Vm HE N'/tF
    12.0
    """
    tf = require_positive("flight_time_s", flight_time_s)
    vm = require_finite("interceptor_speed_m_s", interceptor_speed_m_s)
    he = require_finite("heading_error_rad", heading_error_rad)
    at = require_finite("target_accel_m_s2", target_accel_m_s2)
    nav = require_positive("nav_ratio", nav_ratio)
    tau = require_non_negative("time_constant_s", time_constant_s)
    law_code = _LAWS[require_choice("law", law, _LAWS)]
    step = float(require_positive("step_s", step_s))
    tf, vm, he, at, nav, tau = (
        np.array(np.atleast_1d(a), dtype=float)  # writable C copies: one signature
        for a in np.broadcast_arrays(tf, vm, he, at, nav, tau)
    )
    n = tf.shape[0]
    k_max = int(np.ceil(float(tf.max()) / step - 1e-9))
    if n * k_max > _MAX_HISTORY_POINTS:
        raise ParameterError(
            "flight_time_s / step_s", f"<= {_MAX_HISTORY_POINTS} samples", n * k_max
        )
    hist = [np.full((n, max(k_max, 1)), np.nan) for _ in range(4)]
    miss = np.empty(n)
    linear_kernel(tf, -vm * he, at, nav, law_code, tau, step, True, miss, *hist)
    return LinearEngagement(miss, hist[0], hist[1], hist[2], hist[3])


def pn_heading_error_accel(
    time_s: ArrayLike,
    flight_time_s: float,
    interceptor_speed_m_s: float,
    heading_error_rad: float,
    nav_ratio: float,
) -> np.ndarray:
    """Zarchan's closed form for ideal PN against a heading error, m/s^2.

    ``n_c(t) = -Vm HE N' / tF * (1 - t/tF)^(N' - 2)``.
    """
    t = np.asarray(time_s, dtype=float)
    return (
        -interceptor_speed_m_s
        * heading_error_rad
        * nav_ratio
        / flight_time_s
        * (1.0 - t / flight_time_s) ** (nav_ratio - 2.0)
    )


def pn_step_accel_ratio(time_s: ArrayLike, flight_time_s: float, nav_ratio: float) -> np.ndarray:
    """Zarchan's closed form n_c/n_T for ideal PN against a target step manoeuvre.

    ``N'/(N' - 2) * (1 - (1 - t/tF)^(N' - 2))`` (N' > 2).
    """
    t = np.asarray(time_s, dtype=float)
    return nav_ratio / (nav_ratio - 2.0) * (1.0 - (1.0 - t / flight_time_s) ** (nav_ratio - 2.0))


def apn_step_accel_ratio(time_s: ArrayLike, flight_time_s: float, nav_ratio: float) -> np.ndarray:
    """n_c/n_T for ideal augmented PN against a target step: ``N'/2 (1 - t/tF)^(N' - 2)``."""
    t = np.asarray(time_s, dtype=float)
    return 0.5 * nav_ratio * (1.0 - t / flight_time_s) ** (nav_ratio - 2.0)
