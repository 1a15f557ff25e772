"""Intercept windows: constraints, reasons, policies, arithmetic, and the root-finding
cross-check (an independent per-pair computation with GeographicLib and Brent's method)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest

from openbmd.engagement import windows_kernels as wk
from openbmd.engagement.reach_grid import ReachGrid
from openbmd.engagement.tracks import LaunchSites, ThreatTracks, position_sigma_m
from openbmd.engagement.windows import (
    REASONS,
    intercept_windows,
    windows_by_root_finding,
)
from openbmd.errors import ParameterError
from openbmd.flight.propagate import Samples
from openbmd.geodesy import geodesic_inverse, geodetic_to_ecef
from openbmd.interceptors.interceptor import Interceptor

SITE = (39.7, 140.1)


def make_interceptor(**overrides: Any) -> Interceptor:
    fields: dict[str, Any] = dict(
        kind="exo",
        min_intercept_alt_m=70e3,
        max_intercept_alt_m=600e3,
        divert_delta_v_m_s=500.0,
        lateral_accel_limit_m_s2=100.0,
        seeker_acquisition_range_m=300e3,
        reaction_time_s=10.0,
        min_launch_interval_s=5.0,
        sspk=0.8,
        reliability=0.9,
        lethal_radius_m=0.5,
    )
    fields.update(overrides)
    return Interceptor.from_burnout("test-upper", 3000.0, 20.0, 30.0, **fields)


def straight_table(speed: float = 3000.0, delay: float = 20.0, reach: float = 1000e3) -> ReachGrid:
    return ReachGrid.straight_line(speed, delay_s=delay, max_slant_range_m=reach, step_m=5000.0)


def vertical_drop(
    h0: float, speed: float, t: np.ndarray, decision: float = 0.0, site: tuple = SITE
) -> ThreatTracks:
    """A threat falling straight down at constant speed onto the site (synthetic)."""
    h = h0 - speed * t
    up = np.array(
        [
            math.cos(math.radians(site[0])) * math.cos(math.radians(site[1])),
            math.cos(math.radians(site[0])) * math.sin(math.radians(site[1])),
            math.sin(math.radians(site[0])),
        ]
    )
    r = np.asarray(geodetic_to_ecef(site[0], site[1], h)).reshape(-1, 3)
    v = np.broadcast_to(-speed * up, r.shape).copy()
    r[h < 0] = np.nan
    v[h < 0] = np.nan
    return ThreatTracks(t, r[None], v[None], np.atleast_1d(decision))


def one_site(lat: float = SITE[0], lon: float = SITE[1]) -> LaunchSites:
    return LaunchSites(np.array([lat]), np.array([lon]))


# --- geometry and table kernels ------------------------------------------------------


def test_ground_range_within_20_m_of_geographiclib():
    rng = np.random.default_rng(3)
    lat1, lat2 = rng.uniform(-60, 60, 200), rng.uniform(-60, 60, 200)
    lon1 = rng.uniform(-180, 180, 200)
    lon2 = lon1 + rng.uniform(-30, 30, 200)
    ours = wk.ground_range_batch(*(np.radians(a) for a in (lat1, lon1, lat2, lon2)))
    ref, _, _ = geodesic_inverse(lat1, lon1, lat2, lon2)
    # Lambert's formula: first order in the flattening, ~10 m over thousands of km
    assert np.max(np.abs(ours - ref)) < 20.0, "Lambert ground range off GeographicLib by > 20 m"
    assert wk.ground_range_point(0.5, 2.0, 0.5, 2.0) == 0.0


def test_kernel_interpolation_is_the_time_to_reach_tables():
    from openbmd.interceptors.flyout import TimeToReach

    rng = np.random.default_rng(1)
    x = np.arange(40) * 1000.0
    h = np.arange(30) * 1000.0
    t = rng.uniform(10, 100, (40, 30))
    t[30:, 20:] = np.nan
    speed = np.where(np.isnan(t), np.nan, rng.uniform(1e3, 3e3, t.shape))
    angle = np.where(np.isnan(t), np.nan, rng.uniform(0, 1.5, t.shape))
    table = TimeToReach("synthetic", x, h, t, speed, angle, "")
    grid = ReachGrid(x, h, t, table.speed_m_s, table.flight_path_angle_rad)
    px, ph = rng.uniform(-1e3, 41e3, 500), rng.uniform(-1e3, 31e3, 500)
    np.testing.assert_allclose(grid.time_at(px, ph), table.time_at(px, ph), rtol=1e-12)
    for ours, theirs in zip(grid.velocity_at(px, ph), table.velocity_at(px, ph), strict=True):
        np.testing.assert_allclose(ours, theirs, rtol=1e-12, atol=1e-12)


# --- a hand-computable window --------------------------------------------------------


def test_vertical_drop_over_the_site_matches_closed_form():
    """Threat falling at u from h0 over the site; straight-line interceptor of speed V after
    a delay d. Launch constraint t - d - h(t)/V >= ready gives
    t* = (ready + d + h0/V) / (1 + u/V); the window closes at h = min altitude."""
    h0, u, V, d, decision = 400e3, 2000.0, 3000.0, 20.0, 16.3
    t = np.arange(0.0, 200.0, 0.5)
    icp = make_interceptor()
    w = intercept_windows(
        vertical_drop(h0, u, t, decision), one_site(), icp, table=straight_table(V, d)
    )
    ready = decision + icp.reaction_time_s
    t_star = (ready + d + h0 / V) / (1.0 + u / V)
    t_close = (h0 - icp.min_intercept_alt_m) / u
    assert w.earliest_intercept_s[0, 0] == t[t >= t_star - 1e-9][0]
    assert w.latest_intercept_s[0, 0] == t[t <= t_close + 1e-9][-1]
    i = w.earliest_index[0, 0]
    assert w.closing_speed_m_s is not None and w.crossing_angle_deg is not None
    assert w.closing_speed_m_s[0, 0, i] == pytest.approx(V + u, rel=1e-9)
    assert w.crossing_angle_deg[0, 0, i] == pytest.approx(180.0, abs=1e-6), "head-on is 180 deg"
    assert w.earliest_launch_s[0, 0] == pytest.approx(t[i] - d - (h0 - u * t[i]) / V, abs=1e-6)
    assert w.earliest_ground_range_m[0, 0] < 1e-3
    assert w.earliest_intercept_alt_m[0, 0] == pytest.approx(h0 - u * t[i], abs=1e-3)


def test_track_quality_is_judged_at_launch():
    h0, u, V, d = 400e3, 2000.0, 3000.0, 20.0
    t = np.arange(0.0, 200.0, 0.5)
    tracks = vertical_drop(h0, u, t)
    sigma = np.clip(1000.0 - 10.0 * t, 0.0, None)[None]  # 200 m reached at t = 80 s
    tracks = ThreatTracks(tracks.time_s, tracks.r_ecef_m, tracks.v_ecef_m_s, np.zeros(1), sigma)
    icp = make_interceptor(required_track_sigma_m=200.0)
    w = intercept_windows(tracks, one_site(), icp, table=straight_table(V, d))
    assert w.first_launch_s[0, 0] >= 80.0 - 1e-9
    assert w.first_launch_s[0, 0] < 80.0 + 0.5 * (1 + u / V)
    bare = intercept_windows(tracks, one_site(), make_interceptor(), table=straight_table(V, d))
    assert bare.first_launch_s[0, 0] < 80.0, "without the requirement the window opens earlier"


# --- reasons -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("reason", "h0", "overrides", "decision", "site"),
    [
        ("below the minimum intercept altitude", 60e3, {}, 0.0, SITE),
        ("above the maximum intercept altitude", 2000e3, {"max_intercept_alt_m": 600e3}, 0.0, SITE),
        ("out of reach", 400e3, {}, 0.0, (30.0, 130.0)),
        ("closing speed too low", 400e3, {"min_closing_speed_m_s": 9000.0}, 0.0, SITE),
        ("closing speed too high", 400e3, {"max_closing_speed_m_s": 1000.0}, 0.0, SITE),
        ("crossing angle too large", 400e3, {"max_crossing_angle_deg": 90.0}, 0.0, SITE),
        ("seeker acquisition too late", 400e3, {"seeker_acquisition_range_m": 1000.0}, 0.0, SITE),
        ("no firm track in time", 400e3, {}, 500.0, SITE),
    ],
)
def test_each_constraint_gives_its_reason(reason, h0, overrides, decision, site):
    t = np.arange(0.0, 200.0, 1.0)
    tracks = vertical_drop(h0, 2000.0, t, decision, site=SITE)
    w = intercept_windows(
        tracks, one_site(*site), make_interceptor(**overrides), table=straight_table()
    )
    assert not w.engageable[0, 0]
    assert w.reason(0, 0) == reason
    assert w.shot_opportunities[0, 0] == 0 and not w.shoot_look_shoot_possible[0, 0]
    assert math.isnan(w.earliest_intercept_s[0, 0]) and math.isnan(w.latest_launch_s[0, 0])


def test_track_sigma_and_missing_samples_reasons():
    t = np.arange(0.0, 200.0, 1.0)
    tracks = vertical_drop(400e3, 2000.0, t)
    noisy = ThreatTracks(
        t, tracks.r_ecef_m, tracks.v_ecef_m_s, np.zeros(1), np.full((1, t.size), 5e3)
    )
    w = intercept_windows(
        noisy, one_site(), make_interceptor(required_track_sigma_m=100.0), table=straight_table()
    )
    assert w.reason(0, 0) == "track not accurate enough"
    empty = ThreatTracks(
        t, np.full((1, t.size, 3), np.nan), np.full((1, t.size, 3), np.nan), np.zeros(1)
    )
    w = intercept_windows(empty, one_site(), make_interceptor(), table=straight_table())
    assert w.reason(0, 0) == "no trajectory samples"
    assert w.reasons() == [["no trajectory samples"]]
    assert set(REASONS) >= {"out of reach", "no firm track in time"}


# --- policies, shot opportunities, shoot-look-shoot -----------------------------------


@pytest.fixture(scope="module")
def drop_windows():
    t = np.arange(0.0, 200.0, 0.5)
    decisions = np.array([0.0, 40.0, 60.0, 75.0])
    base = vertical_drop(500e3, 2000.0, t)
    r = np.repeat(base.r_ecef_m, decisions.size, axis=0)
    v = np.repeat(base.v_ecef_m_s, decisions.size, axis=0)
    tracks = ThreatTracks(t, r, v, decisions)
    return intercept_windows(tracks, one_site(), make_interceptor(), table=straight_table())


def test_keep_second_shot_is_latest_intercept_that_leaves_a_second_shot(drop_windows):
    w = drop_windows
    interval, ka = w.interceptor.min_launch_interval_s, w.kill_assessment_s
    choice = w.select("keep-second-shot")
    earliest = w.select("earliest")
    for o in range(w.shape[0]):
        feas = np.flatnonzero(w.feasible[o, 0])
        launch = w.launch_time_s[o, 0]
        last_launch = launch[feas].max() if feas.size else -np.inf
        ok = [i for i in feas if last_launch >= max(w.time_s[i] + ka, launch[i] + interval)]
        expect = max(ok) if ok else -1
        assert choice.index[o, 0] == expect
        assert earliest.index[o, 0] == (feas[0] if feas.size else -1)
        assert w.shoot_look_shoot_possible[o, 0] == bool(ok and feas[0] in ok)
        if expect >= 0:
            assert choice.intercept_time_s[o, 0] == w.time_s[expect]
            assert choice.launch_time_s[o, 0] == launch[expect]
            assert choice.intercept_time_s[o, 0] >= earliest.intercept_time_s[o, 0]
        else:
            assert math.isnan(choice.intercept_time_s[o, 0])
    # the firm-track times were chosen so that both outcomes occur
    assert w.shoot_look_shoot_possible[:, 0].any() and not w.shoot_look_shoot_possible[:, 0].all()
    with pytest.raises(ParameterError, match="policy"):
        w.select("latest")


def test_shot_opportunities_of_a_single_run(drop_windows):
    w = drop_windows
    interval = w.interceptor.min_launch_interval_s
    for o in range(w.shape[0]):
        if not w.engageable[o, 0]:
            continue
        feas = w.feasible[o, 0]
        assert np.all(np.diff(np.flatnonzero(feas)) == 1), "one run in this geometry"
        span = w.last_launch_s[o, 0] - w.first_launch_s[o, 0]
        assert w.shot_opportunities[o, 0] == math.floor(span / interval) + 1


@pytest.mark.parametrize(
    ("lo", "hi", "interval", "expected"),
    [
        ([0.0], [100.0], 10.0, 11),
        ([0.0, 20.0], [5.0, 26.0], 10.0, 2),
        ([0.0, 10.0], [100.0, 120.0], 10.0, 13),
        ([0.0, 1.0, 2.0], [10.0, 100.0, 5.0], 3.0, 34),
        ([50.0, 0.0], [60.0, 4.0], 4.0, 5),
        ([], [], 1.0, 0),
    ],
)
def test_shot_count_examples(lo, hi, interval, expected):
    lo_a, hi_a = np.array([*lo, 0.0]), np.array([*hi, 0.0])
    assert wk.shot_count(lo_a, hi_a, len(lo), interval) == expected


def test_shot_count_equals_brute_force_on_a_fine_grid():
    rng = np.random.default_rng(7)
    for _ in range(200):
        n = int(rng.integers(1, 5))
        lo = np.round(rng.uniform(0, 100, n))
        hi = lo + np.round(rng.uniform(0, 30, n))
        interval = float(rng.integers(1, 15))
        grid = np.arange(0.0, 131.0, 1.0)  # integer ends: the greedy points are integers
        inside = np.zeros(grid.size, dtype=bool)
        for a, b in zip(lo, hi, strict=True):
            inside |= (grid >= a) & (grid <= b)
        count, nxt = 0, -np.inf
        for g, ok in zip(grid, inside, strict=True):
            if ok and g >= nxt:
                count, nxt = count + 1, g + interval
        assert wk.shot_count(lo, hi, n, interval) == count


def test_zero_launch_interval_counts_feasible_samples():
    t = np.arange(0.0, 200.0, 1.0)
    w = intercept_windows(
        vertical_drop(400e3, 2000.0, t),
        one_site(),
        make_interceptor(min_launch_interval_s=0.0),
        table=straight_table(),
    )
    assert w.feasible is not None
    assert w.shot_opportunities[0, 0] == int(w.feasible[0, 0].sum()) > 0


def test_keep_samples_false_gives_the_same_windows(drop_windows):
    w = drop_windows
    t = w.time_s
    base = vertical_drop(500e3, 2000.0, t)
    tracks = ThreatTracks(
        t,
        np.repeat(base.r_ecef_m, 4, axis=0),
        np.repeat(base.v_ecef_m_s, 4, axis=0),
        w.decision_time_s,
    )
    lean = intercept_windows(
        tracks, one_site(), w.interceptor, table=straight_table(), keep_samples=False
    )
    assert lean.feasible is None and lean.launch_time_s is None
    for name in ("earliest_index", "latest_index", "second_shot_index", "shot_opportunities"):
        np.testing.assert_array_equal(getattr(lean, name), getattr(w, name))
    np.testing.assert_array_equal(lean.earliest_launch_s, w.earliest_launch_s)
    assert lean.summary(1, 0) == pytest.approx(w.summary(1, 0), nan_ok=True)


# --- cross-check against the root-finding baseline -----------------------------------


@pytest.fixture(scope="module")
def solved_tracks():
    from openbmd.threats import get_missile, solve_trajectory

    trajs = [
        solve_trajectory(get_missile("mrbm"), 39.0, 125.7, 35.7, 139.7),
        solve_trajectory(get_missile("mrbm"), 40.0, 127.0, 38.5, 136.0, "apogee", apogee_km=450),
        solve_trajectory(get_missile("irbm"), 40.0, 120.0, 36.0, 140.0),
    ]
    return ThreatTracks.from_trajectories(trajs, np.array([130.0, 150.0, 200.0]), step_s=2.0)


SITES = LaunchSites(
    np.array([39.7, 34.4, 37.0, 20.0]),
    np.array([140.1, 131.4, 137.0, 150.0]),
    names=("akita", "hagi", "sea", "far"),
)


@pytest.mark.parametrize(
    "overrides",
    [{}, {"min_intercept_alt_m": 150e3}, {"seeker_acquisition_range_m": 20e3}],
    ids=["default", "high-floor", "short-seeker"],
)
def test_windows_agree_with_root_finding(solved_tracks, overrides):
    icp = make_interceptor(**overrides)
    table = straight_table(3000.0, 20.0, 900e3)
    fast = intercept_windows(solved_tracks, SITES, icp, table=table)
    slow = windows_by_root_finding(solved_tracks, SITES, icp, table=table)
    step = 2.0
    np.testing.assert_array_equal(fast.engageable, slow.engageable)
    assert fast.engageable.sum() >= 5 and (~fast.engageable).sum() >= 3
    ok = fast.engageable
    # the sampled window starts at the first feasible sample, at most one step after the
    # boundary Brent's method finds, and ends at most one step before it
    d0 = fast.earliest_intercept_s[ok] - slow.earliest_intercept_s[ok]
    d1 = slow.latest_intercept_s[ok] - fast.latest_intercept_s[ok]
    assert np.all((d0 > -1e-2) & (d0 <= step + 1e-2)), d0
    assert np.all((d1 > -1e-2) & (d1 <= step + 1e-2)), d1


def test_windows_agree_with_root_finding_on_a_real_flyout_table(solved_tracks):
    from openbmd.interceptors.flyout import time_to_reach_table

    icp = make_interceptor()
    table = time_to_reach_table(icp)
    fast = intercept_windows(solved_tracks, SITES, icp, table=table)
    pairs = [(0, 0), (0, 1), (2, 0), (1, 3)]
    slow = windows_by_root_finding(solved_tracks, SITES, icp, table=table, pairs=pairs)
    for o, s in pairs:
        assert fast.engageable[o, s] == slow.engageable[o, s]
        if fast.engageable[o, s]:
            assert abs(fast.earliest_intercept_s[o, s] - slow.earliest_intercept_s[o, s]) <= 2.01
            assert abs(fast.latest_intercept_s[o, s] - slow.latest_intercept_s[o, s]) <= 2.01
    assert not slow.computed[2, 2] and math.isnan(slow.earliest_intercept_s[2, 2])


# --- inputs --------------------------------------------------------------------------


def test_tracks_from_samples_on_a_common_grid():
    t1 = np.array([0.0, 2.0, 4.0])
    t2 = np.array([4.0, 6.0])
    r = np.arange(15.0).reshape(5, 3) + 7e6
    samples = Samples(np.array([0, 3, 5]), np.concatenate([t1, t2]), r, r * 1e-3)
    tracks = ThreatTracks.from_samples(samples, [1.0, 2.0])
    np.testing.assert_array_equal(tracks.time_s, [0.0, 2.0, 4.0, 6.0])
    assert np.isnan(tracks.r_ecef_m[1, :2]).all() and np.isnan(tracks.r_ecef_m[0, 3]).all()
    np.testing.assert_array_equal(tracks.r_ecef_m[1, 2:], r[3:])
    np.testing.assert_array_equal(tracks.impact_time_s, [4.0, 6.0])
    bad = Samples(np.array([0, 3, 5]), np.concatenate([t1, [4.5, 6.5]]), r, r)
    with pytest.raises(ParameterError, match="samples"):
        ThreatTracks.from_samples(bad, 0.0)


def test_position_sigma_is_the_worst_axis():
    cov = np.diag([4.0, 25.0, 9.0])
    assert position_sigma_m(cov) == pytest.approx(5.0)
    stack = np.stack([cov, np.full((3, 3), np.nan)])
    out = position_sigma_m(stack)
    assert out[0] == pytest.approx(5.0) and np.isnan(out[1])
    with pytest.raises(ParameterError, match="covariance_m2"):
        position_sigma_m(np.eye(2))


@pytest.mark.parametrize(
    ("kwargs", "name"),
    [
        ({"time_s": [0.0, 0.0]}, "time_s"),
        ({"decision_time_s": [1.0, 2.0, 3.0]}, "decision_time_s"),
        ({"decision_time_s": math.nan}, "decision_time_s"),
        ({"track_sigma_m": -1.0}, "track_sigma_m"),
    ],
)
def test_tracks_reject_bad_input(kwargs, name):
    args: dict[str, Any] = {
        "time_s": [0.0, 1.0],
        "r_ecef_m": np.full((2, 2, 3), 7e6),
        "v_ecef_m_s": np.zeros((2, 2, 3)),
        "decision_time_s": 0.0,
    }
    args.update(kwargs)
    with pytest.raises(ParameterError, match=name):
        ThreatTracks(**args)


def test_sites_and_options_reject_bad_input():
    with pytest.raises(ParameterError, match="site_lat_deg"):
        LaunchSites(np.array([95.0]), np.array([0.0]))
    with pytest.raises(ParameterError, match="site_lon_deg"):
        LaunchSites(np.array([10.0]), np.array([math.inf]))
    t = np.arange(0.0, 10.0)
    with pytest.raises(ParameterError, match="kill_assessment_s"):
        intercept_windows(
            vertical_drop(400e3, 2000.0, t),
            one_site(),
            make_interceptor(),
            table=straight_table(),
            kill_assessment_s=-1.0,
        )
