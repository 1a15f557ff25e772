"""ECI <-> ECEF: rotation about z at the WGS 84 rate from the scenario epoch."""

import numpy as np
import pytest

from openbmd.constants import WGS84_A_M, WGS84_OMEGA_RAD_S
from openbmd.errors import ParameterError
from openbmd.geodesy import (
    earth_rotation_angle_rad,
    ecef_to_eci,
    eci_to_ecef,
    eci_to_ecef_matrix,
)

OMEGA = WGS84_OMEGA_RAD_S


def test_frames_coincide_at_epoch():
    r = np.array([7e6, -1e6, 3e6])
    np.testing.assert_array_equal(eci_to_ecef(r, 0.0), r)
    np.testing.assert_array_equal(ecef_to_eci(r, 0.0), r)


@pytest.mark.parametrize("t_s", [1.0, 600.0, 3600.0, -1800.0, 86164.0989])
def test_position_is_rotated_by_omega_t(t_s):
    theta = OMEGA * t_s
    r_ecef = eci_to_ecef([1e7, 0.0, 5e6], t_s)
    expected = [1e7 * np.cos(theta), -1e7 * np.sin(theta), 5e6]
    np.testing.assert_allclose(r_ecef, expected, rtol=0, atol=1e-8)
    assert earth_rotation_angle_rad(t_s) == pytest.approx(np.mod(theta, 2 * np.pi), abs=1e-15)
    rot = eci_to_ecef_matrix(t_s)
    np.testing.assert_allclose(rot @ np.array([1e7, 0.0, 5e6]), expected, rtol=0, atol=1e-8)


def test_gmst_offset_is_a_time_shift():
    r = np.array([6.5e6, 2e6, -1e6])
    gmst = 1.234
    np.testing.assert_allclose(
        eci_to_ecef(r, 100.0, gmst_at_epoch_rad=gmst),
        eci_to_ecef(r, 100.0 + gmst / OMEGA),
        atol=1e-8,
    )
    assert earth_rotation_angle_rad(0.0, gmst_at_epoch_rad=gmst) == pytest.approx(gmst)


def test_point_at_rest_on_earth_moves_east_in_eci():
    r_ecef = np.array([WGS84_A_M, 0.0, 0.0])
    r_eci, v_eci = ecef_to_eci(r_ecef, 0.0, np.zeros(3))
    np.testing.assert_allclose(v_eci, [0.0, OMEGA * WGS84_A_M, 0.0], atol=1e-12)
    assert np.linalg.norm(v_eci) == pytest.approx(465.10, abs=0.01)
    _, v_back = eci_to_ecef(r_eci, 0.0, v_eci)
    np.testing.assert_allclose(v_back, 0.0, atol=1e-12)


def test_velocity_matches_finite_difference_of_positions():
    rng = np.random.default_rng(4)
    r0 = rng.normal(size=(50, 3)) * 7e6
    v0 = rng.normal(size=(50, 3)) * 5e3
    t = rng.uniform(-3600, 3600, 50)
    h = 1e-2

    def r_ecef_at(dt):
        return eci_to_ecef(r0 + v0 * (t + dt)[:, None], t + dt)

    r_eci = r0 + v0 * t[:, None]
    _, v_ecef = eci_to_ecef(r_eci, t, v0)
    fd = (r_ecef_at(h) - r_ecef_at(-h)) / (2 * h)
    err = np.abs(v_ecef - fd).max()
    assert err < 1e-5, f"ECEF velocity differs from d/dt of ECEF position by {err:.2e} m/s"


def test_round_trips_positions_and_velocities():
    rng = np.random.default_rng(2)
    r = rng.normal(size=(200, 3)) * 1e7
    v = rng.normal(size=(200, 3)) * 7e3
    t = rng.uniform(-7200, 7200, 200)
    r_ecef, v_ecef = eci_to_ecef(r, t, v, gmst_at_epoch_rad=0.7)
    r_back, v_back = ecef_to_eci(r_ecef, t, v_ecef, gmst_at_epoch_rad=0.7)
    assert np.abs(r_back - r).max() < 1e-6
    assert np.abs(v_back - v).max() < 1e-9


def test_broadcasting_over_time_and_vectors():
    t = np.linspace(0, 3600, 7)
    assert eci_to_ecef([7e6, 0, 0], t).shape == (7, 3)
    r, v = eci_to_ecef([7e6, 0, 0], t, [0, 7.5e3, 0])
    assert r.shape == v.shape == (7, 3)
    r, v = ecef_to_eci(np.ones((2, 1, 3)), np.zeros(5), np.zeros(3))
    assert r.shape == v.shape == (2, 5, 3)
    assert eci_to_ecef_matrix(t).shape == (7, 3, 3)


@pytest.mark.parametrize(
    ("call", "name"),
    [
        (lambda: eci_to_ecef([1.0, 2.0, 3.0], np.nan), "t_s"),
        (lambda: eci_to_ecef([1.0, 2.0], 0.0), "r_eci_m"),
        (lambda: eci_to_ecef([1.0, 2.0, 3.0], 0.0, [np.inf, 0.0, 0.0]), "v_eci_m_s"),
        (lambda: ecef_to_eci([1.0, np.nan, 3.0], 0.0), "r_ecef_m"),
        (lambda: ecef_to_eci([1.0, 2.0, 3.0], 0.0, [1.0, 2.0]), "v_ecef_m_s"),
        (lambda: ecef_to_eci([1.0, 2.0, 3.0], 0.0, gmst_at_epoch_rad=np.inf), "gmst_at_epoch_rad"),
        (lambda: earth_rotation_angle_rad(np.inf), "t_s"),
    ],
)
def test_bad_input_names_the_parameter(call, name):
    with pytest.raises(ParameterError, match=f"'{name}'"):
        call()
