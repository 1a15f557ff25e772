"""Doctrines: salvo, shoot-look-shoot and layered plans from intercept windows."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest

from openbmd.engagement.doctrine import (
    next_shot_index,
    plan_layered,
    plan_salvo,
    plan_shoot_look_shoot,
)
from openbmd.engagement.effectiveness import salvo_kill_probability, sls_kill_probability
from openbmd.engagement.reach_grid import ReachGrid
from openbmd.engagement.tracks import LaunchSites, ThreatTracks
from openbmd.engagement.windows import intercept_windows
from openbmd.errors import ParameterError
from openbmd.geodesy import geodetic_to_ecef
from openbmd.interceptors.interceptor import Interceptor

SITE = (39.7, 140.1)


def interceptor(name: str = "upper", **overrides: Any) -> Interceptor:
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
    return Interceptor.from_burnout(name, 3000.0, 20.0, 30.0, **fields)


def drop_tracks(decision: float | list[float], h0: float = 500e3, step: float = 0.5):
    """Threats falling straight down at 2 km/s onto SITE (one per firm-track time)."""
    t = np.arange(0.0, 260.0, step)
    h = h0 - 2000.0 * t
    lat, lon = map(math.radians, SITE)
    up = np.array([math.cos(lat) * math.cos(lon), math.cos(lat) * math.sin(lon), math.sin(lat)])
    r = np.asarray(geodetic_to_ecef(SITE[0], SITE[1], h)).reshape(-1, 3)
    v = np.broadcast_to(-2000.0 * up, r.shape).copy()
    r[h < 0], v[h < 0] = np.nan, np.nan
    d = np.atleast_1d(np.asarray(decision, dtype=float))
    return ThreatTracks(t, np.repeat(r[None], d.size, 0), np.repeat(v[None], d.size, 0), d)


SITES = LaunchSites(np.array([SITE[0], 20.0]), np.array([SITE[1], 150.0]), names=("near", "far"))
UPPER_TABLE = ReachGrid.straight_line(3000.0, delay_s=20.0, max_slant_range_m=1000e3, step_m=5e3)


@pytest.fixture(scope="module")
def upper():
    return intercept_windows(drop_tracks([0.0, 100.0]), SITES, interceptor(), table=UPPER_TABLE)


def test_salvo_spaced_by_the_launch_interval_from_the_earliest_intercept(upper):
    plan = plan_salvo(upper, 0, 3)
    assert plan.complete and len(plan.shots) == 3
    assert {s.site_name for s in plan.shots} == {"near"}, "the far site is out of reach"
    launches = [s.launch_time_s for s in plan.shots]
    assert launches[0] == pytest.approx(upper.earliest_launch_s[0, 0])
    assert plan.shots[0].intercept_time_s == upper.earliest_intercept_s[0, 0]
    assert np.all(np.diff(launches) >= upper.interceptor.min_launch_interval_s - 1e-9)
    # and no later than the next sampled launch after the interval
    assert np.all(np.diff(launches) < upper.interceptor.min_launch_interval_s + 1.0)
    for s in plan.shots:
        i = int(np.flatnonzero(upper.time_s == s.intercept_time_s)[0])
        assert upper.feasible[0, 0, i]
    expected = salvo_kill_probability(0.8, 3, reliability=0.9)
    assert plan.kill_probability() == pytest.approx(expected, abs=1e-12)
    assert plan.expected_shots() == 3.0
    assert plan.to_dicts()[0]["site_name"] == "near"


def test_salvo_larger_than_the_window_reports_window_closed(upper):
    n = int(upper.shot_opportunities[1, 0]) + 2
    plan = plan_salvo(upper, 1, n, site=0)
    assert not plan.complete
    assert len(plan.shots) <= upper.shot_opportunities[1, 0]
    assert {m.reason for m in plan.missed} == {"window closed"}
    assert len(plan.shots) + len(plan.missed) == n


def test_salvo_from_a_site_out_of_reach_gives_the_pair_reason(upper):
    plan = plan_salvo(upper, 0, 2, site=1)
    assert plan.shots == () and [m.reason for m in plan.missed] == ["out of reach"] * 2


def test_shoot_look_shoot_waits_for_the_kill_assessment(upper):
    plan = plan_shoot_look_shoot(upper, 0, (1, 1))
    assert upper.shoot_look_shoot_possible[0, 0]
    assert plan.complete
    first, second = plan.shots
    assert (first.stage, second.stage) == (0, 1)
    assert second.launch_time_s >= first.intercept_time_s + upper.kill_assessment_s
    sls = sls_kill_probability(0.8, [1, 1], reliability=0.9)
    assert plan.kill_probability() == pytest.approx(sls.p_kill, abs=1e-12)
    assert plan.expected_shots() == pytest.approx(sls.expected_shots, abs=1e-12)


def test_shoot_look_shoot_agrees_with_the_windows_flag(upper):
    for o in range(2):
        plan = plan_shoot_look_shoot(upper, o, (1, 1), site=0)
        assert plan.complete == bool(upper.shoot_look_shoot_possible[o, 0])
    late = plan_shoot_look_shoot(upper, 1, (1, 1), site=0)
    assert [m.reason for m in late.missed] == ["window closed"]
    longer = plan_shoot_look_shoot(upper, 0, (1, 1), kill_assessment_s=1e4)
    assert len(longer.shots) == 1 and longer.missed[0].stage == 1


def test_layered_lower_tier_fires_at_leakers_after_the_look(upper):
    lower_icp = interceptor(
        "lower", kind="endo", min_intercept_alt_m=5e3, max_intercept_alt_m=60e3, reaction_time_s=5.0
    )
    lower_table = ReachGrid.straight_line(1500.0, delay_s=5.0, max_slant_range_m=80e3, step_m=1e3)
    lower = intercept_windows(drop_tracks([0.0, 100.0]), SITES, lower_icp, table=lower_table)
    plan = plan_layered([upper, lower], 0, [(1,), (2,)])
    assert plan.complete and [s.tier for s in plan.shots] == [0, 1, 1]
    top = plan.shots[0]
    for s in plan.shots[1:]:
        assert s.interceptor == "lower"
        assert s.launch_time_s >= top.intercept_time_s + upper.kill_assessment_s
        assert s.intercept_alt_m <= 60e3
    # an assessment that outlasts the lower tier's window leaves the lower tier no shot
    closed = plan_layered([upper, lower], 0, [(1,), (1,)], kill_assessment_s=300.0)
    assert [(m.tier, m.reason) for m in closed.missed] == [(1, "window closed")]
    # a lower tier whose sites are all far away gives its reason
    far = intercept_windows(
        drop_tracks([0.0, 100.0]),
        LaunchSites(np.array([20.0]), np.array([150.0])),
        lower_icp,
        table=lower_table,
    )
    plan = plan_layered([upper, far], 0)
    assert [(m.tier, m.reason) for m in plan.missed] == [(1, "out of reach")]


def test_next_shot_index_respects_busy_launches(upper):
    i = next_shot_index(upper, 0, 0, -math.inf)
    assert i == upper.earliest_index[0, 0]
    first = float(upper.launch_time_s[0, 0, i])
    j = next_shot_index(upper, 0, 0, -math.inf, [first])
    assert upper.launch_time_s[0, 0, j] >= first + upper.interceptor.min_launch_interval_s
    assert next_shot_index(upper, 0, 1, -math.inf) == -1


def test_doctrine_input_errors(upper):
    with pytest.raises(ParameterError, match="threat"):
        plan_salvo(upper, 5)
    with pytest.raises(ParameterError, match="salvo_sizes"):
        plan_shoot_look_shoot(upper, 0, (1, -1))
    with pytest.raises(ParameterError, match="salvo_sizes"):
        plan_shoot_look_shoot(upper, 0, ())
    with pytest.raises(ParameterError, match="site"):
        plan_salvo(upper, 0, 1, site=7)
    with pytest.raises(ParameterError, match="kill_assessment_s"):
        plan_shoot_look_shoot(upper, 0, kill_assessment_s=-1.0)
    with pytest.raises(ParameterError, match="tiers"):
        plan_layered([], 0)
    lean = intercept_windows(
        drop_tracks(0.0), SITES, interceptor(), table=UPPER_TABLE, keep_samples=False
    )
    with pytest.raises(ParameterError, match="keep_samples"):
        plan_salvo(lean, 0)
