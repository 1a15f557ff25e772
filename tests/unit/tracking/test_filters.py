"""Batched EKF / UKF / IMM (openbmd.tracking.filters, .imm, .initiation)."""

import math

import numpy as np
import pytest

from openbmd.errors import ParameterError
from openbmd.geodesy import geodetic_to_ecef
from openbmd.tracking import (
    STATUS_DONE,
    STATUS_SKIPPED_INPUT,
    FilterModel,
    ImmModel,
    ImmState,
    TrackState,
    imm_predict,
    imm_update,
    initial_state_from_measurement,
    innovation,
    mahalanobis,
    measure,
    predict,
    predict_measurement,
    transition,
    update,
)

SITE = np.asarray(geodetic_to_ecef(37.5, 130.0, 20.0))
R4 = np.diag([3.0**2, 2e-4**2, 2e-4**2, 0.5**2])


def _tracks(n=5, model=None, seed=0):
    model = model or FilterModel(ballistic_coefficient_kg_m2=5000.0)
    rng = np.random.default_rng(seed)
    r = np.asarray(
        geodetic_to_ecef(
            rng.uniform(36, 39, n), rng.uniform(127, 132, n), rng.uniform(80e3, 250e3, n)
        )
    )
    v = rng.normal(0.0, 2000.0, (n, 3))
    x = np.concatenate([r, v], axis=1)
    extra = model.state_size - 6
    if extra:
        x = np.concatenate([x, np.full((n, extra), 2e-4)], axis=1)
    p = np.diag([400.0] * 3 + [25.0] * 3 + [1e-8] * extra)
    return TrackState(x, np.broadcast_to(p, (n, *p.shape)), np.full(n, 10.0)), model


def test_ekf_predict_is_f_p_ft_plus_q():
    state, model = _tracks()
    out = predict(state, model, 13.0)
    x_new, f, q = transition(state.x, 3.0, model)
    np.testing.assert_allclose(out.x, x_new, rtol=0, atol=0)
    ref = f @ state.P @ f.transpose(0, 2, 1) + q
    np.testing.assert_allclose(out.P, ref, rtol=1e-12, atol=1e-9)
    assert np.all(out.time_s == 13.0)


def test_ekf_update_is_the_joseph_form_with_analytic_jacobian():
    state, _ = _tracks()
    model = FilterModel(ballistic_coefficient_kg_m2=5000.0, second_order=False)
    truth = state.x + np.array([40.0, -20.0, 10.0, 2.0, -1.0, 0.5])
    z, _ = measure(truth, state.time_s, SITE, model)
    res = update(state, model, z, R4, SITE)
    zp, h = measure(state.x, state.time_s, SITE, model)
    for i in range(state.size):
        s = h[i] @ state.P[i] @ h[i].T + R4
        k = state.P[i] @ h[i].T @ np.linalg.inv(s)
        nu = z[i] - zp[i]
        ikh = np.eye(6) - k @ h[i]
        np.testing.assert_allclose(res.state.x[i], state.x[i] + k @ nu, rtol=1e-12, atol=1e-6)
        np.testing.assert_allclose(
            res.state.P[i], ikh @ state.P[i] @ ikh.T + k @ R4 @ k.T, rtol=1e-9, atol=1e-9
        )
        assert res.nis[i] == pytest.approx(nu @ np.linalg.solve(s, nu), rel=1e-9)
        scale = np.sqrt(np.outer(np.diag(s), np.diag(s)))
        np.testing.assert_allclose(res.S[i] / scale, s / scale, rtol=0, atol=1e-12)
    assert np.all(res.status == STATUS_DONE) and res.skipped == 0
    np.testing.assert_array_equal(res.dof, 4)
    st, _, _, nis = res  # unpacks as four
    assert st is res.state and nis is res.nis


def test_update_uses_the_track_time_for_the_earth_rotation():
    state, model = _tracks(3)
    z, _ = measure(state.x, state.time_s, SITE, model)
    res = update(state, model, z, R4, SITE)
    assert np.max(np.abs(res.innovation[:, :3])) < 0.1, "zero-noise measurement, small innovation"


def test_results_do_not_depend_on_the_batch():
    state, model = _tracks(40, seed=3)
    z, _ = measure(state.x + 5.0, state.time_s, SITE, model)
    whole = update(predict(state, model, 12.0), model, z, R4, SITE)
    for i in (0, 17, 39):
        alone = update(predict(state.take([i]), model, 12.0), model, z[i : i + 1], R4, SITE)
        np.testing.assert_array_equal(alone.state.x[0], whole.state.x[i])
        np.testing.assert_array_equal(alone.state.P[0], whole.state.P[i])


def test_ukf_and_ekf_agree_on_a_near_linear_problem():
    base = dict(gravity="none", drag=False, omega_rad_s=0.0, process_noise_m2_s3=0.1)
    ekf = FilterModel(kind="ekf", second_order=False, **base)
    ukf = FilterModel(kind="ukf", **base)
    state, _ = _tracks(4, ekf, seed=5)
    truth = state.x.copy()
    rng = np.random.default_rng(1)
    est = {"ekf": state, "ukf": state}
    for k in range(1, 30):
        truth[:, :3] += truth[:, 3:]
        z = measure(truth, 10.0 + k, SITE, ekf)[0] + rng.normal(size=(4, 4)) * np.sqrt(np.diag(R4))
        for name, model in (("ekf", ekf), ("ukf", ukf)):
            est[name] = update(predict(est[name], model, 10.0 + k), model, z, R4, SITE).state
    sigma = np.sqrt(np.einsum("nii->ni", est["ekf"].P))
    assert np.max(np.abs(est["ekf"].x - est["ukf"].x) / sigma) < 0.05
    np.testing.assert_allclose(est["ukf"].P, est["ekf"].P, rtol=0.05, atol=1e-9)


def test_azimuth_innovation_wraps_across_north():
    d = innovation([[1000.0, 0.001, 0.1, 0.0]], [[1000.0, 2 * math.pi - 0.001, 0.1, 0.0]])
    assert d[0, 1] == pytest.approx(0.002)
    d = innovation([[1000.0, 2 * math.pi - 0.001, 0.1]], [[1000.0, 0.001, 0.1]])
    assert d[0, 1] == pytest.approx(-0.002)


def test_update_across_north_is_not_thrown_off():
    """A target due north of the radar: measured azimuths on both sides of 0."""
    model = FilterModel(ballistic_coefficient_kg_m2=5000.0)
    r = np.asarray(geodetic_to_ecef(39.5, 130.0, 150e3))
    state = TrackState(
        np.concatenate([r, [0.0, 100.0, 0.0]]), np.diag([1e4] * 3 + [100.0] * 3), 0.0
    )
    z, _ = measure(state.x, 0.0, SITE, model)
    for az in (z[0, 1] - 1e-4, z[0, 1] + 1e-4):
        zz = z.copy()
        zz[0, 1] = az % (2 * math.pi)
        res = update(state, model, zz, R4, SITE)
        assert abs(res.innovation[0, 1]) < 2e-4 and res.nis[0] < 10.0


def test_bad_rows_are_skipped_and_counted_never_nan():
    state, model = _tracks(4)
    z, _ = measure(state.x, state.time_s, SITE, model)
    z[1, 0] = np.nan
    r = np.broadcast_to(R4, (4, 4, 4)).copy()
    r[2, 1, 1] = np.inf
    res = update(state, model, z, r, SITE, valid=[True, True, True, False])
    assert list(res.status) == [STATUS_DONE, STATUS_SKIPPED_INPUT, STATUS_SKIPPED_INPUT,
                                STATUS_SKIPPED_INPUT]  # fmt: skip
    assert res.skipped == 3
    assert np.all(np.isfinite(res.state.x)) and np.all(np.isfinite(res.state.P))
    np.testing.assert_array_equal(res.state.x[1:], state.x[1:])
    assert np.all(np.isnan(res.nis[1:]))


def test_range_rate_use():
    state, model = _tracks(3)
    z, _ = measure(state.x, state.time_s, SITE, model)
    z_nan = z.copy()
    z_nan[0, 3] = np.nan
    auto = update(state, model, z_nan, R4, SITE)
    np.testing.assert_array_equal(auto.dof, [3, 4, 4])
    required = update(state, model, z_nan, R4, SITE, use_range_rate=True)
    assert required.status[0] == STATUS_SKIPPED_INPUT and required.status[1] == STATUS_DONE
    off = update(state, model, z, R4, SITE, use_range_rate=False)
    np.testing.assert_array_equal(off.dof, 3)
    three = update(state, model, z[:, :3], R4[:3, :3], SITE)
    np.testing.assert_array_equal(three.dof, 3)
    np.testing.assert_allclose(three.state.x, off.state.x)
    with pytest.raises(ParameterError, match="use_range_rate"):
        update(state, model, z[:, :3], R4[:3, :3], SITE, use_range_rate=True)


def test_predict_rejects_the_past_unless_asked_to_keep():
    state, model = _tracks(3)
    with pytest.raises(ParameterError, match="to_time_s"):
        predict(state, model, [11.0, 9.0, 12.0])
    kept = predict(state, model, [11.0, 9.0, 12.0], past="keep")
    np.testing.assert_array_equal(kept.time_s, [11.0, 10.0, 12.0])
    np.testing.assert_array_equal(kept.x[1], state.x[1])
    with pytest.raises(ParameterError, match="to_time_s"):
        predict(state, model, np.nan)


def test_track_state_checks_and_helpers():
    with pytest.raises(ParameterError, match="'x'"):
        TrackState(np.full(6, np.nan), np.eye(6), 0.0)
    with pytest.raises(ParameterError, match="'P'"):
        TrackState(np.ones(6), np.eye(5), 0.0)
    with pytest.raises(ParameterError, match="'P'"):
        TrackState(np.ones(6), -np.eye(6), 0.0)
    with pytest.raises(ParameterError, match="time_s"):
        TrackState(np.ones((2, 6)), np.stack([np.eye(6)] * 2), [0.0, 1.0, 2.0])
    state, _ = _tracks(4)
    both = TrackState.concatenate([state.take([0, 1]), state.take(slice(2, 4))])
    np.testing.assert_array_equal(both.x, state.x)
    swapped = state.replace_rows([0], state.take([3]))
    np.testing.assert_array_equal(swapped.x[0], state.x[3])
    assert state.position_sigma_m() == pytest.approx(np.full(4, math.sqrt(1200.0)))
    with pytest.raises(ParameterError, match="state"):
        predict(state, FilterModel(estimate_beta=True), 11.0)


def test_predict_measurement_and_mahalanobis():
    state, model = _tracks(3)
    mp = predict_measurement(state, model, SITE, R4)
    res = update(state, model, mp.z_pred, R4, SITE)
    np.testing.assert_allclose(mp.S, res.S, rtol=1e-12)
    no_r = predict_measurement(state, model, SITE)
    np.testing.assert_allclose(no_r.S + R4, mp.S, rtol=1e-9, atol=1e-12)
    three = predict_measurement(state, model, SITE, use_range_rate=False)
    assert np.all(np.isnan(three.z_pred[:, 3]))
    nu = np.array([[1.0, 2.0, np.nan], [1.0, 2.0, 3.0]])
    s = np.diag([1.0, 4.0, 9.0])
    np.testing.assert_allclose(mahalanobis(nu, s), [2.0, 3.0])


def test_single_detection_start():
    model = FilterModel(estimate_beta=True)
    state, _ = _tracks(1)
    z, _ = measure(state.x[:, :6], 10.0, SITE, FilterModel())
    start = initial_state_from_measurement(z, R4, SITE, 10.0, model, velocity_sigma_m_s=3000.0)
    assert np.linalg.norm(start.x[0, :3] - state.x[0, :3]) < 1e-3, "position = measured point"
    assert start.state_size == 7 and start.x[0, 6] == model.inv_beta_prior_m2_kg
    # the range rate is matched along the line of sight, the velocity is wide across it
    z_pred, _ = measure(start.x, 10.0, SITE, model)
    assert z_pred[0, 3] == pytest.approx(z[0, 3], abs=0.01)
    assert np.sqrt(np.max(np.linalg.eigvalsh(start.P[0, 3:6, 3:6]))) == pytest.approx(
        3000.0, rel=0.01
    )
    with pytest.raises(ParameterError, match="'z'"):
        initial_state_from_measurement(np.empty((0, 4)), R4, SITE, 0.0, model)
    with pytest.raises(ParameterError, match="'z'"):
        initial_state_from_measurement([[np.nan, 0, 0, 0]], R4, SITE, 0.0, model)


def test_two_point_start_recovers_the_velocity():
    model = FilterModel(drag=False)
    state, _ = _tracks(3, FilterModel(drag=False))
    later = predict(state, model, 12.0)
    z1, _ = measure(state.x, 10.0, SITE, model)
    z2, _ = measure(later.x, 12.0, SITE, model)
    start = initial_state_from_measurement(
        z2, R4, SITE, 12.0, model, previous_z=z1, previous_R=R4, previous_time_s=10.0
    )
    err = start.x[:, 3:6] - later.x[:, 3:6]
    assert np.max(np.abs(err)) < 0.05, "noise-free points, gravity-corrected differencing"
    sig = np.sqrt(np.einsum("nii->ni", start.P[:, 3:6, 3:6]))
    assert np.all(sig > 1.0)
    with pytest.raises(ParameterError, match="previous_time_s"):
        initial_state_from_measurement(z2, R4, SITE, 12.0, model, previous_z=z1,
                                       previous_R=R4, previous_time_s=12.0)  # fmt: skip


def test_second_order_terms_keep_a_new_ekf_track_consistent():
    """The first update after a single-detection start (velocity known to 3 km/s, ranges
    80-400 km): the second-order EKF's NEES stays near its dimension (heavy-tailed: the
    closest tracks are very nonlinear), the first-order EKF's is off by orders of
    magnitude (range and range rate with an unknown velocity)."""
    n = 200
    truth, _ = _tracks(n, FilterModel(drag=False), seed=4)
    out = {}
    for second in (True, False):
        model = FilterModel(drag=False, second_order=second, process_noise_m2_s3=0.0)
        gen = np.random.default_rng(9)
        z0 = measure(truth.x, 10.0, SITE, model)[0] + gen.normal(size=(n, 4)) * np.sqrt(np.diag(R4))
        start = initial_state_from_measurement(z0, R4, SITE, 10.0, model, velocity_sigma_m_s=3000.0)
        later = predict(truth, model, 11.0)
        z1 = measure(later.x, 11.0, SITE, model)[0] + gen.normal(size=(n, 4)) * np.sqrt(np.diag(R4))
        est = update(predict(start, model, 11.0), model, z1, R4, SITE).state
        e = est.x - later.x
        out[second] = np.einsum("ni,ni->n", e, np.linalg.solve(est.P, e[..., None])[..., 0])
    assert np.median(out[True]) < 8.0, f"second-order median NEES {np.median(out[True]):.1f}"
    assert np.mean(out[False]) > 50.0 * np.mean(out[True])


def test_imm_switches_from_boost_to_coast():
    """Thrust of 30 m/s^2 along the velocity for 40 s, then coast: the powered mode wins
    first, the ballistic mode after the cut-off."""
    imm = ImmModel.boost_coast(drag=False, boost_process_noise_m2_s3=1.0,
                               coast_process_noise_m2_s3=0.01)  # fmt: skip
    truth_model = FilterModel(drag=False, powered=True)
    r = np.asarray(geodetic_to_ecef(38.0, 128.0, 60e3))
    x = np.concatenate([r, [800.0, 900.0, 1200.0], [30.0]])[None]
    gen = np.random.default_rng(0)
    z0 = measure(x, 0.0, SITE, truth_model)[0]
    start = initial_state_from_measurement(
        z0, R4, SITE, 0.0, imm.models[0], velocity_sigma_m_s=300.0
    )
    state = ImmState.start(start, [0.5, 0.5])
    mu = []
    for k in range(1, 80):
        coast = k > 40
        x = transition(x, 1.0, FilterModel(drag=False, powered=True))[0]
        if coast:
            x[0, 6] = 0.0
        z = measure(x, float(k), SITE, truth_model)[0] + gen.normal(size=4) * np.sqrt(np.diag(R4))
        state = imm_predict(state, imm, float(k))
        res = imm_update(state, imm, z, R4, SITE)
        state = res.state
        mu.append(state.probabilities[0].copy())
        assert np.allclose(state.probabilities.sum(axis=1), 1.0)
    mu = np.array(mu)
    assert np.mean(mu[10:39, 0]) > 0.9, "powered mode during the burn"
    assert np.mean(mu[50:, 1]) > 0.9, "ballistic mode after the cut-off"
    combined = state.combined()
    assert np.linalg.norm(combined.x[0, :3] - x[0, :3]) < 50.0
    *_, nis = res
    assert nis.shape == (1,) and np.isfinite(res.log_likelihood[0])


def test_imm_model_checks():
    with pytest.raises(ParameterError, match="models"):
        ImmModel((FilterModel(),), np.eye(1))
    with pytest.raises(ParameterError, match="models"):
        ImmModel((FilterModel(), FilterModel(estimate_beta=True)), np.eye(2))
    with pytest.raises(ParameterError, match="transition_matrix"):
        ImmModel((FilterModel(), FilterModel()), np.array([[0.5, 0.6], [0.0, 1.0]]))


def test_second_order_terms_use_the_exact_hessians():
    """0.5 tr(Hess_i P) and 0.5 tr(Hess_i P Hess_j P) against Hessians by central
    differences of the analytic measurement Jacobian."""
    from openbmd.tracking import update_kernels as uk
    from openbmd.tracking.models import site_frames

    model = FilterModel()
    x = np.r_[np.asarray(geodetic_to_ecef(38.3, 131.0, 120e3)), 1000.0, -2000.0, 500.0]
    t = 123.0
    a = np.random.default_rng(0).normal(size=(6, 6))
    p = a @ a.T * 100.0
    hess = np.zeros((4, 6, 6))
    for j in range(6):
        h = 1.0 if j < 3 else 0.1
        xp, xm = x.copy(), x.copy()
        xp[j] += h
        xm[j] -= h
        hess[:, :, j] = (measure(xp, t, SITE, model)[1][0] - measure(xm, t, SITE, model)[1][0]) / (
            2 * h
        )
    hp = hess @ p
    bias, var = np.empty(4), np.empty((4, 4))
    frame = site_frames(SITE[None])[0]
    uk.second_order_terms(x, p, t, SITE, frame, model.omega_rad_s, np.empty((4, 6, 6)), bias, var)
    np.testing.assert_allclose(bias, 0.5 * np.einsum("qii->q", hp), rtol=1e-6)
    np.testing.assert_allclose(var, 0.5 * np.einsum("qij,rji->qr", hp, hp), rtol=1e-6, atol=1e-30)


def test_empty_batches_pass_through_and_bad_masks_are_named():
    model = FilterModel()
    empty = TrackState(np.empty((0, 6)), np.empty((0, 6, 6)), np.empty(0))
    assert predict(empty, model, 5.0).size == 0
    res = update(empty, model, np.empty((0, 4)), R4, SITE)
    assert res.state.size == 0 and res.skipped == 0
    state, _ = _tracks(2)
    z, _ = measure(state.x, state.time_s, SITE, model)
    with pytest.raises(ParameterError, match="valid"):
        update(state, model, z, R4, SITE, valid=[True, False, True])
    with pytest.raises(ParameterError, match="use_range_rate"):
        update(state, model, z, R4, SITE, use_range_rate=[1, 0])
    with pytest.raises(ParameterError, match="'z'"):
        update(state, model, z[:, :2], R4, SITE)
    with pytest.raises(ParameterError, match="'R'"):
        update(state, model, z, np.eye(5), SITE)
