"""Fly-out fan and time-to-reach table: accuracy against direct propagation, reach, cache.

The reference for the table is direct propagation: for a point (x, h), the kick angles
whose rising or falling crossing of the altitude h lands exactly at ground range x are
found by bisection on the kick (crossings located by the propagator's own altitude
events, not by samples), including the kicks whose apogee lies just above h; the
shortest of their crossing times is the time to reach the point over the same family of
trajectories the table is built from.
"""

import math
import time

import numpy as np
import pytest

from openbmd.errors import ParameterError
from openbmd.flight.propagate import EarthModel, propagate
from openbmd.interceptors.catalog import get_interceptor
from openbmd.interceptors.flyout import (
    FlyoutFan,
    TimeToReach,
    build_time_to_reach,
    flyout_fan,
    table_cache_path,
    time_to_reach_table,
)

EARTH = EarthModel.wgs84(rotation=False)


@pytest.fixture(scope="module")
def fans():
    return {n: flyout_fan(get_interceptor(n)) for n in ("lower-tier", "terminal-high")}


@pytest.fixture(scope="module")
def tables(fans):
    return {n: build_time_to_reach(f) for n, f in fans.items()}


@pytest.fixture
def home(tmp_path, monkeypatch):
    monkeypatch.setenv("OPENBMD_HOME", str(tmp_path))
    return tmp_path


# --- direct-propagation reference -----------------------------------------------------


def _crossings(it, kicks, levels):
    """Ground range and time of the rising (0) and falling (1) crossings, (K, Q, 2)."""
    plan = it.rocket.flight_plan(
        np.array([EARTH.radius_m, 0.0, 0.0]),
        math.pi / 2,
        np.atleast_1d(np.asarray(kicks, dtype=float)),
        omega_rad_s=0.0,
    )
    run = propagate(plan, EARTH, altitude_levels_m=levels)
    st = run.crossing_state_eci
    return EARTH.radius_m * np.arctan2(st[..., 1], st[..., 0]), run.crossing_time_s


def direct_time(it, px, ph, kick_max, n=300, iters=40):
    """Shortest time (s) over kicks in [0, kick_max] to reach each (px, ph) (m)."""
    px, ph = np.asarray(px, dtype=float), np.asarray(ph, dtype=float)
    kicks = np.linspace(0.0, kick_max, n)
    x, _ = _crossings(it, kicks, ph)
    best = np.full(px.size, np.inf)
    brackets = []  # (point, branch, kick low, kick high, sign of x - px at low)
    for q in range(px.size):
        for d in (0, 1):
            f = x[:, q, d] - px[q]
            ok = np.isfinite(f[:-1]) & np.isfinite(f[1:]) & (np.sign(f[:-1]) != np.sign(f[1:]))
            brackets += [(q, d, kicks[k], kicks[k + 1], np.sign(f[k])) for k in np.flatnonzero(ok)]
        # the point lies between the two crossings of the last kick that reaches its row:
        # narrow the gap to the kick whose apogee grazes the row
        crosses = np.isfinite(x[:, q, 0])
        for k in np.flatnonzero(crosses[:-1] & ~crosses[1:]):
            lo, hi = kicks[k], kicks[k + 1]
            if not x[k, q, 0] < px[q] < x[k, q, 1]:
                continue
            for _ in range(iters):
                mid = 0.5 * (lo + hi)
                xm, _ = _crossings(it, [mid], ph[q : q + 1])
                up, down = xm[0, 0, 0], xm[0, 0, 1]
                if not np.isfinite(up):
                    hi = mid
                elif up < px[q] < down:
                    lo = mid
                else:
                    d = 0 if px[q] <= up else 1
                    brackets.append((q, d, lo, mid, -1.0 if d == 0 else 1.0))
                    break
            else:
                _, tm = _crossings(it, [lo], ph[q : q + 1])
                best[q] = min(best[q], 0.5 * (tm[0, 0, 0] + tm[0, 0, 1]))
    if brackets:
        cols = list(zip(*brackets, strict=True))
        qs, ds = np.array(cols[0], dtype=int), np.array(cols[1], dtype=int)
        lo_k, hi_k = np.array(cols[2], dtype=float), np.array(cols[3], dtype=float)
        sign = np.array(cols[4], dtype=float)
        rows = np.arange(qs.size)
        for _ in range(iters):
            mid = 0.5 * (lo_k + hi_k)
            xm, _ = _crossings(it, mid, ph)
            same = np.sign(xm[rows, qs, ds] - px[qs]) == sign
            lo_k, hi_k = np.where(same, mid, lo_k), np.where(same, hi_k, mid)
        # the crossing's ground range is smooth in the kick only to the integration
        # tolerance (metres; near an apogee, where it is most sensitive, up to ~1 km
        # between adjacent floats): interpolate the time between the bracket's ends
        x_lo, t_lo = (a[rows, qs, ds] for a in _crossings(it, lo_k, ph))
        x_hi, t_hi = (a[rows, qs, ds] for a in _crossings(it, hi_k, ph))
        with np.errstate(invalid="ignore", divide="ignore"):
            w = np.where(x_hi != x_lo, (px[qs] - x_lo) / (x_hi - x_lo), 0.5)
        ok = (w >= 0.0) & (w <= 1.0) & (np.abs(x_hi - x_lo) < 2000.0)
        for i in np.flatnonzero(ok):
            best[qs[i]] = min(best[qs[i]], t_lo[i] + w[i] * (t_hi[i] - t_lo[i]))
    return np.where(np.isfinite(best), best, np.nan)


# --- the fan -------------------------------------------------------------------------


def test_fan_spans_vertical_to_level_burnout(fans):
    fan = fans["lower-tier"]
    assert isinstance(fan, FlyoutFan)
    assert fan.kick_angle_rad[0] == 0.0
    assert np.all(np.diff(fan.kick_angle_rad) > 0)
    gamma = np.degrees(fan.burnout_flight_path_angle_rad)
    assert gamma[0] == pytest.approx(90.0, abs=1e-6)
    assert gamma[-1] == pytest.approx(0.0, abs=0.5)
    assert np.all(np.diff(gamma) < 0), "burnout angles fall with the kick"
    # evenly spaced in burnout angle (the point of the kick selection)
    assert np.ptp(np.diff(gamma)) < 0.3
    # the vertical shot stays above the launch site; all flights start there at t = 0
    assert np.nanmax(np.abs(fan.ground_range_m[0])) < 1e-3
    np.testing.assert_array_equal(fan.time_s[:, 0], 0.0)
    np.testing.assert_allclose(fan.altitude_m[:, 0], 0.0, atol=1e-6)
    # every flight ends on the ground (the exact end state closes each row)
    last = np.sum(np.isfinite(fan.time_s), axis=1) - 1
    np.testing.assert_allclose(fan.altitude_m[np.arange(last.size), last], 0.0, atol=1e-3)


def test_fan_input_checks():
    it = get_interceptor("lower-tier")
    with pytest.raises(ParameterError, match="n_kicks"):
        flyout_fan(it, n_kicks=2)
    with pytest.raises(ParameterError, match="sample_step_s"):
        flyout_fan(it, sample_step_s=0.0)
    with pytest.raises(ParameterError, match="interceptor"):
        flyout_fan("lower-tier")  # type: ignore[arg-type]


# --- the table against direct propagation ----------------------------------------------


@pytest.mark.parametrize("name", ["lower-tier", "terminal-high"])
def test_table_matches_direct_propagation(name, fans, tables):
    it, fan, table = get_interceptor(name), fans[name], tables[name]
    rng = np.random.default_rng(20240611)
    cells = np.argwhere(np.isfinite(table.time_s[:-1, :-1]))
    pick = cells[rng.choice(len(cells), 14, replace=False)]
    px = table.ground_range_m[pick[:, 0]] + rng.uniform(0, table.resolution_m, pick.shape[0])
    ph = table.altitude_m[pick[:, 1]] + rng.uniform(0, table.resolution_m, pick.shape[0])
    got = table.time_at(px, ph)
    ref = direct_time(it, px, ph, fan.kick_angle_rad[-1])
    both = np.isfinite(got)
    assert both.sum() >= 10, "most sampled points lie inside the reachable cells"
    assert np.all(np.isfinite(ref[both])), "the table claims points direct propagation misses"
    err = np.abs(got[both] - ref[both])
    bound = np.maximum(1.0, 0.01 * ref[both])
    worst = int(np.argmax(err / bound))
    assert np.all(err <= bound), (
        f"table {got[both][worst]:.2f} s vs direct propagation {ref[both][worst]:.2f} s at "
        f"{px[both][worst] / 1e3:.2f} km, {ph[both][worst] / 1e3:.2f} km (bound: 1 s or 1 %)"
    )


def test_velocity_on_the_vertical_matches_the_vertical_shot(fans, tables):
    fan, table = fans["terminal-high"], tables["terminal-high"]
    h = np.array([20e3, 60e3, 150e3, 300e3])
    speed, gamma = table.velocity_at(np.zeros_like(h), h)
    t = table.time_at(np.zeros_like(h), h)
    rising = fan.time_s[0] <= fan.apogee_time_s[0]
    order = np.argsort(fan.altitude_m[0][rising])
    alt, v, tt = (a[rising][order] for a in (fan.altitude_m[0], fan.speed_m_s[0], fan.time_s[0]))
    np.testing.assert_allclose(t, np.interp(h, alt, tt), rtol=2e-3)
    np.testing.assert_allclose(speed, np.interp(h, alt, v), rtol=1e-2)
    np.testing.assert_allclose(np.degrees(gamma), 90.0, atol=0.5)


# --- reach -------------------------------------------------------------------------


def test_unreachable_points_are_nan(tables):
    table = tables["lower-tier"]
    x_max, h_max = table.max_ground_range_m, table.max_altitude_m
    far = table.time_at(
        [x_max + 5e3, 10e3, -1.0, 10e3, 1.5 * x_max], [10e3, h_max + 5e3, 5e3, -1.0, 0.0]
    )
    assert np.all(np.isnan(far))
    assert not table.reachable(x_max + 5e3, 10e3)
    assert table.reachable(10e3, 10e3)
    assert isinstance(table.time_at(10e3, 10e3), float)
    speed, gamma = table.velocity_at(x_max + 5e3, 10e3)
    assert math.isnan(speed) and math.isnan(gamma)


def test_reach_matches_the_fan(fans, tables):
    for name, fan in fans.items():
        table = tables[name]
        res = table.resolution_m
        assert table.max_altitude_m == pytest.approx(np.nanmax(fan.apogee_altitude_m), abs=res)
        assert table.max_ground_range_m == pytest.approx(
            np.nanmax(fan.impact_ground_range_m), abs=2 * res
        )


def test_time_grows_along_rays_from_the_launch_site(tables):
    """Farther takes longer along each ray, where the interceptor arrives climbing (below
    the fan's lowest trajectory only falling branches arrive, much later)."""
    s = np.linspace(0.01, 1.0, 300)
    for table in tables.values():
        for elev in np.radians([10.0, 20.0, 30.0, 45.0, 60.0, 75.0, 89.0]):
            reach = min(
                table.max_ground_range_m / math.cos(elev), table.max_altitude_m / math.sin(elev)
            )
            x, h = s * reach * math.cos(elev), s * reach * math.sin(elev)
            t = table.time_at(x, h)
            climbing = np.isfinite(t) & (table.velocity_at(x, h)[1] > 0.0)
            assert climbing.sum() >= 10
            assert np.all(np.diff(t[climbing]) > 0.0), (
                f"time falls along the {math.degrees(elev):.0f} deg ray"
            )


def test_time_grows_with_altitude_above_the_site_and_with_range_along_rows(tables):
    table = tables["terminal-high"]
    up = table.time_s[0]
    assert np.all(np.diff(up[np.isfinite(up)][1:]) > 0)
    j = int(50e3 // table.resolution_m)
    row = table.time_s[:, j]
    rising = table.flight_path_angle_rad[:, j] > 0
    assert np.all(np.diff(row[np.isfinite(row) & rising]) > 0)


def test_envelope_is_the_reach_boundary(tables):
    table = tables["lower-tier"]
    x, h = table.envelope()
    assert (x[0], h[0]) == (0.0, 0.0)
    assert x[-1] == 0.0 and h[-1] == table.max_altitude_m
    assert x.max() == table.max_ground_range_m
    assert np.all(np.diff(h) >= 0)
    inner = slice(1, -1)
    assert np.all(table.reachable(x[inner], h[inner]))
    assert not np.any(table.reachable(x[inner] + 1.5 * table.resolution_m, h[inner]))


def test_to_dict_is_json_ready(tables):
    import json

    d = tables["lower-tier"].to_dict()
    text = json.dumps(d)  # no NaN, no numpy types
    assert "NaN" not in text
    assert len(d["time_s"]) == len(d["ground_range_km"])
    assert len(d["time_s"][0]) == len(d["altitude_km"])
    assert any(v is None for row in d["time_s"] for v in row)
    assert d["max_ground_range_km"] == pytest.approx(tables["lower-tier"].max_ground_range_m / 1e3)


# --- build time and cache --------------------------------------------------------------


def test_table_builds_in_seconds_and_is_cached_on_disk(home):
    it = get_interceptor("upper-tier")
    start = time.perf_counter()
    first = time_to_reach_table(it)
    build_s = time.perf_counter() - start
    assert build_s < 5.0, f"building the upper-tier table took {build_s:.1f} s"
    path = table_cache_path(it, first.content_hash)
    assert path.is_file() and path.parent == home / "cache" / "flyout"
    start = time.perf_counter()
    again = time_to_reach_table(it)
    load_s = time.perf_counter() - start
    assert load_s < build_s, f"cache load {load_s:.2f} s not faster than build {build_s:.2f} s"
    assert isinstance(again, TimeToReach) and again.content_hash == first.content_hash
    for name in ("ground_range_m", "altitude_m", "time_s", "speed_m_s", "flight_path_angle_rad"):
        np.testing.assert_array_equal(getattr(again, name), getattr(first, name))
    assert (again.burnout_time_s, again.burnout_speed_m_s) == (
        first.burnout_time_s,
        first.burnout_speed_m_s,
    )


def test_cache_key_follows_the_parameters_that_matter(home):
    base = time_to_reach_table(get_interceptor("lower-tier"), resolution_m=1000.0)
    faster = time_to_reach_table(
        get_interceptor("lower-tier", burnout_speed_m_s=2000.0), resolution_m=1000.0
    )
    assert faster.content_hash != base.content_hash
    assert faster.max_ground_range_m > base.max_ground_range_m
    # a kill probability does not change the fly-out: same table, same file
    same = time_to_reach_table(get_interceptor("lower-tier", sspk=0.5), resolution_m=1000.0)
    assert same.content_hash == base.content_hash
    assert len(list((home / "cache" / "flyout").glob("*.npz"))) == 2
    finer = time_to_reach_table(get_interceptor("lower-tier"), resolution_m=500.0)
    assert finer.content_hash != base.content_hash


@pytest.mark.parametrize("damage", ["garbage", "truncated", "stale"])
def test_corrupt_or_stale_cache_file_is_rebuilt(home, damage):
    it = get_interceptor("lower-tier")
    good = time_to_reach_table(it, resolution_m=1000.0)
    path = table_cache_path(it, good.content_hash)
    data = path.read_bytes()
    if damage == "garbage":
        path.write_bytes(b"not an npz file")
    elif damage == "truncated":
        path.write_bytes(data[: len(data) // 2])
    else:
        with np.load(path) as npz:
            arrays = {k: npz[k] for k in npz.files}
        arrays["content_hash"] = np.array("0" * 64)
        with path.open("wb") as fh:
            np.savez(fh, **arrays)
    rebuilt = time_to_reach_table(it, resolution_m=1000.0)
    np.testing.assert_array_equal(rebuilt.time_s, good.time_s)
    with np.load(path) as npz:
        assert str(npz["content_hash"]) == good.content_hash, "the file is replaced"


def test_no_cache_writes_nothing(home):
    table = time_to_reach_table(get_interceptor("lower-tier"), resolution_m=1000.0, cache=False)
    assert table.time_s.shape[0] > 10
    assert not (home / "cache").exists()


def test_resolution_is_checked():
    it = get_interceptor("lower-tier")
    with pytest.raises(ParameterError, match="resolution_m"):
        time_to_reach_table(it, resolution_m=0.0, cache=False)
    with pytest.raises(ParameterError, match="resolution_m"):
        time_to_reach_table(it, resolution_m=1e9, cache=False)
