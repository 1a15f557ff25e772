"""Geodesics on WGS 84 against PROJ's geodesic code (pyproj.Geod), great circles against
GeographicLib on a sphere (flattening 0)."""

import numpy as np
import pytest
from geographiclib.geodesic import Geodesic
from pyproj import Geod

from openbmd.constants import MEAN_EARTH_RADIUS_M
from openbmd.errors import ParameterError
from openbmd.geodesy import (
    geodesic_direct,
    geodesic_inverse,
    geodetic_to_ecef,
    great_circle_direct,
    great_circle_inverse,
)

MM = 1e-3
GEOD = Geod(ellps="WGS84")


def _angle_diff_deg(a, b):
    return np.abs((np.asarray(a) - np.asarray(b) + 180.0) % 360.0 - 180.0)


def _random_pairs(n, seed):
    rng = np.random.default_rng(seed)
    lat1 = np.degrees(np.arcsin(rng.uniform(-1, 1, n)))
    lat2 = np.degrees(np.arcsin(rng.uniform(-1, 1, n)))
    lat1[:50] = np.sign(lat1[:50]) * rng.uniform(89.9, 89.9999, 50)
    return lat1, rng.uniform(-180, 180, n), lat2, rng.uniform(-180, 180, n)


def test_inverse_matches_proj():
    lat1, lon1, lat2, lon2 = _random_pairs(1200, 1)
    dist, azi1, azi2 = geodesic_inverse(lat1, lon1, lat2, lon2)
    az12, az21, ref_dist = GEOD.inv(lon1, lat1, lon2, lat2)
    assert np.abs(dist - ref_dist).max() < MM, "geodesic distance differs from PROJ by > 1 mm"
    assert _angle_diff_deg(azi1, az12).max() < 1e-9
    # PROJ returns the back azimuth at point 2; ours is the forward azimuth.
    assert _angle_diff_deg(azi2, np.asarray(az21) + 180.0).max() < 1e-9
    assert np.all((azi1 >= 0) & (azi1 < 360) & (azi2 >= 0) & (azi2 < 360))


def test_direct_matches_proj():
    rng = np.random.default_rng(2)
    lat1, lon1, _, _ = _random_pairs(1200, 3)
    azi = rng.uniform(-360, 360, lat1.size)
    dist = rng.uniform(0, 20_000e3, lat1.size)
    lat2, lon2, azi2 = geodesic_direct(lat1, lon1, azi, dist)
    ref_lon2, ref_lat2, ref_back = GEOD.fwd(lon1, lat1, azi, dist)
    miss_m = np.linalg.norm(
        geodetic_to_ecef(lat2, lon2) - geodetic_to_ecef(ref_lat2, ref_lon2), axis=-1
    )
    assert miss_m.max() < MM, f"direct end point differs from PROJ by {miss_m.max():.3e} m"
    away_from_poles = np.abs(lat2) < 89.9
    assert _angle_diff_deg(azi2, np.asarray(ref_back) + 180.0)[away_from_poles].max() < 1e-8
    assert np.all((lon2 > -180) & (lon2 <= 180))


def test_direct_on_one_line_equals_separate_solutions():
    dist = np.linspace(0, 15_000e3, 40)
    lat2, lon2, azi2 = geodesic_direct(48.0, 11.0, 73.0, dist)
    for i in (0, 7, 39):
        res = Geodesic.WGS84.Direct(48.0, 11.0, 73.0, float(dist[i]))
        assert lat2[i] == pytest.approx(res["lat2"], abs=1e-12)
        assert lon2[i] == pytest.approx(res["lon2"], abs=1e-12)
        assert azi2[i] == pytest.approx(res["azi2"] % 360.0, abs=1e-12)


def test_repeated_inputs_and_broadcasting():
    lat1 = np.array([[10.0], [10.0], [-20.0]])
    dist, azi1, azi2 = geodesic_inverse(lat1, 0.0, [30.0, 30.0, 40.0, 50.0], 45.0)
    assert dist.shape == azi1.shape == azi2.shape == (3, 4)
    np.testing.assert_array_equal(dist[0], dist[1])
    assert dist[0, 0] == dist[0, 1]
    dist0, _, _ = geodesic_inverse(10.0, 20.0, 10.0, 20.0)
    assert dist0 == 0.0 and isinstance(dist0, np.float64)
    lat2, lon2, _ = geodesic_direct(np.zeros((2, 2)), 0.0, 90.0, 0.0)
    assert lat2.shape == (2, 2) and np.all(lat2 == 0.0) and np.all(lon2 == 0.0)


def test_great_circle_matches_geographiclib_sphere():
    sphere = Geodesic(MEAN_EARTH_RADIUS_M, 0.0)
    lat1, lon1, lat2, lon2 = _random_pairs(1000, 5)
    dist, azi1, azi2 = great_circle_inverse(lat1, lon1, lat2, lon2)
    rng = np.random.default_rng(6)
    azi = rng.uniform(0, 360, lat1.size)
    s = rng.uniform(-20_000e3, 20_000e3, lat1.size)
    lat3, lon3, azi3 = great_circle_direct(lat1, lon1, azi, s)
    for i in range(0, lat1.size, 10):
        inv = sphere.Inverse(lat1[i], lon1[i], lat2[i], lon2[i])
        assert dist[i] == pytest.approx(inv["s12"], abs=MM)
        assert _angle_diff_deg(azi1[i], inv["azi1"]) < 1e-8
        assert _angle_diff_deg(azi2[i], inv["azi2"]) < 1e-8
        fwd = sphere.Direct(lat1[i], lon1[i], azi[i], s[i])
        assert lat3[i] == pytest.approx(fwd["lat2"], abs=1e-9)
        assert _angle_diff_deg(lon3[i], fwd["lon2"]) < 1e-9
        assert _angle_diff_deg(azi3[i], fwd["azi2"]) < 1e-8


def test_great_circle_special_cases():
    quarter = np.pi / 2 * 1000.0
    dist, azi1, azi2 = great_circle_inverse(0.0, 0.0, 90.0, 0.0, radius_m=1000.0)
    assert dist == pytest.approx(quarter, rel=1e-15) and azi1 == 0.0
    dist, azi1, azi2 = great_circle_inverse(0.0, 0.0, 0.0, 180.0, radius_m=1000.0)
    assert dist == pytest.approx(2 * quarter, rel=1e-15)
    lat2, lon2, azi2 = great_circle_direct(90.0, 0.0, 0.0, quarter, radius_m=1000.0)
    assert lat2 == pytest.approx(0.0, abs=1e-12)
    assert _angle_diff_deg(lon2, 180.0) < 1e-12
    assert azi2 == pytest.approx(180.0, abs=1e-12)
    assert great_circle_inverse([0.0, 1.0], 0.0, 0.0, 1.0)[0].shape == (2,)


@pytest.mark.parametrize(
    ("call", "name"),
    [
        (lambda: geodesic_inverse(91.0, 0.0, 0.0, 0.0), "lat1_deg"),
        (lambda: geodesic_inverse(0.0, 0.0, -90.5, 0.0), "lat2_deg"),
        (lambda: geodesic_inverse(0.0, np.nan, 0.0, 0.0), "lon1_deg"),
        (lambda: geodesic_direct(0.0, 0.0, np.inf, 1.0), "azimuth_deg"),
        (lambda: geodesic_direct(0.0, 0.0, 0.0, np.nan), "distance_m"),
        (lambda: great_circle_inverse(0.0, 0.0, 0.0, 0.0, radius_m=0.0), "radius_m"),
        (lambda: great_circle_direct(100.0, 0.0, 0.0, 1.0), "lat_deg"),
    ],
)
def test_bad_input_names_the_parameter(call, name):
    with pytest.raises(ParameterError, match=f"'{name}'"):
        call()
