"""Several radars, one track picture; handover from tracks and early-warning cues
(openbmd.tracking.fusion)."""

from __future__ import annotations

import numpy as np
import pytest
from scenes_tracking import SITE_A, SITE_B, sband, threat, threat_detections

from openbmd.errors import ParameterError
from openbmd.geodesy import geodetic_to_ecef
from openbmd.sensors.early_warning import early_warning_cues, get_early_warning
from openbmd.tracking.fusion import (
    Handover,
    cued_detections,
    handover_from_cues,
    handover_from_tracks,
    scan_slices,
    site_ecef_m,
)
from openbmd.tracking.manager import Tracker
from openbmd.tracking.scenario_track import truth_state_eci


def test_scan_slices_and_sites():
    assert scan_slices([], []) == []
    t = [0.0, 0.0, 0.0, 5.0, 5.0, 7.0]
    s = [0, 0, 1, 1, 1, 0]
    assert scan_slices(t, s) == [(0, 2), (2, 3), (3, 5), (5, 6)]
    radars, det = threat_detections(1, (SITE_A, SITE_B))
    sites = site_ecef_m(det)
    for i, r in enumerate(radars):
        expect = np.asarray(geodetic_to_ecef(r.lat_deg, r.lon_deg, r.alt_m)).reshape(3)
        np.testing.assert_allclose(sites[det.sensor_id == i], expect[None].repeat(
            int(np.sum(det.sensor_id == i)), 0))  # fmt: skip


def _window_rmse(res, samples, t0=300.0, t1=550.0):
    """Position RMSE (m) of each object's confirmed track between t0 and t1."""
    major = res.majority_object_id()
    out = {}
    for k in res.confirmed():
        h = res.history(k)
        rows = (h.status == 1) & (h.time_s > t0) & (h.time_s < t1)
        truth = truth_state_eci(samples, int(major[k]), h.time_s[rows])
        err = np.linalg.norm(h.x[rows, :3] - truth[:, :3], axis=1)
        if rows.sum() > 10:
            out[int(major[k])] = float(np.sqrt(np.mean(err**2)))
    return out


def test_two_radars_reduce_the_position_error_of_one():
    _, obj = threat()
    _, one = threat_detections(1, (SITE_A,))
    _, two = threat_detections(1, (SITE_A, SITE_B))
    # the first radar's detections are the same in both runs (one stream per radar)
    np.testing.assert_array_equal(two.take(two.sensor_id == 0).range_m, one.range_m)
    rmse_one = _window_rmse(Tracker().run(one), obj.samples)
    res_two = Tracker().run(two)
    rmse_two = _window_rmse(res_two, obj.samples)
    assert sorted(rmse_one) == sorted(rmse_two) == [0, 1]
    for o in (0, 1):
        assert rmse_two[o] < 0.7 * rmse_one[o], (
            f"object {o}: {rmse_two[o]:.0f} m with two radars vs {rmse_one[o]:.0f} m with one"
        )
    # both radars update the same tracks (centralised fusion, no duplicate tracks)
    for k in res_two.confirmed():
        assert set(np.unique(res_two.history(k).sensor_id)) == {0, 1}


def test_track_handover_puts_the_other_radar_in_track_mode():
    _, obj = threat()
    a, b = sband(*SITE_A), sband(*SITE_B)
    first = cued_detections([a], obj.samples, rcs=1.0, seed=4)
    res = Tracker().run(first)
    hand = handover_from_tracks(res, [a, b], to_radars=[1], delay_s=2.0)
    assert len(hand) == 2 and set(hand.object_id.tolist()) == {0, 1}
    assert np.all(hand.radar_index == 1) and hand.source == ("track", "track")
    major = res.majority_object_id()
    for o, t in zip(hand.object_id, hand.start_time_s, strict=True):
        assert t == pytest.approx(res.confirmed_time_s[major == o].min() + 2.0)
    np.testing.assert_array_equal(hand.look_interval_s, b.track_update_s)
    search = cued_detections([a, b], obj.samples, rcs=1.0, seed=4)
    cued = cued_detections([a, b], obj.samples, hand, rcs=1.0, seed=4)
    assert np.all(np.diff(cued.time_s) >= 0.0)
    for o, t0 in zip(hand.object_id, hand.start_time_s, strict=True):
        before_s = search.take((search.object_id == o) & (search.time_s < t0))
        before_c = cued.take((cued.object_id == o) & (cued.time_s < t0))
        np.testing.assert_array_equal(before_c.range_m, before_s.range_m)
        after = cued.take((cued.object_id == o) & (cued.time_s >= t0) & (cued.sensor_id == 1))
        assert after.size > 0 and np.all(after.track)
        assert np.all(np.diff(after.time_s) % 1.0 == 0.0), "looks on the 1 s track grid"
        later = search.take((search.object_id == o) & (search.time_s >= t0)
                            & (search.sensor_id == 1))  # fmt: skip
        assert after.size > 2 * later.size, "track mode looks more often than search"
    # radar a kept its search schedule
    np.testing.assert_array_equal(cued.take(cued.sensor_id == 0).range_m,
                                  search.take(search.sensor_id == 0).range_m)  # fmt: skip
    # a tracker run on the cued detections keeps two pure confirmed tracks
    res2 = Tracker().run(cued)
    assert res2.confirmed().size == 2
    np.testing.assert_array_equal(res2.purity()[res2.confirmed()], 1.0)


def test_confirmation_dwells_cue_the_detecting_radar_from_the_first_detection():
    _, obj = threat()
    a = sband(*SITE_A)
    det = cued_detections([a], obj.samples, rcs=1.0, seed=4)
    res = Tracker().run(det)
    hand = handover_from_tracks(res, [a], confirmation_dwells=True)
    for o in (0, 1):
        assert hand.start_time_s[hand.object_id == o][0] == det.time_s[det.object_id == o][0]


def test_early_warning_cue_narrows_the_search_sector():
    _, obj = threat()
    ew = get_early_warning("ir-geo")
    cues = early_warning_cues(ew, obj.samples, obj.launch_time_s,
                              obj.burnout_time_s - obj.launch_time_s, seed=1)  # fmt: skip
    # a radar far to the side of the corridor sees it in a narrow sector; one on the
    # corridor (at the aim point) sees it ahead and behind: half its field of regard
    side = sband(55.0, 130.0)
    on = sband(35.7, 139.7)
    hand = handover_from_cues(cues, [side, on], objects=[0, 1], corridor_range_m=1.5e6)
    assert len(hand) == 4 and set(hand.source) == {"cue"}
    assert np.all(hand.start_time_s == cues.report_time_s.min())
    side_dt = hand.look_interval_s[hand.radar_index == 0][0]
    assert side.track_update_s <= side_dt < 0.3 * side.search_revisit_s
    hand = handover_from_cues(cues, [side, on], objects=[0, 1])
    on_dt = hand.look_interval_s[hand.radar_index == 1][0]
    assert 0.45 * on.search_revisit_s < on_dt <= on.search_revisit_s
    assert len(handover_from_cues(cues.take(np.zeros(len(cues), bool)), [on])) == 0


def test_handover_input_checks():
    _, obj = threat()
    a = sband(*SITE_A)
    with pytest.raises(ParameterError, match="look_interval_s"):
        Handover(np.array([0]), np.array([0]), np.array([0.0]), np.array([0.0]), ("track",))
    with pytest.raises(ParameterError, match="source"):
        Handover(np.array([0]), np.array([0]), np.array([0.0]), np.array([1.0]), ())
    bad = Handover(np.array([3]), np.array([0]), np.array([0.0]), np.array([1.0]), ("track",))
    with pytest.raises(ParameterError, match="radar_index"):
        cued_detections([a], obj.samples, bad)
    bad = Handover(np.array([0]), np.array([9]), np.array([0.0]), np.array([1.0]), ("track",))
    with pytest.raises(ParameterError, match="object_id"):
        cued_detections([a], obj.samples, bad)
    with pytest.raises(ParameterError, match="seed"):
        cued_detections([a], obj.samples, seed=-1)
    res = Tracker().run(cued_detections([a], obj.samples, rcs=1.0, seed=4))
    with pytest.raises(ParameterError, match="to_radars"):
        handover_from_tracks(res, [a], to_radars=[2])
