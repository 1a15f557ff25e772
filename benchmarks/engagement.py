"""Intercept windows of 10,000 threats x 4 sites against a per-pair root-finding baseline.

Prints one JSON object. Threats: four generic MRBM trajectories (solved to four aim
points in Japan) perturbed into ``--threats`` launches (azimuth +-1 deg, kick +-10 %,
cut-off +-2 s, 1 sigma), flown with drag, J2 and rotation and sampled every ``--step``
seconds; firm track at each one's burnout + 60 s. Sites: four upper-tier sites. Figures:

- ``windows_s``: wall time of :func:`intercept_windows` on all pairs (best of 3, warm
  compiled cache, fly-out table already loaded), with every (O, S, T) sample array kept;
- ``baseline_s_per_pair``: :func:`windows_by_root_finding` on ``--baseline-pairs`` random
  pairs in the same run; ``baseline_scaled_s`` = that times the number of pairs;
- ``speedup_vs_baseline``: ``baseline_scaled_s / windows_s``;
- ``max_earliest_diff_s``, ``max_latest_diff_s``, ``engageable_mismatches``: agreement of
  the two on the baseline pairs (the sampled window may differ by up to one step);
- ``endgame_runs_per_s``: runs per second of the homing Monte Carlo
  (:func:`openbmd.interceptors.homing.homing_monte_carlo`, ``--endgame-runs`` runs) in the
  geometry of the first engageable pair's earliest intercept (null if unavailable).

Usage: ``python benchmarks/engagement.py --json [--threats 10000] [--baseline-pairs 40]``
"""

from __future__ import annotations

import argparse
import json
import math
import time
from typing import Any

import numba
import numpy as np

from openbmd.engagement.tracks import LaunchSites, ThreatTracks
from openbmd.engagement.windows import (
    InterceptWindows,
    intercept_windows,
    windows_by_root_finding,
)
from openbmd.interceptors.catalog import get_interceptor
from openbmd.interceptors.flyout import time_to_reach_table
from openbmd.threats import fly, get_missile, solve_trajectory

#: (launch lat, lon, aim lat, lon) of the four base trajectories.
ROUTES = [
    (39.0, 125.7, 35.7, 139.7),
    (40.0, 127.0, 34.7, 135.5),
    (38.5, 126.0, 33.6, 130.4),
    (41.0, 129.0, 38.3, 140.9),
]
SITES = LaunchSites(
    np.array([39.7, 34.4, 37.5, 35.2]),
    np.array([140.1, 131.4, 134.5, 136.9]),
    names=("akita", "hagi", "sea-of-japan", "nagoya"),
)


def make_tracks(n: int, step_s: float, seed: int) -> ThreatTracks:
    missile = get_missile("mrbm")
    rng = np.random.default_rng(seed)
    parts = []
    for k, (la, lo, aa, ao) in enumerate(ROUTES):
        tr = solve_trajectory(missile, la, lo, aa, ao)
        m = n // len(ROUTES) + (1 if k < n % len(ROUTES) else 0)
        cut = np.clip(tr.cutoff_s + rng.normal(0, 2.0, m), 30.0, missile.total_burn_time_s)
        parts.append(
            fly(
                missile,
                la,
                lo,
                tr.azimuth_rad + np.radians(rng.normal(0, 1.0, m)),
                tr.kick_angle_rad * np.clip(rng.normal(1.0, 0.1, m), 0.5, 1.5),
                cut,
                sample_step_s=step_s,
            )
        )
    grids = []
    for f in parts:
        s = f.propagation.samples
        assert s is not None
        grids.append(ThreatTracks.from_samples(s, f.burnout_time_s + 60.0))
    n_t = max(g.time_s.size for g in grids)
    time_s = grids[0].time_s[0] + step_s * np.arange(n_t)

    def pad(a: np.ndarray) -> np.ndarray:
        out = np.full((a.shape[0], n_t, 3), np.nan)
        out[:, : a.shape[1]] = a
        return out

    return ThreatTracks(
        time_s,
        np.concatenate([pad(g.r_ecef_m) for g in grids]),
        np.concatenate([pad(g.v_ecef_m_s) for g in grids]),
        np.concatenate([g.decision_time_s for g in grids]),
    )


def endgame_runs_per_s(w: InterceptWindows, tracks: ThreatTracks, table: Any, runs: int) -> Any:
    try:
        from openbmd.interceptors.homing import homing_monte_carlo
    except ImportError:
        return None, "openbmd.interceptors.homing not available"
    o, s = map(int, np.argwhere(w.engageable)[0])
    i = int(w.earliest_index[o, s])
    assert w.ground_range_m is not None
    speed, _ = table.velocity_at(w.ground_range_m[o, s, i], w.threat_alt_m[o, i])
    scenario: dict[str, Any] = {
        "range_m": 20e3,
        "interceptor_speed_m_s": float(speed),
        "target_speed_m_s": float(np.linalg.norm(tracks.v_ecef_m_s[o, i])),
        "heading_error_sigma_rad": math.radians(0.5),
        "seeker_noise_rad": 1e-4,
        "seeker_update_s": 0.01,
        "time_constant_s": 0.1,
        "accel_limit_m_s2": w.interceptor.lateral_accel_limit_m_s2,
        "divert_budget_m_s": w.interceptor.divert_delta_v_m_s,
        "blind_range_m": 50.0,
        "step_s": 1e-3,
    }
    homing_monte_carlo(16, 1, **scenario)  # compile or load outside the timing
    start = time.perf_counter()
    homing_monte_carlo(runs, 2, **scenario)
    return runs / (time.perf_counter() - start), scenario


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--threats", type=int, default=10_000)
    ap.add_argument("--step", type=float, default=4.0)
    ap.add_argument("--baseline-pairs", type=int, default=40)
    ap.add_argument("--endgame-runs", type=int, default=2000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()

    icp = get_interceptor("upper-tier")
    table = time_to_reach_table(icp)
    start = time.perf_counter()
    tracks = make_tracks(args.threats, args.step, args.seed)
    make_s = time.perf_counter() - start
    small = ThreatTracks(
        tracks.time_s, tracks.r_ecef_m[:8], tracks.v_ecef_m_s[:8], tracks.decision_time_s[:8]
    )
    intercept_windows(small, SITES, icp, table=table)  # compile or load the cache
    times = []
    for _ in range(3):
        start = time.perf_counter()
        w = intercept_windows(tracks, SITES, icp, table=table)
        times.append(time.perf_counter() - start)
    fast_s = min(times)

    rng = np.random.default_rng(args.seed + 1)
    n_pairs = tracks.size * SITES.size
    flat = rng.choice(n_pairs, size=min(args.baseline_pairs, n_pairs), replace=False)
    pairs = [(int(k // SITES.size), int(k % SITES.size)) for k in flat]
    start = time.perf_counter()
    slow = windows_by_root_finding(tracks, SITES, icp, table=table, pairs=pairs)
    per_pair = (time.perf_counter() - start) / len(pairs)

    o_idx = np.array([p[0] for p in pairs])
    s_idx = np.array([p[1] for p in pairs])
    both = w.engageable[o_idx, s_idx] & slow.engageable[o_idx, s_idx]
    d0 = np.abs(w.earliest_intercept_s - slow.earliest_intercept_s)[o_idx, s_idx][both]
    d1 = np.abs(w.latest_intercept_s - slow.latest_intercept_s)[o_idx, s_idx][both]
    runs_per_s, scenario = endgame_runs_per_s(w, tracks, table, args.endgame_runs)
    out = {
        "threats": tracks.size,
        "sites": SITES.size,
        "samples_per_threat": int(tracks.time_s.size),
        "sample_step_s": args.step,
        "pairs": n_pairs,
        "threat_generation_s": make_s,
        "windows_s": fast_s,
        "windows_pairs_per_s": n_pairs / fast_s,
        "baseline_pairs": len(pairs),
        "baseline_s_per_pair": per_pair,
        "baseline_scaled_s": per_pair * n_pairs,
        "speedup_vs_baseline": per_pair * n_pairs / fast_s,
        "baseline_engageable_pairs": int(both.sum()),
        "engageable_mismatches": int(
            np.sum(w.engageable[o_idx, s_idx] != slow.engageable[o_idx, s_idx])
        ),
        "max_earliest_diff_s": float(d0.max()) if d0.size else None,
        "max_latest_diff_s": float(d1.max()) if d1.size else None,
        "engageable_fraction": float(w.engageable.mean()),
        "mean_shot_opportunities": float(w.shot_opportunities[w.engageable].mean()),
        "sls_possible_fraction": float(w.shoot_look_shoot_possible.mean()),
        "endgame_runs_per_s": runs_per_s,
        "endgame_scenario": scenario,
        "threads": numba.get_num_threads(),
    }
    if args.json:
        print(json.dumps(out, indent=2))
    else:
        for k, v in out.items():
            print(f"{k}: {v}")


if __name__ == "__main__":
    main()
