"""Hypothesis round trips and bad-input fuzzing for openbmd.geodesy."""

import math

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from openbmd.errors import ParameterError
from openbmd.geodesy import (
    aer_to_ecef,
    aer_to_enu,
    ecef_to_aer,
    ecef_to_eci,
    ecef_to_enu,
    ecef_to_geodetic,
    eci_to_ecef,
    enu_to_aer,
    enu_to_ecef,
    geodesic_direct,
    geodesic_inverse,
    geodetic_to_ecef,
)

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
MM = 1e-3

lat_deg = st.floats(-90.0, 90.0)
lon_deg = st.floats(-180.0, 180.0)
alt_m = st.floats(-10e3, 40_000e3)
site_alt_m = st.floats(-500.0, 5e3)
coordinate_m = st.floats(-5e7, 5e7)
vector_m = st.tuples(coordinate_m, coordinate_m, coordinate_m)
bad_number = st.sampled_from([math.nan, math.inf, -math.inf])


@SETTINGS
@given(lat_deg, lon_deg, alt_m)
def test_geodetic_ecef_geodetic(lat, lon, alt):
    got_lat, got_lon, got_alt = ecef_to_geodetic(geodetic_to_ecef(lat, lon, alt))
    assert abs(got_lat - lat) < 1e-9
    assert abs(got_alt - alt) < MM
    if abs(lat) < 90.0:
        lon_err = abs((got_lon - lon + 180.0) % 360.0 - 180.0)
        assert lon_err < 1e-9
    assert -180.0 < got_lon <= 180.0


@SETTINGS
@given(vector_m)
def test_ecef_geodetic_ecef(ecef):
    assume(np.linalg.norm(ecef) > 1000e3)
    back = geodetic_to_ecef(*ecef_to_geodetic(ecef))
    assert np.linalg.norm(back - np.asarray(ecef)) < MM


@SETTINGS
@given(vector_m, lat_deg, lon_deg, site_alt_m)
def test_enu_round_trip(ecef, site_lat, site_lon, site_alt):
    enu = ecef_to_enu(ecef, site_lat, site_lon, site_alt)
    back = enu_to_ecef(enu, site_lat, site_lon, site_alt)
    assert np.linalg.norm(back - np.asarray(ecef)) < MM
    # A rotation keeps lengths.
    site = geodetic_to_ecef(site_lat, site_lon, site_alt)
    assert abs(np.linalg.norm(enu) - np.linalg.norm(np.asarray(ecef) - site)) < MM


@SETTINGS
@given(st.floats(-720.0, 720.0), st.floats(-90.0, 90.0), st.floats(0.0, 5e7))
def test_aer_round_trip(az, el, rng_m):
    got_az, got_el, got_rng = enu_to_aer(aer_to_enu(az, el, rng_m))
    assert 0.0 <= got_az < 360.0
    assert -90.0 <= got_el <= 90.0
    assert abs(got_rng - rng_m) <= 1e-12 * max(rng_m, 1.0)
    if rng_m > 1e-3:
        assert abs(got_el - el) < 1e-9
        if abs(el) < 89.99:
            assert abs((got_az - az + 180.0) % 360.0 - 180.0) < 1e-9


@SETTINGS
@given(vector_m, lat_deg, lon_deg, site_alt_m)
def test_ecef_aer_ecef(target, site_lat, site_lon, site_alt):
    az, el, rng_m = ecef_to_aer(target, site_lat, site_lon, site_alt)
    back = aer_to_ecef(az, el, rng_m, site_lat, site_lon, site_alt)
    assert np.linalg.norm(back - np.asarray(target)) < MM


@SETTINGS
@given(
    vector_m,
    st.tuples(*[st.floats(-1e4, 1e4)] * 3),
    st.floats(-86400.0, 86400.0),
    st.floats(-7.0, 7.0),
)
def test_eci_ecef_round_trip(r, v, t_s, gmst):
    r_ecef, v_ecef = eci_to_ecef(r, t_s, v, gmst_at_epoch_rad=gmst)
    r_back, v_back = ecef_to_eci(r_ecef, t_s, v_ecef, gmst_at_epoch_rad=gmst)
    assert np.linalg.norm(r_back - np.asarray(r)) < MM
    assert np.linalg.norm(v_back - np.asarray(v)) < 1e-6
    assert abs(np.linalg.norm(r_ecef) - np.linalg.norm(r)) < MM


@settings(max_examples=40, deadline=None)
@given(st.floats(-89.0, 89.0), lon_deg, st.floats(0.0, 360.0), st.floats(1.0, 19_000e3))
def test_geodesic_direct_inverse_round_trip(lat, lon, azi, dist):
    lat2, lon2, _ = geodesic_direct(lat, lon, azi, dist)
    got_dist, _, _ = geodesic_inverse(lat, lon, lat2, lon2)
    assert abs(got_dist - dist) < MM


# --- bad input: a ParameterError naming the parameter, never NaN output ---------------

out_of_range_lat = st.one_of(
    st.floats(90.0, 1e6, exclude_min=True), st.floats(-1e6, -90.0, exclude_max=True)
)


@SETTINGS
@given(out_of_range_lat, lon_deg, alt_m)
def test_latitude_out_of_range_is_rejected(lat, lon, alt):
    with pytest.raises(ParameterError, match="'lat_deg'"):
        geodetic_to_ecef(lat, lon, alt)
    with pytest.raises(ParameterError, match="'site_lat_deg'"):
        ecef_to_enu([7e6, 0.0, 0.0], lat, lon, alt)
    with pytest.raises(ParameterError, match="'lat1_deg'"):
        geodesic_inverse(lat, lon, 0.0, 0.0)


@SETTINGS
@given(bad_number, st.integers(0, 2), lat_deg, lon_deg, alt_m)
def test_non_finite_geodetic_input_is_rejected(bad, which, lat, lon, alt):
    args = [lat, lon, alt]
    args[which] = bad
    name = ("lat_deg", "lon_deg", "alt_m")[which]
    with pytest.raises(ParameterError, match=f"'{name}'"):
        geodetic_to_ecef(*args)


@SETTINGS
@given(bad_number, st.integers(0, 2), vector_m)
def test_non_finite_vectors_are_rejected(bad, which, vec):
    vec = list(vec)
    vec[which] = bad
    with pytest.raises(ParameterError, match="'ecef_m'"):
        ecef_to_geodetic(vec)
    with pytest.raises(ParameterError, match="'enu_m'"):
        enu_to_aer(vec)
    with pytest.raises(ParameterError, match="'r_eci_m'"):
        eci_to_ecef(vec, 0.0)


@SETTINGS
@given(vector_m)
def test_valid_vectors_never_give_nan(ecef):
    out = ecef_to_geodetic(ecef)
    assert all(np.isfinite(o) for o in out)
    assert all(np.isfinite(o) for o in enu_to_aer(ecef))
