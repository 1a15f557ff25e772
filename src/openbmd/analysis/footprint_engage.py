"""What the defence of a scenario does against one threat trajectory: the footprint's
per-threat engagement figures, shared by the fast (batched) and the brute-force paths.

- :class:`RadarPack`: the scenario's radars as arrays for the firm-track kernels, with
  the re-entry vehicle's RCS table and the tracker's confirmation rule.
- :class:`Tier`: the defence sites of one interceptor class (grouped as the main job
  groups them: classes in order of first appearance, or in ``tier_order`` when the
  doctrine is layered; the first site's interceptor, overrides applied, stands for the
  class), with inventories and the class's fly-out table.
- :class:`DoctrineSpec`: the scenario's firing doctrine.
- :func:`evaluate`: intercept windows of every threat x tier (one batched
  :func:`~openbmd.engagement.windows.intercept_windows` per tier, no sample arrays kept)
  reduced to :class:`Outcome`; :func:`worst_case` reduces an outcome over launch points.

Kill probability of a site (Wilkening 2000, perfect kill assessment, as the doctrine
module assumes): ``salvo``: ``1 - (1 - R SSPK)^n`` with ``n = min(salvo_size,
shots)``; ``shoot-look-shoot``: stage 1 a salvo of ``min(salvo_size, shots)``, stage 2
(only when the window lets a second launch follow the first intercept's kill assessment)
a salvo of ``min(salvo_size, shots - n1)``. Stages beyond the second are not credited
(the windows verify only one look). ``shots`` are the site's shot opportunities capped by
its inventory. A tier's probability is its best site's; tiers combine as ``1 - prod(1 -
P_tier)`` when the doctrine is layered (each tier fires at what the one above missed),
else as the best tier.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, fields, replace

import numpy as np

from openbmd.engagement.effectiveness import salvo_kill_probability, sls_kill_probability
from openbmd.engagement.tracks import LaunchSites, ThreatTracks
from openbmd.engagement.windows import intercept_windows
from openbmd.interceptors.interceptor import Interceptor
from openbmd.interceptors.time_to_reach import TimeToReach
from openbmd.scenario import ResolvedScenario, Scenario
from openbmd.scenario.distributions import nominal_value
from openbmd.sensors.los import SensorGeometry
from openbmd.sensors.radar import Radar
from openbmd.sensors.rcs import RcsModel
from openbmd.tracking.manager import TrackerConfig

__all__ = [
    "DETECTION_PD",
    "DoctrineSpec",
    "Outcome",
    "RadarPack",
    "Tier",
    "TierScreen",
    "crop_tiers",
    "doctrine_of",
    "evaluate",
    "tiers_of",
    "worst_case",
]

#: Probability of detection per look that counts as a hit for the firm-track rule (the
#: threshold of the coverage maps, ``openbmd coverage --pd``).
DETECTION_PD = 0.9


@dataclass(frozen=True)
class RadarPack:
    """S radars as arrays for :mod:`openbmd.analysis.footprint_kernels` (S may be 0).

    ``site`` (S, 3), ``rot`` (S, 3, 3), ``par`` (S, 9), ``boresight`` (S, 3): as
    :class:`~openbmd.sensors.los.SensorGeometry`; ``range_1m2`` (S,): range of Pd =
    :data:`DETECTION_PD` against 1 m² at boresight, m; ``scan_exponent`` (S,);
    ``revisit_s`` (S,): search revisit; ``rcs_table`` (181,): target RCS against aspect
    (0 to 180 deg), dBsm; ``hits_needed``: hits that confirm a track (the tracker's M of
    its default M-of-N rule).
    """

    names: tuple[str, ...]
    site: np.ndarray
    rot: np.ndarray
    par: np.ndarray
    boresight: np.ndarray
    range_1m2: np.ndarray
    scan_exponent: np.ndarray
    revisit_s: np.ndarray
    rcs_table: np.ndarray
    hits_needed: int
    rcs_label: str

    @classmethod
    def of(cls, radars: Sequence[Radar], rcs: RcsModel) -> RadarPack:
        """Pack ``radars`` (validated already) against a target of RCS model ``rcs``."""
        hits = int(TrackerConfig().m_of_n[0])
        table = np.ascontiguousarray(rcs.uniform_table_dbsm())
        if not radars:
            empty = np.zeros((0, 3))
            return cls(
                (),
                empty,
                np.zeros((0, 3, 3)),
                np.zeros((0, 9)),
                empty.copy(),
                np.zeros(0),
                np.zeros(0),
                np.ones(0),
                table,
                hits,
                rcs.label,
            )
        geo = SensorGeometry.of(radars)
        return cls(
            names=tuple(r.name for r in radars),
            site=geo.site_ecef_m,
            rot=geo.rotation,
            par=geo.parameters,
            boresight=geo.boresight_enu,
            range_1m2=np.array([float(r.detection_range_m(1.0, DETECTION_PD)) for r in radars]),
            scan_exponent=np.array([float(r.scan_loss_exponent) for r in radars]),
            revisit_s=np.array([float(r.search_revisit_s) for r in radars]),
            rcs_table=table,
            hits_needed=hits,
            rcs_label=rcs.label,
        )

    @property
    def size(self) -> int:
        """Number of radars S."""
        return len(self.names)


@dataclass(frozen=True)
class Tier:
    """The sites of one interceptor class."""

    name: str
    interceptor: Interceptor
    sites: LaunchSites
    inventory: np.ndarray
    table: TimeToReach


@dataclass(frozen=True)
class DoctrineSpec:
    """Firing doctrine: ``mode`` (``salvo`` / ``shoot-look-shoot``), ``salvo_size``,
    ``stages``, ``kill_assessment_s``, ``layered``."""

    mode: str
    salvo_size: int
    stages: int
    kill_assessment_s: float
    layered: bool


def doctrine_of(scenario: Scenario) -> DoctrineSpec:
    """The doctrine of ``scenario`` (nominal values)."""
    d = scenario.defence.doctrine
    sizes = d.salvo_sizes
    return DoctrineSpec(
        mode=d.mode,
        salvo_size=int(sizes[0]),
        stages=len(sizes) if d.mode == "shoot-look-shoot" else 1,
        kill_assessment_s=float(nominal_value(d.kill_assessment_s)),
        layered=bool(d.layered),
    )


def tiers_of(scenario: Scenario, resolved: ResolvedScenario) -> tuple[Tier, ...]:
    """Defence sites grouped by interceptor class, as the main job groups them."""
    from openbmd.interceptors.flyout import time_to_reach_table

    sites = scenario.defence.sites
    classes: list[str] = []
    for s in sites:
        if s.interceptor not in classes:
            classes.append(s.interceptor)
    order = list(scenario.defence.doctrine.tier_order or [])
    if scenario.defence.doctrine.layered and order:
        classes.sort(key=lambda c: order.index(c) if c in order else len(order))
    tiers = []
    for cls in classes:
        members = [s for s in sites if s.interceptor == cls]
        icp = resolved.interceptors[members[0].id]
        tiers.append(
            Tier(
                name=cls,
                interceptor=icp,
                sites=LaunchSites(
                    lat_deg=np.array([m.site.lat_deg for m in members]),
                    lon_deg=np.array([m.site.lon_deg for m in members]),
                    alt_m=np.array([m.site.alt_m for m in members]),
                    names=tuple(m.id for m in members),
                ),
                inventory=np.array([m.inventory for m in members], dtype=np.int64),
                table=time_to_reach_table(icp),
            )
        )
    return tuple(tiers)


@dataclass(frozen=True)
class Outcome:
    """Engagement figures of N threats (or cells); tier arrays are (n_tiers, N).

    ``earliest_intercept_s`` is s after the threat's launch (NaN: none); the altitude is
    that of the earliest intercept over all sites of the tier (or of all tiers).
    """

    engageable: np.ndarray
    shot_opportunities: np.ndarray
    earliest_intercept_s: np.ndarray
    earliest_intercept_alt_m: np.ndarray
    sls_fits: np.ndarray
    p_engagement: np.ndarray
    engageable_tier: np.ndarray
    shot_opportunities_tier: np.ndarray
    p_engagement_tier: np.ndarray

    @classmethod
    def empty(cls, n_tiers: int, n: int) -> Outcome:
        """N threats that no tier engages."""
        return cls(
            np.zeros(n, bool),
            np.zeros(n, np.int64),
            np.full(n, np.nan),
            np.full(n, np.nan),
            np.zeros(n, bool),
            np.zeros(n),
            np.zeros((n_tiers, n), bool),
            np.zeros((n_tiers, n), np.int64),
            np.zeros((n_tiers, n)),
        )

    @property
    def n_tiers(self) -> int:
        """Number of tiers."""
        return int(self.engageable_tier.shape[0])

    def take(self, index: np.ndarray) -> Outcome:
        """The outcome of a subset of the threats."""
        out = {}
        for f in fields(self):
            a = getattr(self, f.name)
            out[f.name] = a[:, index] if f.name.endswith("_tier") else a[index]
        return Outcome(**out)

    def scatter(self, index: np.ndarray, n: int) -> Outcome:
        """This outcome placed at ``index`` among ``n`` threats (the others: none)."""
        out = Outcome.empty(self.n_tiers, n)
        for f in fields(self):
            a = getattr(out, f.name)
            if f.name.endswith("_tier"):
                a[:, index] = getattr(self, f.name)
            else:
                a[index] = getattr(self, f.name)
        return out

    @classmethod
    def concatenate(cls, parts: Sequence[Outcome]) -> Outcome:
        """Outcomes of consecutive groups of threats joined in order."""
        out = {}
        for f in fields(cls):
            axis = 1 if f.name.endswith("_tier") else 0
            out[f.name] = np.concatenate([getattr(p, f.name) for p in parts], axis=axis)
        return cls(**out)


def _site_kill_probability(
    icp: Interceptor, doctrine: DoctrineSpec, shots: np.ndarray, sls: np.ndarray
) -> np.ndarray:
    """Kill probability of each (threat, site) pair from its shots and SLS (see module)."""
    n1 = np.minimum(doctrine.salvo_size, shots)
    if doctrine.mode == "salvo" or doctrine.stages < 2:
        return np.asarray(
            salvo_kill_probability(icp.sspk, n1, reliability=icp.reliability), dtype=float
        )
    n2 = np.where(sls, np.minimum(doctrine.salvo_size, np.maximum(shots - n1, 0)), 0)
    out = sls_kill_probability(icp.sspk, np.stack([n1, n2], -1), reliability=icp.reliability)
    return np.asarray(out.p_kill, dtype=float)


def evaluate(tracks: ThreatTracks, tiers: Sequence[Tier], doctrine: DoctrineSpec) -> Outcome:
    """Engagement figures of every threat of ``tracks`` (launched at t = 0)."""
    n, n_tiers = tracks.size, len(tiers)
    out = Outcome.empty(n_tiers, n)
    best_t = np.full((n_tiers, n), np.nan)
    best_alt = np.full((n_tiers, n), np.nan)
    sls_tier = np.zeros((n_tiers, n), bool)
    for i, tier in enumerate(tiers):
        w = intercept_windows(
            tracks,
            tier.sites,
            tier.interceptor,
            table=tier.table,
            kill_assessment_s=doctrine.kill_assessment_s,
            keep_samples=False,
        )
        ok = w.engageable & (tier.inventory[None, :] > 0)
        shots = np.where(ok, np.minimum(w.shot_opportunities, tier.inventory[None, :]), 0)
        sls = ok & w.shoot_look_shoot_possible & (tier.inventory[None, :] >= 2)
        p_site = np.where(ok, _site_kill_probability(tier.interceptor, doctrine, shots, sls), 0.0)
        t_e = np.where(ok, w.earliest_intercept_s, np.inf)
        j = np.argmin(t_e, axis=1)
        rows = np.arange(n)
        out.engageable_tier[i] = ok.any(axis=1)
        out.shot_opportunities_tier[i] = shots.sum(axis=1)
        out.p_engagement_tier[i] = p_site.max(axis=1) if p_site.size else 0.0
        sls_tier[i] = sls.any(axis=1)
        best_t[i] = np.where(out.engageable_tier[i], t_e[rows, j], np.nan)
        best_alt[i] = np.where(out.engageable_tier[i], w.earliest_intercept_alt_m[rows, j], np.nan)
    return _combine(out, best_t, best_alt, sls_tier, doctrine)


def _combine(
    out: Outcome,
    best_t: np.ndarray,
    best_alt: np.ndarray,
    sls_tier: np.ndarray,
    doctrine: DoctrineSpec,
) -> Outcome:
    n = out.engageable.size
    if best_t.shape[0] == 0:
        return out
    p = out.p_engagement_tier
    p_all = 1.0 - np.prod(1.0 - p, axis=0) if doctrine.layered else p.max(axis=0)
    t = np.where(np.isfinite(best_t), best_t, np.inf)
    j = np.argmin(t, axis=0)
    rows = np.arange(n)
    engageable = np.asarray(out.engageable_tier.any(axis=0), dtype=bool)
    return Outcome(
        engageable=engageable,
        shot_opportunities=out.shot_opportunities_tier.sum(axis=0),
        earliest_intercept_s=np.where(engageable, best_t[j, rows], np.nan),
        earliest_intercept_alt_m=np.where(engageable, best_alt[j, rows], np.nan),
        sls_fits=np.asarray(sls_tier.any(axis=0), dtype=bool),
        p_engagement=np.clip(p_all, 0.0, 1.0),
        engageable_tier=out.engageable_tier,
        shot_opportunities_tier=out.shot_opportunities_tier,
        p_engagement_tier=out.p_engagement_tier,
    )


def worst_case(outcome: Outcome, n_points: int) -> Outcome:
    """Reduce the outcome of ``n_points`` launch points x C cells (threats ordered point
    by point) to the C cells, taking the worst launch point for each figure: a cell is
    engageable only if engageable from every launch point; shots and kill probabilities
    are the smallest; the earliest intercept is the latest one over the launch points
    (with its altitude)."""
    if n_points == 1:
        return outcome
    c = outcome.engageable.size // n_points

    def grid(a: np.ndarray) -> np.ndarray:
        return a.reshape(n_points, c) if a.ndim == 1 else a.reshape(a.shape[0], n_points, c)

    engageable = np.asarray(grid(outcome.engageable).all(axis=0), dtype=bool)
    t = grid(outcome.earliest_intercept_s)
    j = np.argmax(np.where(np.isfinite(t), t, -np.inf), axis=0)
    cols = np.arange(c)
    return Outcome(
        engageable=engageable,
        shot_opportunities=grid(outcome.shot_opportunities).min(axis=0),
        earliest_intercept_s=np.where(engageable, t[j, cols], np.nan),
        earliest_intercept_alt_m=np.where(
            engageable, grid(outcome.earliest_intercept_alt_m)[j, cols], np.nan
        ),
        sls_fits=np.asarray(grid(outcome.sls_fits).all(axis=0), dtype=bool),
        p_engagement=grid(outcome.p_engagement).min(axis=0),
        engageable_tier=np.asarray(grid(outcome.engageable_tier).all(axis=1), dtype=bool),
        shot_opportunities_tier=grid(outcome.shot_opportunities_tier).min(axis=1),
        p_engagement_tier=grid(outcome.p_engagement_tier).min(axis=1),
    )


def never_firm_decision(firm_s: np.ndarray, flight_time_s: np.ndarray) -> np.ndarray:
    """Decision times for the windows: the firm-track time, or (never firm) one second
    after impact, as the main job does for a threat it never tracks."""
    return np.where(np.isfinite(firm_s), firm_s, np.nan_to_num(flight_time_s, nan=0.0) + 1.0)


def crop_tiers(tiers: Sequence[Tier], max_range_m: float, max_alt_m: float) -> tuple[Tier, ...]:
    """The tiers with fly-out tables cut to ground ranges up to ``max_range_m`` and
    altitudes up to ``max_alt_m`` (one node beyond each kept): the windows read the same
    table cells for every point inside, and there are no points outside."""
    out = []
    for tier in tiers:
        t = tier.table
        i = min(int(np.searchsorted(t.ground_range_m, max_range_m)) + 2, t.ground_range_m.size)
        j = min(int(np.searchsorted(t.altitude_m, max_alt_m)) + 2, t.altitude_m.size)
        i, j = max(i, 2), max(j, 2)
        table = replace(
            t,
            ground_range_m=t.ground_range_m[:i].copy(),
            altitude_m=t.altitude_m[:j].copy(),
            time_s=np.ascontiguousarray(t.time_s[:i, :j]),
            speed_m_s=np.ascontiguousarray(t.speed_m_s[:i, :j]),
            flight_path_angle_rad=np.ascontiguousarray(t.flight_path_angle_rad[:i, :j]),
        )
        out.append(replace(tier, table=table))
    return tuple(out)


@dataclass(frozen=True)
class TierScreen:
    """What the sample screen of :func:`~openbmd.analysis.footprint_kernels.
    place_screened_kernel` needs of the tiers: altitude bands, reaction times, and per
    altitude cell of each fly-out table a lower bound of its time to reach (the smallest
    time on the cell's two rows; inf where none), (n_tiers, A)."""

    alt_min: np.ndarray
    alt_max: np.ndarray
    reaction: np.ndarray
    lb_dalt: np.ndarray
    lb_cells: np.ndarray
    lb: np.ndarray

    @classmethod
    def of(cls, tiers: Sequence[Tier]) -> TierScreen:
        """The screen of ``tiers`` (tables on uniform axes from 0, as they are built)."""
        rows = []
        for t in tiers:
            both = np.fmin(t.table.time_s[:, :-1], t.table.time_s[:, 1:])
            with np.errstate(all="ignore"):
                low = np.nanmin(np.where(np.isfinite(both), both, np.inf), axis=0)
            rows.append(low)
        width = max((r.size for r in rows), default=1)
        lb = np.full((len(rows), width), np.inf)
        for i, r in enumerate(rows):
            lb[i, : r.size] = r
        return cls(
            alt_min=np.array([t.interceptor.min_intercept_alt_m for t in tiers], dtype=float),
            alt_max=np.array([t.interceptor.max_intercept_alt_m for t in tiers], dtype=float),
            reaction=np.array([t.interceptor.reaction_time_s for t in tiers], dtype=float),
            lb_dalt=np.array([float(t.table.resolution_m) for t in tiers]),
            lb_cells=np.array([r.size for r in rows], dtype=np.int64),
            lb=lb,
        )


def min_reaction_s(tiers: Sequence[Tier]) -> float:
    """Shortest reaction time over the tiers, s (0 without tiers)."""
    return min((t.interceptor.reaction_time_s for t in tiers), default=0.0)
