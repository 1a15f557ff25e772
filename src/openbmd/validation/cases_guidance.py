"""Proportional-navigation results of Zarchan that :mod:`openbmd.interceptors` reproduces.

Source: P. Zarchan, *Tactical and Strategic Missile Guidance* (AIAA, Progress in
Astronautics and Aeronautics), the chapters on proportional navigation and miss distance
(heading error, target manoeuvre), the method of adjoints (single-time-constant guidance
system) and advanced guidance laws (augmented PN). For the linearised engagement with
ideal PN (no lag) the book derives

- heading error HE: ``n_c(t) = -Vm HE N'/tF (1 - t/tF)^(N'-2)``, zero miss;
- target step n_T: ``n_c/n_T = N'/(N'-2) (1 - (1 - t/tF)^(N'-2))``, zero miss;
- augmented PN against the step: ``n_c/n_T = N'/2 (1 - t/tF)^(N'-2)``;

and with a first-order lag T the normalised miss tends to zero as tF/T grows. The book
prints these equations and plots; the expected values below are the closed forms
evaluated at round inputs (like the Bate-Mueller-White cases of ``cases_orbits``), so they
check the implementation against the published equations, not against printed digits.

The 3-D cases fly the nonlinear engagement in near-linear geometry (head-on, Vm = 3000
m/s, Vt = 1000 m/s, R0 = 40 km, so tF = 10 s; heading error 1 deg, target step 10 m/s^2)
and compare the commanded acceleration across the LOS with the closed form up to
t = 0.99 tF, as a fraction of its peak: allowed 2 %, found below 0.1 %.
"""

from __future__ import annotations

import math

import numpy as np

from openbmd.interceptors.homing import (
    HomingHistory,
    HomingResult,
    apn_step_accel_ratio,
    collision_course_states,
    linear_engagement,
    pn_heading_error_accel,
    pn_step_accel_ratio,
    simulate_homing,
)
from openbmd.validation.registry import register

_SRC = "Zarchan, Tactical and Strategic Missile Guidance (AIAA), "
_PN_HE = _SRC + "ideal PN, heading error: n_c = -Vm HE N'/tF (1 - t/tF)^(N'-2), zero miss"
_PN_STEP = _SRC + "ideal PN, target step: n_c/n_T = N'/(N'-2) (1 - (1 - t/tF)^(N'-2)), zero miss"
_APN_STEP = _SRC + "ideal augmented PN, target step: n_c/n_T = N'/2 (1 - t/tF)^(N'-2)"
_LAG = _SRC + "single-time-constant guidance system (adjoint): miss -> 0 as tF/T grows"

_VM, _VT, _R0, _NAV = 3000.0, 1000.0, 40e3, 4.0
_HE_RAD = math.radians(1.0)
_STEP_M_S2 = 10.0
_SHAPE_UNTIL = 0.99


def _linear_value(
    t_s: float,
    *,
    heading_error_rad: float = 0.0,
    target_accel_m_s2: float = 0.0,
    law: str = "pn",
) -> float:
    """n_c at ``t_s`` of the linear model, tF = 10 s, N' = 4, Vm = 3000 m/s."""
    out = linear_engagement(
        10.0,
        interceptor_speed_m_s=_VM,
        heading_error_rad=heading_error_rad,
        target_accel_m_s2=target_accel_m_s2,
        nav_ratio=_NAV,
        law=law,
    )
    k = int(np.argmin(np.abs(out.time_s[0] - t_s)))
    return float(out.commanded_accel_m_s2[0, k])


@register(
    "guidance.linear_heading_error_accel_half",
    quantity="linear model, n_c at t = tF/2, Vm = 3000 m/s, HE = -0.01 rad, N' = 4, tF = 10 s "
    "[m/s^2]",
    source=_PN_HE + ": 3000 * 0.01 * 4/10 * 0.5^2 = 3 m/s^2",
    expected=3.0,
    tolerance=1e-6,
    unit="m/s^2",
)
def _linear_he_half() -> float:
    return _linear_value(5.0, heading_error_rad=-0.01)


@register(
    "guidance.linear_step_ratio_09",
    quantity="linear model, n_c/n_T at t = 0.9 tF, N' = 4, tF = 10 s [-]",
    source=_PN_STEP + ": 2 (1 - 0.1^2) = 1.98",
    expected=1.98,
    tolerance=1e-5,
    unit="-",
)
def _linear_step_09() -> float:
    return _linear_value(9.0, target_accel_m_s2=1.0)


@register(
    "guidance.linear_apn_step_ratio_half",
    quantity="linear model, augmented PN, n_c/n_T at t = tF/2, N' = 4, tF = 10 s [-]",
    source=_APN_STEP + ": 2 * 0.5^2 = 0.5",
    expected=0.5,
    tolerance=1e-6,
    unit="-",
)
def _linear_apn_half() -> float:
    return _linear_value(5.0, target_accel_m_s2=1.0, law="apn")


@register(
    "guidance.linear_step_zero_miss",
    quantity="linear model, miss for a 3 g target step, ideal PN, N' = 4, tF = 10 s [m]",
    source=_PN_STEP,
    expected=0.0,
    tolerance=1e-3,
    unit="m",
)
def _linear_step_miss() -> float:
    out = linear_engagement(10.0, target_accel_m_s2=3 * 9.80665, nav_ratio=_NAV)
    return float(out.miss_m[0])


@register(
    "guidance.lag_miss_vanishes",
    quantity="linear model, heading-error miss / (Vm HE T) at tF/T = 20, N' = 4 [-]",
    source=_LAG,
    expected=0.0,
    tolerance=1e-3,
    unit="-",
)
def _lag_miss() -> float:
    out = linear_engagement(
        10.0, interceptor_speed_m_s=_VM, heading_error_rad=-0.01, time_constant_s=0.5
    )
    return float(out.miss_m[0]) / (_VM * 0.01 * 0.5)


def _fly_3d(heading_error_rad: float, target_accel_m_s2: float, law: str) -> HomingResult:
    m, t = collision_course_states(_R0, _VM, _VT, heading_error_rad)
    return simulate_homing(
        m,
        t,
        nav_ratio=_NAV,
        law=law,
        target_accel_m_s2=(0.0, target_accel_m_s2, 0.0),
        record_history=True,
    )


def _closing_time() -> float:
    return _R0 / (_VM * math.cos(_HE_RAD) + _VT)


def _history(result: HomingResult) -> HomingHistory:
    if result.history is None:
        raise RuntimeError("simulate_homing returned no history")
    return result.history


def _shape_error(result: HomingResult, reference: np.ndarray, flight_time_s: float) -> float:
    hist = _history(result)
    lateral = hist.commanded_accel_m_s2[0, :, 1]
    keep = np.isfinite(lateral) & (hist.time_s <= _SHAPE_UNTIL * flight_time_s)
    return float(np.max(np.abs(lateral - reference)[keep]) / np.max(np.abs(reference[keep])))


@register(
    "guidance.pn_3d_heading_error_zero_miss",
    quantity="3-D ideal PN, miss for a 1 deg heading error, N' = 4, head-on, tF = 10 s [m]",
    source=_PN_HE,
    expected=0.0,
    tolerance=1e-3,
    unit="m",
)
def _pn_3d_he_miss() -> float:
    return float(_fly_3d(_HE_RAD, 0.0, "pn").miss_distance_m[0])


@register(
    "guidance.pn_3d_heading_error_shape",
    quantity="3-D ideal PN vs closed form, heading error: largest |difference| / peak [-]",
    source=_PN_HE,
    expected=0.0,
    tolerance=0.02,
    unit="-",
)
def _pn_3d_he_shape() -> float:
    tf = _closing_time()
    res = _fly_3d(_HE_RAD, 0.0, "pn")
    ref = pn_heading_error_accel(_history(res).time_s, tf, _VM, math.sin(_HE_RAD), _NAV)
    return _shape_error(res, ref, tf)


@register(
    "guidance.pn_3d_step_shape",
    quantity="3-D ideal PN vs closed form, target step: largest |difference| / peak [-]",
    source=_PN_STEP,
    expected=0.0,
    tolerance=0.02,
    unit="-",
)
def _pn_3d_step_shape() -> float:
    tf = _R0 / (_VM + _VT)
    res = _fly_3d(0.0, _STEP_M_S2, "pn")
    ref = _STEP_M_S2 * pn_step_accel_ratio(_history(res).time_s, tf, _NAV)
    return _shape_error(res, ref, tf)


@register(
    "guidance.pn_3d_step_zero_miss",
    quantity="3-D ideal PN, miss for a 10 m/s^2 target step, N' = 4, tF = 10 s [m]",
    source=_PN_STEP,
    expected=0.0,
    tolerance=1e-3,
    unit="m",
)
def _pn_3d_step_miss() -> float:
    return float(_fly_3d(0.0, _STEP_M_S2, "pn").miss_distance_m[0])


@register(
    "guidance.apn_3d_step_shape",
    quantity="3-D ideal augmented PN vs closed form, target step: largest |difference| / peak [-]",
    source=_APN_STEP,
    expected=0.0,
    tolerance=0.02,
    unit="-",
)
def _apn_3d_step_shape() -> float:
    tf = _R0 / (_VM + _VT)
    res = _fly_3d(0.0, _STEP_M_S2, "apn")
    ref = _STEP_M_S2 * apn_step_accel_ratio(_history(res).time_s, tf, _NAV)
    return _shape_error(res, ref, tf)
