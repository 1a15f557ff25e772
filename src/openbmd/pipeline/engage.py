"""Stage 4 of a run: battle management, fly-out, homing endgame and kill assessment.

The battle manager fires at re-entry vehicles (rocket bodies are taken as discriminated
and ignored), using each threat's truth trajectory as the predicted path and the time of
its first firm track as the earliest decision (see ``docs/pipeline.md``):

1. Intercept windows per interceptor class (:func:`openbmd.engagement.intercept_windows`).
2. First stage: :func:`openbmd.engagement.assign_weapons` (greedy or optimal, with
   inventories) over the first tier's batteries (all batteries unless layered), a salvo of
   ``salvo_size`` per threat.
3. Every shot flies out (fly-out table), then a 3-D homing endgame over the last
   :data:`HOMING_TIME_S` seconds (proportional navigation with the kill vehicle's
   acceleration and divert limits, seeker noise and a handover heading error); a miss
   inside the lethal radius kills with probability ``sspk``, if the interceptor works
   (probability ``reliability``).
4. Kill assessment ``kill_assessment_s`` after the intercept; with shoot-look-shoot (or
   layered defence) a surviving threat gets the next stage from the next tier, the
   earliest feasible launch after the assessment.
5. A threat never killed is a leaker at its impact.

All draws come from one generator seeded by the run's seed: same seed, same outcome.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from openbmd.engagement.battle import assign_weapons
from openbmd.engagement.doctrine import next_shot_index
from openbmd.engagement.tracks import LaunchSites, ThreatTracks
from openbmd.engagement.windows import InterceptWindows, intercept_windows
from openbmd.interceptors.homing import homing_monte_carlo
from openbmd.interceptors.interceptor import Interceptor

#: Length of the simulated homing endgame, s before the intercept.
HOMING_TIME_S = 8.0
#: Generic endgame settings (assumptions, stated in docs/pipeline.md): navigation ratio,
#: guidance lag (s), seeker angle noise (rad, 1 sigma), handover heading error (rad).
NAV_RATIO = 4.0
GUIDANCE_TIME_CONSTANT_S = 0.1
SEEKER_NOISE_RAD = 1e-4
HANDOVER_HEADING_ERROR_RAD = 2e-3


@dataclass(frozen=True)
class Battery:
    """One defence site: its class, position in its class's windows, stock."""

    site_id: str
    interceptor: Interceptor
    class_index: int
    site_index: int
    inventory: int
    tier: int
    lat_deg: float
    lon_deg: float


@dataclass
class Shot:
    """A fired interceptor and its outcome."""

    threat: int
    battery: int
    stage: int
    launch_time_s: float
    intercept_time_s: float
    intercept_alt_m: float
    ground_range_m: float
    closing_speed_m_s: float
    miss_m: float = math.nan
    worked: bool = True
    killed: bool = False


@dataclass
class Engagement:
    """Result of the engagement stage."""

    windows: list[InterceptWindows]
    batteries: list[Battery]
    shots: list[Shot] = field(default_factory=list)
    decisions: list[tuple[float, int, int, str]] = field(default_factory=list)
    killed: np.ndarray | None = None
    inventory_left: np.ndarray | None = None


def engage(
    tracks: ThreatTracks,
    batteries: list[Battery],
    class_sites: list[tuple[Interceptor, LaunchSites]],
    *,
    salvo_size: int,
    stages: int,
    layered: bool,
    kill_assessment_s: float,
    method: str,
    objective: str,
    priority: str,
    threat_value: np.ndarray,
    rng: np.random.Generator,
) -> Engagement:
    """Plan, fire and assess (see the module docstring)."""
    windows = [
        intercept_windows(tracks, sites, icp, kill_assessment_s=kill_assessment_s)
        for icp, sites in class_sites
    ]
    result = Engagement(windows=windows, batteries=batteries)
    stock = np.array([b.inventory for b in batteries], dtype=np.int64)
    n_threats = tracks.size
    killed = np.zeros(n_threats, dtype=bool)
    busy: list[list[float]] = [[] for _ in batteries]
    n_tiers = max(b.tier for b in batteries) + 1 if batteries else 0

    # stage 1: weapon-target assignment over the first tier
    first = [i for i, b in enumerate(batteries) if b.tier == 0 or not layered]
    if first:
        classes = sorted({batteries[i].class_index for i in first})
        assignment = assign_weapons(
            [windows[c] for c in classes],
            np.array([stock[i] for c in classes for i in first if batteries[i].class_index == c]),
            method=method,
            objective=objective,
            shots_per_threat=salvo_size,
            threat_value=threat_value,
            priority=priority,
        )
        # battery order of the assignment: classes in order, their sites in order
        order = [i for c in classes for i in first if batteries[i].class_index == c]
        for rec in assignment.log.records:
            b = order[rec.battery] if rec.battery >= 0 else -1
            result.decisions.append((rec.time_s, rec.threat, b, rec.reason))
        for rec in assignment.shots:
            b = order[rec.battery]
            _fire(
                result,
                tracks,
                windows,
                batteries,
                b,
                rec.threat,
                rec.launch_time_s,
                rec.intercept_time_s,
                0,
                rng,
            )
            stock[b] -= 1
            busy[b].append(rec.launch_time_s)

    # later stages: shoot-look-shoot / layered, earliest feasible shot after assessment
    for stage in range(1, stages):
        tier = min(stage, n_tiers - 1) if layered else 0
        for o in _priority_order(tracks, threat_value, priority):
            mine = [s for s in result.shots if s.threat == o]
            if not mine or any(s.killed for s in mine):
                continue
            not_before = max(s.intercept_time_s for s in mine) + kill_assessment_s
            for _ in range(salvo_size):
                cand = [i for i, b in enumerate(batteries) if b.tier == tier or not layered]
                best = _next_shot(windows, batteries, cand, stock, busy, o, not_before)
                if best is None:
                    reason = (
                        "inventory empty" if all(stock[i] == 0 for i in cand) else ("window closed")
                    )
                    result.decisions.append((not_before, o, -1, reason))
                    break
                b, launch_s, intercept_s = best
                result.decisions.append((launch_s, o, b, "assigned"))
                _fire(result, tracks, windows, batteries, b, o, launch_s, intercept_s, stage, rng)
                stock[b] -= 1
                busy[b].append(launch_s)

    for s in result.shots:
        killed[s.threat] |= s.killed
    result.killed = killed
    result.inventory_left = stock
    return result


def _priority_order(tracks: ThreatTracks, value: np.ndarray, priority: str) -> list[int]:
    impact = tracks.impact_time_s
    if priority == "value":
        return sorted(range(tracks.size), key=lambda o: (-value[o], impact[o]))
    return sorted(range(tracks.size), key=lambda o: impact[o])


def _next_shot(
    windows: list[InterceptWindows],
    batteries: list[Battery],
    candidates: list[int],
    stock: np.ndarray,
    busy: list[list[float]],
    threat: int,
    not_before_launch_s: float,
) -> tuple[int, float, float] | None:
    best: tuple[int, float, float] | None = None
    for i in candidates:
        b = batteries[i]
        if stock[i] <= 0:
            continue
        w = windows[b.class_index]
        k = next_shot_index(w, threat, b.site_index, not_before_launch_s, busy[i])
        if k < 0:
            continue
        assert w.launch_time_s is not None
        launch = float(w.launch_time_s[threat, b.site_index, k])
        intercept = float(w.time_s[k])
        if best is None or intercept < best[2]:
            best = (i, launch, intercept)
    return best


def _fire(
    result: Engagement,
    tracks: ThreatTracks,
    windows: list[InterceptWindows],
    batteries: list[Battery],
    b: int,
    threat: int,
    launch_s: float,
    intercept_s: float,
    stage: int,
    rng: np.random.Generator,
) -> None:
    bat = batteries[b]
    icp = bat.interceptor
    w = windows[bat.class_index]
    k = int(np.argmin(np.abs(w.time_s - intercept_s)))
    assert w.ground_range_m is not None and w.closing_speed_m_s is not None
    assert w.crossing_angle_deg is not None
    closing = float(w.closing_speed_m_s[threat, bat.site_index, k])
    crossing = math.radians(float(w.crossing_angle_deg[threat, bat.site_index, k]))
    v_t = float(np.linalg.norm(tracks.v_ecef_m_s[threat, k]))
    shot = Shot(
        threat=threat,
        battery=b,
        stage=stage,
        launch_time_s=launch_s,
        intercept_time_s=intercept_s,
        intercept_alt_m=float(w.threat_alt_m[threat, k]),
        ground_range_m=float(w.ground_range_m[threat, bat.site_index, k]),
        closing_speed_m_s=closing,
    )
    shot.worked = bool(rng.random() < icp.reliability)
    if shot.worked:
        # interceptor speed from the closing speed and the crossing geometry
        aspect = max(0.0, math.pi - crossing)
        v_m = max(closing - v_t * math.cos(aspect), 0.5 * closing, 100.0)
        aspect = min(aspect, 0.9 * math.asin(min(1.0, v_m / max(v_t, 1e-9))))
        mc = homing_monte_carlo(
            1,
            int(rng.integers(0, 2**31 - 1)),
            range_m=max(closing * HOMING_TIME_S, 1000.0),
            interceptor_speed_m_s=v_m,
            target_speed_m_s=v_t,
            target_aspect_rad=aspect,
            heading_error_sigma_rad=HANDOVER_HEADING_ERROR_RAD,
            seeker_noise_rad=SEEKER_NOISE_RAD,
            nav_ratio=NAV_RATIO,
            time_constant_s=GUIDANCE_TIME_CONSTANT_S,
            accel_limit_m_s2=icp.lateral_accel_limit_m_s2,
            divert_budget_m_s=icp.divert_delta_v_m_s,
        )
        shot.miss_m = float(mc.result.miss_distance_m[0])
        hit = shot.miss_m <= icp.lethal_radius_m
        shot.killed = bool(hit and rng.random() < icp.sspk)
    result.shots.append(shot)
