"""The compiled scalar kernels other numba code imports (flight propagator)."""

import math

import numpy as np
from numba import njit

from openbmd.constants import WGS84_B_M
from openbmd.geodesy import ecef_to_geodetic, geodetic_to_ecef
from openbmd.geodesy.kernels import (
    ecef_to_geodetic_batch,
    ecef_to_geodetic_point,
    geodetic_alt_point,
    geodetic_to_ecef_batch,
    geodetic_to_ecef_point,
)


@njit(cache=False)
def _altitudes_in_compiled_loop(ecef_m):
    out = np.empty(ecef_m.shape[0])
    for i in range(ecef_m.shape[0]):
        out[i] = geodetic_alt_point(ecef_m[i, 0], ecef_m[i, 1], ecef_m[i, 2])
    return out


@njit(cache=False)
def _round_trip_in_compiled_code(lat_rad, lon_rad, alt_m):
    x, y, z = geodetic_to_ecef_point(lat_rad, lon_rad, alt_m)
    return ecef_to_geodetic_point(x, y, z)


def _points(n=500, seed=11):
    rng = np.random.default_rng(seed)
    lat = np.degrees(np.arcsin(rng.uniform(-1, 1, n)))
    lon = rng.uniform(-180, 180, n)
    alt = rng.uniform(-10e3, 40_000e3, n)
    return lat, lon, alt


def test_scalar_kernels_match_the_public_api():
    lat, lon, alt = _points()
    ecef = geodetic_to_ecef(lat, lon, alt)
    ref_lat, ref_lon, ref_alt = ecef_to_geodetic(ecef)
    for i in range(0, lat.size, 25):
        point = geodetic_to_ecef_point(math.radians(lat[i]), math.radians(lon[i]), alt[i])
        np.testing.assert_array_equal(point, ecef[i])
        lat_rad, lon_rad, alt_m = ecef_to_geodetic_point(*ecef[i])
        assert math.degrees(lat_rad) == ref_lat[i]
        assert math.degrees(lon_rad) == ref_lon[i]
        assert alt_m == ref_alt[i]


def test_alt_kernel_inside_compiled_code():
    lat, lon, alt = _points()
    ecef = geodetic_to_ecef(lat, lon, alt)
    got = _altitudes_in_compiled_loop(np.ascontiguousarray(ecef))
    assert np.abs(got - alt).max() < 1e-3, "geodetic_alt_point misses the height by > 1 mm"


def test_round_trip_inside_compiled_code():
    lat_rad, lon_rad, alt_m = _round_trip_in_compiled_code(0.3, -2.0, 123_456.0)
    assert abs(lat_rad - 0.3) < 1e-15
    assert abs(lon_rad + 2.0) < 1e-15
    assert abs(alt_m - 123_456.0) < 1e-7


def test_pole_and_origin():
    assert ecef_to_geodetic_point(0.0, 0.0, 7e6) == (math.pi / 2, 0.0, 7e6 - WGS84_B_M)
    lat, lon, alt = ecef_to_geodetic_point(0.0, 0.0, 0.0)
    assert (lat, lon) == (math.pi / 2, 0.0)
    assert alt == -WGS84_B_M


def test_batch_kernels_shapes():
    lat, lon, alt = (np.radians(_points(7)[0]), np.radians(_points(7)[1]), _points(7)[2])
    ecef = geodetic_to_ecef_batch(lat, lon, alt)
    assert ecef.shape == (7, 3)
    back = ecef_to_geodetic_batch(ecef)
    assert back.shape == (7, 3)
    np.testing.assert_allclose(back[:, 2], alt, rtol=0, atol=1e-6)
