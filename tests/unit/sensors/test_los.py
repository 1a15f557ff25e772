"""Line of sight: geometry against pyproj brute force, refraction, horizon, field of regard."""

from __future__ import annotations

import math

import numpy as np
import pytest
from pyproj import Geod, Transformer

from openbmd.constants import WGS84_A_M
from openbmd.errors import ParameterError
from openbmd.geodesy import geodetic_to_ecef
from openbmd.sensors.horizon import effective_elevation_rad, horizon_range_m
from openbmd.sensors.los import SensorGeometry, look_angles, visible
from openbmd.sensors.radar import Radar

GEOD = Geod(ellps="WGS84")
TO_GEODETIC = Transformer.from_crs("EPSG:4978", "EPSG:4979", always_xy=True)
TO_ECEF = Transformer.from_crs("EPSG:4979", "EPSG:4978", always_xy=True)


def radar(lat=40.0, lon=140.0, alt=30.0, **kw):
    base = {
        "frequency_hz": 3e9,
        "peak_power_w": 1e6,
        "pulse_width_s": 1e-4,
        "bandwidth_hz": 1e6,
        "noise_temperature_k": 500.0,
        "gain_db": 40.0,
    }
    return Radar("los", lat, lon, alt, **{**base, **kw})


def targets_around(lat, lon, n=60, seed=1, max_dist_m=2500e3, max_alt_m=1200e3):
    """Random points: geodesic direction and distance from the site, altitude; via pyproj."""
    rng = np.random.default_rng(seed)
    az = rng.uniform(0.0, 360.0, n)
    dist = rng.uniform(1e3, max_dist_m, n)
    alt = rng.uniform(0.0, max_alt_m, n)
    lon2, lat2, _ = GEOD.fwd(np.full(n, lon), np.full(n, lat), az, dist)
    x, y, z = TO_ECEF.transform(lon2, lat2, alt)
    return np.stack([x, y, z], axis=-1), az, dist, alt


def brute_force_aer(site_lat, site_lon, site_alt, point):
    """One point, plain Python: pyproj site position, hand-written ENU rotation."""
    sx, sy, sz = TO_ECEF.transform(site_lon, site_lat, site_alt)
    phi, lam = math.radians(site_lat), math.radians(site_lon)
    d = (point[0] - sx, point[1] - sy, point[2] - sz)
    e = -math.sin(lam) * d[0] + math.cos(lam) * d[1]
    n = (-math.sin(phi) * math.cos(lam) * d[0] - math.sin(phi) * math.sin(lam) * d[1]
         + math.cos(phi) * d[2])  # fmt: skip
    u = (math.cos(phi) * math.cos(lam) * d[0] + math.cos(phi) * math.sin(lam) * d[1]
         + math.sin(phi) * d[2])  # fmt: skip
    return math.atan2(e, n) % (2 * math.pi), math.atan2(u, math.hypot(e, n)), math.dist(d, (0,) * 3)


@pytest.mark.parametrize(("lat", "lon", "alt"), [(39.7, 140.1, 20.0), (-33.9, 18.4, 500.0),
                                                 (71.3, -156.8, 5.0), (0.0, 0.0, 0.0)])  # fmt: skip
def test_geometry_matches_brute_force(lat, lon, alt):
    site = radar(lat, lon, alt, k_factor=None, min_elevation_deg=-90, el_limits_deg=(-90, 90))
    pts, *_ = targets_around(lat, lon)
    la = look_angles([site], pts)
    for i, p in enumerate(pts):
        az, el, rng = brute_force_aer(lat, lon, alt, p)
        assert la.range_m[0, i] == pytest.approx(rng, abs=1e-6), "range to 1 um"
        d_az = (la.azimuth_rad[0, i] - az + math.pi) % (2 * math.pi) - math.pi
        assert abs(d_az) < 1e-9 and la.elevation_rad[0, i] == pytest.approx(el, abs=1e-9)
        assert la.apparent_elevation_rad[0, i] == la.elevation_rad[0, i], "k = 1: no refraction"


def test_apparent_elevation_on_the_equator_matches_the_effective_earth_formula():
    # due east along the equator the ellipsoid's normal section is a circle of radius a
    lon = np.linspace(0.05, 25.0, 40)
    alt = np.linspace(100.0, 900e3, 40)
    pts = geodetic_to_ecef(0.0, lon, alt)
    for k in (4.0 / 3.0, 1.0, 0.8, 2.0):
        la = look_angles([radar(0.0, 0.0, 25.0, k_factor=k)], pts)
        want = effective_elevation_rad(WGS84_A_M * np.radians(lon), 25.0, alt, k, WGS84_A_M)
        np.testing.assert_allclose(la.apparent_elevation_rad[0], want, atol=1e-12)


def test_refraction_correction_matches_the_local_sphere_anywhere():
    """Off the equator the reference uses a sphere (geodesic distance, pyproj altitude), so
    its elevations differ from WGS 84 ones by ~0.005 deg at 1500 km; the refraction
    correction (k = 4/3 minus k = 1) must agree much better."""
    lat, lon, alt = 40.0, 140.0, 30.0
    pts, az, dist, h = targets_around(lat, lon, max_dist_m=1500e3, max_alt_m=500e3)
    s43 = radar(lat, lon, alt)
    s1 = radar(lat, lon, alt, k_factor=1.0)
    m, n = s43.curvature_radii_m
    a = np.radians(az)
    r = 1.0 / (np.cos(a) ** 2 / m + np.sin(a) ** 2 / n)
    ref43 = effective_elevation_rad(dist, alt, h, 4.0 / 3.0, r)
    ref1 = effective_elevation_rad(dist, alt, h, 1.0, r)
    got43 = look_angles([s43], pts).apparent_elevation_rad[0]
    got1 = look_angles([s1], pts).apparent_elevation_rad[0]
    assert np.degrees(np.abs(got43 - ref43)).max() < 0.01
    np.testing.assert_allclose(got43 - got1, ref43 - ref1, atol=math.radians(2e-4))
    assert np.all(got43 > got1), "refraction raises the apparent elevation"


@pytest.mark.parametrize("site_alt", [0.0, 25.0])
def test_horizon_masking_with_and_without_refraction(site_alt):
    """A target just beyond the geometric horizon is seen with k = 4/3, not with k = 1."""
    target_alt = 20e3
    d1 = float(horizon_range_m(site_alt, target_alt, 1.0, WGS84_A_M))
    d43 = float(horizon_range_m(site_alt, target_alt, 4.0 / 3.0, WGS84_A_M))
    lons = np.degrees(np.array([0.99 * d1, 1.01 * d1, 0.99 * d43, 1.01 * d43]) / WGS84_A_M)
    pts = geodetic_to_ecef(0.0, lons, target_alt)
    kw = {"min_elevation_deg": -5.0, "el_limits_deg": (-10.0, 90.0)}
    geometric = visible([radar(0.0, 0.0, site_alt, k_factor=1.0, **kw)], pts)[0]
    refracted = visible([radar(0.0, 0.0, site_alt, **kw)], pts)[0]
    assert geometric.tolist() == [True, False, False, False]
    assert refracted.tolist() == [True, True, True, False]


def test_min_elevation_mask():
    pts = geodetic_to_ecef(0.0, [5.0, 7.0], 60e3)  # ~4.3 deg and ~1.8 deg up
    els = np.degrees(look_angles([radar(0.0, 0.0, 0.0)], pts).apparent_elevation_rad[0])
    assert els[0] > 2.0 > els[1] > 0.0
    assert visible([radar(0.0, 0.0, 0.0, min_elevation_deg=2.0)], pts)[0].tolist() == [True, False]


def test_field_of_regard_azimuth_wraps_through_north():
    site = radar(0.0, 0.0, 0.0, boresight_az_deg=350.0, az_limits_deg=30.0, k_factor=None)
    # points 300 km away at azimuths 315, 325, 15, 25, 90
    az = np.array([315.0, 325.0, 15.0, 25.0, 90.0])
    lon2, lat2, _ = GEOD.fwd(np.zeros(5), np.zeros(5), az, np.full(5, 300e3))
    pts = geodetic_to_ecef(lat2, lon2, 200e3)
    assert visible([site], pts)[0].tolist() == [False, True, True, False, False]


def test_field_of_regard_elevation_and_range_limits():
    site = radar(0.0, 0.0, 0.0, el_limits_deg=(5.0, 60.0), max_range_m=800e3, k_factor=None)
    # straight up (90 deg), ~40 deg, low (~1.8 deg), beyond 800 km
    pts = geodetic_to_ecef(0.0, [0.0, 3.0, 7.0, 6.0], [300e3, 300e3, 60e3, 900e3])
    la = look_angles([site], pts)
    el = np.degrees(la.elevation_rad[0])
    assert el[0] > 60 and 5 < el[1] < 60 and el[2] < 5 and la.range_m[0, 3] > 800e3
    assert la.visible[0].tolist() == [False, True, False, False]


def test_raised_site_cannot_see_through_the_earth():
    site = radar(0.0, 0.0, 3000.0, min_elevation_deg=-5.0, el_limits_deg=(-10.0, 90.0))
    d = float(horizon_range_m(3000.0, 10e3, 4.0 / 3.0, WGS84_A_M))
    lons = np.degrees(np.array([0.98 * d, 1.02 * d, 0.3 * d]) / WGS84_A_M)
    # below the site's horizontal plane: near, then just beyond the horizon; and a low
    # target close by (descending ray that reaches it before touching the surface)
    pts = geodetic_to_ecef(0.0, lons, [10e3, 10e3, 500.0])
    la = look_angles([site], pts)
    assert np.all(la.apparent_elevation_rad[0] < 0.0)
    assert la.visible[0].tolist() == [True, False, True]


def test_shapes_sensors_objects_times_and_nan_objects():
    sites = [radar(39.7, 140.1, 20.0), radar(35.0, 135.0, 0.0), radar(26.0, 128.0, 0.0)]
    pts, *_ = targets_around(38.0, 136.0, n=5 * 7)
    grid = pts.reshape(5, 7, 3).copy()
    grid[2, 3:] = np.nan  # object 2 ends at time 3
    vis = visible(sites, grid)
    assert vis.shape == (3, 5, 7)
    assert not vis[:, 2, 3:].any()
    flat = visible(sites, grid.reshape(-1, 3))
    np.testing.assert_array_equal(flat.reshape(3, 5, 7), vis)
    la = look_angles(SensorGeometry.of(sites), grid)
    assert la.range_m.shape == (3, 5, 7) and np.isnan(la.range_m[:, 2, 3:]).all()
    for s, site in enumerate(sites):
        np.testing.assert_array_equal(visible([site], grid)[0], vis[s])


def test_bad_inputs():
    with pytest.raises(ParameterError, match="r_ecef_m"):
        visible([radar()], np.zeros((4, 2)))
    with pytest.raises(ParameterError, match="r_ecef_m"):
        visible([radar()], np.array([np.inf, 0.0, 0.0]))
    with pytest.raises(ParameterError, match="radars"):
        visible([], np.zeros(3))


def test_pyproj_round_trip_of_the_site():
    site = radar(39.7, 140.1, 20.0)
    lon, lat, alt = TO_GEODETIC.transform(*site.site_ecef_m)
    assert (lat, lon, alt) == pytest.approx((39.7, 140.1, 20.0), abs=1e-9)
