"""Radar detections and measurements of many trajectories against a per-sample Python loop.

Prints one JSON object. The workload: ``--n`` (1,000) ballistic arcs propagated with
:func:`openbmd.flight.propagate.propagate` and sampled every 1 s over ``--duration-s``
(30 min), seen by the three catalog radar classes placed around the Sea of Japan, each
looking at every object every 1 s (``search_revisit_s = 1``). Figures:

- ``batched_s``: wall time of :func:`openbmd.sensors.measurements.simulate_detections`
  (median of 5 runs after a warm-up call on the same truth that loads the compiled
  kernels and builds the truth grid's cached time-major copy; that first call is
  reported as ``batched_first_run_s``);
- ``detections_per_s``, ``looks_per_s``: detections made, and (object, look, radar)
  pairs examined, per second of that wall time;
- ``loop_s_scaled``: the same work done by a plain per-sample Python loop (pure-Python
  versions of the same kernels, numpy Generator draws per look), timed on the first
  ``--baseline-n`` objects and scaled by ``n / baseline_n``; ``speedup_vs_loop`` is
  ``loop_s_scaled / batched_s`` (target >= 100); the ``*_cpu*`` figures are the same
  in process CPU time (all threads), steadier than wall time on a shared machine;
- ``baseline_matches``: the loop finds the same visible looks and the same expected
  number of detections (sum of Pd) as the batched code on its subset.

Usage: ``python benchmarks/sensors.py --json [--n 1000] [--baseline-n 10]``
"""

from __future__ import annotations

import argparse
import json
import math
import os
import time

import numpy as np

from openbmd.flight.propagate import FlightPlan, ecef_state_to_eci, propagate
from openbmd.geodesy import enu_vector_to_ecef, geodetic_to_ecef
from openbmd.sensors.detection import pd_from_table
from openbmd.sensors.los import SensorGeometry, effective_ray_point, visible_point
from openbmd.sensors.measurements import TruthGrid, simulate_detections
from openbmd.sensors.radar import Radar
from openbmd.sensors.radar_equation import snr_linear_kernel

OMEGA_RAD_S = 7.292115e-5


def ballistic_truth(n: int, duration_s: float, seed: int = 1) -> TruthGrid:
    """n arcs from 100 km over the Korean peninsula / Sea of Japan, started over 20 min.

    Speeds 2.5-4.5 km/s, path angles 20-45 deg, headings 60-120 deg, beta 5 t/m^2;
    sampled every 1 s on a common grid from t = 0 to ``duration_s`` (NaN where an arc has
    not started or has landed).
    """
    rng = np.random.default_rng(seed)
    lat = rng.uniform(36.0, 42.0, n)
    lon = rng.uniform(124.0, 132.0, n)
    r0 = np.asarray(geodetic_to_ecef(lat, lon, 100e3))
    speed = rng.uniform(2500.0, 4500.0, n)
    gamma = np.radians(rng.uniform(20.0, 45.0, n))
    heading = np.radians(rng.uniform(60.0, 120.0, n))
    v_enu = np.stack(
        [
            speed * np.cos(gamma) * np.sin(heading),
            speed * np.cos(gamma) * np.cos(heading),
            speed * np.sin(gamma),
        ],
        axis=-1,
    )
    v0 = np.asarray(enu_vector_to_ecef(v_enu, lat, lon))
    launch = np.round(rng.uniform(0.0, 1200.0, n))
    # states are given at each object's launch time: rotate with the Earth accordingly
    state = ecef_state_to_eci(r0, v0, launch, OMEGA_RAD_S)
    plan = FlightPlan.coast(
        state[:, :3],
        state[:, 3:],
        ballistic_coefficient_kg_m2=5000.0,
        launch_time_s=launch,
        max_time_s=duration_s - launch,
    )
    prop = propagate(plan, sample_step_s=1.0, sample_start_s=0.0)
    assert prop.samples is not None
    grid = TruthGrid.from_samples(prop.samples)
    times = np.arange(0.0, duration_s + 0.5)
    r = np.full((n, times.size, 3), np.nan)
    v = np.full((n, times.size, 3), np.nan)
    r[:, : grid.time_s.size] = grid.r_ecef_m[:, : times.size]
    v[:, : grid.time_s.size] = grid.v_ecef_m_s[:, : times.size]
    return TruthGrid(times, r, v)


def radars() -> list[Radar]:
    fast = {"search_revisit_s": 1.0}
    return [
        Radar.from_catalog("s-band-array", 39.7, 140.1, 25.0, name="akita", **fast),
        Radar.from_catalog("x-band-transportable", 40.9, 140.3, 50.0, name="shariki",
                           boresight_az_deg=260.0, **fast),
        Radar.from_catalog("long-range-discrimination", 35.5, 133.5, 100.0, name="west",
                           boresight_az_deg=330.0, **fast),
    ]  # fmt: skip


def python_loop(sensors: list[Radar], truth: TruthGrid, objects: int, seed: int) -> dict:
    """The same looks, one at a time, in plain Python (pure-Python versions of the kernels).

    Looks fall on the truth grid here (1 s revisit on a 1 s grid), so no interpolation.
    """
    geo = SensorGeometry.of(sensors)
    look = effective_ray_point.py_func
    vis_fn = visible_point.py_func
    snr_fn = snr_linear_kernel.py_func
    pd_fn = pd_from_table.py_func
    visible_looks = 0
    expected = 0.0
    detections = 0
    for s, radar in enumerate(sensors):
        stream = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(s,)))
        grid, values = radar.pd_table()
        site, rot = geo.site_ecef_m[s], geo.rotation[s]
        for o in range(objects):
            for i in range(truth.time_s.size):
                x, y, z = (float(c) for c in truth.r_ecef_m[o, i])
                if not (math.isfinite(x) and math.isfinite(y) and math.isfinite(z)):
                    continue
                d = (x - site[0], y - site[1], z - site[2])
                e = rot[0, 0] * d[0] + rot[0, 1] * d[1] + rot[0, 2] * d[2]
                n = rot[1, 0] * d[0] + rot[1, 1] * d[1] + rot[1, 2] * d[2]
                u = rot[2, 0] * d[0] + rot[2, 1] * d[1] + rot[2, 2] * d[2]
                horizontal = math.hypot(e, n)
                rng_m = math.hypot(horizontal, u)
                az = math.atan2(e, n) % (2.0 * math.pi)
                el = math.atan2(u, horizontal)
                el_app, clear = look(
                    horizontal,
                    u,
                    (n / horizontal) ** 2,
                    geo.inv_meridian[s],
                    geo.inv_prime_vertical[s],
                    geo.alt_m[s],
                    geo.k_factor[s],
                )
                if not vis_fn(
                    rng_m,
                    az,
                    el_app,
                    clear,
                    geo.el_low_rad[s],
                    geo.el_high_rad[s],
                    geo.boresight_az_rad[s],
                    geo.az_half_width_rad[s],
                    geo.max_range_m[s],
                ):
                    continue
                scan = (
                    e * geo.boresight_enu[s, 0]
                    + n * geo.boresight_enu[s, 1]
                    + u * geo.boresight_enu[s, 2]
                ) / rng_m
                snr = snr_fn(
                    radar.frequency_hz,
                    radar.peak_power_w,
                    radar.pulse_width_s,
                    float(radar.gain_db or 0.0),
                    1.0,
                    rng_m,
                    radar.noise_temperature_k,
                    radar.loss_db,
                    float(radar.coherent_pulses),
                )
                if radar.scan_loss_exponent > 0.0:
                    snr *= max(scan, 0.0) ** radar.scan_loss_exponent
                snr_db = 10.0 * math.log10(snr)
                pd = pd_fn(snr_db, float(grid[0]), float(grid[1] - grid[0]), values)
                visible_looks += 1
                expected += pd
                if stream.random() < pd:
                    noise = stream.standard_normal(4)
                    sig = (
                        radar.range_sigma_m(snr_db),
                        radar.azimuth_sigma_rad(snr_db, el),
                        radar.angle_sigma_rad(snr_db),
                        radar.range_rate_sigma_m_s(snr_db),
                    )
                    _ = [
                        v + float(sg) * float(w)
                        for v, sg, w in zip((rng_m, az, el, 0.0), sig, noise, strict=True)
                    ]
                    detections += 1
    return {"visible_looks": visible_looks, "expected": expected, "detections": detections}


def coverage_figures(cells_across: int = 500, baseline_cells: int = 4000) -> dict:
    """Horizontal coverage map of ``cells_across`` x ``cells_across`` cells (owner: coverage).

    :func:`openbmd.sensors.coverage.coverage_map` of the catalog S-band radar against a
    1 m^2 target at 10 km (median of 3 runs after a warm-up), and the same cells done by a
    plain per-cell Python loop (pure-Python versions of the same kernels: geodetic to
    ECEF, ENU, effective-Earth ray, field of regard, radar equation, Pd table) timed on
    ``baseline_cells`` cells spread evenly over the grid and scaled to the whole grid. Figures:
    ``coverage_cells_per_s`` and ``coverage_speedup_vs_loop``; ``coverage_baseline_matches``
    says the loop finds the same covered cells on its subset.
    """
    from openbmd.geodesy.kernels import geodetic_to_ecef_point
    from openbmd.sensors.coverage import coverage_map
    from openbmd.sensors.los import look_point

    radar = Radar.from_catalog("s-band-array", 39.7, 140.1, 25.0)
    alt_m, rcs_m2, half_m = 10e3, 1.0, 600e3
    res_m = 2.0 * half_m / (cells_across - 1)
    coverage_map(radar, rcs_m2, alt_m, half_width_m=half_m, resolution_m=50e3)  # warm-up
    runs = []
    for _ in range(3):
        t0 = time.perf_counter()
        ds = coverage_map(radar, rcs_m2, alt_m, half_width_m=half_m, resolution_m=res_m)
        runs.append(time.perf_counter() - t0)
    t_batched = float(np.median(runs))
    cells = int(ds.sizes["lat"] * ds.sizes["lon"])

    geo = SensorGeometry.of([radar])
    grid, values = radar.pd_table()
    lat2, lon2 = np.meshgrid(
        np.radians(ds["lat"].values), np.radians(ds["lon"].values), indexing="ij"
    )
    # cells spread evenly over the grid, so that the loop meets visible and hidden cells
    # in the proportions of the whole map
    pick = np.linspace(0, lat2.size - 1, min(baseline_cells, lat2.size)).astype(np.int64)
    lat_flat, lon_flat = lat2.ravel()[pick], lon2.ravel()[pick]
    to_ecef, look, vis_fn = (
        geodetic_to_ecef_point.py_func,
        look_point.py_func,
        visible_point.py_func,
    )
    snr_fn, pd_fn = snr_linear_kernel.py_func, pd_from_table.py_func
    covered = []
    t0 = time.perf_counter()
    for lat, lon in zip(lat_flat.tolist(), lon_flat.tolist(), strict=True):
        x, y, z = to_ecef(lat, lon, alt_m)
        rng_m, az, _, el_app, clear, *_ = look(
            x,
            y,
            z,
            geo.site_ecef_m[0],
            geo.rotation[0],
            geo.inv_meridian[0],
            geo.inv_prime_vertical[0],
            geo.alt_m[0],
            geo.k_factor[0],
        )
        if not vis_fn(
            rng_m,
            az,
            el_app,
            clear,
            geo.el_low_rad[0],
            geo.el_high_rad[0],
            geo.boresight_az_rad[0],
            geo.az_half_width_rad[0],
            geo.max_range_m[0],
        ):
            covered.append(False)
            continue
        snr = snr_fn(
            radar.frequency_hz,
            radar.peak_power_w,
            radar.pulse_width_s,
            float(radar.gain_db or 0.0),  # always set after validation
            rcs_m2,
            max(rng_m, 1.0),
            radar.noise_temperature_k,
            radar.loss_db,
            float(radar.coherent_pulses),
        )
        pd = pd_fn(10.0 * math.log10(snr), float(grid[0]), float(grid[1] - grid[0]), values)
        covered.append(pd >= 0.9)
    t_loop = (time.perf_counter() - t0) * cells / lat_flat.size
    return {
        "coverage_cells": cells,
        "coverage_s": t_batched,
        "coverage_cells_per_s": cells / t_batched,
        "coverage_loop_s_scaled": t_loop,
        "coverage_speedup_vs_loop": t_loop / t_batched,
        "coverage_baseline_cells_timed": int(lat_flat.size),
        "coverage_baseline_matches": bool(
            np.array_equal(np.array(covered), ds["covered"].values.ravel()[pick])
        ),
        "coverage_covered_area_km2": float(ds.attrs["covered_area_km2"]),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--n", type=int, default=1000)
    ap.add_argument("--duration-s", type=float, default=1800.0)
    ap.add_argument("--baseline-n", type=int, default=10)
    args = ap.parse_args()

    t0 = time.perf_counter()
    truth = ballistic_truth(args.n, args.duration_s)
    t_truth = time.perf_counter() - t0
    sensors = radars()
    # warm-up on the full truth: loads the compiled kernels, starts the thread pool and
    # builds the grid's time-major copy (cached on the TruthGrid); reported separately
    t0 = time.perf_counter()
    simulate_detections(sensors, truth, seed=1)
    t_first = time.perf_counter() - t0
    runs, cpu = [], []
    for _ in range(5):
        t0, c0 = time.perf_counter(), time.process_time()
        det = simulate_detections(sensors, truth, seed=1)
        runs.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    t_batched, c_batched = float(np.median(runs)), float(np.median(cpu))

    nb = min(args.baseline_n, args.n)
    subset = TruthGrid(truth.time_s, truth.r_ecef_m[:nb], truth.v_ecef_m_s[:nb])
    small = simulate_detections(sensors, subset, seed=1)
    t0, c0 = time.perf_counter(), time.process_time()
    loop = python_loop(sensors, truth, nb, seed=1)
    t_loop = (time.perf_counter() - t0) * (args.n / nb)
    c_loop = (time.process_time() - c0) * (args.n / nb)

    looks = truth.objects * truth.time_s.size * len(sensors)
    existing = int(np.isfinite(truth.r_ecef_m[..., 0]).sum())
    result = {
        "trajectories": truth.objects,
        "times": int(truth.time_s.size),
        "radars": len(sensors),
        "truth_samples": existing,
        "looks_examined": looks,
        "visible_looks": int(det.visible_looks.sum()),
        "detections": det.size,
        "detections_per_radar": np.bincount(det.sensor_id, minlength=len(sensors)).tolist(),
        "truth_build_s": t_truth,
        "batched_s": t_batched,
        "batched_first_run_s": t_first,
        "detections_per_s": det.size / t_batched,
        "looks_per_s": looks / t_batched,
        "baseline_trajectories_timed": nb,
        "loop_s_scaled": t_loop,
        "speedup_vs_loop": t_loop / t_batched,
        "batched_cpu_s": c_batched,
        "loop_cpu_s_scaled": c_loop,
        "speedup_vs_loop_cpu": c_loop / c_batched,
        "baseline_matches": bool(
            loop["visible_looks"] == int(small.visible_looks.sum())
            and math.isclose(loop["expected"], float(small.expected_detections.sum()),
                             rel_tol=1e-9)),
        "detections_mb": sum(v.nbytes for v in vars(det).values()
                             if isinstance(v, np.ndarray)) / 1e6,
        "threads": int(os.environ.get("NUMBA_NUM_THREADS", os.cpu_count() or 1)),
        "targets": {"speedup_vs_loop": ">= 100"},
    }  # fmt: skip
    result.update(coverage_figures())
    print(json.dumps(result, indent=None if args.json else 2))


if __name__ == "__main__":
    main()
