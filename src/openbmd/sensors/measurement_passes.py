"""The passes behind :func:`openbmd.sensors.measurements.simulate_detections`.

:func:`measure_radars` runs, for S radars against one truth grid:

1. each radar's looks (search and track schedules merged into one time-sorted list) and
   an upper bound on its visible looks per look
   (:func:`~openbmd.sensors.measurement_kernels.look_capacity`);
2. one scan per radar (:func:`~openbmd.sensors.measurement_kernels.scan_looks`) into
   one table of visible looks, the radars' blocks back to back;
3. per radar, from its own stream: the uniforms and the Pd draws
   (:func:`~openbmd.sensors.measurement_draws.draw_hits`), then, once the detections are
   placed in the merged order (:func:`~openbmd.sensors.measurement_draws.merge_positions`),
   four standard normals per detection. Each radar's draws run on their own thread (up to
   numba's number of threads), largest radar first; a stream is only ever drawn in its
   own order, so the threads change no number;
4. one measurement pass over all detections, in output order
   (:func:`~openbmd.sensors.measurement_draws.measure_detections`).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeVar

import numba
import numpy as np
import numpy.typing as npt

from openbmd.sensors.measurement_draws import draw_hits, measure_detections, merge_positions
from openbmd.sensors.measurement_kernels import (
    LOOK_COLUMNS,
    look_capacity,
    scan_looks,
    sensor_parameters,
)

if TYPE_CHECKING:
    from openbmd.sensors.los import SensorGeometry
    from openbmd.sensors.radar import Radar
    from openbmd.sensors.truth_grid import TruthGrid

__all__ = ["Measured", "measure_radars"]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
_T = TypeVar("_T")


@dataclass(frozen=True)
class Measured:
    """Detections of :func:`measure_radars`, ordered by (time, radar, object).

    ``rows`` (10, N): time, range, az, el, range rate, SNR dB, true range, true az, true
    el, true range rate; ``sigma`` (N, 4); ``object_id``, ``sensor_id``, ``track`` (N,);
    ``visible`` (S,) visible looks and ``expected`` (S,) sum of their Pd per radar.
    """

    rows: FloatArray
    sigma: FloatArray
    object_id: IntArray
    sensor_id: IntArray
    track: npt.NDArray[np.bool_]
    visible: IntArray
    expected: FloatArray


@dataclass(frozen=True)
class _Looks:
    """One radar's looks: times, left grid index, kind (1 search, 2 track, 3 both),
    each object's kind (1 searched, 2 tracked), first table row and rows per look."""

    sensor: int
    time: FloatArray
    index: IntArray
    kind: IntArray
    object_kind: IntArray
    first: IntArray
    count: IntArray


def _schedule(t_grid: FloatArray, start: float, step: float) -> FloatArray:
    """Look times ``start + j step`` inside the grid."""
    end = float(t_grid[-1])
    if start > end:
        return np.empty(0)
    count = math.floor((end - start) / step + 1e-9) + 1
    times = start + step * np.arange(count)
    return times[(times >= t_grid[0]) & (times <= end)]


def _looks(
    t_grid: FloatArray, start: float, radar: Radar, tracked: IntArray, objects: int
) -> tuple[FloatArray, IntArray, IntArray, IntArray]:
    """(look times, left grid index, look kind, object kind) of one radar."""
    object_kind = np.ones(objects, dtype=np.int64)
    object_kind[tracked] = 2
    none = np.empty(0)
    search = _schedule(t_grid, start, radar.search_revisit_s) if tracked.size < objects else none
    track = _schedule(t_grid, start, radar.track_update_s) if tracked.size else none
    if track.size == 0:
        look_t, look_kind = search, np.ones(search.size, dtype=np.int64)
    else:
        look_t = np.union1d(search, track)
        look_kind = np.isin(look_t, search).astype(np.int64) | 2 * np.isin(look_t, track)
    index = np.searchsorted(t_grid, look_t, side="right") - 1
    look_i = np.clip(index, 0, t_grid.size - 1).astype(np.int64)
    return np.ascontiguousarray(look_t), look_i, look_kind, object_kind


def _radar_parameters(radar: Radar) -> list[float]:
    """The ``par`` row of :func:`measure_detections` for one radar."""
    return [
        radar.detector_pulses, radar.bandwidth_hz, radar.range_sigma_floor_m,
        radar.beamwidth_rad, radar.monopulse_slope, math.radians(radar.angle_sigma_floor_deg),
        radar.wavelength_m, radar.dwell_s, radar.range_rate_sigma_floor_m_s,
        float(radar.scan_loss_exponent > 0.0), float(radar.range_rate), radar.range_bias_m,
        math.radians(radar.az_bias_deg), math.radians(radar.el_bias_deg),
    ]  # fmt: skip


def _exclusive_cumsum(counts: IntArray) -> IntArray:
    out = np.zeros(counts.size, dtype=np.int64)
    np.cumsum(counts[:-1], out=out[1:])
    return out


def _side_by_side(
    pool: ThreadPoolExecutor | None, task: Callable[[int], _T], sizes: list[int]
) -> list[_T]:
    """``task(n)`` for every radar ``n``, on the pool's threads largest first (or in turn)."""
    if pool is None:
        return [task(n) for n in range(len(sizes))]
    futures = {n: pool.submit(task, n) for n in sorted(range(len(sizes)), key=lambda n: -sizes[n])}
    return [futures[n].result() for n in range(len(sizes))]


def measure_radars(
    radars: Sequence[Radar],
    geo: SensorGeometry,
    grid: TruthGrid,
    start: float,
    tracked: list[IntArray],
    rcs: tuple[FloatArray, IntArray],
    seed: int,
) -> Measured:
    """Looks, visibility, Pd draws, noise and measurements of every radar (no checks).

    ``tracked[s]``: sorted objects radar ``s`` tracks; ``rcs``: the aspect tables (dBsm)
    and each object's table (:func:`~openbmd.sensors.rcs.rcs_tables`).
    """
    t_grid, r_tm, v_tm = grid.time_major
    present = grid.samples_present
    present_first, present_objects = grid.present_objects
    tables, table_index = rcs
    flat = np.all(tables == tables[:, :1], axis=1) & np.isfinite(tables[:, 0])
    table_constant = np.where(flat, tables[:, 0], np.nan)
    plans = []
    for s, radar in enumerate(radars):
        look_t, look_i, look_kind, object_kind = _looks(t_grid, start, radar, tracked[s],
                                                        grid.objects)  # fmt: skip
        if look_t.size == 0:
            continue
        count = np.empty(look_t.size, dtype=np.int64)
        look_capacity(t_grid, present, present_first, present_objects, look_t, look_i,
                      look_kind, object_kind, count)  # fmt: skip
        plans.append(_Looks(s, look_t, look_i, look_kind, object_kind,
                            _exclusive_cumsum(count), count))  # fmt: skip
    # one table of visible looks, each radar's block after the previous one's capacity
    base = _exclusive_cumsum(np.array([p.count.sum() for p in plans] + [0], dtype=np.int64))
    table = np.empty((int(base[-1]), LOOK_COLUMNS))
    pd = np.empty(int(base[-1]))
    for n, plan in enumerate(plans):
        plan.first[:] += base[n]  # table rows of this radar's looks
        par, site, rot, bore = sensor_parameters(radars[plan.sensor], geo, plan.sensor)
        pd_grid, pd_values = radars[plan.sensor].pd_table()
        scan_looks(t_grid, r_tm, v_tm, present, present_first, present_objects, plan.time,
                   plan.index, plan.kind, plan.object_kind, site, rot, bore, par, tables,
                   table_constant, table_index, pd_grid, pd_values, plan.first, plan.count,
                   table, pd)  # fmt: skip
    visible = [int(p.count.sum()) for p in plans]
    hit_start = _exclusive_cumsum(np.array([*visible, 0], dtype=np.int64))[: len(plans)]
    hit_row = np.empty(sum(visible), dtype=np.int64)
    hit_time = np.empty(sum(visible))
    noise = np.empty((sum(visible), 4))
    streams = [np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(p.sensor,)))
               for p in plans]  # fmt: skip

    def draw(n: int) -> tuple[int, float]:
        plan, block = plans[n], slice(hit_start[n], hit_start[n] + visible[n])
        uniform = streams[n].random(visible[n])  # one per visible look, (time, object) order
        hits = draw_hits(plan.time, plan.first, plan.count, pd, uniform, hit_row[block],
                         hit_time[block])  # fmt: skip
        return hits, float(uniform.sum())  # draw_hits left each look's Pd in ``uniform``

    def normals(n: int) -> None:
        streams[n].standard_normal(out=noise[hit_start[n] : hit_start[n] + hit_count[n]])

    workers = min(len(plans), numba.get_num_threads())
    pool = ThreadPoolExecutor(max_workers=workers) if workers > 1 else None
    try:
        drawn = _side_by_side(pool, draw, visible)
        hit_count = np.array([h for h, _ in drawn], dtype=np.int64)
        pos = merge_positions(hit_time, hit_start, hit_count)
        _side_by_side(pool, normals, visible)
    finally:
        if pool is not None:
            pool.shutdown()
    total = int(hit_count.sum())
    out = Measured(np.empty((10, total)), np.empty((total, 4)), np.empty(total, dtype=np.int64),
                   np.empty(total, dtype=np.int64), np.empty(total, dtype=bool),
                   np.zeros(len(radars), dtype=np.int64), np.zeros(len(radars)))  # fmt: skip
    if plans:
        par_all = np.array([_radar_parameters(radars[p.sensor]) for p in plans])
        kinds = np.stack([p.object_kind for p in plans])
        sensors = np.array([p.sensor for p in plans], dtype=np.int64)
        measure_detections(hit_row, hit_time, hit_start, hit_count, sensors, table, noise,
                           par_all, kinds, pos, out.rows, out.sigma, out.object_id,
                           out.sensor_id, out.track)  # fmt: skip
    for n, plan in enumerate(plans):
        out.visible[plan.sensor] = visible[n]
        out.expected[plan.sensor] = drawn[n][1]
    return out
