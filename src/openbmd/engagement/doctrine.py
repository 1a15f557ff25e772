"""Firing doctrines: the planned shots at one threat, from its intercept windows.

- :func:`plan_salvo`: n interceptors from one site, each launched at least
  ``min_launch_interval_s`` after the previous one, the first at the earliest intercept;
  all are in the air before any kill assessment.
- :func:`plan_shoot_look_shoot`: stage salvos n_1, n_2, ...; stage k+1 launches no earlier
  than the last intercept of stage k plus the kill-assessment time (the "look").
- :func:`plan_layered`: tiers in order (upper tier first), each with its own windows and
  stage salvos; a lower tier fires at leakers only after the tier above has intercepted
  and assessed, when its own window still allows.

A shot goes to the first feasible sample (in time order) whose launch time is late
enough, so planned times lie on the windows' sample grid. A shot that cannot be planned
is listed in :attr:`ShotPlan.missed` with the reason: the pair's reason when the site has
no window at all (``out of reach``, ``no firm track in time``, ...), else ``window
closed``. Kill probabilities follow Wilkening (2000) with perfect kill assessment: every
working shot kills independently with ``reliability x sspk``. See ``docs/engagement.md``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from openbmd.engagement.windows import InterceptWindows
from openbmd.errors import ParameterError, require_non_negative

__all__ = [
    "MissedShot",
    "PlannedShot",
    "ShotPlan",
    "next_shot_index",
    "plan_layered",
    "plan_salvo",
    "plan_shoot_look_shoot",
]

WINDOW_CLOSED = "window closed"


@dataclass(frozen=True)
class PlannedShot:
    """One interceptor launch at one threat (times in s since the epoch)."""

    threat: int
    tier: int
    stage: int
    site: int
    site_name: str
    interceptor: str
    launch_time_s: float
    intercept_time_s: float
    intercept_alt_m: float
    ground_range_m: float
    p_kill: float


@dataclass(frozen=True)
class MissedShot:
    """A shot the doctrine asked for but could not plan, and why."""

    threat: int
    tier: int
    stage: int
    shot: int
    reason: str


@dataclass(frozen=True)
class ShotPlan:
    """Planned shots at one threat.

    Attributes
    ----------
    threat : int
    doctrine : str
        ``salvo``, ``shoot-look-shoot`` or ``layered``.
    shots : tuple of PlannedShot
        In launch order within each stage and tier.
    missed : tuple of MissedShot
        Shots asked for that no window allowed.
    """

    threat: int
    doctrine: str
    shots: tuple[PlannedShot, ...]
    missed: tuple[MissedShot, ...]

    @property
    def complete(self) -> bool:
        """Every shot the doctrine asked for is planned."""
        return not self.missed

    def kill_probability(self) -> float:
        """Probability that the threat is killed if every planned stage is fired when
        needed: ``1 - prod(1 - p_i)`` over the planned shots (perfect assessment)."""
        return 1.0 - math.prod(1.0 - s.p_kill for s in self.shots)

    def expected_shots(self) -> float:
        """Expected interceptors fired: a stage fires only if every earlier stage (and
        tier) failed to kill."""
        total, alive = 0.0, 1.0
        for _key, group in _stages(self.shots):
            total += alive * len(group)
            alive *= math.prod(1.0 - s.p_kill for s in group)
        return total

    def to_dicts(self) -> list[dict[str, object]]:
        """Planned shots as JSON-ready dicts."""
        return [s.__dict__.copy() for s in self.shots]


_Planned = tuple[list[PlannedShot], list[MissedShot]]


def _stages(shots: Sequence[PlannedShot]) -> list[tuple[tuple[int, int], list[PlannedShot]]]:
    groups: dict[tuple[int, int], list[PlannedShot]] = {}
    for s in shots:
        groups.setdefault((s.tier, s.stage), []).append(s)
    return sorted(groups.items())


def _require_samples(windows: InterceptWindows) -> tuple[np.ndarray, np.ndarray]:
    if windows.feasible is None or windows.launch_time_s is None:
        raise ParameterError(
            "windows", "computed with keep_samples=True (doctrines need the samples)", "none"
        )
    return windows.feasible, windows.launch_time_s


def next_shot_index(
    windows: InterceptWindows,
    threat: int,
    site: int,
    not_before_launch_s: float,
    busy_launch_s: Sequence[float] = (),
) -> int:
    """First feasible sample (in time order) of a pair whose launch time is at least
    ``not_before_launch_s`` and at least ``min_launch_interval_s`` away from every launch
    in ``busy_launch_s`` (the site's other launches); -1 if none."""
    feasible, launch = _require_samples(windows)
    ok = feasible[threat, site] & (launch[threat, site] >= not_before_launch_s)
    interval = windows.interceptor.min_launch_interval_s
    for b in busy_launch_s:
        ok &= np.abs(launch[threat, site] - b) >= interval
    hits = np.flatnonzero(ok)
    return int(hits[0]) if hits.size else -1


def _shot(
    windows: InterceptWindows, threat: int, site: int, index: int, tier: int, stage: int
) -> PlannedShot:
    icp = windows.interceptor
    _, launch = _require_samples(windows)
    assert windows.ground_range_m is not None
    return PlannedShot(
        threat=threat,
        tier=tier,
        stage=stage,
        site=site,
        site_name=windows.site_names[site],
        interceptor=icp.name,
        launch_time_s=float(launch[threat, site, index]),
        intercept_time_s=float(windows.time_s[index]),
        intercept_alt_m=float(windows.threat_alt_m[threat, index]),
        ground_range_m=float(windows.ground_range_m[threat, site, index]),
        p_kill=float(icp.reliability * icp.sspk),
    )


def _stage_plan(
    windows: InterceptWindows,
    threat: int,
    site: int,
    salvo_sizes: Sequence[int],
    kill_assessment_s: float,
    not_before_launch_s: float,
    tier: int,
) -> _Planned:
    """Stage salvos from one site; stage k+1 waits for stage k's last intercept + look."""
    shots: list[PlannedShot] = []
    missed: list[MissedShot] = []
    interval = windows.interceptor.min_launch_interval_s
    not_before = not_before_launch_s
    pair_reason = windows.reason(threat, site)
    for stage, n in enumerate(salvo_sizes):
        stage_shots: list[PlannedShot] = []
        for k in range(n):
            i = next_shot_index(windows, threat, site, not_before)
            if i < 0:
                missed.append(MissedShot(threat, tier, stage, k, pair_reason or WINDOW_CLOSED))
                continue
            shot = _shot(windows, threat, site, i, tier, stage)
            stage_shots.append(shot)
            not_before = shot.launch_time_s + interval
        shots.extend(stage_shots)
        if stage_shots:
            look = max(s.intercept_time_s for s in stage_shots) + kill_assessment_s
            not_before = max(not_before, look)
    return shots, missed


def _planner(
    windows: InterceptWindows,
    threat: int,
    salvo_sizes: Sequence[int],
    kill_assessment_s: float,
    not_before_launch_s: float,
    tier: int,
) -> Callable[[int], _Planned]:
    """:func:`_stage_plan` as a function of the site alone."""

    def plan(site: int) -> _Planned:
        return _stage_plan(
            windows, threat, site, salvo_sizes, kill_assessment_s, not_before_launch_s, tier
        )

    return plan


def _counts(name: str, sizes: Sequence[int]) -> tuple[int, ...]:
    out = tuple(int(n) for n in sizes)
    if not out or any(n < 0 or n != m for n, m in zip(out, sizes, strict=True)):
        raise ParameterError(name, "a non-empty sequence of integers >= 0", list(sizes))
    return out


def _best_site(
    windows: InterceptWindows,
    threat: int,
    site: int | None,
    plan: Callable[[int], _Planned],
) -> _Planned:
    """The plan of the given site, or of the site that plans the most shots (ties: the
    earliest first intercept)."""
    n_sites = windows.shape[1]
    if site is not None:
        if not 0 <= site < n_sites:
            raise ParameterError("site", f"in [0, {n_sites - 1}]", site)
        return plan(site)
    best: _Planned | None = None
    best_key = (math.inf, math.inf)
    for s in range(n_sites):
        shots, missed = plan(s)
        first = min((p.intercept_time_s for p in shots), default=math.inf)
        key = (len(missed), first)
        if best is None or key < best_key:
            best, best_key = (shots, missed), key
    assert best is not None
    return best


def _threat(windows: InterceptWindows, threat: int) -> int:
    n = windows.shape[0]
    if not 0 <= int(threat) < n:
        raise ParameterError("threat", f"in [0, {n - 1}]", threat)
    return int(threat)


def plan_salvo(
    windows: InterceptWindows, threat: int, shots: int = 2, *, site: int | None = None
) -> ShotPlan:
    """A salvo of ``shots`` interceptors at ``threat`` from one site (default: the site
    that fits the most shots, then the earliest intercept)."""
    o = _threat(windows, threat)
    (n,) = _counts("shots", [shots])
    ka = windows.kill_assessment_s
    got, missed = _best_site(windows, o, site, _planner(windows, o, (n,), ka, -math.inf, 0))
    return ShotPlan(o, "salvo", tuple(got), tuple(missed))


def plan_shoot_look_shoot(
    windows: InterceptWindows,
    threat: int,
    salvo_sizes: Sequence[int] = (1, 1),
    *,
    kill_assessment_s: float | None = None,
    site: int | None = None,
) -> ShotPlan:
    """Shoot-look-shoot at ``threat`` from one site: stage salvos ``salvo_sizes``, each
    stage launched no earlier than the previous stage's last intercept plus
    ``kill_assessment_s`` (default: the windows' own)."""
    o = _threat(windows, threat)
    sizes = _counts("salvo_sizes", salvo_sizes)
    ka = _assess(windows, kill_assessment_s)
    got, missed = _best_site(windows, o, site, _planner(windows, o, sizes, ka, -math.inf, 0))
    return ShotPlan(o, "shoot-look-shoot", tuple(got), tuple(missed))


def plan_layered(
    tiers: Sequence[InterceptWindows],
    threat: int,
    salvo_sizes: Sequence[Sequence[int]] | None = None,
    *,
    kill_assessment_s: float | None = None,
) -> ShotPlan:
    """Layered defence at ``threat``: each tier (upper first) fires its stage salvos from
    its best site; a tier fires only after the last intercept of the tiers above plus
    ``kill_assessment_s`` (default: the first tier's windows' own), i.e. at leakers.

    ``salvo_sizes[k]`` are tier k's stage salvos (default one shot per tier). The tiers'
    windows must share the threats and the time grid.
    """
    if len(tiers) == 0:
        raise ParameterError("tiers", "at least one tier of windows", 0)
    o = _threat(tiers[0], threat)
    for w in tiers[1:]:
        if w.shape[0] != tiers[0].shape[0] or not np.array_equal(w.time_s, tiers[0].time_s):
            raise ParameterError("tiers", "windows of the same threats and time grid", "not")
    sizes = [(1,)] * len(tiers) if salvo_sizes is None else list(salvo_sizes)
    if len(sizes) != len(tiers):
        raise ParameterError("salvo_sizes", f"one sequence per tier ({len(tiers)})", len(sizes))
    ka = _assess(tiers[0], kill_assessment_s)
    shots: list[PlannedShot] = []
    missed: list[MissedShot] = []
    not_before = -math.inf
    for k, (w, sz) in enumerate(zip(tiers, sizes, strict=True)):
        n = _counts(f"salvo_sizes[{k}]", sz)
        got, miss = _best_site(w, o, None, _planner(w, o, n, ka, not_before, k))
        shots.extend(got)
        missed.extend(miss)
        if got:
            not_before = max(s.intercept_time_s for s in got) + ka
    return ShotPlan(o, "layered", tuple(shots), tuple(missed))


def _assess(windows: InterceptWindows, kill_assessment_s: float | None) -> float:
    if kill_assessment_s is None:
        return float(windows.kill_assessment_s)
    return float(require_non_negative("kill_assessment_s", kill_assessment_s))
