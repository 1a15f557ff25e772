"""Weapon-target assignment: greedy against optimal, brute force, inventories, the log."""

from __future__ import annotations

import itertools
import math
from typing import Any

import numpy as np
import pytest

from openbmd.engagement.battle import assign_weapons
from openbmd.engagement.reach_grid import ReachGrid
from openbmd.engagement.tracks import LaunchSites, ThreatTracks
from openbmd.engagement.windows import intercept_windows
from openbmd.errors import ParameterError
from openbmd.geodesy import geodetic_to_ecef
from openbmd.interceptors.interceptor import Interceptor

LAT = 35.0
#: Threats fall straight down at these longitudes; the sites sit at 140.0 and 142.0 E.
THREAT_LON = np.array([139.5, 141.0, 142.5])
SITES = LaunchSites(np.array([LAT, LAT]), np.array([140.0, 142.0]), names=("west", "east"))
# slant reach 150 km: a threat 0.5 or 1 deg (46 or 91 km) away is reachable, 2.5 deg is not
TABLE = ReachGrid.straight_line(3000.0, delay_s=10.0, max_slant_range_m=150e3, step_m=2e3)


def interceptor(name: str = "upper", sspk: float = 0.8, interval: float = 0.5) -> Interceptor:
    return Interceptor.from_burnout(
        name,
        3000.0,
        20.0,
        30.0,
        kind="exo",
        min_intercept_alt_m=70e3,
        max_intercept_alt_m=600e3,
        divert_delta_v_m_s=500.0,
        lateral_accel_limit_m_s2=100.0,
        seeker_acquisition_range_m=300e3,
        reaction_time_s=5.0,
        min_launch_interval_s=interval,
        sspk=sspk,
        reliability=0.9,
        lethal_radius_m=0.5,
    )


def tracks(decision=0.0, lons=THREAT_LON, h0=200e3, delays=None) -> ThreatTracks:
    """Threats falling at 1 km/s from h0 onto (LAT, lon); ``delays`` shift their starts."""
    t = np.arange(0.0, 300.0, 0.5)
    delays = np.zeros(len(lons)) if delays is None else np.asarray(delays, dtype=float)
    r = np.full((len(lons), t.size, 3), np.nan)
    v = np.full_like(r, np.nan)
    for o, lon in enumerate(lons):
        h = h0 - 1000.0 * (t - delays[o])
        ok = (h >= 0) & (t >= delays[o])
        la, lo = math.radians(LAT), math.radians(lon)
        up = np.array([math.cos(la) * math.cos(lo), math.cos(la) * math.sin(lo), math.sin(la)])
        r[o, ok] = np.asarray(geodetic_to_ecef(LAT, lon, h[ok])).reshape(-1, 3)
        v[o, ok] = -1000.0 * up
    return ThreatTracks(t, r, v, np.asarray(decision, dtype=float))


def windows(icp=None, trk=None, sites=SITES):
    return intercept_windows(trk or tracks(), sites, icp or interceptor(), table=TABLE)


def test_engagement_geometry_of_the_fixture():
    w = windows()
    np.testing.assert_array_equal(w.engageable, [[True, False], [True, True], [False, True]])


def brute_force(engage, p, stock, value, shots, objective):
    """Best objective over every way of giving each interceptor to a threat or to none."""
    slots = [b for b, n in enumerate(stock) for _ in range(n)]
    best = -math.inf
    for choice in itertools.product(range(-1, engage.shape[0]), repeat=len(slots)):
        count = np.zeros(engage.shape[0], dtype=int)
        leak = np.ones(engage.shape[0])
        ok = True
        for b, o in zip(slots, choice, strict=True):
            if o < 0:
                continue
            if not engage[o, b]:
                ok = False
                break
            count[o] += 1
            leak[o] *= 1.0 - p[b]
        if not ok or np.any(count > shots):
            continue
        score = (
            float(np.sum(value * (1.0 - leak)))
            if objective == "expected-kills"
            else -float(np.sum(value * np.log(leak)))
        )
        best = max(best, score)
    return best


def score(a, objective):
    if objective == "expected-kills":
        return a.expected_kills
    return -float(np.sum(a.threat_value * np.log(1.0 - a.kill_probability)))


@pytest.mark.parametrize("seed", range(12))
def test_optimal_matches_brute_force_and_beats_greedy(seed):
    rng = np.random.default_rng(seed)
    mixed = seed % 2 == 1
    groups = [windows(interceptor("a", 0.8))]
    if mixed:  # a second class with another kill probability at the same two sites
        groups.append(windows(interceptor("b", 0.5)))
    n_bat = 2 * len(groups)
    stock = rng.integers(0, 3, n_bat)
    value = rng.uniform(0.5, 2.0, 3)
    shots = int(rng.integers(1, 3))
    engage = np.concatenate([g.engageable for g in groups], axis=1)
    p = np.array([0.72, 0.72] + ([0.45, 0.45] if mixed else []))
    # exact cases: one shot per threat, or one class; log-leak is exact for any mix
    objectives = ["log-leak"] if mixed and shots > 1 else ["expected-kills", "log-leak"]
    for objective in objectives:
        kw: dict[str, Any] = dict(shots_per_threat=shots, threat_value=value, objective=objective)
        opt = assign_weapons(groups, stock, method="optimal", **kw)
        greedy = assign_weapons(groups, stock, method="greedy", **kw)
        assert "window closed" not in {r.reason for r in opt.log.records}
        best = brute_force(engage, p, stock, value, shots, objective)
        assert score(opt, objective) == pytest.approx(best, abs=1e-9), objective
        assert score(opt, objective) >= score(greedy, objective) - 1e-9
        assert np.all(opt.inventory_left >= 0)
        assert np.sum(stock - opt.inventory_left) == len(opt.shots)


def test_greedy_spends_the_only_interceptor_of_a_later_threat():
    """Threat 1 (earliest impact) can be engaged from both sites, threat 0 only from the
    west; the west site intercepts threat 1 earlier, so greedy spends its one interceptor
    there and threat 0 finds the inventory empty. The optimum engages both."""
    w = windows(trk=tracks(lons=THREAT_LON[:2], delays=[30.0, 0.0]))
    greedy = assign_weapons(w, [1, 1], method="greedy")
    assert [(s.threat, s.battery_name) for s in greedy.shots[:1]] == [(1, "upper@west")]
    assert "inventory empty" in greedy.log.reasons(0)
    assert greedy.kill_probability[0] == 0.0
    opt = assign_weapons(w, [1, 1], method="optimal")
    assert opt.kill_probability[0] > 0 and opt.kill_probability[1] > 0
    assert opt.expected_kills > greedy.expected_kills


def test_decision_log_reasons():
    # threat 0: firm track too late; threat 1: both sites; threat 2: east site only
    icp = interceptor(interval=1000.0)  # one launch per battery in these windows
    w = windows(icp, trk=tracks(decision=[400.0, 0.0, 0.0]))
    a = assign_weapons(w, [1, 3], method="greedy", shots_per_threat=2)
    log = a.log
    assert log.reasons(0) == {"no firm track in time", "out of reach"}
    assert "assigned" in log.reasons(1)
    assert "window closed" in log.reasons(2), "the east launcher is busy with threat 1"
    empty = assign_weapons(w, [0, 0])
    assert "inventory empty" in empty.log.reasons(1)
    rows = log.to_dicts()
    assert len(rows) == len(log) and set(rows[0]) >= {
        "time_s",
        "threat",
        "battery",
        "action",
        "reason",
    }
    assigned = [r for r in rows if r["action"] == "assign"]
    assert all(r["reason"] == "assigned" and math.isfinite(r["launch_time_s"]) for r in assigned)
    assert all(r["time_s"] == 0.0 for r in assigned), "decided at the firm-track time"


def test_launches_of_one_battery_respect_the_interval():
    icp = interceptor(interval=20.0)
    w = windows(icp)
    a = assign_weapons(w, [3, 3], method="optimal", shots_per_threat=2)
    for b in range(2):
        launches = sorted(s.launch_time_s for s in a.shots if s.battery == b)
        assert np.all(np.diff(launches) >= 20.0 - 1e-9)


def test_value_priority_orders_greedy():
    w = windows(trk=tracks(delays=[30.0, 0.0, 60.0]))
    a = assign_weapons(w, [1, 1], method="greedy", priority="value", threat_value=[5.0, 1.0, 1.0])
    assert a.shots[0].threat == 0 and a.kill_probability[0] > 0


@pytest.mark.parametrize(
    ("kwargs", "name"),
    [
        ({"inventory": [-1, 2]}, "inventory"),
        ({"inventory": [1.5, 2]}, "inventory"),
        ({"inventory": [1, 2, 3]}, "inventory"),
        ({"inventory": "many"}, "inventory"),
        ({"inventory": 1, "shots_per_threat": 0}, "shots_per_threat"),
        ({"inventory": 1, "method": "random"}, "method"),
        ({"inventory": 1, "objective": "fun"}, "objective"),
        ({"inventory": 1, "threat_value": [-1.0, 1.0, 1.0]}, "threat_value"),
    ],
)
def test_bad_input(kwargs, name):
    with pytest.raises(ParameterError, match=name):
        assign_weapons(windows(), **kwargs)
