"""ECEF <-> ENU at a site, and azimuth/elevation/range, against PROJ and by geometry."""

import numpy as np
import pytest
from pyproj import Transformer

from openbmd.constants import WGS84_A_M
from openbmd.errors import ParameterError
from openbmd.geodesy import (
    aer_to_ecef,
    aer_to_enu,
    ecef_to_aer,
    ecef_to_enu,
    ecef_vector_to_enu,
    enu_rotation_matrix,
    enu_to_aer,
    enu_to_ecef,
    enu_vector_to_ecef,
    geodetic_to_ecef,
)

MM = 1e-3


def _proj_enu(site, target_ecef):
    lat0, lon0, h0 = site
    pipeline = (
        "+proj=pipeline +step +proj=topocentric +ellps=WGS84 "
        f"+lat_0={lat0!r} +lon_0={lon0!r} +h_0={h0!r}"
    )
    tr = Transformer.from_pipeline(pipeline)
    return np.stack(tr.transform(*target_ecef.T), axis=-1)


def test_enu_matches_proj_topocentric():
    rng = np.random.default_rng(5)
    sites = [(89.95, 10.0, 0.0), (-89.99, -170.0, 100.0), (0.0, 180.0, -5e3)]
    sites += [
        (float(np.degrees(np.arcsin(u))), float(lon), float(h))
        for u, lon, h in zip(
            rng.uniform(-1, 1, 17),
            rng.uniform(-180, 180, 17),
            rng.uniform(-100, 3e3, 17),
            strict=True,
        )
    ]
    n_checked = 0
    for site in sites:
        lat = rng.uniform(-90, 90, 60)
        lon = rng.uniform(-180, 180, 60)
        alt = rng.uniform(-5e3, 3000e3, 60)
        target = geodetic_to_ecef(lat, lon, alt)
        ours = ecef_to_enu(target, *site)
        ref = _proj_enu(site, target)
        err = np.linalg.norm(ours - ref, axis=-1).max()
        assert err < MM, f"ENU from site {site} differs from PROJ by {err:.3e} m"
        n_checked += lat.size
    assert n_checked >= 1000


def test_enu_round_trip_and_site_broadcasting():
    rng = np.random.default_rng(6)
    site_lat = rng.uniform(-90, 90, (4, 1))
    site_lon = rng.uniform(-180, 180, (4, 1))
    target = geodetic_to_ecef(rng.uniform(-90, 90, 5), rng.uniform(-180, 180, 5), 1e5)
    enu = ecef_to_enu(target, site_lat, site_lon, 10.0)
    assert enu.shape == (4, 5, 3)
    back = enu_to_ecef(enu, site_lat, site_lon, 10.0)
    assert np.abs(back - target).max() < 1e-6


def test_rotation_matrix_is_orthonormal_and_consistent():
    rng = np.random.default_rng(8)
    lat, lon = rng.uniform(-90, 90, 50), rng.uniform(-180, 180, 50)
    rot = enu_rotation_matrix(lat, lon)
    assert rot.shape == (50, 3, 3)
    np.testing.assert_allclose(
        rot @ np.swapaxes(rot, -1, -2), np.broadcast_to(np.eye(3), rot.shape), atol=1e-15
    )
    np.testing.assert_allclose(np.linalg.det(rot), 1.0, atol=1e-15)
    vec = rng.normal(size=(50, 3)) * 7e3
    np.testing.assert_allclose(
        ecef_vector_to_enu(vec, lat, lon), (rot @ vec[..., None])[..., 0], atol=1e-9
    )
    np.testing.assert_allclose(
        enu_vector_to_ecef(ecef_vector_to_enu(vec, lat, lon), lat, lon), vec, atol=1e-9
    )


def test_vector_rotation_has_no_translation():
    v = ecef_vector_to_enu([0.0, 0.0, 1.0], 90.0, 0.0)
    np.testing.assert_allclose(v, [0.0, 0.0, 1.0], atol=1e-15)
    v = ecef_vector_to_enu([0.0, 1.0, 0.0], 0.0, 0.0)
    np.testing.assert_allclose(v, [1.0, 0.0, 0.0], atol=1e-15)


@pytest.mark.parametrize(
    ("enu", "az", "el", "rng_m"),
    [
        ([0.0, 1000.0, 0.0], 0.0, 0.0, 1000.0),
        ([1000.0, 0.0, 0.0], 90.0, 0.0, 1000.0),
        ([0.0, -1000.0, 0.0], 180.0, 0.0, 1000.0),
        ([-1000.0, 0.0, 0.0], 270.0, 0.0, 1000.0),
        ([-1.0, -1.0, 0.0], 225.0, 0.0, np.sqrt(2.0)),
        ([0.0, 0.0, 5.0], 0.0, 90.0, 5.0),
        ([0.0, 0.0, -5.0], 0.0, -90.0, 5.0),
        ([3.0, 4.0, 5.0], np.degrees(np.arctan2(3, 4)), 45.0, np.sqrt(50.0)),
        ([-1e-20, 1.0, 0.0], 0.0, 0.0, 1.0),
        ([0.0, 0.0, 0.0], 0.0, 0.0, 0.0),
    ],
)
def test_aer_analytic_cases(enu, az, el, rng_m):
    got_az, got_el, got_rng = enu_to_aer(enu)
    assert 0.0 <= got_az < 360.0
    assert got_az == pytest.approx(az, abs=1e-12)
    assert got_el == pytest.approx(el, abs=1e-12)
    assert got_rng == pytest.approx(rng_m, rel=1e-15)


def test_aer_of_geometric_targets():
    # A point 1000 m straight up from a site is at the zenith.
    site = (37.0, -122.0, 50.0)
    az, el, rng_m = ecef_to_aer(geodetic_to_ecef(37.0, -122.0, 1050.0), *site)
    assert el == pytest.approx(90.0, abs=1e-9)
    assert rng_m == pytest.approx(1000.0, abs=1e-9)
    # From (lat 0, lon 0), the ECEF point (a, 0, 1000) is due north on the horizon.
    az, el, rng_m = ecef_to_aer([WGS84_A_M, 0.0, 1000.0], 0.0, 0.0)
    assert (az, el, rng_m) == (0.0, 0.0, 1000.0)
    # A target beyond the horizon has negative elevation.
    _, el, _ = ecef_to_aer(geodetic_to_ecef(0.0, 30.0, 0.0), 0.0, 0.0)
    assert el == pytest.approx(-15.0, abs=0.1)


def test_aer_round_trips():
    rng = np.random.default_rng(9)
    az = rng.uniform(0, 360, 1000)
    el = rng.uniform(-90, 90, 1000)
    r = rng.uniform(0, 5e6, 1000)
    got = enu_to_aer(aer_to_enu(az, el, r))
    np.testing.assert_allclose(got[1], el, atol=1e-9)
    np.testing.assert_allclose(got[2], r, rtol=1e-12)
    daz = (got[0] - az + 180.0) % 360.0 - 180.0
    assert np.abs(daz[np.abs(el) < 89.999]).max() < 1e-9
    ecef = aer_to_ecef(az, el, r, 10.0, 20.0, 30.0)
    back = ecef_to_aer(ecef, 10.0, 20.0, 30.0)
    np.testing.assert_allclose(back[2], r, atol=1e-6)


@pytest.mark.parametrize(
    ("call", "name"),
    [
        (lambda: ecef_to_enu([1.0, 2.0, 3.0], 91.0, 0.0), "site_lat_deg"),
        (lambda: ecef_to_enu([1.0, 2.0, 3.0], 0.0, np.nan), "site_lon_deg"),
        (lambda: ecef_to_enu([1.0, 2.0, 3.0], 0.0, 0.0, np.inf), "site_alt_m"),
        (lambda: ecef_to_enu([1.0, 2.0], 0.0, 0.0), "ecef_m"),
        (lambda: enu_to_ecef([np.nan, 2.0, 3.0], 0.0, 0.0), "enu_m"),
        (lambda: enu_to_aer([1.0, 2.0, np.inf]), "enu_m"),
        (lambda: aer_to_enu(0.0, 90.1, 1.0), "el_deg"),
        (lambda: aer_to_enu(np.nan, 0.0, 1.0), "az_deg"),
        (lambda: aer_to_enu(0.0, 0.0, -1.0), "range_m"),
        (lambda: ecef_to_aer([0.0, 0.0], 0.0, 0.0), "target_ecef_m"),
        (lambda: ecef_vector_to_enu([0.0, 0.0, np.nan], 0.0, 0.0), "vector_ecef"),
        (lambda: enu_rotation_matrix(-95.0, 0.0), "site_lat_deg"),
    ],
)
def test_bad_input_names_the_parameter(call, name):
    with pytest.raises(ParameterError, match=f"'{name}'"):
        call()
