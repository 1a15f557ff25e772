"""Dynamics and measurement models of the tracking filters (openbmd.tracking.models)."""

import math

import numpy as np
import pytest

from openbmd.errors import ParameterError
from openbmd.flight.gravity import gravity_accel
from openbmd.flight.propagate import FlightPlan, eci_state_to_ecef, propagate
from openbmd.geodesy import enu_rotation_matrix, geodetic_to_ecef
from openbmd.sensors.los import geometry_point
from openbmd.tracking import FilterModel, acceleration_and_jacobian, measure, transition
from openbmd.tracking.models import process_noise

OMEGA = 7.292115e-5
SITE = np.asarray(geodetic_to_ecef(37.0, 127.0, 50.0))


def _state(alt_m=41_234.5, *, beta=None, thrust=None):
    """A descending state over Korea (altitude off the 50 m atmosphere grid)."""
    r = np.asarray(geodetic_to_ecef(38.0, 128.0, alt_m))
    x = np.concatenate([r, [1500.0, -2000.0, -1500.0]])
    if beta is not None:
        x = np.append(x, 1.0 / beta)
    if thrust is not None:
        x = np.append(x, thrust)
    return x


MODELS = {
    "j2": (FilterModel(drag=False), {}),
    "point": (FilterModel(gravity="point", drag=False), {}),
    "drag-fixed-beta": (FilterModel(ballistic_coefficient_kg_m2=3000.0), {}),
    "drag-beta-state": (FilterModel(estimate_beta=True), {"beta": 3000.0}),
    "powered": (FilterModel(estimate_beta=True, powered=True), {"beta": 3000.0, "thrust": 25.0}),
    "coast-with-thrust-state": (
        FilterModel(thrust_state=True, ballistic_coefficient_kg_m2=3000.0),
        {"thrust": 25.0},
    ),
}


@pytest.mark.parametrize("name", list(MODELS))
def test_acceleration_jacobian_matches_finite_differences(name):
    model, kw = MODELS[name]
    x = _state(**kw)
    _, jac = acceleration_and_jacobian(x, model)
    h = np.full(x.size, 1e-2)
    h[3:6] = 1e-3
    if model.beta_index >= 0:
        h[model.beta_index] = 1e-8
    if model.thrust_index >= 0:
        h[model.thrust_index] = 1e-3
    fd = np.empty_like(jac[0])
    for j in range(x.size):
        xp, xm = x.copy(), x.copy()
        xp[j] += h[j]
        xm[j] -= h[j]
        fd[:, j] = (
            acceleration_and_jacobian(xp, model)[0][0] - acceleration_and_jacobian(xm, model)[0][0]
        ) / (2 * h[j])
    scale = np.abs(fd).max(axis=0) + 1e-12
    assert np.all(np.abs(jac[0] - fd) <= 1e-5 * scale + 1e-12), (
        f"{name}: analytic Jacobian differs from central differences: {jac[0] - fd}"
    )


@pytest.mark.parametrize("name", list(MODELS))
def test_transition_jacobian_is_that_of_the_rk4_map(name):
    model, kw = MODELS[name]
    x = _state(**kw)
    _, f, _ = transition(x, 2.5, model)
    h = np.full(x.size, 1e-1)
    h[3:6] = 1e-2
    if model.beta_index >= 0:
        h[model.beta_index] = 1e-8
    if model.thrust_index >= 0:
        h[model.thrust_index] = 1e-2
    fd = np.empty_like(f[0])
    for j in range(x.size):
        xp, xm = x.copy(), x.copy()
        xp[j] += h[j]
        xm[j] -= h[j]
        fd[:, j] = (transition(xp, 2.5, model)[0][0] - transition(xm, 2.5, model)[0][0]) / (
            2 * h[j]
        )
    # rounding of 7e6 m positions (~1e-9 m) over 2 h steps bounds the differences' accuracy
    bound = 1e-6 * np.abs(fd).max(axis=0) + 2e-7
    worst = np.max(np.abs(f[0] - fd) / bound)
    assert worst <= 1.0, f"{name}: STM vs finite differences, {worst:.2f} x the bound"


def test_gravity_matches_the_flight_module():
    x = np.stack([_state(200e3), _state(5e6)])
    for model, j2 in (
        (FilterModel(drag=False), True),
        (FilterModel(gravity="point", drag=False), False),
    ):
        acc, _ = acceleration_and_jacobian(x, model)
        ref = gravity_accel(x[:, :3], j2=1.082629821313e-3 if j2 else 0.0)
        np.testing.assert_allclose(acc, ref, rtol=1e-14, atol=1e-14)


def test_transition_reproduces_the_flight_propagator_with_drag():
    """12 s of re-entry from 60 km down to ~25 km, beta 3000 kg/m^2: RK4 (0.25 s) against
    the adaptive Dormand-Prince propagator at tight tolerances."""
    x = _state(60e3)
    model = FilterModel(ballistic_coefficient_kg_m2=3000.0, max_step_s=0.25)
    plan = FlightPlan.coast(x[:3], x[3:], ballistic_coefficient_kg_m2=3000.0, max_time_s=12.0)
    run = propagate(plan, rtol=1e-11, atol_m=1e-6, atol_m_s=1e-9)
    assert run.status[0] == 1, "the reference must stop on its time limit, not at impact"
    ours = transition(x, 12.0, model)[0][0]
    assert np.linalg.norm(ours[:3] - run.end_state_eci[0, :3]) < 0.01, "position off by > 1 cm"
    assert np.linalg.norm(ours[3:] - run.end_state_eci[0, 3:]) < 1e-3, "velocity off by > 1 mm/s"


def test_backward_transition_inverts_forward_in_vacuum():
    x = _state(300e3)
    model = FilterModel(drag=False)
    fwd = transition(x, 20.0, model)[0]
    back, f_back, _ = transition(fwd, -20.0, model)
    assert np.linalg.norm(back[0, :3] - x[:3]) < 1e-3
    _, f_fwd, _ = transition(x, 20.0, model)
    np.testing.assert_allclose(f_back[0] @ f_fwd[0], np.eye(6), atol=1e-6)


def test_ballistic_mode_resets_the_thrust_state():
    model = FilterModel(thrust_state=True)
    x_new, f, q = transition(_state(thrust=30.0), 1.0, model)
    assert x_new[0, 6] == 0.0 and np.all(f[0, 6] == 0.0)
    assert q[0, 6, 6] == pytest.approx(model.thrust_process_noise_m2_s5)


def test_powered_mode_accelerates_along_the_air_relative_velocity():
    base = FilterModel(drag=False, thrust_state=True)
    powered = FilterModel(drag=False, powered=True)
    x = _state(300e3, thrust=20.0)
    a0, _ = acceleration_and_jacobian(x, base)
    a1, _ = acceleration_and_jacobian(x, powered)
    w = x[3:6] - np.cross([0, 0, OMEGA], x[:3])
    np.testing.assert_allclose(a1[0] - a0[0], 20.0 * w / np.linalg.norm(w), rtol=1e-12)


def test_process_noise_is_the_continuous_white_noise_acceleration_model():
    model = FilterModel(
        estimate_beta=True, process_noise_m2_s3=2.0, beta_process_noise_m4_kg2_s=1e-9
    )
    q = process_noise(_state(beta=5000.0), 3.0, model)[0]
    dt, qa = 3.0, 2.0
    for i in range(3):
        assert q[i, i] == pytest.approx(qa * dt**3 / 3)
        assert q[i, 3 + i] == pytest.approx(qa * dt**2 / 2)
        assert q[3 + i, 3 + i] == pytest.approx(qa * dt)
    assert q[6, 6] == pytest.approx(1e-9 * dt)
    powered = FilterModel(powered=True, thrust_process_noise_m2_s5=4.0)
    qp = process_noise(_state(thrust=10.0), 2.0, powered)[0]
    np.testing.assert_allclose(qp, qp.T)
    assert np.all(np.linalg.eigvalsh(qp) > -1e-9)


def test_measurement_matches_the_sensor_geometry_at_the_epoch_and_later():
    model = FilterModel()
    x = _state(200e3)
    rot = np.ascontiguousarray(enu_rotation_matrix(37.0, 127.0))
    for t in (0.0, 1234.5):
        # the same ECEF point seen at time t: its ECI coordinates rotate with the Earth
        r_ecef, v_ecef = x[:3], x[3:]
        th = OMEGA * t
        c, s = math.cos(th), math.sin(th)
        rz_t = np.array([[c, -s, 0], [s, c, 0], [0, 0, 1.0]])  # ECEF -> ECI
        r_eci = rz_t @ r_ecef
        v_eci = rz_t @ (v_ecef + np.cross([0, 0, OMEGA], r_ecef))
        z, _ = measure(np.concatenate([r_eci, v_eci]), t, SITE, model)
        rng, az, el, *_ = geometry_point(*r_ecef, SITE, rot)
        los = (r_ecef - SITE) / rng
        np.testing.assert_allclose(z[0, :3], [rng, az, el], rtol=1e-12, atol=1e-9)
        assert z[0, 3] == pytest.approx(los @ v_ecef, abs=1e-8), "range rate relative to the site"
        assert eci_state_to_ecef(np.concatenate([r_eci, v_eci]), t, OMEGA)[0] == pytest.approx(
            r_ecef, abs=1e-6
        )


def test_measurement_jacobian_matches_finite_differences():
    model = FilterModel(estimate_beta=True)
    x = _state(200e3, beta=4000.0)
    _, h = measure(x, 321.0, SITE, model)
    fd = np.zeros((4, 7))
    for j in range(6):
        step = 0.1 if j < 3 else 0.01
        xp, xm = x.copy(), x.copy()
        xp[j] += step
        xm[j] -= step
        fd[:, j] = (
            measure(xp, 321.0, SITE, model)[0][0] - measure(xm, 321.0, SITE, model)[0][0]
        ) / (2 * step)
    np.testing.assert_allclose(h[0], fd, rtol=1e-7, atol=1e-12)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("kind", "kalman"),
        ("process_noise_m2_s3", -1.0),
        ("max_step_s", 0.0),
        ("ballistic_coefficient_kg_m2", 0.0),
        ("gravity", "j4"),
        ("omega_rad_s", math.nan),
    ],
)
def test_filter_model_rejects_bad_settings(field, value):
    with pytest.raises(ParameterError, match=field):
        FilterModel(**{field: value})


def test_state_layout():
    assert FilterModel().state_size == 6
    m = FilterModel(estimate_beta=True, powered=True)
    assert (m.state_size, m.beta_index, m.thrust_index) == (8, 6, 7)
    assert FilterModel(thrust_state=True).thrust_index == 6


def test_wrappers_check_their_input():
    model = FilterModel()
    with pytest.raises(ParameterError, match="x"):
        transition(np.zeros((2, 7)), 1.0, model)
    with pytest.raises(ParameterError, match="x"):
        transition([[np.nan] * 6], 1.0, model)
    with pytest.raises(ParameterError, match="dt_s"):
        transition(np.ones((2, 6)), [1.0, 2.0, 3.0], model)
    with pytest.raises(ParameterError, match="site_ecef_m"):
        measure(_state(), 0.0, [0.0, 0.0, 0.0], model)
