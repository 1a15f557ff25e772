"""Radar horizon and ray elevation in the effective-Earth (4/3) model."""

import math

import numpy as np
import pytest

from openbmd.constants import MEAN_EARTH_RADIUS_M
from openbmd.errors import ParameterError
from openbmd.sensors.horizon import (
    STANDARD_K_FACTOR,
    effective_elevation_rad,
    horizon_range_m,
    horizon_slant_range_m,
)

KR = STANDARD_K_FACTOR * MEAN_EARTH_RADIUS_M


def test_exact_geometry_formula():
    for h1, h2 in [(0.0, 0.0), (10.0, 0.0), (30.0, 9000.0), (500.0, 300e3), (5e3, 1.2e6)]:
        want = KR * (math.acos(KR / (KR + h1)) + math.acos(KR / (KR + h2)))
        # acos near 1 loses digits (1e-11 relative at 10 m); the module's arctan form does not
        assert horizon_range_m(h1, h2) == pytest.approx(want, rel=1e-10, abs=1e-9)


def test_small_height_approximation_and_skolnik_rule():
    h1 = np.array([1.0, 10.0, 30.0, 100.0, 300.0, 1000.0])
    h2 = np.array([0.0, 50.0, 1000.0, 3000.0, 0.0, 10000.0])
    d = horizon_range_m(h1, h2)
    approx = np.sqrt(2 * KR * h1) + np.sqrt(2 * KR * h2)
    # the arc falls short of sqrt(2 k R h) by a relative O(h / kR): < 1e-3 for h <= 10 km
    np.testing.assert_allclose(d, approx, rtol=1e-3)
    assert np.all(d <= approx)
    # Skolnik, Introduction to Radar Systems, 3rd ed.: d[km] ~ 4.12 (sqrt h1 + sqrt h2),
    # to the 0.12 % of the rounded constant (plus the O(h/kR) above for 10 km)
    rule_km = 4.12 * (np.sqrt(h1) + np.sqrt(h2))
    np.testing.assert_allclose(d / 1e3, rule_km, rtol=2.5e-3)
    assert math.sqrt(2 * KR) / 1e3 == pytest.approx(4.12, abs=0.005)


def test_refraction_factor():
    # k = 1: the geometric horizon of a sphere
    r = MEAN_EARTH_RADIUS_M
    assert horizon_range_m(1000.0, 0.0, k_factor=1.0) == pytest.approx(
        r * math.acos(r / (r + 1000.0)), rel=1e-12
    )
    # at low heights the horizon scales as sqrt(k): 4/3 Earth adds 15.5 %
    ratio = horizon_range_m(100.0, 0.0) / horizon_range_m(100.0, 0.0, k_factor=1.0)
    assert ratio == pytest.approx(math.sqrt(4 / 3), rel=1e-5)
    ks = np.array([0.5, 1.0, 4 / 3, 2.0, 10.0])
    assert np.all(np.diff(horizon_range_m(500.0, 2000.0, ks)) > 0)
    # a custom sphere radius
    assert horizon_range_m(100.0, 0.0, 1.0, 1.0e6) == pytest.approx(
        1.0e6 * math.acos(1.0e6 / (1.0e6 + 100.0)), rel=1e-12
    )


def test_symmetry_monotonicity_shapes():
    assert horizon_range_m(100.0, 5000.0) == horizon_range_m(5000.0, 100.0)
    alts = np.linspace(0.0, 2e6, 101)
    d = horizon_range_m(10.0, alts)
    assert d.shape == (101,) and np.all(np.diff(d) > 0)
    assert horizon_range_m(0.0, 0.0) == 0.0
    got = horizon_range_m(np.array([[10.0], [20.0]]), np.array([0.0, 1e3, 1e4]))
    assert got.shape == (2, 3)
    assert isinstance(horizon_range_m(10.0, 0.0), np.float64)
    # the grazing ray (sum of tangent lengths) is longer than the ground arc
    assert np.all(horizon_slant_range_m(10.0, alts[1:]) > d[1:])
    s = horizon_slant_range_m(30.0, 9000.0)
    assert s == pytest.approx(
        math.sqrt(30.0 * (2 * KR + 30.0)) + math.sqrt(9000.0 * (2 * KR + 9000.0)), rel=1e-12
    )


def _elevation_by_vectors(d, h1, h2, ke):
    """Independent 2-D construction: antenna at angle 0, target at angle d/ke."""
    phi = d / ke
    a = np.array([0.0, ke + h1])
    t = np.array([(ke + h2) * math.sin(phi), (ke + h2) * math.cos(phi)])
    ray = t - a
    return math.atan2(ray[1], ray[0])  # the local horizontal at the antenna is +x


def test_effective_elevation_against_vector_geometry():
    rng = np.random.default_rng(5)
    for _ in range(300):
        d = rng.uniform(1.0, 3e6)
        h1 = rng.uniform(0.0, 5e3)
        h2 = rng.uniform(0.0, 1.5e6)
        k = rng.choice([1.0, 4 / 3, 2.0])
        ke = k * MEAN_EARTH_RADIUS_M
        got = effective_elevation_rad(d, h1, h2, k)
        assert got == pytest.approx(_elevation_by_vectors(d, h1, h2, ke), abs=1e-11)


def test_effective_elevation_special_cases():
    assert effective_elevation_rad(0.0, 10.0, 1000.0) == pytest.approx(math.pi / 2)
    assert effective_elevation_rad(0.0, 1000.0, 10.0) == pytest.approx(-math.pi / 2)
    # at the horizon range the ray grazes the Earth: elevation = -dip = -acos(kR/(kR+h1))
    for h1, h2 in [(10.0, 0.0), (100.0, 5000.0), (3000.0, 800e3)]:
        d = horizon_range_m(h1, h2)
        el = effective_elevation_rad(d, h1, h2)
        assert el == pytest.approx(-math.acos(KR / (KR + h1)), abs=1e-9)
    # short range, flat-Earth limit
    assert effective_elevation_rad(1000.0, 0.0, 100.0) == pytest.approx(
        math.atan(100.0 / 1000.0), abs=1e-4
    )
    # refraction raises the apparent elevation of a distant low target
    assert effective_elevation_rad(200e3, 10.0, 3000.0) > effective_elevation_rad(
        200e3, 10.0, 3000.0, 1.0
    )
    el = effective_elevation_rad(np.linspace(0, 1e6, 7), 10.0, [[1e3], [1e5]])
    assert el.shape == (2, 7) and np.all(np.isfinite(el))


@pytest.mark.parametrize(
    ("kwargs", "name"),
    [
        ({"antenna_height_m": -1.0}, "antenna_height_m"),
        ({"antenna_height_m": math.nan}, "antenna_height_m"),
        ({"target_alt_m": -0.5}, "target_alt_m"),
        ({"target_alt_m": math.inf}, "target_alt_m"),
        ({"k_factor": 0.0}, "k_factor"),
        ({"k_factor": -4 / 3}, "k_factor"),
        ({"k_factor": math.nan}, "k_factor"),
        ({"earth_radius_m": 0.0}, "earth_radius_m"),
        ({"earth_radius_m": 1e300}, "earth_radius_m"),
        ({"target_alt_m": 2e9}, "target_alt_m"),
        ({"k_factor": 1e7}, "k_factor"),
    ],
)
def test_bad_input(kwargs, name):
    args = {"antenna_height_m": 10.0, "target_alt_m": 100.0, **kwargs}
    for fn in (horizon_range_m, horizon_slant_range_m):
        with pytest.raises(ParameterError, match=f"'{name}'"):
            fn(**args)
    with pytest.raises(ParameterError, match=f"'{name}'"):
        effective_elevation_rad(1e3, **args)
    with pytest.raises(ParameterError, match="'ground_range_m'"):
        effective_elevation_rad(-1.0, 10.0, 100.0)
    with pytest.raises(ParameterError, match="'ground_range_m'"):
        effective_elevation_rad(math.pi * MEAN_EARTH_RADIUS_M * 1.001, 10.0, 100.0)
