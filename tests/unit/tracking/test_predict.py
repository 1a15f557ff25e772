"""Impact and launch-point predictions, future states (openbmd.tracking.predict)."""

import numpy as np
import pytest

from openbmd.errors import ParameterError
from openbmd.flight.propagate import EarthModel, FlightPlan, ecef_state_to_eci, propagate
from openbmd.geodesy import ecef_to_geodetic, enu_vector_to_ecef, geodesic_inverse, geodetic_to_ecef
from openbmd.tracking import FilterModel, TrackState, predict
from openbmd.tracking.predict import estimate_launch, predict_impact, predict_states

OMEGA = 7.292115e-5


def _arc(t_launch=100.0, beta=np.inf):
    """A ballistic arc from (39 N, 125.7 E) at launch_time + 0: 3 km/s, 40 deg, heading
    100 deg. Returns the propagation (sampled) and its launch point."""
    lat, lon = 39.0, 125.7
    r0 = np.asarray(geodetic_to_ecef(lat, lon, 0.0))
    g, h = np.radians(40.0), np.radians(100.0)
    v_enu = 3000.0 * np.array([np.cos(g) * np.sin(h), np.cos(g) * np.cos(h), np.sin(g)])
    v0 = np.asarray(enu_vector_to_ecef(v_enu, lat, lon))
    s0 = ecef_state_to_eci(r0, v0, t_launch, OMEGA)
    plan = FlightPlan.coast(s0[:3], s0[3:], ballistic_coefficient_kg_m2=beta,
                            launch_time_s=t_launch)  # fmt: skip
    run = propagate(plan, rtol=1e-10, atol_m=1e-4, atol_m_s=1e-7, sample_step_s=1.0)
    return run, (lat, lon)


def _state_at(run, k, sigma_m=1.0, sigma_m_s=0.01, model=None):
    """The arc's state after k samples (ECI) as a one-track TrackState."""
    t, r, v = run.samples.of(0)
    x = ecef_state_to_eci(r[k], v[k], t[k], OMEGA)
    if model is not None and model.estimate_beta:
        x = np.append(x, 0.0)
    n = x.size
    p = np.diag([sigma_m**2] * 3 + [sigma_m_s**2] * 3 + [1e-12] * (n - 6))
    return TrackState(x, p, t[k])


def test_impact_of_a_near_certain_state_is_the_propagated_impact():
    run, _ = _arc()
    model = FilterModel(drag=False)
    pred = predict_impact(_state_at(run, 120), model)
    r_end, _ = run.end_state_ecef()
    lat, lon, _ = ecef_to_geodetic(r_end[0])
    dist, _, _ = geodesic_inverse(pred.lat_deg[0], pred.lon_deg[0], lat, lon)
    assert dist < 1.0, f"impact point {dist:.2f} m from the propagated one"
    assert pred.time_s[0] == pytest.approx(run.end_time_s[0], abs=1e-2)
    assert pred.valid[0] and pred.semi_major_m[0] < 200.0
    assert pred.time_to_go_s(run.samples.of(0)[0][120])[0] == pytest.approx(
        run.end_time_s[0] - run.samples.of(0)[0][120], abs=1e-2
    )


def test_impact_ellipse_matches_monte_carlo():
    """1-sigma 30 m / 0.3 m/s: the unscented ellipse against 2,000 propagated samples."""
    run, _ = _arc()
    model = FilterModel(drag=False)
    state = _state_at(run, 100, sigma_m=30.0, sigma_m_s=0.3)
    pred = predict_impact(state, model, probability=0.95)
    rng = np.random.default_rng(0)
    draws = rng.multivariate_normal(state.x[0], state.P[0], size=2000)
    plan = FlightPlan.coast(draws[:, :3], draws[:, 3:6], launch_time_s=state.time_s[0])
    mc = propagate(plan, EarthModel.wgs84(drag=False))
    r_end, _ = mc.end_state_ecef()
    mean = r_end.mean(axis=0)
    lat, lon, _ = ecef_to_geodetic(mean)
    lat, lon = np.radians(lat), np.radians(lon)
    east = np.array([-np.sin(lon), np.cos(lon), 0.0])
    north = np.array([-np.sin(lat) * np.cos(lon), -np.sin(lat) * np.sin(lon), np.cos(lat)])
    en = np.stack([(r_end - mean) @ east, (r_end - mean) @ north], axis=1)
    cov = np.cov(en.T)
    np.testing.assert_allclose(pred.covariance_en_m2[0], cov, rtol=0.1, atol=0.05 * cov.max())
    vals = np.linalg.eigvalsh(cov)
    k = np.sqrt(-2 * np.log(0.05))
    assert pred.semi_major_m[0] == pytest.approx(k * np.sqrt(vals[1]), rel=0.08)
    assert pred.semi_minor_m[0] == pytest.approx(k * np.sqrt(vals[0]), rel=0.08)
    assert pred.time_sigma_s[0] == pytest.approx(np.std(mc.end_time_s), rel=0.1)


def test_impact_with_an_estimated_ballistic_coefficient():
    run, _ = _arc(beta=3000.0)
    model = FilterModel(estimate_beta=True)
    state = _state_at(run, 60, model=model)
    state = TrackState(np.append(state.x[0, :6], 1 / 3000.0), state.P[0], state.time_s[0])
    pred = predict_impact(state, model)
    r_end, _ = run.end_state_ecef()
    lat, lon, _ = ecef_to_geodetic(r_end[0])
    dist, _, _ = geodesic_inverse(pred.lat_deg[0], pred.lon_deg[0], lat, lon)
    assert dist < 5.0


def test_launch_point_of_a_ballistic_arc_is_its_start():
    """A purely ballistic arc (no boost): flying the state back lands on the start."""
    run, (lat0, lon0) = _arc(t_launch=100.0)
    model = FilterModel(drag=False)
    est = estimate_launch(_state_at(run, 150, sigma_m=5.0, sigma_m_s=0.05), model, step_s=0.5)
    dist, _, _ = geodesic_inverse(est.lat_deg[0], est.lon_deg[0], lat0, lon0)
    assert dist < 2.0, f"launch point {dist:.2f} m from the start"
    assert est.time_s[0] == pytest.approx(100.0, abs=0.01)
    assert est.semi_major_m[0] > est.semi_minor_m[0] > 0.0
    assert 0.0 <= est.orientation_deg[0] < 180.0


def test_future_states_are_the_filter_prediction():
    run, _ = _arc()
    model = FilterModel(drag=False)
    state = _state_at(run, 50, sigma_m=10.0, sigma_m_s=0.1)
    t0 = state.time_s[0]
    fut = predict_states(state, model, [t0 + 10.0, t0 + 30.0])
    direct = predict(predict(state, model, t0 + 10.0), model, t0 + 30.0)
    np.testing.assert_allclose(fut.x[:, 1], direct.x, rtol=1e-12)
    np.testing.assert_allclose(fut.P[:, 1], direct.P, rtol=1e-10)
    r_ecef, _ = fut.ecef()
    _, r, _ = run.samples.of(0)
    np.testing.assert_allclose(r_ecef[0, 1], r[80], atol=0.05)
    assert np.all(np.diff(fut.position_sigma_m()[0]) > 0.0)
    with pytest.raises(ParameterError, match="times_s"):
        predict_states(state, model, [t0 + 5.0, t0 + 1.0])


def test_prediction_checks():
    run, _ = _arc()
    state = _state_at(run, 50)
    with pytest.raises(ParameterError, match="probability"):
        predict_impact(state, FilterModel(drag=False), probability=1.0)
    with pytest.raises(ParameterError, match="step_s"):
        estimate_launch(state, FilterModel(drag=False), step_s=0.0)


def test_a_state_that_does_not_come_down_is_flagged():
    run, _ = _arc()
    state = _state_at(run, 50)
    pred = predict_impact(state, FilterModel(drag=False), max_time_s=10.0)
    assert not pred.valid[0] and np.isnan(pred.lat_deg[0])
