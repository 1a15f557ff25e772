"""Track management (openbmd.tracking.manager): confirmation, deletion, ids, association
through crossings, the RV + rocket-body scene, cues and bad input."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from scenes_tracking import (
    LINEAR_MODEL,
    SITE_A,
    east_north,
    linear_truth,
    overhead_point,
    reversed_rows,
    search_radar,
    threat,
    threat_detections,
    truth_eci,
)

from openbmd.errors import ParameterError
from openbmd.sensors.early_warning import early_warning_cues, get_early_warning
from openbmd.sensors.measurements import simulate_detections
from openbmd.tracking.manager import CONFIRMED, DELETED, Tracker, TrackerConfig


def linear_config(**kw):
    return TrackerConfig(filter_model=LINEAR_MODEL, **kw)


def one_target(duration_s=40.0, revisit_s=2.0, seed=3):
    """One object 400 km north of the radar at 300 km altitude, flying east at 3 km/s."""
    lat, lon = SITE_A
    start = overhead_point(lat, lon, 300e3, -60e3, 400e3)
    truth = linear_truth([start], [3000.0 * east_north(lat, lon, 1.0, 0.0)], duration_s)
    radar = search_radar(lat, lon, revisit_s)
    return truth, simulate_detections([radar], truth, rcs=10.0, seed=seed)


def crossing_targets(seed=3):
    """Two objects whose paths cross at the same point at t = 20 s (east- and northbound)."""
    lat, lon = SITE_A
    c = overhead_point(lat, lon, 300e3, 0.0, 400e3)
    ua, ub = east_north(lat, lon, 1.0, 0.0), east_north(lat, lon, 0.0, 1.0)
    truth = linear_truth([c - 60e3 * ua, c - 60e3 * ub], [3000.0 * ua, 3000.0 * ub], 40.0)
    radar = search_radar(lat, lon, 2.0)
    return truth, simulate_detections([radar], truth, rcs=10.0, seed=seed)


@pytest.mark.parametrize(("m", "n"), [(2, 3), (3, 5), (4, 4)])
def test_confirmation_after_m_of_n_hits(m, n):
    _, det = one_target()
    assert det.size == 21 and np.all(np.diff(det.time_s) == 2.0), "every look detected"
    res = Tracker(linear_config(m_of_n=(m, n))).run(det)
    assert res.size == 1, "one object, one track"
    # a hit on every look: the M-th detection (2 s apart) confirms
    assert res.confirmed_time_s[0] == pytest.approx(det.time_s[0] + 2.0 * (m - 1))
    h = res.history(0)
    assert h.status[: m - 1].tolist() == [0] * (m - 1) and np.all(h.status[m - 1 :] == CONFIRMED)
    assert h.detection_index.tolist() == list(range(det.size))


def test_tentative_track_dies_when_m_of_n_is_out_of_reach():
    _, det = crossing_targets()
    # object 1 seen once, then never again: its tentative track misses on object 0's scans
    keep = (det.object_id == 0) | (det.time_s == det.time_s[det.object_id == 1][0])
    res = Tracker(linear_config(m_of_n=(3, 5))).run(det.take(keep))
    lonely = int(np.flatnonzero(res.majority_object_id() == 1)[0])
    first = det.time_s[det.object_id == 1][0]
    # N - M + 1 = 3 misses, one per 2 s scan, and it is out
    assert res.deleted_time_s[lonely] == pytest.approx(first + 6.0)
    assert np.isnan(res.confirmed_time_s[lonely])


def test_confirmed_track_deleted_after_k_misses_and_ids_never_reused():
    _, det = crossing_targets()
    t_stop = 20.0
    # object 1 vanishes after t_stop; object 0 keeps the radar scanning
    det2 = det.take((det.object_id == 0) | (det.time_s <= t_stop))
    cfg = linear_config(m_of_n=(2, 3), max_misses=3)
    res = Tracker(cfg).run(det2)
    k = int(np.flatnonzero(res.majority_object_id() == 1)[0])
    assert res.final_status[k] == DELETED
    assert res.deleted_time_s[k] == pytest.approx(t_stop + 3 * 2.0)
    # coast deletion: a gap longer than max_coast_s kills the track; the object comes
    # back as a new track with a new id
    _, one = one_target(duration_s=80.0)
    gap = one.take((one.time_s < 20.0) | (one.time_s > 60.0))
    res = Tracker(linear_config(m_of_n=(2, 3), max_coast_s=30.0)).run(gap)
    assert res.size == 2
    assert res.track_id.tolist() == [0, 1]
    assert res.deleted_time_s[0] == pytest.approx(gap.time_s[gap.time_s > 60.0][0])
    assert res.created_time_s[1] == res.deleted_time_s[0]
    assert res.final_status.tolist() == [DELETED, CONFIRMED]


@pytest.mark.parametrize("association", ["gnn", "jpda"])
def test_two_crossing_targets_keep_their_tracks(association):
    _, det = crossing_targets()
    res = Tracker(linear_config(association=association, m_of_n=(2, 3))).run(det)
    assert res.size == 2
    assert sorted(res.majority_object_id().tolist()) == [0, 1]
    np.testing.assert_array_equal(res.purity(), [1.0, 1.0])
    assert np.all(res.final_status == CONFIRMED)
    # each track passed the crossing point (t = 20 s) on its own object
    for k in range(2):
        h = res.history(k)
        assert h.time_s[-1] == 40.0 and np.all(h.object_id == h.object_id[0])


@pytest.mark.parametrize("association", ["gnn", "jpda"])
def test_rv_and_rocket_body_two_confirmed_pure_tracks(association):
    _, obj = threat()
    _, det = threat_detections()
    res = Tracker(TrackerConfig(association=association)).run(det)
    confirmed = res.confirmed()
    assert confirmed.size == 2, f"{confirmed.size} confirmed tracks: {res.status_names()}"
    assert sorted(res.majority_object_id()[confirmed].tolist()) == [0, 1]
    np.testing.assert_array_equal(res.purity()[confirmed], 1.0)
    assert res.counts["failed_updates"] == 0
    # the estimates follow the truth: position error well under the radar's cross-range
    # sigma (~1 km at 900 km) once converged
    for k in confirmed:
        h = res.history(k)
        late = h.time_s > h.time_s[0] + 60.0
        r_true, _ = truth_eci(obj.samples, int(h.object_id[0]), h.time_s[late])
        err = np.linalg.norm(h.x[late, :3] - r_true, axis=1)
        assert np.sqrt(np.mean(err**2)) < 500.0, f"track {k}: RMS error {err.mean():.0f} m"
        nis = h.nis[np.isfinite(h.nis)]
        assert 2.0 < nis.mean() < 6.5, f"mean NIS {nis.mean():.2f} far from 4 (4 dof)"


def test_early_warning_cue_seeds_a_track_that_the_radar_takes_over():
    _, obj = threat()
    _, det = threat_detections()
    ew = get_early_warning("ir-geo")
    cues = early_warning_cues(ew, obj.samples, obj.launch_time_s,
                              obj.burnout_time_s - obj.launch_time_s, seed=2)  # fmt: skip
    first = cues.first_per_object()
    res = Tracker().run(det, first.take(np.array([0])))
    assert res.source[0] == "cue"
    assert res.created_time_s[0] == pytest.approx(float(first.report_time_s[0]))
    h = res.history(0)
    assert h.detection_index[0] == -1 and h.detection_index.size > 10, "radar took it over"
    assert res.confirmed_time_s[0] == pytest.approx(det.time_s[0] + 10.0)
    assert res.confirmed().size == 2
    # a cue that no radar detects in time is dropped after cue_timeout_s
    timeout = float(det.time_s[0] - first.report_time_s[0]) - 1.0
    res = Tracker(TrackerConfig(cue_timeout_s=timeout)).run(det, first.take(np.array([0])))
    assert res.final_status[0] == DELETED and res.deleted_time_s[0] == det.time_s[0]
    assert res.history(0).time_s.size == 1 and res.confirmed().size == 2


def test_bad_input_is_counted_not_fatal():
    _, det = one_target()
    cfg = linear_config(m_of_n=(2, 3))
    base = Tracker(cfg).run(det)
    # empty and single detections
    empty = Tracker(cfg).run(det.take(np.arange(0)))
    assert empty.size == 0 and empty.counts["scans"] == 0
    single = Tracker(cfg).run(det.take(np.array([3])))
    assert single.size == 1 and single.final_status.tolist() == [0]
    # out of time order: sorted stably, counted, same tracks
    shuffled = Tracker(cfg).run(reversed_rows(det))
    assert shuffled.counts["out_of_order"] == det.size - 1
    np.testing.assert_allclose(shuffled.x, base.x)
    # non-finite values: skipped and counted; a NaN range rate makes a 3-D detection
    bad_range = det.range_m.copy()
    bad_range[[2, 5]] = np.nan
    bad_rr = det.range_rate_m_s.copy()
    bad_rr[7] = np.nan
    res = Tracker(cfg).run(replace(det, range_m=bad_range, range_rate_m_s=bad_rr))
    assert res.counts["skipped_non_finite"] == 2 and res.counts["used_detections"] == det.size - 2
    assert res.size == 1 and res.final_status[0] == CONFIRMED
    # a sensor that never sees the target: present in the list, no rows, no harm
    lat, lon = SITE_A
    blind = search_radar(-lat, lon + 180.0)
    truth, _ = one_target()
    two = simulate_detections([search_radar(lat, lon), blind], truth, rcs=10.0, seed=3)
    assert np.all(two.sensor_id == 0)
    res = Tracker(cfg).run(two)
    assert res.size == 1 and res.final_status[0] == CONFIRMED


def test_config_validation():
    with pytest.raises(ParameterError, match="m_of_n"):
        TrackerConfig(m_of_n=(4, 3))
    with pytest.raises(ParameterError, match="association"):
        TrackerConfig(association="nn")  # type: ignore[arg-type]
    with pytest.raises(ParameterError, match="gate_probability"):
        TrackerConfig(gate_probability=1.0)
    with pytest.raises(ParameterError, match="max_misses"):
        TrackerConfig(max_misses=0)
    with pytest.raises(ParameterError, match="detections"):
        Tracker().run([1, 2, 3])  # type: ignore[arg-type]
