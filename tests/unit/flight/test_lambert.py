"""Single-revolution Lambert solver (openbmd.flight.lambert)."""

import math

import numpy as np
import pytest
from scipy.optimize import root

from openbmd.constants import WGS84_GM_M3_S2
from openbmd.errors import OpenBMDError, ParameterError
from openbmd.flight.kepler import ConvergenceError, elements_to_state, propagate_kepler
from openbmd.flight.lambert import solve_lambert

KM = 1e3
MU_CURTIS = 398600.0e9  # km^3/s^2 -> m^3/s^2


def test_curtis_example_5_2():
    """Curtis, Orbital Mechanics for Engineering Students, Example 5.2 (Lambert, 1 h).

    r1 = [5000, 10000, 2100] km, r2 = [-14600, 2500, 7000] km, prograde, mu = 398 600:
    v1 = [-5.9925, 1.9254, 3.2456] km/s, v2 = [-3.3125, -4.1966, -0.38529] km/s.
    Printed to 5 significant figures: tolerance 1e-4 km/s (0.1 m/s).
    """
    v1, v2 = solve_lambert(
        np.array([5000.0, 10000.0, 2100.0]) * KM,
        np.array([-14600.0, 2500.0, 7000.0]) * KM,
        3600.0,
        mu=MU_CURTIS,
    )
    np.testing.assert_allclose(v1 / KM, [-5.9925, 1.9254, 3.2456], atol=1e-4)
    np.testing.assert_allclose(v2 / KM, [-3.3125, -4.1966, -0.38529], atol=1e-4)


def _random_orbits(rng, n):
    """States on random ellipses (perigee above 6600 km) and a fraction of their period."""
    e = rng.uniform(0.0, 0.8, n)
    rp = rng.uniform(6.6e6, 2.5e7, n)
    a = rp / (1.0 - e)
    r1, v1 = elements_to_state(
        a,
        e,
        rng.uniform(0.0, math.pi, n),
        rng.uniform(0.0, 2 * math.pi, n),
        rng.uniform(0.0, 2 * math.pi, n),
        rng.uniform(0.0, 2 * math.pi, n),
    )
    period = 2 * math.pi * np.sqrt(a**3 / WGS84_GM_M3_S2)
    tof = rng.uniform(0.05, 0.9, n) * period
    r2, v2 = propagate_kepler(r1, v1, tof)
    return r1, v1, r2, v2, tof


def test_recovers_known_orbits_short_and_long_way():
    """Propagate a known orbit, then ask Lambert for it back (short and long way)."""
    rng = np.random.default_rng(21)
    r1, v1, r2, v2, tof = _random_orbits(rng, 200)
    h = np.cross(r1, v1)
    cross = np.cross(r1, r2)
    sin_angle = np.linalg.norm(cross, axis=1) / (
        np.linalg.norm(r1, axis=1) * np.linalg.norm(r2, axis=1)
    )
    keep = sin_angle > 1e-2
    short = np.einsum("ij,ij->i", cross, h) > 0.0
    for way in (True, False):
        m = keep & (short == way)
        assert m.sum() > 20
        v1_got, v2_got = solve_lambert(r1[m], r2[m], tof[m], short_way=way)
        np.testing.assert_allclose(v1_got, v1[m], atol=1e-5)  # m/s
        np.testing.assert_allclose(v2_got, v2[m], atol=1e-5)


def test_round_trip_through_kepler_random_geometry():
    """Lambert -> Kepler: propagating v1 for tof lands on r2.

    Within 1e-10 of |r2| (4 mm at 40 000 km); the worst cases are fast hyperbolas that
    pass within a few tens of km of the centre, where both solvers lose digits.
    """
    rng = np.random.default_rng(5)
    n = 200
    r1 = rng.normal(size=(n, 3))
    r1 *= (rng.uniform(6.5e6, 4e7, n) / np.linalg.norm(r1, axis=1))[:, None]
    r2 = rng.normal(size=(n, 3))
    r2 *= (rng.uniform(6.5e6, 4e7, n) / np.linalg.norm(r2, axis=1))[:, None]
    tof = rng.uniform(600.0, 20000.0, n)
    for prograde in (True, False):
        v1, v2 = solve_lambert(r1, r2, tof, prograde=prograde)
        r_end, v_end = propagate_kepler(r1, v1, tof)
        miss = np.linalg.norm(r_end - r2, axis=1) / np.linalg.norm(r2, axis=1)
        assert miss.max() < 1e-10, f"Lambert->Kepler misses r2 by up to {miss.max():.3g} |r2|"
        np.testing.assert_allclose(v_end, v2, rtol=1e-9)
        # prograde: angular momentum along +z; retrograde: along -z
        hz = np.cross(r1, v1)[:, 2]
        assert np.all(hz > 0) if prograde else np.all(hz < 0)


def test_matches_shooting_with_scipy_root():
    """Independent check: shoot v1 with scipy.optimize.root on the Kepler map."""
    r1 = np.array([7.2e6, -1.0e6, 0.5e6])
    r2 = np.array([-3.0e6, 9.0e6, 2.0e6])
    tof = 4000.0
    v1, _ = solve_lambert(r1, r2, tof)

    def miss(v):
        return (propagate_kepler(r1, v, tof)[0] - r2) / 1e6

    guess = v1 * 1.03 + np.array([50.0, -80.0, 30.0])
    sol = root(miss, guess, method="hybr", options={"xtol": 1e-13})
    assert sol.success
    np.testing.assert_allclose(sol.x, v1, atol=1e-6)


def test_hyperbolic_and_near_parabolic_transfers():
    r1 = np.array([7.0e6, 0.0, 0.0])
    r2 = np.array([0.0, 2.0e7, 1.0e6])
    for tof in (300.0, 1000.0, 3000.0, 30000.0):
        v1, _ = solve_lambert(r1, r2, tof)
        r_end, _ = propagate_kepler(r1, v1, tof)
        assert np.linalg.norm(r_end - r2) < 1e-3


def test_batch_broadcast_one_departure_many_times():
    r1 = np.array([7.0e6, 0.0, 0.0])
    r2 = np.array([-1.0e6, 8.0e6, 0.0])
    tofs = np.array([1500.0, 3000.0, 6000.0])
    v1, v2 = solve_lambert(r1, r2, tofs)
    assert v1.shape == (3, 3) and v2.shape == (3, 3)
    for k, tof in enumerate(tofs):
        v1_one, _ = solve_lambert(r1, r2, tof)
        np.testing.assert_array_equal(v1[k], v1_one)


@pytest.mark.parametrize(
    ("r1", "r2", "tof", "name"),
    [
        ([7e6, 0, 0], [0, 8e6, 0], 0.0, "tof_s"),
        ([7e6, 0, 0], [0, 8e6, 0], -10.0, "tof_s"),
        ([7e6, 0, 0], [0, 8e6, 0], math.nan, "tof_s"),
        ([7e6, 0, 0], [7e6, 0, 0], 100.0, "r2_m"),
        ([7e6, 0, 0], [-8e6, 0, 0], 100.0, "r2_m"),
        ([7e6, 0, 0], [9e6, 0, 0], 100.0, "r2_m"),
        ([0, 0, 0], [9e6, 0, 0], 100.0, "r1_m"),
        ([7e6, math.inf, 0], [0, 8e6, 0], 100.0, "r1_m"),
        ([7e6, 0, 0], [0, 8e6], 100.0, "r2_m"),
    ],
)
def test_bad_input(r1, r2, tof, name):
    with pytest.raises(ParameterError, match=f"'{name}'"):
        solve_lambert(r1, r2, tof)


def test_no_solution_raises_not_nan():
    """A flight time beyond the solver's numerical reach ends in ConvergenceError.

    (5.7e4 km in 1 us: z would lie below the cosh overflow limit.)
    """
    r1 = np.array([4.0e7, 0.0, 0.0])
    r2 = np.array([1.0e4, 4.0e7, 0.0])
    with pytest.raises(ConvergenceError) as info:
        solve_lambert(r1, r2, 1e-6)
    assert isinstance(info.value, OpenBMDError)
