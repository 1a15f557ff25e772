"""The batched footprint computation: blocks of grid rows as independent tasks.

Each :class:`BlockTask` carries everything its threats need (the trajectory family, the
radars, the tiers with their fly-out tables, the doctrine) so that
:func:`openbmd.analysis.parallel.map_tasks` can run it anywhere; nothing in it is random,
so the result depends neither on the backend nor on the blocking. For the threats of a
block (:func:`evaluate_threats`):

1. range and bearing of every threat and its blend of reference profiles
   (:func:`openbmd.analysis.footprint_family.blend`); beyond the family's ranges the
   missile cannot reach the target: ``reachable`` False;
2. firm-track time (compiled, :func:`~openbmd.analysis.footprint_kernels.firm_track_kernel`);
3. the threats that can still be engaged (firm track plus the shortest reaction time of
   the tiers before impact), in chunks of :data:`LIVE_CHUNK` in order of that time, are
   placed on one time grid of ``sample_step_s`` keeping only the samples some tier
   could intercept (:func:`~openbmd.analysis.footprint_kernels.place_screened_kernel`;
   the others are marked absent) and go through one
   :func:`~openbmd.analysis.footprint_engage.evaluate` (one batched intercept-windows
   call per tier).

From a launch area, the nominal launch point goes first for every cell of the block;
the other launch points only for the cells engageable from it (a cell that the nominal
point rules out is not engageable in the worst case, whatever the others give). The
worst launch point of every cell is kept
(:func:`~openbmd.analysis.footprint_engage.worst_case`); ``firm_track_s`` is that of the
nominal launch point. Only the per-cell figures survive a block, and at most
:data:`LIVE_CHUNK` threats are placed at once (in order of their earliest launch; times
samples times 48 bytes of positions and velocities), so memory stays bounded.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from openbmd.analysis import footprint_kernels as fk
from openbmd.analysis.footprint_engage import (
    DoctrineSpec,
    Outcome,
    RadarPack,
    Tier,
    TierScreen,
    crop_tiers,
    evaluate,
    min_reaction_s,
    worst_case,
)
from openbmd.analysis.footprint_family import TrajectoryFamily, bearing_rad, blend, n_vectors
from openbmd.analysis.footprint_setup import FootprintSetup
from openbmd.analysis.grid import MapGrid
from openbmd.analysis.parallel import Backend, map_tasks
from openbmd.engagement.tracks import ThreatTracks
from openbmd.engagement.windows_kernels import ground_range_batch

__all__ = [
    "BLOCK_THREATS",
    "LIVE_CHUNK",
    "BlockResult",
    "BlockTask",
    "evaluate_threats",
    "rows_per_block",
    "run_block",
    "run_grid",
    "threat_geometry",
]

#: Cells per block (at least one grid row).
BLOCK_THREATS = 4096
#: Threats placed and evaluated at once (memory: threats x samples x 48 bytes).
LIVE_CHUNK = 4096  # < 7919 (see _interleave)
#: Slack added to the farthest site-to-map distance when cropping fly-out tables, m.
_CROP_MARGIN_M = 300_000.0


@dataclass(frozen=True)
class BlockTask:
    """One block of C cells.

    Footprint (``defended`` None): threats fly from each of the P launch points
    (``launch_*``, the nominal one at ``nominal``) to each cell. Launch area denied:
    threats fly from each cell to ``defended`` (lat, lon); P = 1.
    """

    family: TrajectoryFamily
    radars: RadarPack
    tiers: tuple[Tier, ...]
    doctrine: DoctrineSpec
    sample_step_s: float
    launch_lat_deg: np.ndarray
    launch_lon_deg: np.ndarray
    cell_lat_deg: np.ndarray
    cell_lon_deg: np.ndarray
    nominal: int = 0
    defended: tuple[float, float] | None = None


@dataclass(frozen=True)
class BlockResult:
    """Per-cell figures: the worst-case :class:`Outcome`, whether the missile reaches
    (from every launch point), and the nominal launch point's firm-track time (s after
    launch, NaN: never)."""

    outcome: Outcome
    reachable: np.ndarray
    firm_track_s: np.ndarray


def rows_per_block(n_lon: int) -> int:
    """Grid rows per block for :data:`BLOCK_THREATS` cells."""
    return max(1, BLOCK_THREATS // max(1, n_lon))


def threat_geometry(
    lat0: np.ndarray, lon0: np.ndarray, lat1: np.ndarray, lon1: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Ground range (m), bearing (rad) and kernel geometry (O, 10) of launch-target pairs."""
    lat0, lon0, lat1, lon1 = (np.asarray(a, dtype=float) for a in (lat0, lon0, lat1, lon1))
    n0 = n_vectors(lat0, lon0)
    nc = n_vectors(lat1, lon1)
    k = np.cross(n0, nc)
    sin_theta = np.linalg.norm(k, axis=1)
    theta = np.arctan2(sin_theta, np.einsum("ij,ij->i", n0, nc))
    k = np.divide(k, sin_theta[:, None], out=np.zeros_like(k), where=sin_theta[:, None] > 0)
    rng = ground_range_batch(np.radians(lat0), np.radians(lon0), np.radians(lat1), np.radians(lon1))
    geometry = np.ascontiguousarray(np.column_stack([n0, nc, k, theta]))
    return np.asarray(rng), bearing_rad(lat0, lon0, lat1, lon1), geometry


def evaluate_threats(
    task: BlockTask,
    lat0: np.ndarray,
    lon0: np.ndarray,
    lat1: np.ndarray,
    lon1: np.ndarray,
) -> tuple[Outcome, np.ndarray, np.ndarray]:
    """Outcome, reachability and firm-track time (s, inf: never) of threats launched at
    t = 0 from ``(lat0, lon0)`` to ``(lat1, lon1)`` (O,) (steps 1-3 of the module)."""
    rng, brg, geometry = threat_geometry(lat0, lon0, lat1, lon1)
    index, weight = blend(task.family, rng, brg)
    n = index.shape[0]
    firm = np.full(n, np.inf)
    radars = task.radars
    if radars.size and n:
        fk.firm_track_kernel(
            task.family.profile,
            index,
            weight,
            geometry,
            radars.site,
            radars.rot,
            radars.par,
            radars.boresight,
            radars.range_1m2,
            radars.scan_exponent,
            radars.revisit_s,
            radars.rcs_table,
            radars.hits_needed,
            firm,
        )
    reachable = index[:, 0] >= 0
    duration = weight[:, 3]
    ready = firm + min_reaction_s(task.tiers)
    live = np.flatnonzero(reachable & np.isfinite(ready) & (ready < duration))
    if not task.tiers or live.size == 0:
        return Outcome.empty(len(task.tiers), n), reachable, firm
    order = live[np.argsort(ready[live], kind="stable")]
    parts = []
    for i in range(0, order.size, LIVE_CHUNK):
        # a fixed shuffle inside the chunk: the compiled loops split threats into equal
        # contiguous shares per thread, and threats sorted by launch time differ in work
        chunk = order[i : i + LIVE_CHUNK]
        order[i : i + chunk.size] = chunk[_interleave(chunk.size)]
        parts.append(_engage(task, index, weight, geometry, ready, firm, order[i : i + LIVE_CHUNK]))
    return Outcome.concatenate(parts).scatter(order, n), reachable, firm


def _interleave(n: int) -> np.ndarray:
    """A fixed permutation of ``range(n)`` (n < 7919, a prime: a stride through the
    indices) that spreads any order evenly over contiguous shares."""
    return (np.arange(n) * 7919) % n if n > 2 else np.arange(n)


def _engage(
    task: BlockTask,
    index: np.ndarray,
    weight: np.ndarray,
    geometry: np.ndarray,
    ready: np.ndarray,
    firm: np.ndarray,
    live: np.ndarray,
) -> Outcome:
    """Place the threats ``live`` on their time grid and evaluate them."""
    step = float(task.sample_step_s)
    k0 = math.floor(float(ready[live].min()) / step)
    k1 = math.ceil(float(weight[live, 3].max()) / step)
    time_s = step * np.arange(k0, k1 + 1, dtype=float)
    r = np.empty((live.size, time_s.size, 3))
    v = np.empty_like(r)
    screen = TierScreen.of(task.tiers)
    fk.place_screened_kernel(
        task.family.profile,
        np.ascontiguousarray(index[live]),
        np.ascontiguousarray(weight[live]),
        np.ascontiguousarray(geometry[live]),
        np.ascontiguousarray(firm[live]),
        time_s,
        screen.alt_min,
        screen.alt_max,
        screen.reaction,
        screen.lb_dalt,
        screen.lb_cells,
        screen.lb,
        r,
        v,
    )
    return evaluate(ThreatTracks(time_s, r, v, firm[live]), task.tiers, task.doctrine)


def run_block(task: BlockTask) -> BlockResult:
    """Engagement figures of the cells of one block (see the module docstring)."""
    lat_c = np.asarray(task.cell_lat_deg, dtype=float)
    lon_c = np.asarray(task.cell_lon_deg, dtype=float)
    c = lat_c.size
    if task.defended is not None:
        d_lat, d_lon = task.defended
        out, reach, firm = evaluate_threats(
            task, lat_c, lon_c, np.full(c, d_lat), np.full(c, d_lon)
        )
        return BlockResult(out, reach, np.where(np.isfinite(firm), firm, np.nan))
    n_points = task.launch_lat_deg.size
    lat_p = np.asarray(task.launch_lat_deg, dtype=float)
    lon_p = np.asarray(task.launch_lon_deg, dtype=float)
    k = task.nominal
    first, reach, firm = evaluate_threats(
        task, np.full(c, lat_p[k]), np.full(c, lon_p[k]), lat_c, lon_c
    )
    firm_cells = np.where(np.isfinite(firm), firm, np.nan)
    if n_points == 1:
        return BlockResult(first, reach, firm_cells)
    others = [p for p in range(n_points) if p != k]
    sel = np.flatnonzero(first.engageable)
    m = sel.size
    second, _, _ = evaluate_threats(
        task,
        np.repeat(lat_p[others], m),
        np.repeat(lon_p[others], m),
        np.tile(lat_c[sel], len(others)),
        np.tile(lon_c[sel], len(others)),
    )
    parts = [first]
    for i in range(len(others)):
        parts.append(second.take(np.arange(i * m, (i + 1) * m)).scatter(sel, c))
    # reachability of every launch point (cheap: the blend alone)
    for p in others:
        rng, brg, _ = threat_geometry(np.full(c, lat_p[p]), np.full(c, lon_p[p]), lat_c, lon_c)
        reach &= blend(task.family, rng, brg)[0][:, 0] >= 0
    return BlockResult(worst_case(Outcome.concatenate(parts), n_points), reach, firm_cells)


def _farthest_m(
    sites_lat: np.ndarray, sites_lon: np.ndarray, lat: np.ndarray, lon: np.ndarray
) -> float:
    """Largest ground distance from any site to any of the points, m."""
    a = np.repeat(np.radians(sites_lat), lat.size)
    b = np.repeat(np.radians(sites_lon), lat.size)
    d = ground_range_batch(
        a, b, np.tile(np.radians(lat), sites_lat.size), np.tile(np.radians(lon), sites_lat.size)
    )
    return float(np.max(d))


def run_grid(
    grid: MapGrid,
    family: TrajectoryFamily,
    setup: FootprintSetup,
    *,
    nominal: int = 0,
    backend: Backend | None = None,
    defended: tuple[float, float] | None = None,
) -> BlockResult:
    """Figures of every cell of ``grid``, row by row (NLAT * NLON,).

    Without ``defended`` the cells are targets of threats from the setup's launch points
    (a defended footprint; ``nominal`` indexes the nominal one); with it, the cells are
    launch points of threats aimed at ``defended`` (lat, lon) (launch area denied). The
    tiers' fly-out tables are cut to what the map's trajectories can need.
    """
    n_lat, n_lon = grid.shape
    e_lat, e_lon = grid.lat_edges_deg, grid.lon_edges_deg
    ring_lat = np.concatenate(
        [e_lat, e_lat, np.full(e_lon.size, e_lat[0]), np.full(e_lon.size, e_lat[-1])]
    )
    ring_lon = np.concatenate(
        [np.full(e_lat.size, e_lon[0]), np.full(e_lat.size, e_lon[-1]), e_lon, e_lon]
    )
    ends_lat = np.append(setup.launch_lat_deg, [] if defended is None else [defended[0]])
    ends_lon = np.append(setup.launch_lon_deg, [] if defended is None else [defended[1]])
    tiers = crop_tiers(
        setup.tiers,
        max(
            (
                _farthest_m(
                    t.sites.lat_deg,
                    t.sites.lon_deg,
                    np.append(ring_lat, ends_lat),
                    np.append(ring_lon, ends_lon),
                )
                for t in setup.tiers
            ),
            default=0.0,
        )
        + _CROP_MARGIN_M,
        float(np.nanmax(family.profile[..., 2])) + 1e3,
    )
    rows = rows_per_block(n_lon)
    lat_all, lon_all = grid.cell_points()
    tasks = []
    for r0 in range(0, n_lat, rows):
        sl = slice(r0 * n_lon, min(r0 + rows, n_lat) * n_lon)
        tasks.append(
            BlockTask(
                family,
                setup.radars,
                tiers,
                setup.doctrine,
                setup.sample_step_s,
                setup.launch_lat_deg,
                setup.launch_lon_deg,
                lat_all[sl],
                lon_all[sl],
                nominal,
                defended,
            )
        )
    label = "launch area" if defended is not None else "footprint"
    results = map_tasks(run_block, tasks, backend=backend, description=label)
    return BlockResult(
        outcome=Outcome.concatenate([r.outcome for r in results]),
        reachable=np.concatenate([r.reachable for r in results]),
        firm_track_s=np.concatenate([r.firm_track_s for r in results]),
    )
