"""Geodetic <-> ECEF on WGS 84 against PROJ (pyproj, EPSG:4979 <-> EPSG:4978).

PROJ's forward transform is exact to rounding and is the reference for geodetic -> ECEF.
Its inverse (non-iterated Bowring) errs by ~8 mm at 1000 km and ~0.3 m at 40,000 km, so
ECEF -> geodetic is checked against the geodetic coordinates the points were made from,
and against PROJ's inverse only near the surface where PROJ is exact.
"""

import numpy as np
import pytest
from pyproj import Transformer

from openbmd.constants import WGS84_A_M, WGS84_B_M
from openbmd.errors import ParameterError
from openbmd.geodesy import (
    ecef_to_geodetic,
    ecef_to_geodetic_rad,
    geodetic_to_ecef,
    geodetic_to_ecef_rad,
    meridian_radius_m,
    prime_vertical_radius_m,
)

MM = 1e-3
TO_ECEF = Transformer.from_crs("EPSG:4979", "EPSG:4978", always_xy=True)
TO_GEODETIC = Transformer.from_crs("EPSG:4978", "EPSG:4979", always_xy=True)


def _random_geodetic(n, seed, alt_low_m, alt_high_m):
    rng = np.random.default_rng(seed)
    lat_deg = np.degrees(np.arcsin(rng.uniform(-1.0, 1.0, n)))
    lon_deg = rng.uniform(-180.0, 180.0, n)
    alt_m = rng.uniform(alt_low_m, alt_high_m, n)
    return lat_deg, lon_deg, alt_m


def _test_points():
    """~4000 points: global, polar caps (|lat| > 89.9, exact poles), 1000 km, -5 km, GEO."""
    rng = np.random.default_rng(20240601)
    parts = [_random_geodetic(1500, 1, -10e3, 40_000e3)]
    polar_lat = rng.choice([-1.0, 1.0], 500) * rng.uniform(89.9, 90.0, 500)
    polar_lat[:4] = [90.0, -90.0, 90.0, -90.0]
    parts.append((polar_lat, rng.uniform(-180, 180, 500), rng.uniform(-10e3, 2000e3, 500)))
    for alt in (1000e3, -5e3, 0.0, 35_786e3):
        lat, lon, _ = _random_geodetic(500, int(alt) % 97, 0.0, 0.0)
        parts.append((lat, lon, np.full(500, alt)))
    return tuple(np.concatenate(c) for c in zip(*parts, strict=True))


LAT, LON, ALT = _test_points()


def test_forward_matches_proj_to_1_mm():
    ours = geodetic_to_ecef(LAT, LON, ALT)
    ref = np.stack(TO_ECEF.transform(LON, LAT, ALT), axis=-1)
    err = np.linalg.norm(ours - ref, axis=-1)
    assert LAT.size >= 1000
    assert err.max() < MM, f"geodetic->ECEF differs from PROJ by {err.max():.3e} m (> 1 mm)"


def test_inverse_recovers_generating_coordinates_to_1_mm():
    ecef = np.stack(TO_ECEF.transform(LON, LAT, ALT), axis=-1)
    lat, lon, alt = ecef_to_geodetic(ecef)
    radius = WGS84_A_M + ALT
    lat_err_m = np.abs(np.radians(lat - LAT)) * radius
    lon_err = np.angle(np.exp(1j * np.radians(lon - LON)))
    lon_err_m = np.abs(lon_err) * radius * np.cos(np.radians(LAT))
    assert np.abs(alt - ALT).max() < MM, "height error above 1 mm"
    assert lat_err_m.max() < MM, f"latitude error {lat_err_m.max():.3e} m along the meridian"
    assert lon_err_m.max() < MM, f"longitude error {lon_err_m.max():.3e} m along the parallel"


def test_inverse_matches_proj_near_the_surface():
    lat0, lon0, alt0 = _random_geodetic(2000, 7, -10e3, 10e3)
    ecef = np.stack(TO_ECEF.transform(lon0, lat0, alt0), axis=-1)
    ref_lon, ref_lat, ref_alt = TO_GEODETIC.transform(ecef[:, 0], ecef[:, 1], ecef[:, 2])
    lat, lon, alt = ecef_to_geodetic(ecef)
    assert np.abs(alt - ref_alt).max() < MM
    assert (np.abs(lat - ref_lat).max() * 111_000.0) < MM
    assert (np.abs(lon - ref_lon) * np.cos(np.radians(lat))).max() * 111_000.0 < MM


@pytest.mark.parametrize("sign", [1.0, -1.0])
@pytest.mark.parametrize("dist_m", [1000e3, WGS84_B_M - 5e3, WGS84_B_M, 7000e3, 46_000e3])
def test_polar_axis_is_exact(sign, dist_m):
    lat, lon, alt = ecef_to_geodetic([0.0, 0.0, sign * dist_m])
    assert lat == sign * 90.0, "latitude on the polar axis must be exactly +-90"
    assert lon == 0.0
    assert alt == pytest.approx(dist_m - WGS84_B_M, abs=1e-8)


def test_equator_and_pole_points():
    np.testing.assert_allclose(geodetic_to_ecef(0.0, 0.0, 0.0), [WGS84_A_M, 0, 0], atol=1e-9)
    np.testing.assert_allclose(geodetic_to_ecef(0.0, 90.0, 10.0), [0, WGS84_A_M + 10, 0], atol=1e-9)
    np.testing.assert_allclose(geodetic_to_ecef(-90.0, 0.0, 0.0), [0, 0, -WGS84_B_M], atol=1e-9)
    lat, lon, alt = ecef_to_geodetic([-7e6, -0.0, 0.0])
    assert (lat, lon) == (0.0, 180.0), "longitude must lie in (-180, 180]"
    assert alt == pytest.approx(7e6 - WGS84_A_M, abs=1e-8)


def test_centre_region_is_finite_and_consistent():
    rng = np.random.default_rng(3)
    pts = rng.uniform(-100e3, 100e3, (3000, 3))
    pts[:500, 2] = 0.0  # equatorial disc inside the evolute
    pts[500:1000, :2] = 0.0  # polar axis
    pts[1000] = 0.0
    lat, lon, alt = ecef_to_geodetic(pts)
    assert np.all(np.isfinite(lat) & np.isfinite(lon) & np.isfinite(alt))
    back = geodetic_to_ecef(lat, lon, alt)
    assert np.abs(back - pts).max() < MM, "foot point inside the evolute is not on the normal"


def test_shapes_and_scalars():
    lat, lon, alt = ecef_to_geodetic([7e6, 0.0, 0.0])
    assert all(isinstance(v, np.float64) and np.ndim(v) == 0 for v in (lat, lon, alt))
    assert geodetic_to_ecef(10.0, 20.0).shape == (3,)
    assert geodetic_to_ecef(np.zeros((3, 1)), np.zeros(4), 0.0).shape == (3, 4, 3)
    grid = geodetic_to_ecef(np.zeros((2, 5)), np.zeros((2, 5)), np.zeros((2, 5)))
    out = ecef_to_geodetic(grid)
    assert all(o.shape == (2, 5) for o in out)
    assert geodetic_to_ecef(np.empty(0), np.empty(0)).shape == (0, 3)


def test_radian_variants_agree_with_degrees():
    lat, lon, alt = LAT[:200], LON[:200], ALT[:200]
    np.testing.assert_array_equal(
        geodetic_to_ecef_rad(np.radians(lat), np.radians(lon), alt),
        geodetic_to_ecef(lat, lon, alt),
    )
    ecef = geodetic_to_ecef(lat, lon, alt)
    lat_rad, lon_rad, alt_m = ecef_to_geodetic_rad(ecef)
    lat_deg, lon_deg, alt_m2 = ecef_to_geodetic(ecef)
    np.testing.assert_allclose(np.degrees(lat_rad), lat_deg, rtol=0, atol=1e-12)
    np.testing.assert_allclose(np.degrees(lon_rad), lon_deg, rtol=0, atol=1e-12)
    np.testing.assert_array_equal(alt_m, alt_m2)


def test_radii_of_curvature():
    a, b = WGS84_A_M, WGS84_B_M
    assert prime_vertical_radius_m(0.0) == pytest.approx(a, abs=1e-9)
    assert prime_vertical_radius_m(90.0) == pytest.approx(a * a / b, abs=1e-8)
    assert meridian_radius_m(0.0) == pytest.approx(b * b / a, abs=1e-8)
    assert meridian_radius_m(90.0) == pytest.approx(a * a / b, abs=1e-8)
    assert meridian_radius_m([0.0, 45.0]).shape == (2,)


@pytest.mark.parametrize(
    ("call", "name"),
    [
        (lambda: geodetic_to_ecef(90.5, 0.0, 0.0), "lat_deg"),
        (lambda: geodetic_to_ecef([0.0, -91.0], 0.0, 0.0), "lat_deg"),
        (lambda: geodetic_to_ecef(0.0, np.nan, 0.0), "lon_deg"),
        (lambda: geodetic_to_ecef(0.0, 0.0, np.inf), "alt_m"),
        (lambda: geodetic_to_ecef_rad(2.0, 0.0, 0.0), "lat_rad"),
        (lambda: ecef_to_geodetic([1.0, 2.0]), "ecef_m"),
        (lambda: ecef_to_geodetic([[7e6, 0.0, np.nan]]), "ecef_m"),
        (lambda: prime_vertical_radius_m(100.0), "lat_deg"),
    ],
)
def test_bad_input_names_the_parameter(call, name):
    with pytest.raises(ParameterError, match=f"'{name}'"):
        call()
