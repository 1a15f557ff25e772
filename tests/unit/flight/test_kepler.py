"""Universal-variable Kepler propagation and classical elements (openbmd.flight.kepler)."""

import math

import numpy as np
import pytest
from scipy.integrate import solve_ivp

from openbmd.constants import WGS84_GM_M3_S2
from openbmd.errors import ParameterError
from openbmd.flight.kepler import (
    ConvergenceError,
    elements_to_state,
    lagrange_coefficients,
    propagate_kepler,
    state_to_elements,
    stumpff_c,
    stumpff_s,
)

KM = 1e3
MU_CURTIS = 398600.0e9  # Curtis uses mu = 398 600 km^3/s^2
MU_VALLADO = 398600.4418e9  # Vallado uses mu = 398 600.4418 km^3/s^2


def _two_body_rhs(mu):
    def rhs(_t, y):
        r = y[:3]
        return np.concatenate([y[3:], -mu * r / np.linalg.norm(r) ** 3])

    return rhs


def _integrate(r0, v0, dt, mu=WGS84_GM_M3_S2):
    sol = solve_ivp(
        _two_body_rhs(mu),
        (0.0, dt),
        np.concatenate([r0, v0]),
        method="DOP853",
        rtol=1e-12,
        atol=1e-6,
    )
    return sol.y[:3, -1], sol.y[3:, -1]


# --- Stumpff functions --------------------------------------------------------------


def test_stumpff_known_values():
    assert stumpff_c(0.0) == 0.5
    assert stumpff_s(0.0) == pytest.approx(1.0 / 6.0, rel=1e-15)
    z = math.pi**2
    assert stumpff_c(z) == pytest.approx(2.0 / z, rel=1e-14)
    assert stumpff_s(z) == pytest.approx(1.0 / z, rel=1e-14)
    assert stumpff_c(-1.0) == pytest.approx(math.cosh(1.0) - 1.0, rel=1e-14)
    assert stumpff_s(-1.0) == pytest.approx(math.sinh(1.0) - 1.0, rel=1e-14)


@pytest.mark.parametrize("z", [1.0, -1.0])
def test_stumpff_series_meets_closed_form(z):
    """Series (|z| < 1) and closed forms agree where they hand over."""
    below, above = z * (1.0 - 1e-12), z * (1.0 + 1e-12)
    assert stumpff_c(below) == pytest.approx(stumpff_c(above), rel=1e-11)
    assert stumpff_s(below) == pytest.approx(stumpff_s(above), rel=1e-11)


def test_stumpff_series_accuracy_small_z():
    for z in (1e-3, -1e-3, 0.5, -0.5):
        sz = math.sqrt(abs(z))
        if z > 0:
            c_ref = (1.0 - math.cos(sz)) / z
            s_ref = (sz - math.sin(sz)) / sz**3
        else:
            c_ref = (math.cosh(sz) - 1.0) / -z
            s_ref = (math.sinh(sz) - sz) / sz**3
        assert stumpff_c(z) == pytest.approx(c_ref, rel=1e-9)
        assert stumpff_s(z) == pytest.approx(s_ref, rel=1e-7)


# --- published worked examples --------------------------------------------------------


def test_curtis_example_3_7():
    """Curtis, Orbital Mechanics for Engineering Students, Example 3.7 (universal variables).

    r0 = [7000, -12124, 0] km, v0 = [2.6679, 4.6210, 0] km/s, 1 h later the book gives
    r = [-3297.8, 7413.4, 0] km and v = [-8.2977, -0.96309, 0] km/s (mu = 398 600).
    Positions are printed to 0.1 km: tolerance 0.1 km. The book's v_y is 0.95 m/s away
    from the exact propagation of its own inputs, and its (r, v) pair misses the initial
    angular momentum by 2.4 km^2/s (ours conserves it to 4e-4), so v_y is not compared;
    v_x (1e-4 km/s) and the speed (1e-4 km/s) are.
    """
    r, v = propagate_kepler(
        np.array([7000.0, -12124.0, 0.0]) * KM,
        np.array([2.6679, 4.6210, 0.0]) * KM,
        3600.0,
        MU_CURTIS,
    )
    np.testing.assert_allclose(r / KM, [-3297.8, 7413.4, 0.0], atol=0.1)
    assert v[0] / KM == pytest.approx(-8.2977, abs=1e-4)
    assert np.linalg.norm(v) / KM == pytest.approx(math.hypot(8.2977, 0.96309), abs=1e-4)
    assert v[2] == 0.0


def test_vallado_example_2_4():
    """Vallado, Fundamentals of Astrodynamics and Applications (4th ed., 2013), Example 2-4.

    r0 = [1131.340, -2282.343, 6672.423] km, v0 = [-5.64305, 4.30333, 2.42879] km/s,
    40 min later r = [-4219.7527, 4363.0292, -3958.7666] km,
    v = [3.689866, -1.916735, -6.112511] km/s. Printed to 0.1 m and 1 mm/s; tolerances
    1 m and 1 mm/s.
    """
    r, v = propagate_kepler(
        np.array([1131.340, -2282.343, 6672.423]) * KM,
        np.array([-5.64305, 4.30333, 2.42879]) * KM,
        40.0 * 60.0,
        MU_VALLADO,
    )
    np.testing.assert_allclose(r, np.array([-4219.7527, 4363.0292, -3958.7666]) * KM, atol=1.0)
    np.testing.assert_allclose(v, np.array([3.689866, -1.916735, -6.112511]) * KM, atol=1e-3)


def test_vallado_example_2_5_elements():
    """Vallado (4th ed., 2013), Example 2-5 (RV2COE): r = [6524.834, 6862.875, 6448.296] km,
    v = [4.901327, 5.533756, -1.976341] km/s -> a = 36 127.343 km, e = 0.832853,
    i = 87.87 deg, RAAN = 227.898 deg, argp = 53.38 deg, nu = 92.335 deg.
    Tolerances: 0.01 km on a (book rounding of intermediate values), 1e-6 on e,
    0.001 deg on RAAN and nu, 0.005 deg on i and argp (printed to 0.01 deg).
    """
    el = state_to_elements(
        np.array([6524.834, 6862.875, 6448.296]) * KM,
        np.array([4.901327, 5.533756, -1.976341]) * KM,
        MU_VALLADO,
    )
    assert float(el.semi_major_axis_m) / KM == pytest.approx(36127.343, abs=0.01)
    assert float(el.eccentricity) == pytest.approx(0.832853, abs=1e-6)
    assert math.degrees(el.inclination_rad) == pytest.approx(87.87, abs=5e-3)
    assert math.degrees(el.raan_rad) == pytest.approx(227.898, abs=1e-3)
    assert math.degrees(el.argp_rad) == pytest.approx(53.38, abs=5e-3)
    assert math.degrees(el.true_anomaly_rad) == pytest.approx(92.335, abs=1e-3)


# --- independent checks ---------------------------------------------------------------


def _random_states(rng, n, hyperbolic):
    e = rng.uniform(1.05, 3.0, n) if hyperbolic else rng.uniform(0.0, 0.9, n)
    rp = rng.uniform(6.6e6, 3e7, n)
    a = rp / (1.0 - e)
    nu_lim = np.arccos(-1.0 / e) * 0.8 if hyperbolic else np.full(n, math.pi)
    return elements_to_state(
        a,
        e,
        rng.uniform(0.0, math.pi, n),
        rng.uniform(0.0, 2 * math.pi, n),
        rng.uniform(0.0, 2 * math.pi, n),
        rng.uniform(-1.0, 1.0, n) * nu_lim,
    )


@pytest.mark.parametrize("hyperbolic", [False, True], ids=["ellipse", "hyperbola"])
def test_against_numerical_integration(hyperbolic):
    """Kepler vs solve_ivp (DOP853, rtol 1e-12): within 1 m per 10 000 km of radius."""
    rng = np.random.default_rng(11 + hyperbolic)
    r0, v0 = _random_states(rng, 6, hyperbolic)
    dt = rng.uniform(-1.0, 1.0, 6) * 20000.0
    r, v = propagate_kepler(r0, v0, dt)
    for k in range(6):
        r_ref, v_ref = _integrate(r0[k], v0[k], dt[k])
        assert np.linalg.norm(r[k] - r_ref) < 1e-7 * np.linalg.norm(r_ref), (
            f"state {k}: Kepler and numerical integration differ by "
            f"{np.linalg.norm(r[k] - r_ref):.3g} m"
        )
        assert np.linalg.norm(v[k] - v_ref) < 1e-7 * np.linalg.norm(v_ref)


def test_parabolic_against_integration():
    """Exactly parabolic start (escape speed): the universal formulation needs no switch."""
    r0 = np.array([7.0e6, 0.0, 0.0])
    v0 = np.array([0.0, 0.8, 0.6]) * math.sqrt(2.0 * WGS84_GM_M3_S2 / 7.0e6)
    for dt in (3000.0, -3000.0):
        r, v = propagate_kepler(r0, v0, dt)
        r_ref, v_ref = _integrate(r0, v0, dt)
        assert np.linalg.norm(r - r_ref) < 1e-2
        assert np.linalg.norm(v - v_ref) < 1e-5


def test_parabola_barker():
    """Parabola from periapsis: Barker's equation t = sqrt(p^3/mu)/2 (D + D^3/3), D=tan(nu/2)."""
    rp = 7.0e6
    p = 2.0 * rp
    r0 = np.array([rp, 0.0, 0.0])
    v0 = np.array([0.0, math.sqrt(2.0 * WGS84_GM_M3_S2 / rp), 0.0])
    nu = math.radians(120.0)
    d = math.tan(nu / 2.0)
    dt = 0.5 * math.sqrt(p**3 / WGS84_GM_M3_S2) * (d + d**3 / 3.0)
    r, _ = propagate_kepler(r0, v0, dt)
    assert math.atan2(r[1], r[0]) == pytest.approx(nu, abs=1e-10)
    assert np.linalg.norm(r) == pytest.approx(p / (1.0 + math.cos(nu)), rel=1e-12)


def test_full_periods_return_to_start():
    r0 = np.array([7.0e6, 1.0e6, -2.0e5])
    v0 = np.array([-1000.0, 7200.0, 900.0])
    a = 1.0 / (2.0 / np.linalg.norm(r0) - v0 @ v0 / WGS84_GM_M3_S2)
    period = 2.0 * math.pi * math.sqrt(a**3 / WGS84_GM_M3_S2)
    r, v = propagate_kepler(r0, v0, 1000.0 * period)
    # dt is reduced modulo the period: 1000 revolutions cost no accuracy
    np.testing.assert_allclose(r, r0, atol=1e-3)
    np.testing.assert_allclose(v, v0, atol=1e-6)


def test_backward_round_trip_and_zero_step():
    r0 = np.array([-6.0e6, 3.0e6, 1.0e6])
    v0 = np.array([-2000.0, -6000.0, 3000.0])
    r1, v1 = propagate_kepler(r0, v0, 5432.1)
    r2, v2 = propagate_kepler(r1, v1, -5432.1)
    np.testing.assert_allclose(r2, r0, atol=1e-4)
    np.testing.assert_allclose(v2, v0, atol=1e-7)
    r3, v3 = propagate_kepler(r0, v0, 0.0)
    np.testing.assert_array_equal(r3, r0)
    np.testing.assert_array_equal(v3, v0)


def test_lagrange_identity():
    """f gdot - fdot g = 1 (conservation of angular momentum)."""
    r0 = 7.5e6
    for alpha, rdotv in ((1.0 / 9e6, 2e9), (-1.0 / 2e7, -3e9), (0.0, 1e9)):
        f, g, fdot, gdot, ok = lagrange_coefficients(r0, rdotv, alpha, 2500.0, WGS84_GM_M3_S2)
        assert ok
        assert f * gdot - fdot * g == pytest.approx(1.0, abs=1e-12)


def test_batch_shapes_and_broadcasting():
    r0 = np.array([7.0e6, 0.0, 0.0])
    v0 = np.array([0.0, 7546.0, 0.0])
    dts = np.linspace(-3000.0, 3000.0, 7)
    r, v = propagate_kepler(r0, v0, dts)
    assert r.shape == (7, 3) and v.shape == (7, 3)
    for k, dt in enumerate(dts):
        r_one, v_one = propagate_kepler(r0, v0, dt)
        assert r_one.shape == (3,)
        np.testing.assert_array_equal(r[k], r_one)
        np.testing.assert_array_equal(v[k], v_one)
    r_b, _ = propagate_kepler(np.tile(r0, (4, 1)), np.tile(v0, (4, 1)), 100.0)
    assert r_b.shape == (4, 3)


def test_long_hyperbolic_step_does_not_crawl():
    """Far out on a hyperbola Newton alone crawls; the bisection safeguard must rescue it."""
    r0 = np.array([16752547.13, 1963527.02, 5778228.84])
    v0 = np.array([-9282.52, 9620.61, -2794.66])
    r, v = propagate_kepler(r0, v0, -886736.6)
    r2, _ = propagate_kepler(r, v, 886736.6)
    np.testing.assert_allclose(r2, r0, rtol=1e-8)


# --- elements --------------------------------------------------------------------------


def test_elements_round_trip_random():
    rng = np.random.default_rng(3)
    for hyperbolic in (False, True):
        r, v = _random_states(rng, 50, hyperbolic)
        el = state_to_elements(r, v)
        r2, v2 = elements_to_state(
            el.semi_major_axis_m,
            el.eccentricity,
            el.inclination_rad,
            el.raan_rad,
            el.argp_rad,
            el.true_anomaly_rad,
        )
        np.testing.assert_allclose(r2, r, atol=1e-6 * np.abs(r).max())
        np.testing.assert_allclose(v2, v, atol=1e-9 * np.abs(v).max())


def test_elements_circular_equatorial_conventions():
    r = np.array([0.0, 7.0e6, 0.0])
    v = np.array([-math.sqrt(WGS84_GM_M3_S2 / 7.0e6), 0.0, 0.0])
    el = state_to_elements(r, v)
    assert float(el.eccentricity) < 1e-12
    assert float(el.raan_rad) == 0.0 and float(el.argp_rad) == 0.0
    assert float(el.true_anomaly_rad) == pytest.approx(math.pi / 2, abs=1e-12)


# --- bad input -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("r0", "v0", "dt", "mu", "name"),
    [
        ([0.0, 0.0, 0.0], [1.0, 0.0, 0.0], 10.0, WGS84_GM_M3_S2, "r0_m"),
        ([7e6, math.nan, 0.0], [0.0, 7e3, 0.0], 10.0, WGS84_GM_M3_S2, "r0_m"),
        ([7e6, 0.0], [0.0, 7e3, 0.0], 10.0, WGS84_GM_M3_S2, "r0_m"),
        ([7e6, 0.0, 0.0], [0.0, math.inf, 0.0], 10.0, WGS84_GM_M3_S2, "v0_m_s"),
        ([7e6, 0.0, 0.0], [0.0, 7e3, 0.0], math.nan, WGS84_GM_M3_S2, "dt_s"),
        ([7e6, 0.0, 0.0], [0.0, 7e3, 0.0], [1.0, 2.0], WGS84_GM_M3_S2, "dt_s"),
        ([7e6, 0.0, 0.0], [0.0, 7e3, 0.0], 10.0, -1.0, "mu"),
        ([1e101, 0.0, 0.0], [0.0, 7e3, 0.0], 10.0, WGS84_GM_M3_S2, "r0_m"),
    ],
)
def test_bad_input_names_parameter(r0, v0, dt, mu, name):
    if name == "dt_s" and np.ndim(dt) == 1:
        r0 = np.tile(r0, (3, 1))  # batch of 3 against 2 steps
    with pytest.raises(ParameterError, match=f"'{name}'"):
        propagate_kepler(r0, v0, dt, mu)


@pytest.mark.parametrize(
    ("a", "e", "nu", "name"),
    [
        (7e6, -0.1, 0.0, "eccentricity"),
        (7e6, 1.5, 0.0, "semi_major_axis_m"),
        (-7e6, 0.5, 0.0, "semi_major_axis_m"),
        (-7e6, 2.0, 2.5, "true_anomaly_rad"),  # beyond the asymptote at 120 deg
        (math.inf, 1.0, 0.0, "semi_major_axis_m"),
    ],
)
def test_elements_to_state_bad_input(a, e, nu, name):
    with pytest.raises(ParameterError, match=f"'{name}'"):
        elements_to_state(a, e, 0.3, 0.2, 0.1, nu)


def test_radial_state_rejected_by_elements():
    with pytest.raises(ParameterError, match="'v_m_s'"):
        state_to_elements([7e6, 0.0, 0.0], [100.0, 0.0, 0.0])


def test_convergence_error_is_openbmd_error():
    from openbmd.errors import OpenBMDError

    assert issubclass(ConvergenceError, OpenBMDError)
