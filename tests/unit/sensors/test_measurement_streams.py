"""Radar measurements: the documented random-stream layout, skipped looks, threads.

The draws are rebuilt here from the contract in :mod:`openbmd.sensors.measurements`
(per-radar ``SeedSequence(seed, spawn_key=(s,))``; one uniform per visible look in
(time, object) order, detected when below Pd; then four standard normals per detection),
with visibility, SNR and Pd from the public functions, not from the compiled pass.
"""

from __future__ import annotations

import math
from dataclasses import fields

import numba
import numpy as np

from openbmd.geodesy import aer_to_ecef
from openbmd.sensors.detection import pd_from_table
from openbmd.sensors.los import visible
from openbmd.sensors.measurements import Detections, TruthGrid, simulate_detections
from openbmd.sensors.radar import Radar

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


def static_truth(points_ecef, n_times):
    pts = np.atleast_2d(np.asarray(points_ecef, dtype=float))
    r = np.repeat(pts[:, None, :], n_times, axis=1)
    return TruthGrid(np.arange(float(n_times)), r, np.zeros_like(r))


def points(r, ranges_m, seed, hidden=()):
    """Points at random azimuths and elevations (2-40 deg; -3 deg for those ``hidden``)."""
    rng = np.random.default_rng(seed)
    n = len(ranges_m)
    az, el = rng.uniform(0.0, 360.0, n), rng.uniform(2.0, 40.0, n)
    el[list(hidden)] = -3.0
    return np.stack([np.asarray(aer_to_ecef(a, e, d, r.lat_deg, r.lon_deg, r.alt_m))
                     for a, e, d in zip(az, el, ranges_m, strict=True)])  # fmt: skip


def _same(a: Detections, b: Detections) -> bool:
    return all(np.array_equal(getattr(a, f.name), getattr(b, f.name), equal_nan=True)
               for f in fields(Detections) if f.name != "sensor_names")  # fmt: skip


def test_draws_follow_the_documented_stream_layout():
    """Radar 1 searches every 3 s and tracks three objects every 2 s; targets sit around
    its 50 % range, so detection decisions go both ways. Its detections, flags and noise
    must be exactly those of its own stream drawn as documented."""
    other = radar()
    r = radar(peak_power_w=2e5, search_revisit_s=3.0, track_update_s=2.0, range_bias_m=5.0,
              az_bias_deg=0.01, el_bias_deg=-0.02)  # fmt: skip
    rng50 = float(r.detection_range_m(1.0, pd=0.5))
    n_obj, n_t, tracked = 12, 40, [2, 5, 7]
    pts = points(r, rng50 * np.linspace(0.8, 1.25, n_obj), seed=4, hidden=(3, 5))
    det = simulate_detections([other, r], static_truth(pts, n_t), seed=9, tracked={1: tracked})

    # the looks of radar 1 in (time, object) order, with visibility, SNR and Pd
    looks = [(t, o) for t in range(n_t) for o in range(n_obj)
             if (o in tracked and t % 2 == 0) or (o not in tracked and t % 3 == 0)]  # fmt: skip
    seen = visible([r], pts)[0]
    looks = [(t, o) for t, o in looks if seen[o]]
    assert np.flatnonzero(~seen).tolist() == [3, 5], "below the horizon"
    rng_o = np.linalg.norm(pts - np.asarray(r.site_ecef_m), axis=1)
    grid, values = r.pd_table()
    pd_o = np.array([pd_from_table(float(r.snr_db(x, 1.0)), float(grid[0]),
                                   float(grid[1] - grid[0]), values) for x in rng_o])  # fmt: skip
    pd = pd_o[[o for _, o in looks]]
    assert np.mean((pd > 0.1) & (pd < 0.9)) > 0.5, "decisions must be uncertain"

    stream = np.random.default_rng(np.random.SeedSequence(9, spawn_key=(1,)))
    hit = stream.random(len(looks)) < pd
    noise = stream.standard_normal((int(hit.sum()), 4))

    mine = det.take(det.sensor_id == 1)
    assert det.visible_looks[1] == len(looks)
    assert math.isclose(det.expected_detections[1], pd.sum(), rel_tol=1e-12)
    want = np.array(looks)[hit]
    np.testing.assert_array_equal(mine.time_s, want[:, 0])
    np.testing.assert_array_equal(mine.object_id, want[:, 1])
    np.testing.assert_array_equal(mine.track, np.isin(want[:, 1], tracked))
    d_az = (mine.azimuth_rad - mine.true_azimuth_rad - math.radians(0.01) + math.pi) % (
        2 * math.pi
    ) - math.pi
    got = np.stack([
        (mine.range_m - mine.true_range_m - 5.0) / mine.sigma[:, 0],
        d_az / mine.sigma[:, 1],
        (mine.elevation_rad - mine.true_elevation_rad + math.radians(0.02)) / mine.sigma[:, 2],
        (mine.range_rate_m_s - mine.true_range_rate_m_s) / mine.sigma[:, 3],
    ], axis=-1)  # fmt: skip
    np.testing.assert_allclose(got, noise, atol=1e-6)


def test_looks_next_to_a_missing_sample_are_skipped():
    """Looks between grid times need both neighbouring samples (position and velocity)."""
    r = radar(peak_power_w=1e8)
    pts = points(r, np.full(3, 300e3), seed=1)
    truth = static_truth(pts, 60)
    pos, vel = truth.r_ecef_m.copy(), truth.v_ecef_m_s.copy()
    pos[1, 20] = np.nan  # object 1: no position at t = 20 s
    vel[2, 40, 1] = np.nan  # object 2: one velocity component missing at t = 40 s
    gappy = TruthGrid(truth.time_s, pos, vel)
    full = simulate_detections([r], truth, seed=0, start_s=0.5)
    det = simulate_detections([r], gappy, seed=0, start_s=0.5)
    assert full.visible_looks[0] == 3 * 59
    assert det.visible_looks[0] == 3 * 59 - 4
    looked = set(zip(det.time_s.tolist(), det.object_id.tolist(), strict=True))
    assert not looked & {(19.5, 1), (20.5, 1), (39.5, 2), (40.5, 2)}
    # on the grid only the missing sample itself is skipped
    on_grid = simulate_detections([r], gappy, seed=0)
    assert on_grid.visible_looks[0] == 3 * 60 - 2


def test_threads_change_nothing():
    radars = [radar(), radar(peak_power_w=3e5, search_revisit_s=2.0),
              radar(frequency_hz=9.5e9, gain_db=48.0, track_update_s=0.5)]  # fmt: skip
    pts = points(radars[0], np.linspace(100e3, 1500e3, 30), seed=3)
    truth = static_truth(pts, 50)
    a = simulate_detections(radars, truth, seed=3, tracked={2: [1, 4]}, start_s=0.25)
    before = numba.get_num_threads()
    numba.set_num_threads(1)
    try:
        b = simulate_detections(radars, truth, seed=3, tracked={2: [1, 4]}, start_s=0.25)
    finally:
        numba.set_num_threads(before)
    assert a.size > 100 and _same(a, b)
