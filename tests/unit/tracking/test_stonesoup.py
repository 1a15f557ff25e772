"""openbmd's EKF against Stone Soup's, and the conversions (openbmd.tracking.stonesoup_interop).

Stone Soup (Dstl) is an independent implementation: the same detections and the same
models through both filters must give the same estimates (1e-6 relative; they agree to
~1e-12).
"""

import math

import numpy as np
import pytest

pytest.importorskip("stonesoup")

from stonesoup.models.transition.linear import (
    CombinedLinearGaussianTransitionModel,
    ConstantVelocity,
)
from stonesoup.predictor.kalman import ExtendedKalmanPredictor
from stonesoup.types.hypothesis import SingleHypothesis
from stonesoup.types.state import GaussianState
from stonesoup.updater.kalman import ExtendedKalmanUpdater

from openbmd.errors import ParameterError
from openbmd.geodesy import geodetic_to_ecef
from openbmd.sensors import Radar, simulate_detections
from openbmd.tracking import (
    FilterModel,
    TrackState,
    initial_state_from_measurement,
    measure,
    predict,
    update,
)
from openbmd.tracking import stonesoup_interop as ssi


@pytest.fixture(scope="module")
def detections():
    """60 s of 1 Hz detections (range, angles, range rate) of the validation scenario's RV."""
    from openbmd.threats import get_missile, solve_trajectory, threat_objects

    traj = solve_trajectory(get_missile("mrbm"), 39.0, 125.7, 36.0, 133.0)
    objects = threat_objects(traj, step_s=1.0)
    radar = Radar.from_catalog("s-band-array", 37.5, 130.0, 20.0)
    det = simulate_detections([radar], objects.samples, seed=3, tracked=[0])
    return det.take((det.object_id == 0) & (det.time_s >= 100.0) & (det.time_s < 160.0)), radar


def test_bearing_is_counted_from_east_counter_clockwise():
    assert ssi.bearing_from_azimuth(0.0) == pytest.approx(math.pi / 2)  # north
    assert ssi.bearing_from_azimuth(math.pi / 2) == pytest.approx(0.0)  # east
    assert ssi.bearing_from_azimuth(math.pi) == pytest.approx(-math.pi / 2)  # south
    az = np.linspace(0.0, 2 * math.pi, 13)[:-1]
    np.testing.assert_allclose(ssi.azimuth_from_bearing(ssi.bearing_from_azimuth(az)), az,
                               atol=1e-12)  # fmt: skip


def test_measurement_model_reproduces_openbmd_measure_and_jacobian():
    site = np.asarray(geodetic_to_ecef(37.5, 130.0, 20.0))
    model = FilterModel()
    x = np.r_[np.asarray(geodetic_to_ecef(38.2, 131.5, 150e3)), 1200.0, -2500.0, -300.0]
    t = 777.0
    z, h = measure(x, t, site, model)
    mm = ssi.measurement_model(site, t, np.diag([4.0, 1e-7, 2e-7, 0.25]), use_range_rate=True)
    state = GaussianState(x.reshape(-1, 1), np.eye(6))
    ss = np.asarray(mm.function(state), dtype=float).ravel()
    np.testing.assert_allclose(ss[[2, 0, 3]], z[0, [0, 2, 3]], rtol=1e-12)
    assert ss[1] == pytest.approx(ssi.bearing_from_azimuth(z[0, 1]), abs=1e-12)
    jac = mm.jacobian(state)
    np.testing.assert_allclose(jac[[2, 0, 3]], h[0, [0, 2, 3]], rtol=1e-9, atol=1e-15)
    np.testing.assert_allclose(jac[1], -h[0, 1], rtol=1e-9, atol=1e-15)
    np.testing.assert_allclose(np.diag(mm.covar()), [2e-7, 1e-7, 4.0, 0.25])


def _run_both(det, radar, model, transition, order, mapping):
    z, cov = det.measurement(), det.covariance
    site = radar.site_ecef_m
    ours = initial_state_from_measurement(z[:1], cov[:1], site, det.time_s[0], model,
                                          velocity_sigma_m_s=300.0)  # fmt: skip
    theirs = ssi.to_stonesoup_states(ours, order=order)[0]
    ss_dets = ssi.detections_to_stonesoup(det, **mapping)
    predictor = ExtendedKalmanPredictor(transition)
    updater = ExtendedKalmanUpdater(measurement_model=None)
    for k in range(1, det.size):
        theirs = updater.update(
            SingleHypothesis(predictor.predict(theirs, timestamp=ss_dets[k].timestamp), ss_dets[k])
        )
        ours = update(predict(ours, model, det.time_s[k]), model, z[k : k + 1], cov[k : k + 1],
                      site).state  # fmt: skip
    return ours, ssi.from_stonesoup_states([theirs], order=order)


def test_ekf_equals_stone_soup_constant_velocity(detections):
    """Stone Soup's own ConstantVelocity model and radar measurement model."""
    det, radar = detections
    model = FilterModel(gravity="none", drag=False, process_noise_m2_s3=5.0, second_order=False)
    transition = CombinedLinearGaussianTransitionModel([ConstantVelocity(5.0)] * 3)
    ours, theirs = _run_both(det, radar, model, transition, ssi.CV_ORDER,
                             {"mapping": (0, 2, 4), "velocity_mapping": (1, 3, 5)})  # fmt: skip
    np.testing.assert_allclose(theirs.x, ours.x, rtol=1e-6)
    sig = np.sqrt(np.diag(ours.P[0]))
    np.testing.assert_allclose(theirs.P[0] / np.outer(sig, sig), ours.P[0] / np.outer(sig, sig),
                               rtol=0, atol=1e-6)  # fmt: skip
    assert theirs.time_s[0] == ours.time_s[0]


def test_ekf_equals_stone_soup_with_openbmd_ballistic_dynamics(detections):
    """openbmd's J2 + drag dynamics wrapped as a Stone Soup transition model."""
    det, radar = detections
    model = FilterModel(ballistic_coefficient_kg_m2=5000.0, process_noise_m2_s3=1.0,
                        second_order=False)  # fmt: skip
    ours, theirs = _run_both(det, radar, model, ssi.transition_model(model), None, {})
    np.testing.assert_allclose(theirs.x, ours.x, rtol=1e-6)
    sig = np.sqrt(np.diag(ours.P[0]))
    assert np.max(np.abs(theirs.x[0] - ours.x[0]) / sig) < 1e-6
    assert np.max(np.abs(theirs.P[0] - ours.P[0]) / np.outer(sig, sig)) < 1e-6


def test_detections_carry_metadata_and_range_rate(detections):
    det, _ = detections
    out = ssi.detections_to_stonesoup(det.take(slice(0, 3)))
    assert [d.metadata["object_id"] for d in out] == [0, 0, 0]
    assert out[0].metadata["time_s"] == det.time_s[0]
    assert out[0].timestamp == ssi.to_datetime(det.time_s[0])
    assert len(out[0].state_vector) == 4
    no_rr = ssi.detections_to_stonesoup(det.take(slice(0, 1)), use_range_rate=False)
    assert len(no_rr[0].state_vector) == 3


def test_state_and_track_round_trip():
    rng = np.random.default_rng(0)
    a = rng.normal(size=(3, 7, 7))
    state = TrackState(rng.normal(size=(3, 7)) * 1e5, a @ a.transpose(0, 2, 1) + np.eye(7),
                       [1.5, 2.5, 3.5])  # fmt: skip
    back = ssi.from_stonesoup_states(ssi.to_stonesoup_states(state))
    np.testing.assert_array_equal(back.x, state.x)
    np.testing.assert_array_equal(back.P, state.P)
    np.testing.assert_allclose(back.time_s, state.time_s)
    track = ssi.to_stonesoup_track(state, track_id="rv-0")
    assert track.id == "rv-0" and len(track) == 3
    np.testing.assert_array_equal(ssi.from_stonesoup_track(track).x, state.x)
    six = TrackState(state.x[:, :6], state.P[:, :6, :6], state.time_s)
    cv = ssi.to_stonesoup_states(six, order=ssi.CV_ORDER)
    assert float(cv[0].state_vector[1]) == six.x[0, 3], "vx second in Stone Soup's CV order"
    with pytest.raises(ParameterError, match="order"):
        ssi.to_stonesoup_states(six, order=(0, 1, 2))
    with pytest.raises(ParameterError, match="powered"):
        ssi.transition_model(FilterModel(powered=True))
