"""Closed-form ballistic free flight (openbmd.flight.ballistic), Bate, Mueller & White ch. 6.

The closed forms are checked against independent computations: numerical integration of
two-body motion (scipy solve_ivp, DOP853, rtol 1e-12) from burnout to impact on the
sphere, brute-force maximisation of the range, and BMW's symmetric (h = 0) equations.
"""

import math

import numpy as np
import pytest
from scipy.integrate import solve_ivp
from scipy.optimize import minimize_scalar

from openbmd.constants import MEAN_EARTH_RADIUS_M as R
from openbmd.constants import WGS84_GM_M3_S2 as MU
from openbmd.errors import ParameterError, UnreachableError
from openbmd.flight.ballistic import (
    burnout_angles_for_range,
    burnout_speed_for_range,
    free_flight,
    free_flight_deg,
    maximum_range,
    q_parameter,
)


def _integrate_to_impact(speed, gamma, alt):
    """Planar two-body flight from burnout at (0, R + h) to the sphere r = R."""

    def rhs(_t, s):
        x, y, vx, vy = s
        k = -MU / (x * x + y * y) ** 1.5
        return [vx, vy, k * x, k * y]

    def hit(_t, s):
        return math.hypot(s[0], s[1]) - R

    hit.terminal = True
    hit.direction = -1

    def apogee(_t, s):
        return s[0] * s[2] + s[1] * s[3]  # r . v

    apogee.direction = -1

    s0 = [0.0, R + alt, speed * math.cos(gamma), speed * math.sin(gamma)]
    sol = solve_ivp(
        rhs, (0.0, 2e5), s0, method="DOP853", rtol=1e-12, atol=1e-6, events=(hit, apogee)
    )
    x, y, vx, vy = sol.y_events[0][0]
    ax, ay = sol.y_events[1][0][:2]
    radial = (x * vx + y * vy) / R
    speed_imp = math.hypot(vx, vy)
    return {
        "range_angle_rad": math.atan2(x, y) % (2 * math.pi),
        "time_of_flight_s": sol.t_events[0][0],
        "apogee_alt_m": math.hypot(ax, ay) - R,
        "impact_speed_m_s": speed_imp,
        "impact_angle_rad": math.asin(-radial / speed_imp),
    }


CASES = [  # speed m/s, angle deg, altitude m
    (3000.0, 40.0, 0.0),
    (7000.0, 30.0, 0.0),
    (7000.0, 20.0, 150e3),  # asymmetric: burnout above the re-entry sphere
    (6500.0, 60.0, 300e3),
    (7800.0, 10.0, 100e3),  # long range, Q near 1
]


@pytest.mark.parametrize(("speed", "angle_deg", "alt"), CASES)
def test_against_numerical_integration(speed, angle_deg, alt):
    """Range to 1 m, time of flight to 1 ms, apogee to 1 m, impact speed to 1 mm/s."""
    ff = free_flight_deg(speed, angle_deg, alt)
    ref = _integrate_to_impact(speed, math.radians(angle_deg), alt)
    assert float(ff.range_m) == pytest.approx(R * ref["range_angle_rad"], abs=1.0)
    assert float(ff.time_of_flight_s) == pytest.approx(ref["time_of_flight_s"], abs=1e-3)
    assert float(ff.apogee_alt_m) == pytest.approx(ref["apogee_alt_m"], abs=1.0)
    assert float(ff.impact_speed_m_s) == pytest.approx(ref["impact_speed_m_s"], abs=1e-3)
    assert float(ff.impact_angle_rad) == pytest.approx(ref["impact_angle_rad"], abs=1e-8)


def test_bmw_free_flight_range_equation_h0():
    """BMW ch. 6: cos(Psi/2) = (1 - Q cos^2 g) / sqrt(1 + Q (Q - 2) cos^2 g), burnout at R."""
    speed = np.linspace(1000.0, 7800.0, 25)[:, None]
    gamma = np.radians(np.linspace(1.0, 89.0, 31))[None, :]
    q = speed**2 * R / MU
    c2 = np.cos(gamma) ** 2
    psi_bmw = 2.0 * np.arccos((1.0 - q * c2) / np.sqrt(1.0 + q * (q - 2.0) * c2))
    ff = free_flight(speed, gamma)
    assert ff.range_angle_rad.shape == (25, 31)
    np.testing.assert_allclose(ff.range_angle_rad, psi_bmw, rtol=1e-10, atol=1e-12)
    # symmetric flight: impact speed and angle mirror burnout
    np.testing.assert_allclose(ff.impact_speed_m_s, np.broadcast_to(speed, (25, 31)), rtol=1e-12)
    np.testing.assert_allclose(ff.impact_angle_rad, np.broadcast_to(gamma, (25, 31)), atol=1e-10)


def test_bmw_time_of_free_flight_h0():
    """BMW ch. 6 symmetric form: t = 2 sqrt(a^3/mu) (pi - E1 + e sin E1), nu1 = pi - Psi/2."""
    ff = free_flight_deg(6000.0, 35.0)
    e, a = float(ff.eccentricity), float(ff.semi_major_axis_m)
    nu1 = math.pi - 0.5 * float(ff.range_angle_rad)
    e1 = math.acos((e + math.cos(nu1)) / (1.0 + e * math.cos(nu1)))
    t_bmw = 2.0 * math.sqrt(a**3 / MU) * (math.pi - e1 + e * math.sin(e1))
    assert float(ff.time_of_flight_s) == pytest.approx(t_bmw, abs=1e-6)


@pytest.mark.parametrize("q", [0.3, 0.6, 0.9])
def test_maximum_range_h0_bmw(q):
    """BMW: sin(Psi_max/2) = Q/(2 - Q), gamma_opt = (pi - Psi_max)/4, burnout at R."""
    speed = math.sqrt(q * MU / R)
    best = maximum_range(speed)
    psi = 2.0 * math.asin(q / (2.0 - q))
    assert float(best.range_angle_rad) == pytest.approx(psi, abs=1e-12)
    assert float(best.burnout_angle_rad) == pytest.approx((math.pi - psi) / 4.0, abs=1e-12)
    assert float(best.range_m) == pytest.approx(R * psi, rel=1e-12)


@pytest.mark.parametrize(("speed", "alt"), [(5000.0, 0.0), (7000.0, 0.0), (6000.0, 200e3)])
def test_maximum_range_against_brute_force(speed, alt):
    """gamma_opt and Psi_max against a bounded scalar maximisation of free_flight."""
    res = minimize_scalar(
        lambda g: -float(free_flight(speed, g, alt).range_angle_rad),
        bounds=(0.01, 1.5),
        method="bounded",
        options={"xatol": 1e-10},
    )
    best = maximum_range(speed, alt)
    assert float(best.range_angle_rad) == pytest.approx(-res.fun, abs=1e-9)
    assert float(best.burnout_angle_rad) == pytest.approx(res.x, abs=1e-4)
    # the optimum angle really gives the maximum range
    ff = free_flight(speed, best.burnout_angle_rad, alt)
    assert float(ff.range_angle_rad) == pytest.approx(float(best.range_angle_rad), abs=1e-9)


def test_maximum_range_q1_reaches_half_circumference():
    """Q = 1 (circular speed at R): Psi_max = 2 asin(1) = 180 deg, gamma_opt -> 0."""
    best = maximum_range(math.sqrt(MU / R))
    assert math.degrees(float(best.range_angle_rad)) == pytest.approx(180.0, abs=1e-6)
    assert float(best.burnout_angle_rad) == pytest.approx(0.0, abs=1e-6)


@pytest.mark.parametrize(
    ("range_km", "angle_deg", "alt"),
    [(1000.0, 45.0, 0.0), (10000.0, 30.0, 0.0), (8000.0, 25.0, 100e3), (300.0, 70.0, 50e3)],
)
def test_burnout_speed_for_range_inverts_free_flight(range_km, angle_deg, alt):
    gamma = math.radians(angle_deg)
    speed = burnout_speed_for_range(range_km * 1e3, gamma, alt)
    assert float(free_flight(speed, gamma, alt).range_m) == pytest.approx(range_km * 1e3, abs=1e-4)


def test_burnout_speed_for_range_bmw_q_equation_h0():
    """BMW: Q = (1 - cos Psi) / (cos g (cos g - cos(g + Psi))) at burnout radius R."""
    psi, gamma = 1.2, 0.4
    q = (1.0 - math.cos(psi)) / (math.cos(gamma) * (math.cos(gamma) - math.cos(gamma + psi)))
    speed = burnout_speed_for_range(psi * R, gamma)
    assert float(q_parameter(speed, R)) == pytest.approx(q, rel=1e-13)


@pytest.mark.parametrize(("speed", "alt"), [(6000.0, 0.0), (6500.0, 150e3), (4000.0, 80e3)])
def test_both_burnout_angles_reach_the_range(speed, alt):
    target = 0.7 * float(maximum_range(speed, alt).range_m)
    ang = burnout_angles_for_range(target, speed, alt)
    assert 0.0 < float(ang.low_rad) < float(maximum_range(speed, alt).burnout_angle_rad)
    assert float(ang.high_rad) > float(maximum_range(speed, alt).burnout_angle_rad)
    for gamma in (ang.low_rad, ang.high_rad):
        assert float(free_flight(speed, gamma, alt).range_m) == pytest.approx(target, abs=1e-3)


def test_burnout_angles_bmw_flight_path_angle_equation_h0():
    """BMW: sin(2 g + Psi/2) = (2 - Q)/Q sin(Psi/2) for both solutions, burnout at R."""
    speed, psi = 5500.0, 0.5
    q = float(q_parameter(speed, R))
    ang = burnout_angles_for_range(psi * R, speed)
    for gamma in (float(ang.low_rad), float(ang.high_rad)):
        assert math.sin(2 * gamma + psi / 2) == pytest.approx(
            (2 - q) / q * math.sin(psi / 2), abs=1e-12
        )


def test_burnout_angles_merge_at_maximum_range():
    best = maximum_range(6000.0, 100e3)
    ang = burnout_angles_for_range(best.range_m * (1 - 1e-12), 6000.0, 100e3)
    assert float(ang.low_rad) == pytest.approx(float(best.burnout_angle_rad), abs=1e-4)
    assert float(ang.high_rad) == pytest.approx(float(best.burnout_angle_rad), abs=1e-4)


def test_burnout_angles_above_circular_speed_only_lofted():
    """Q > 1 from the surface: the depressed branch would need gamma <= 0 (NaN)."""
    speed = 1.2 * math.sqrt(MU / R)
    ang = burnout_angles_for_range(15000e3, speed)
    assert np.isnan(ang.low_rad)
    assert float(free_flight(speed, ang.high_rad).range_m) == pytest.approx(15000e3, abs=1e-3)


def test_vectorised_shapes_and_frozen_result():
    ff = free_flight(np.array([5000.0, 6000.0]), np.radians([30.0, 40.0]), [0.0, 1e5])
    assert ff.range_m.shape == (2,)
    with pytest.raises(AttributeError):
        ff.range_m = 0.0  # type: ignore[misc]


# --- bad input -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "name", "text"),
    [
        ({"burnout_speed_m_s": 0.0}, "burnout_speed_m_s", "> 0"),
        ({"burnout_speed_m_s": math.nan}, "burnout_speed_m_s", "finite"),
        ({"burnout_angle_deg": 0.0}, "burnout_angle_deg", "(0, 90)"),
        ({"burnout_angle_deg": 95.0}, "burnout_angle_deg", "(0, 90)"),
        ({"burnout_alt_m": -1.0}, "burnout_alt_m", "[0, "),
        ({"burnout_speed_m_s": 11300.0}, "burnout_speed_m_s", "escape speed"),
        (
            {"burnout_speed_m_s": 7900.0, "burnout_angle_deg": 0.5, "burnout_alt_m": 300e3},
            "burnout_angle_deg",
            "stay in orbit",
        ),
    ],
)
def test_bad_input_deg(kwargs, name, text):
    args = {"burnout_speed_m_s": 6000.0, "burnout_angle_deg": 30.0, "burnout_alt_m": 0.0}
    args.update(kwargs)
    with pytest.raises(ParameterError, match=f"'{name}'") as info:
        free_flight_deg(**args)
    assert text in str(info.value)


def test_bad_angle_rad_names_rad():
    with pytest.raises(ParameterError, match="'burnout_angle_rad'"):
        free_flight(6000.0, 1.6)


def test_escape_message_quotes_escape_speed():
    with pytest.raises(ParameterError) as info:
        free_flight(12000.0, 0.5)
    v_esc = math.sqrt(2 * MU / R)
    assert f"{v_esc:.1f}" in str(info.value)


def test_maximum_range_beyond_antipode_rejected():
    with pytest.raises(ParameterError, match="'burnout_speed_m_s'"):
        maximum_range(8500.0)


def test_unreachable_range():
    with pytest.raises(UnreachableError):
        burnout_angles_for_range(15000e3, 5000.0)
    with pytest.raises(UnreachableError):
        burnout_speed_for_range(19000e3, math.radians(80.0), 0.0)
    with pytest.raises(ParameterError, match="'range_m'"):
        burnout_speed_for_range(-5.0, 0.5)
