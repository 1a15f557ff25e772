"""Published flight-mechanics values that the numerical propagator reproduces.

Every case runs :func:`openbmd.flight.propagate.propagate` (or its compiled equations of
motion) rather than a closed form, so it checks the integrator, the force model and the
frame bookkeeping together. Sources:

* H. D. Curtis, *Orbital Mechanics for Engineering Students*, Example 3.7 (universal
  variables): r0 = [7000, -12124, 0] km, v0 = [2.6679, 4.6210, 0] km/s, mu = 398 600
  km^3/s^2; one hour later r = [-3297.8, 7413.4, 0] km, v = [-8.2977, -0.96309, 0] km/s.
  The book's v_y is 0.95 m/s from the exact propagation of its own inputs (its rounded
  intermediate values), so only the position and the speed are compared.
* D. A. Vallado, *Fundamentals of Astrodynamics and Applications*, 4th ed. (2013),
  Example 2-4 (KEPLER): r0 = [1131.340, -2282.343, 6672.423] km, v0 = [-5.64305,
  4.30333, 2.42879] km/s, mu = 398 600.4418 km^3/s^2; 40 min later r = [-4219.7527,
  4363.0292, -3958.7666] km, v = [3.689866, -1.916735, -6.112511] km/s. The printed
  position is within 4 cm and the velocity within 0.3 mm/s of the exact two-body
  solution; tolerances are one unit of the last printed digit.
* WGS 84 normal gravity on the ellipsoid, NIMA TR8350.2 3rd ed. (2000) / NGA.STND.0036
  (2014): gamma_e = 9.7803253359 m/s^2 at the equator, gamma_p = 9.8321849378 m/s^2 at
  the poles (gravitation plus centrifugal acceleration of the rotating ellipsoid).
* First-order secular J2 regression of the node, dOmega/dt = -1.5 n J2 (R/p)^2 cos i
  (Vallado, ch. 9, secular effects of J2; Curtis, ch. 4, effects of the Earth's
  oblateness), and its Sun-synchronous special case: the node turns 360 deg per tropical
  year (365.2422 d), i.e. 0.98565 deg/day.

The two-body cases use ``EarthModel("sphere", 1000 km, mu, 0, 0, drag=False)``: a point
mass with the book's mu, no J2, no rotation, no drag, and a surface far below the orbit so
that the flight ends at its time limit.
"""

from __future__ import annotations

import math
from functools import cache

import numpy as np

from openbmd.atmosphere import load_table
from openbmd.constants import (
    WGS84_A_M,
    WGS84_B_M,
    WGS84_GM_M3_S2,
    WGS84_J2,
    WGS84_OMEGA_RAD_S,
)
from openbmd.flight.dynamics import EARTH_WGS84, derivatives
from openbmd.flight.propagate import EarthModel, FlightPlan, propagate
from openbmd.validation.registry import register

KM = 1e3
DAY_S = 86400.0

_CURTIS = (
    "Curtis, Orbital Mechanics for Engineering Students, Example 3.7 (r0 = [7000, -12124, "
    "0] km, v0 = [2.6679, 4.6210, 0] km/s, mu = 398600 km^3/s^2, t = 1 h)"
)
_VALLADO = (
    "Vallado, Fundamentals of Astrodynamics and Applications, 4th ed. (2013), Example 2-4 "
    "(r0 = [1131.340, -2282.343, 6672.423] km, v0 = [-5.64305, 4.30333, 2.42879] km/s, "
    "mu = 398600.4418 km^3/s^2, t = 40 min)"
)
_TR8350 = (
    "NIMA TR8350.2 3rd ed. (2000), WGS 84 ellipsoidal gravity formula constants "
    "(theoretical gravity at the equator and at the pole); NGA.STND.0036 (2014)"
)
_J2_RATE = (
    "First-order secular J2 nodal rate dOmega/dt = -1.5 n J2 (R/p)^2 cos i (Vallado, "
    "Fundamentals of Astrodynamics and Applications, 4th ed., ch. 9; Curtis, Orbital "
    "Mechanics for Engineering Students, ch. 4, effects of the Earth's oblateness)"
)


@cache
def _two_body(r0_km: tuple, v0_km_s: tuple, dt_s: float, mu_m3_s2: float) -> np.ndarray:
    """Numerically propagated state [m, m/s] after ``dt_s`` in a point-mass field."""
    earth = EarthModel("sphere", 1000e3, mu_m3_s2, 0.0, 0.0, False)
    plan = FlightPlan.coast(
        np.array(r0_km) * KM, np.array(v0_km_s) * KM, max_time_s=dt_s, stop_alt_m=0.0
    )
    # tight settings: the propagator's own error is then millimetres, far below the
    # books' printed digits
    run = propagate(plan, earth, rtol=1e-10, atol_m=1e-4, atol_m_s=1e-7)
    if run.status[0] != 1 or run.flight_time_s[0] != dt_s:
        raise RuntimeError("two-body validation flight did not run to its time limit")
    return run.end_state_eci[0]


def _curtis() -> np.ndarray:
    return _two_body((7000.0, -12124.0, 0.0), (2.6679, 4.6210, 0.0), 3600.0, 398600.0e9)


def _vallado() -> np.ndarray:
    return _two_body(
        (1131.340, -2282.343, 6672.423), (-5.64305, 4.30333, 2.42879), 2400.0, 398600.4418e9
    )


for _axis, _label, _value in ((0, "x", -3297.8), (1, "y", 7413.4)):

    def _curtis_position(axis: int = _axis) -> float:
        return float(_curtis()[axis]) / KM

    register(
        f"flight.curtis_3_7_r{_label}",
        quantity=f"two-body position {_label} after 1 h, numerical propagator [km]",
        source=_CURTIS,
        expected=_value,
        tolerance=0.05,
        unit="km",
    )(_curtis_position)


@register(
    "flight.curtis_3_7_speed",
    quantity="two-body speed after 1 h, numerical propagator [km/s] (|v| of the printed "
    "components; tolerance one unit of the 4th decimal)",
    source=_CURTIS,
    expected=math.hypot(8.2977, 0.96309),
    tolerance=1e-4,
    unit="km/s",
)
def _curtis_speed() -> float:
    return float(np.linalg.norm(_curtis()[3:])) / KM


for _axis, _label, _value in (
    (0, "x", -4219.7527),
    (1, "y", 4363.0292),
    (2, "z", -3958.7666),
):

    def _vallado_position(axis: int = _axis) -> float:
        return float(_vallado()[axis]) / KM

    register(
        f"flight.vallado_2_4_r{_label}",
        quantity=f"two-body position {_label} after 40 min, numerical propagator [km]",
        source=_VALLADO,
        expected=_value,
        tolerance=1e-4,
        unit="km",
    )(_vallado_position)

for _axis, _label, _value in (
    (3, "x", 3.689866),
    (4, "y", -1.916735),
    (5, "z", -6.112511),
):

    def _vallado_velocity(axis: int = _axis) -> float:
        return float(_vallado()[axis]) / KM

    register(
        f"flight.vallado_2_4_v{_label}",
        quantity=f"two-body velocity {_label} after 40 min, numerical propagator [km/s]",
        source=_VALLADO,
        expected=_value,
        tolerance=1e-6,
        unit="km/s",
    )(_vallado_velocity)


def _apparent_gravity(r_m: np.ndarray) -> float:
    """Magnitude of gravitation plus centrifugal acceleration (m/s^2) of a body at rest on
    the rotating Earth at ECEF position ``r_m``, from the propagator's own equations of
    motion (J2 gravity, WGS 84 rotation)."""
    atm = load_table()
    state = np.concatenate([r_m, np.cross([0.0, 0.0, WGS84_OMEGA_RAD_S], r_m)])
    out = np.empty(6)
    derivatives(
        0.0,
        state,
        out,
        1.0,
        0.0,
        0.0,
        0.0,
        0.0,
        np.ones(2),
        0.0,
        1.0,
        0.0,
        0.0,
        0.0,
        0.0,
        EARTH_WGS84,
        WGS84_A_M,
        WGS84_GM_M3_S2,
        WGS84_J2,
        WGS84_OMEGA_RAD_S,
        True,
        atm.values,
        atm.start_m,
        atm.step_m,
    )
    centrifugal = WGS84_OMEGA_RAD_S**2 * np.array([r_m[0], r_m[1], 0.0])
    return float(np.linalg.norm(out[3:] + centrifugal))


@register(
    "flight.wgs84_normal_gravity_equator",
    quantity="gravitation (central + J2) plus centrifugal acceleration on the equator "
    "of the ellipsoid [m/s^2]; the model stops at J2 and so omits the normal field's "
    "J4 = -2.37e-6, worth 4.4e-5 m/s^2 here: tolerance 1e-4",
    source=_TR8350,
    expected=9.7803253359,
    tolerance=1e-4,
    unit="m/s^2",
)
def _normal_gravity_equator() -> float:
    return _apparent_gravity(np.array([WGS84_A_M, 0.0, 0.0]))


@register(
    "flight.wgs84_normal_gravity_pole",
    quantity="gravitation (central + J2) at the pole of the ellipsoid [m/s^2]; the "
    "omitted J4 of the normal field is worth 1.2e-4 m/s^2 here: tolerance 2e-4",
    source=_TR8350,
    expected=9.8321849378,
    tolerance=2e-4,
    unit="m/s^2",
)
def _normal_gravity_pole() -> float:
    return _apparent_gravity(np.array([0.0, 0.0, WGS84_B_M]))


def _nodal_rate_deg_day(a_m: float, inclination_deg: float, days: float = 5.0) -> float:
    """Mean rate of the ascending node (deg/day) of a circular orbit, fitted to the node
    of the osculating plane sampled every minute over ``days`` (J2, no drag, no rotation:
    openbmd's ECI is then inertial)."""
    inc = math.radians(inclination_deg)
    speed = math.sqrt(WGS84_GM_M3_S2 / a_m)
    plan = FlightPlan.coast(
        np.array([a_m, 0.0, 0.0]),
        speed * np.array([0.0, math.cos(inc), math.sin(inc)]),
        max_time_s=days * DAY_S,
    )
    run = propagate(plan, EarthModel.wgs84(rotation=False, drag=False), sample_step_s=60.0)
    if run.samples is None or run.status[0] != 1:
        raise RuntimeError("nodal-regression validation orbit did not complete")
    t, r, v = run.samples.of(0)
    h = np.cross(r, v)
    node = np.unwrap(np.arctan2(h[:, 0], -h[:, 1]))
    return float(np.degrees(np.polyfit(t, node, 1)[0]) * DAY_S)


def _first_order_rate_deg_day(a_m: float, inclination_deg: float) -> float:
    n = math.sqrt(WGS84_GM_M3_S2 / a_m**3)
    rate = -1.5 * n * WGS84_J2 * (WGS84_A_M / a_m) ** 2 * math.cos(math.radians(inclination_deg))
    return math.degrees(rate) * DAY_S


_ISS_LIKE = (6778.137e3, 51.6)
_ISS_RATE = _first_order_rate_deg_day(*_ISS_LIKE)

#: Sun-synchronous: the node turns once per tropical year.
_SSO_RATE = 360.0 / 365.2422
_SSO_A_M = 7178.137e3  # 800 km above the equator
#: Inclination that makes the first-order rate Sun-synchronous at that altitude.
_SSO_INC_DEG = math.degrees(math.acos(_SSO_RATE / _first_order_rate_deg_day(_SSO_A_M, 0.0)))


@register(
    "flight.j2_nodal_regression_51deg",
    quantity="mean nodal rate of a circular 400 km, 51.6 deg orbit over 5 days [deg/day]; "
    "the formula holds for mean elements, the orbit starts from osculating ones "
    "(O(J2) = 0.4 % apart): tolerance 1 %",
    source=_J2_RATE,
    expected=_ISS_RATE,
    tolerance=0.01 * abs(_ISS_RATE),
    unit="deg/day",
)
def _nodal_regression_iss_like() -> float:
    return _nodal_rate_deg_day(*_ISS_LIKE)


@register(
    "flight.j2_sun_synchronous_nodal_rate",
    quantity=f"mean nodal rate of a circular 800 km orbit at the first-order "
    f"Sun-synchronous inclination {_SSO_INC_DEG:.2f} deg over 5 days [deg/day]; "
    "tolerance 1 % (mean versus osculating elements, O(J2))",
    source="Sun-synchronous condition: 360 deg per tropical year of 365.2422 days; " + _J2_RATE,
    expected=_SSO_RATE,
    tolerance=0.01 * _SSO_RATE,
    unit="deg/day",
)
def _sun_synchronous_rate() -> float:
    return _nodal_rate_deg_day(_SSO_A_M, _SSO_INC_DEG)
