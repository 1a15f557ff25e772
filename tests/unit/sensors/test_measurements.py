"""Radar measurements: looks, Pd draws, noise statistics, streams, truth handling."""

from __future__ import annotations

import math
from dataclasses import fields

import numpy as np
import pytest

from openbmd.errors import ParameterError
from openbmd.flight.propagate import FlightPlan, ecef_state_to_eci, propagate
from openbmd.geodesy import (
    aer_to_ecef,
    ecef_to_geodetic,
    enu_vector_to_ecef,
    geodesic_inverse,
    geodetic_to_ecef,
)
from openbmd.sensors.horizon import effective_elevation_rad
from openbmd.sensors.measurements import Detections, TruthGrid, simulate_detections
from openbmd.sensors.radar import Radar
from openbmd.sensors.rcs import RcsModel

SITE = (39.7, 140.1, 20.0)


def radar(**kw):
    base = {
        "frequency_hz": 3.3e9,
        "peak_power_w": 1e6,
        "pulse_width_s": 1e-4,
        "bandwidth_hz": 5e6,
        "noise_temperature_k": 500.0,
        "gain_db": 40.0,
        "loss_db": 5.0,
        "search_revisit_s": 1.0,
        "range_rate": True,
    }
    return Radar("m", *SITE, **{**base, **kw})


def static_truth(points_ecef, n_times, velocity=None):
    """Objects fixed in ECEF (velocity zero unless given), on a 1 s grid."""
    pts = np.atleast_2d(np.asarray(points_ecef, dtype=float))
    r = np.repeat(pts[:, None, :], n_times, axis=1)
    v = np.zeros_like(r) if velocity is None else np.broadcast_to(velocity, r.shape).copy()
    return TruthGrid(np.arange(float(n_times)), r, v)


def point_at(site_radar, az_deg, el_deg, range_m):
    return aer_to_ecef(az_deg, el_deg, range_m, site_radar.lat_deg, site_radar.lon_deg,
                       site_radar.alt_m)  # fmt: skip


# --- SNR, Pd, detection rate ------------------------------------------------------------


def test_looks_use_the_radar_equation_and_pd_of_the_radar():
    r = radar(swerling=1)
    pts = [point_at(r, 30.0, 10.0, rng) for rng in (200e3, 400e3, 600e3)]
    det = simulate_detections([r], static_truth(pts, 50), rcs=0.5, seed=3)
    assert det.visible_looks.tolist() == [150]
    np.testing.assert_allclose(det.snr_db, r.snr_db(det.true_range_m, 0.5), atol=1e-9)
    expected = 50 * sum(float(r.pd(r.snr_db(x, 0.5))) for x in (200e3, 400e3, 600e3))
    assert det.expected_detections[0] == pytest.approx(expected, abs=150 * 1e-5)


@pytest.mark.parametrize("swerling", [0, 1])
def test_detection_rate_is_pd(swerling):
    """Binomial test: 4,000 looks at a target where Pd ~ 0.5 (4.5 sigma bound)."""
    r = radar(swerling=swerling)
    rng50 = float(r.detection_range_m(1.0, pd=0.5))
    det = simulate_detections([r], static_truth(point_at(r, 45.0, 20.0, rng50), 4000), seed=7)
    n, p = 4000, float(r.pd(r.snr_db(rng50, 1.0)))
    assert p == pytest.approx(0.5, abs=1e-6)
    k = det.size
    assert abs(k - n * p) < 4.5 * math.sqrt(n * p * (1 - p)), f"{k} detections, expected {n * p}"


def test_noise_statistics_and_biases():
    """10,000 looks at high SNR: normalised errors have std 1 (5 %) and mean = bias."""
    r = radar(peak_power_w=1e8, swerling=0, range_bias_m=7.0, az_bias_deg=0.02, el_bias_deg=-0.01,
              range_sigma_floor_m=1.0, angle_sigma_floor_deg=0.002)  # fmt: skip
    det = simulate_detections([r], static_truth(point_at(r, 120.0, 15.0, 150e3), 10_000), seed=1)
    assert det.size == 10_000, "Pd ~ 1 at this SNR"
    sig = np.sqrt(np.diagonal(det.covariance, axis1=1, axis2=2))
    errors = {
        "range": ((det.range_m - det.true_range_m - 7.0) / sig[:, 0]),
        "azimuth": ((det.azimuth_rad - det.true_azimuth_rad - math.radians(0.02)) / sig[:, 1]),
        "elevation": ((det.elevation_rad - det.true_elevation_rad + math.radians(0.01))
                      / sig[:, 2]),
        "range rate": ((det.range_rate_m_s - det.true_range_rate_m_s) / sig[:, 3]),
    }  # fmt: skip
    for name, e in errors.items():
        assert abs(e.std() - 1.0) < 0.05, f"{name}: sample std {e.std():.3f} sigma"
        assert abs(e.mean()) < 4.0 / math.sqrt(e.size), f"{name}: mean {e.mean():.4f} sigma"
    np.testing.assert_allclose(sig[:, 0], r.range_sigma_m(det.snr_db))
    np.testing.assert_allclose(sig[:, 2], r.angle_sigma_rad(det.snr_db))
    np.testing.assert_allclose(sig[:, 1], sig[:, 2] / np.cos(det.true_elevation_rad))


def test_range_rate_off():
    r = radar(range_rate=False)
    det = simulate_detections([r], static_truth(point_at(r, 0.0, 10.0, 100e3), 20), seed=0)
    assert det.size > 0 and np.isnan(det.range_rate_m_s).all()
    assert np.isinf(det.covariance[:, 3, 3]).all()
    np.linalg.cholesky(det.covariance[:, :3, :3])


def test_aspect_angle_selects_the_rcs():
    r = radar()
    p = point_at(r, 90.0, 10.0, 300e3)
    toward = (np.asarray(r.site_ecef_m) - p) / np.linalg.norm(np.asarray(r.site_ecef_m) - p)
    up = np.asarray(enu_vector_to_ecef([0.0, 0.0, 1.0], SITE[0], SITE[1]))
    side = np.cross(toward, up)
    rv = RcsModel.reentry_vehicle()
    head_on = simulate_detections([r], static_truth(p, 5, 3000 * toward), rcs=rv, seed=0)
    broad = simulate_detections([r], static_truth(p, 5, 3000 * side), rcs=rv, seed=0)
    # nose-on 0.01 m², broadside 1 m² (0 dBsm); the target moves 3 km/s, so compare per range
    want = r.snr_db(head_on.true_range_m, 0.01)
    np.testing.assert_allclose(head_on.snr_db, want, atol=1e-6)
    np.testing.assert_allclose(broad.snr_db, r.snr_db(broad.true_range_m, 1.0), atol=0.05)


# --- determinism and streams ------------------------------------------------------------


def _truth(n_objects=20, seed=2):
    r = radar()
    rng = np.random.default_rng(seed)
    pts = [point_at(r, a, e, d) for a, e, d in zip(rng.uniform(0, 360, n_objects),
                                                   rng.uniform(2, 60, n_objects),
                                                   rng.uniform(50e3, 900e3, n_objects),
                                                   strict=True)]  # fmt: skip
    return static_truth(pts, 120)


def _same(a: Detections, b: Detections) -> bool:
    return all(np.array_equal(getattr(a, f.name), getattr(b, f.name), equal_nan=True)
               for f in fields(Detections) if f.name != "sensor_names")  # fmt: skip


def test_same_seed_same_detections_other_seed_other():
    radars = [radar(), radar(peak_power_w=3e5, search_revisit_s=2.0)]
    truth = _truth()
    a = simulate_detections(radars, truth, seed=11)
    b = simulate_detections(radars, truth, seed=11)
    c = simulate_detections(radars, truth, seed=12)
    assert _same(a, b)
    assert not np.array_equal(a.range_m[: min(a.size, c.size)], c.range_m[: min(a.size, c.size)])


def test_adding_a_radar_does_not_change_the_others():
    truth = _truth()
    first = [radar(), radar(frequency_hz=9.5e9, gain_db=48.0)]
    alone = simulate_detections(first, truth, seed=5)
    more = simulate_detections([*first, radar(peak_power_w=2e6)], truth, seed=5)
    kept = more.take(more.sensor_id < 2)
    assert _same(alone, Detections(**{
        f.name: getattr(kept, f.name) if f.name not in ("visible_looks", "expected_detections",
                                                        "sensor_names", "site_lat_deg",
                                                        "site_lon_deg", "site_alt_m")
        else getattr(alone, f.name) for f in fields(Detections)}))  # fmt: skip


def test_sorted_by_time_sensor_object():
    det = simulate_detections([radar(), radar(search_revisit_s=2.0)], _truth(), seed=1)
    key = np.stack([det.time_s, det.sensor_id, det.object_id])
    order = np.lexsort(key[::-1])
    assert np.array_equal(order, np.arange(det.size))


# --- truth handling ---------------------------------------------------------------------


def test_nan_objects_are_skipped():
    r = radar()
    truth = _truth(3)
    r_e, v_e = truth.r_ecef_m.copy(), truth.v_ecef_m_s.copy()
    r_e[1] = np.nan  # never exists
    r_e[2, 60:] = np.nan  # ends at t = 59
    det = simulate_detections([r], TruthGrid(truth.time_s, r_e, v_e), seed=0)
    assert 1 not in det.object_id
    assert det.time_s[det.object_id == 2].max() <= 59.0
    assert np.isfinite(det.range_m).all() and np.isfinite(det.covariance[:, :3, :3]).all()


def test_tracked_objects_are_looked_at_every_update():
    r = radar(search_revisit_s=10.0, track_update_s=2.0, peak_power_w=1e8)
    det = simulate_detections([r], _truth(4), tracked=[1], seed=0)
    t1 = det.time_s[det.object_id == 1]
    t0 = det.time_s[det.object_id == 0]
    assert np.all(t1 % 2.0 == 0) and np.all(det.track[det.object_id == 1])
    assert np.all(t0 % 10.0 == 0) and not np.any(det.track[det.object_id == 0])
    per_sensor = simulate_detections([r, r], _truth(4), tracked={1: [3]}, seed=0)
    assert not np.any(per_sensor.track[per_sensor.sensor_id == 0])


def test_truth_from_ragged_samples():
    r0 = np.asarray(geodetic_to_ecef([38.0, 39.0], [134.0, 135.0], 150e3))
    v0 = np.asarray(enu_vector_to_ecef([[2000.0, 0.0, -500.0], [0.0, 2500.0, -400.0]],
                                       [38.0, 39.0], [134.0, 135.0]))  # fmt: skip
    state = ecef_state_to_eci(r0, v0, 0.0, 7.292115e-5)
    plan = FlightPlan.coast(state[:, :3], state[:, 3:], launch_time_s=np.array([0.0, 20.0]))
    samples = propagate(plan, sample_step_s=1.0, sample_start_s=0.0).samples
    assert samples is not None
    grid = TruthGrid.from_samples(samples)
    assert grid.objects == 2 and grid.time_s[0] == 0.0
    assert np.isnan(grid.r_ecef_m[1, :20]).all() and np.isfinite(grid.r_ecef_m[1, 20]).all()
    t, rr, _ = samples.of(0)
    np.testing.assert_array_equal(grid.r_ecef_m[0, : t.size], rr)
    det_a = simulate_detections([radar()], samples, seed=4)
    det_b = simulate_detections([radar()], grid, seed=4)
    assert _same(det_a, det_b) and det_a.size > 0


def test_looks_between_samples_are_interpolated():
    """A ballistic arc on a 10 s grid, looked at every 3 s from 0.5 s: the interpolated
    truth matches the 1 s grid to well under a metre."""
    r0 = np.asarray(geodetic_to_ecef(38.0, 136.0, 200e3))
    v0 = np.asarray(enu_vector_to_ecef([2500.0, 1000.0, 800.0], 38.0, 136.0))
    state = ecef_state_to_eci(r0[None], v0[None], 0.0, 7.292115e-5)
    plan = FlightPlan.coast(state[:, :3], state[:, 3:], max_time_s=300.0)
    fine_samples = propagate(plan, sample_step_s=1.0).samples
    coarse_samples = propagate(plan, sample_step_s=10.0).samples
    assert fine_samples is not None and coarse_samples is not None
    fine = TruthGrid.from_samples(fine_samples)
    coarse = TruthGrid.from_samples(coarse_samples)
    rad = radar(search_revisit_s=3.0, peak_power_w=1e9)
    a = simulate_detections([rad], fine, seed=1, start_s=0.5)
    b = simulate_detections([rad], coarse, seed=1, start_s=0.5)
    common, ia, ib = np.intersect1d(a.time_s, b.time_s, return_indices=True)
    assert common.size > 50 and np.all(common % 3.0 == 0.5)
    assert np.abs(a.true_range_m[ia] - b.true_range_m[ib]).max() < 0.5
    assert np.abs(a.true_range_rate_m_s[ia] - b.true_range_rate_m_s[ib]).max() < 0.05


def test_enu_and_ecef_conversions():
    truth = _truth(5)
    det = simulate_detections([radar(peak_power_w=1e7)], truth, seed=2)
    true_pos = truth.r_ecef_m[det.object_id, det.time_s.astype(int)]
    # normalised squared position errors: chi-square with 3 degrees of freedom, mean 3
    err = det.to_ecef() - true_pos
    nees = np.einsum("ni,nij,nj->n", err, np.linalg.inv(det.ecef_covariance()), err)
    assert det.size > 300 and abs(nees.mean() - 3.0) < 5 * math.sqrt(6.0 / det.size)
    cov = det.enu_covariance()
    # first-order propagation against a finite-difference Jacobian
    i, h = 0, np.array([1e-3, 1e-9, 1e-9])
    base = det.take([i])
    jac = np.empty((3, 3))
    for c, name in enumerate(("range_m", "azimuth_rad", "elevation_rad")):
        plus = Detections(**{**{f.name: getattr(base, f.name) for f in fields(Detections)},
                             name: getattr(base, name) + h[c]})  # fmt: skip
        jac[:, c] = (plus.to_enu()[0] - base.to_enu()[0]) / h[c]
    want = jac @ det.covariance[i, :3, :3] @ jac.T
    np.testing.assert_allclose(cov[i], want, rtol=1e-5, atol=1e-12)
    ecef = det.ecef_covariance()
    np.testing.assert_allclose(np.trace(ecef, axis1=1, axis2=2), np.trace(cov, axis1=1, axis2=2))


@pytest.mark.parametrize(
    ("kwargs", "name"),
    [
        ({"seed": -1}, "seed"),
        ({"tracked": [99]}, "tracked"),
        ({"tracked": {5: [0]}}, "tracked"),
        ({"rcs": [1.0, 2.0]}, "rcs"),
    ],
)
def test_bad_arguments(kwargs, name):
    with pytest.raises(ParameterError) as err:
        simulate_detections([radar()], _truth(3), **kwargs)
    assert err.value.name == name


def test_bad_truth():
    with pytest.raises(ParameterError, match="time_s"):
        TruthGrid(np.array([0.0, 0.0]), np.zeros((1, 2, 3)), np.zeros((1, 2, 3)))
    with pytest.raises(ParameterError, match="r_ecef_m"):
        TruthGrid(np.arange(3.0), np.zeros((1, 2, 3)), np.zeros((1, 3, 3)))
    with pytest.raises(ParameterError, match="radars"):
        simulate_detections(["not a radar"], _truth(2))  # type: ignore[list-item]


# --- a realistic case -------------------------------------------------------------------


@pytest.mark.slow
def test_mrbm_seen_from_akita():
    """Generic MRBM from the Korean peninsula toward central Japan, S-band array at Akita.

    The first detection must come once the missile has risen above the radar horizon
    (4/3 Earth, 0.5 deg mask) inside the 1,000 km instrumented range, computed here
    independently with the sphere formula of the horizon module, and within a few search
    frames of it (1 m² target: Pd >~ 0.7 at 1,000 km); every detection must be above the
    horizon mask by that independent computation.
    """
    from openbmd.threats import get_missile, solve_trajectory

    traj = solve_trajectory(get_missile("mrbm"), 39.0, 125.7, 35.7, 139.7)
    samples = traj.sample(1.0)
    r = Radar.from_catalog("s-band-array", *SITE)
    det = simulate_detections([r], samples, rcs=1.0, seed=2018)
    assert det.size > 20
    t, pos, _ = samples.of(0)
    lat, lon, alt = (np.asarray(x) for x in ecef_to_geodetic(pos))
    ground, _, _ = geodesic_inverse(SITE[0], SITE[1], lat, lon)
    radius = 6_371_000.0
    el = np.degrees(effective_elevation_rad(np.asarray(ground), SITE[2],
                                            np.maximum(alt, 0.0), 4 / 3, radius))  # fmt: skip
    slant = np.linalg.norm(pos - r.site_ecef_m, axis=1)
    seen = (el >= r.min_elevation_deg) & (slant <= r.max_range_m)
    t_vis = float(t[np.argmax(seen)])
    t_first = float(det.time_s[0])
    assert 60.0 < t_vis < t[-1]
    assert t_vis - 5.0 <= t_first <= t_vis + 30.0, f"first detection {t_first} s, visible {t_vis}"
    idx = np.searchsorted(t, det.time_s)
    assert np.all(el[idx] >= r.min_elevation_deg - 0.02), "a detection below the horizon"
    assert np.all(det.true_range_m <= r.max_range_m)
