"""Gravity with the J2 zonal harmonic (openbmd.flight.gravity).

The reference is the potential itself,

    U = mu / r * [1 - J2 (a / r)^2 (3 sin^2(phi_c) - 1) / 2],

differentiated by central finite differences in this file, so a sign or factor error in
either the compiled kernel or the vectorised wrapper shows up as a difference in m/s^2.
"""

import math

import numpy as np
import pytest

from openbmd.constants import WGS84_A_M, WGS84_B_M, WGS84_GM_M3_S2, WGS84_J2
from openbmd.errors import ParameterError
from openbmd.flight.gravity import gravity_accel, gravity_point

MU, J2, A = WGS84_GM_M3_S2, WGS84_J2, WGS84_A_M

# Points from below the surface to GEO, equator, mid latitudes and near the poles, m.
POINTS = np.array(
    [
        [A, 0.0, 0.0],
        [0.0, 0.0, WGS84_B_M],
        [0.0, 0.0, -WGS84_B_M - 500e3],
        [4.0e6, -3.0e6, 3.5e6],
        [-1.2e6, 5.9e6, -2.4e6],
        [6.0e6, 1.0e3, -6.0e6],
        [3.0e7, -2.5e7, 1.0e6],
        [1.0, 2.0, 6.4e6],
    ]
)


def _potential(r, j2=J2):
    """Gravitational potential (m^2/s^2, positive convention: a = +grad U)."""
    rn = np.linalg.norm(r)
    sin_phi = r[2] / rn
    return MU / rn * (1.0 - j2 * (A / rn) ** 2 * (3.0 * sin_phi**2 - 1.0) / 2.0)


def _fd_gradient(r, j2=J2, step_m=20.0):
    grad = np.empty(3)
    for k in range(3):
        dr = np.zeros(3)
        dr[k] = step_m
        grad[k] = (_potential(r + dr, j2) - _potential(r - dr, j2)) / (2.0 * step_m)
    return grad


@pytest.mark.parametrize("j2", [0.0, J2])
def test_kernel_equals_vectorised_wrapper(j2):
    batch = gravity_accel(POINTS, j2=j2)
    for r, g in zip(POINTS, batch, strict=True):
        one = np.array(gravity_point(r[0], r[1], r[2], MU, j2, A))
        np.testing.assert_allclose(
            one,
            g,
            rtol=1e-14,
            atol=1e-18,
            err_msg="the compiled kernel and the wrapper implement the same formula; they "
            "may differ by rounding only",
        )


def test_wrapper_keeps_leading_shape():
    r = np.broadcast_to(POINTS[3], (2, 4, 3))
    g = gravity_accel(r)
    assert g.shape == (2, 4, 3)
    np.testing.assert_array_equal(g[1, 2], gravity_accel(POINTS[3]))


def test_central_term_at_the_equator():
    """mu / a^2 = 3.986004418e14 / 6378137^2 = 9.798285 m/s^2 on the equator (point mass)."""
    g = gravity_accel(np.array([A, 0.0, 0.0]), j2=0.0)
    expected = MU / A**2
    assert expected == pytest.approx(9.798285, abs=1e-6)
    assert -g[0] == pytest.approx(expected, abs=1e-12), "point-mass gravity is mu / r^2"
    assert g[1] == 0.0 and g[2] == 0.0


def test_j2_on_the_equator_and_at_the_pole():
    """J2 strengthens gravity on the equator by (1 + 1.5 J2) and weakens it on the polar
    axis by (1 - 3 J2 (a/r)^2): closed forms of the gradient on the two axes."""
    g_eq = gravity_accel(np.array([A, 0.0, 0.0]))
    assert -g_eq[0] == pytest.approx(MU / A**2 * (1.0 + 1.5 * J2), abs=1e-12)
    b = WGS84_B_M
    g_pole = gravity_accel(np.array([0.0, 0.0, b]))
    assert -g_pole[2] == pytest.approx(MU / b**2 * (1.0 - 3.0 * J2 * (A / b) ** 2), abs=1e-12)
    assert g_pole[0] == 0.0 and g_pole[1] == 0.0


@pytest.mark.parametrize("r", POINTS[:-1], ids=[f"p{i}" for i in range(len(POINTS) - 1)])
def test_acceleration_is_the_gradient_of_the_potential(r):
    """Central differences with a 20 m step are exact to ~1e-10 m/s^2 here (truncation
    ~ step^2 * |d3U| ~ 1e-11, rounding ~ eps * U / step ~ 3e-10)."""
    g = gravity_accel(r)
    np.testing.assert_allclose(
        g, _fd_gradient(r), rtol=0, atol=2e-9, err_msg="a = grad U with U the J2 potential"
    )
    # the J2 part alone (~1e-2 m/s^2 near the Earth) to the same absolute accuracy
    j2_part = g - gravity_accel(r, j2=0.0)
    fd_j2 = _fd_gradient(r) - _fd_gradient(r, j2=0.0)
    np.testing.assert_allclose(
        j2_part, fd_j2, rtol=0, atol=2e-9, err_msg="J2 term = grad of the J2 potential"
    )


def test_symmetries():
    """Axisymmetric about z and symmetric about the equator plane."""
    r = POINTS[3]
    g = gravity_accel(r)
    mirrored = gravity_accel(r * np.array([1.0, 1.0, -1.0]))
    np.testing.assert_allclose(mirrored, g * np.array([1.0, 1.0, -1.0]), rtol=1e-15, atol=0)
    for angle in (0.3, 2.0, -1.1):
        c, s = math.cos(angle), math.sin(angle)
        rot = np.array([[c, -s, 0.0], [s, c, 0.0], [0.0, 0.0, 1.0]])
        np.testing.assert_allclose(
            gravity_accel(rot @ r), rot @ g, rtol=0, atol=1e-14, err_msg="rotation about z"
        )
    # radial and toward the centre on the axes
    for axis in np.eye(3):
        ga = gravity_accel(7.0e6 * axis)
        assert np.dot(ga, axis) < 0.0
        np.testing.assert_allclose(ga - np.dot(ga, axis) * axis, 0.0, atol=1e-15)


def test_inverse_square_far_away():
    """At 100 Earth radii the J2 term is (a/r)^2 J2 ~ 1e-7 of the central term."""
    r = np.array([0.0, 100.0 * A, 0.0])
    assert -gravity_accel(r)[1] == pytest.approx(MU / (100.0 * A) ** 2, rel=2e-7)


@pytest.mark.parametrize(
    "bad",
    [[np.nan, 0.0, 7.0e6], [np.inf, 0.0, 0.0], [0.0, 0.0, 0.0], [7.0e6, 0.0], np.zeros((2, 4))],
    ids=["nan", "inf", "origin", "two-components", "wrong-last-axis"],
)
def test_bad_positions_raise_parameter_error_naming_r_m(bad):
    with pytest.raises(ParameterError) as err:
        gravity_accel(np.asarray(bad, dtype=float))
    assert err.value.name == "r_m"
