"""Batched track filtering against Stone Soup's per-detection EKF, and real-time headroom.

Prints one JSON object. Workload: ``--n`` (1,000) ballistic objects (arcs from 100 km over
the Sea of Japan, 2.5-4.5 km/s, beta 5,000 kg/m^2, propagated by
:func:`openbmd.flight.propagate.propagate` and sampled every 1 s), one radar at
(37.5 N, 130 E) measuring range, azimuth, elevation and range rate of every object every
second (Gaussian noise 5 m, 0.2 mrad, 0.5 m/s; seeded), one track per object started from
its first detection.

- **Same models, same measurements** (``*_cv``): a constant-velocity model in ECI
  (q = 5 m^2/s^3) with the radar measurement model. openbmd: :func:`predict` +
  :func:`update` over all N tracks at once per scan (first-order EKF, Joseph form).
  Stone Soup: ``ExtendedKalmanPredictor`` with its native ``ConstantVelocity`` and
  ``ExtendedKalmanUpdater`` with ``CartesianToElevationBearingRangeRate``, one detection at a
  time (measurement models built beforehand, as openbmd's arrays are), on the first
  ``--baseline-n`` tracks. ``openbmd_time_per_update_us`` and
  ``stonesoup_time_per_update_us`` are wall time per (predict + update) of one track;
  ``speedup_vs_stonesoup`` their ratio (target >= 300); ``baseline_max_relative_difference``
  the largest relative difference of the two filters' final states on the subset.
- **Same, with openbmd's ballistic dynamics** (``*_ballistic``): J2 + drag, RK4 with its
  Jacobian; Stone Soup runs them through :func:`stonesoup_interop.transition_model`.
- **Real time** (``realtime_factor_1000_tracks``): ``--n`` tracks at 1 Hz for
  ``--duration-s`` (600 s) with the full model (EKF, J2, drag, ``1/beta`` estimated,
  second-order measurement terms): scenario time / compute time.

Timings are the best of ``--repeats`` runs (both libraries) after a warm-up (compiled
kernels cached);
``threads`` is numba's thread count and ``load_average`` the machine's 1-minute load when
the run started (a busy machine slows the parallel kernels).

Usage: ``python benchmarks/tracking.py --json [--n 1000] [--baseline-n 10]``
"""

from __future__ import annotations

import argparse
import json
import os
import time

import numba
import numpy as np

from openbmd.flight.propagate import FlightPlan, ecef_state_to_eci, propagate
from openbmd.geodesy import enu_vector_to_ecef, geodetic_to_ecef
from openbmd.tracking import (
    FilterModel,
    TrackState,
    initial_state_from_measurement,
    measure,
    predict,
    update,
)

OMEGA_RAD_S = 7.292115e-5
SIGMA = np.array([5.0, 2e-4, 2e-4, 0.5])
SITE = np.asarray(geodetic_to_ecef(37.5, 130.0, 20.0))


def truth_eci(n: int, duration_s: float, seed: int = 1) -> np.ndarray:
    """(n, T, 6) ECI states every 1 s; every arc lasts the whole duration (from 100 km,
    long enough ones are drawn again)."""
    rng = np.random.default_rng(seed)
    out = np.empty((0, int(duration_s) + 1, 6))
    while out.shape[0] < n:
        m = 2 * (n - out.shape[0]) + 8
        lat, lon = rng.uniform(36.0, 40.0, m), rng.uniform(126.0, 133.0, m)
        r0 = np.asarray(geodetic_to_ecef(lat, lon, 100e3))
        speed, gamma = rng.uniform(2500.0, 4500.0, m), np.radians(rng.uniform(35.0, 55.0, m))
        head = np.radians(rng.uniform(60.0, 120.0, m))
        horizontal = speed * np.cos(gamma)
        v_enu = np.stack(
            [horizontal * np.sin(head), horizontal * np.cos(head), speed * np.sin(gamma)], -1
        )
        s0 = ecef_state_to_eci(
            r0, np.asarray(enu_vector_to_ecef(v_enu, lat, lon)), 0.0, OMEGA_RAD_S
        )
        plan = FlightPlan.coast(s0[:, :3], s0[:, 3:], ballistic_coefficient_kg_m2=5000.0,
                                max_time_s=duration_s)  # fmt: skip
        prop = propagate(plan, sample_step_s=1.0, sample_start_s=0.0)
        assert prop.samples is not None
        keep = [i for i in range(m) if prop.samples.of(i)[0].size == out.shape[1]]
        arcs = []
        for i in keep:
            t, r, v = prop.samples.of(i)
            arcs.append(ecef_state_to_eci(r, v, t, OMEGA_RAD_S))
        if arcs:
            out = np.concatenate([out, np.stack(arcs)])
    return out[:n]


def measurements(truth: np.ndarray, seed: int = 2) -> np.ndarray:
    """(T, n, 4) noisy radar measurements of every object at t = 0, 1, ... s."""
    model = FilterModel()
    n, steps, _ = truth.shape
    rng = np.random.default_rng(seed)
    z = np.empty((steps, n, 4))
    for k in range(steps):
        z[k] = measure(truth[:, k], float(k), SITE, model)[0] + rng.normal(size=(n, 4)) * SIGMA
    z[:, :, 1] %= 2 * np.pi
    return z


def run_openbmd(z: np.ndarray, model: FilterModel, steps: int) -> tuple[TrackState, float]:
    """Every track through ``steps`` scans; (final state, seconds spent in the filter)."""
    cov = np.diag(SIGMA**2)
    state = initial_state_from_measurement(z[0], cov, SITE, 0.0, model, velocity_sigma_m_s=300.0)
    start = time.perf_counter()
    for k in range(1, steps):
        state = update(predict(state, model, float(k)), model, z[k], cov, SITE).state
    return state, time.perf_counter() - start


def run_stonesoup(
    z: np.ndarray, model: FilterModel, steps: int, tracks: int, cv: bool
) -> tuple[TrackState, float]:
    """The first ``tracks`` tracks, one detection at a time, through Stone Soup's EKF."""
    from stonesoup.models.transition.linear import (
        CombinedLinearGaussianTransitionModel,
        ConstantVelocity,
    )
    from stonesoup.predictor.kalman import ExtendedKalmanPredictor
    from stonesoup.types.angle import Bearing, Elevation
    from stonesoup.types.array import StateVector
    from stonesoup.types.detection import Detection
    from stonesoup.types.hypothesis import SingleHypothesis
    from stonesoup.updater.kalman import ExtendedKalmanUpdater

    from openbmd.tracking import stonesoup_interop as ssi

    cov = np.diag(SIGMA**2)
    order = ssi.CV_ORDER if cv else None
    mapping = {"mapping": (0, 2, 4), "velocity_mapping": (1, 3, 5)} if cv else {}
    transition = (
        CombinedLinearGaussianTransitionModel([ConstantVelocity(model.process_noise_m2_s3)] * 3)
        if cv
        else ssi.transition_model(model)
    )
    predictor = ExtendedKalmanPredictor(transition)
    updater = ExtendedKalmanUpdater(measurement_model=None)
    first = initial_state_from_measurement(z[0, :tracks], cov, SITE, 0.0, model,
                                           velocity_sigma_m_s=300.0)  # fmt: skip
    states = ssi.to_stonesoup_states(first, order=order)
    dets = [[Detection(
        StateVector([Elevation(z[k, i, 2]), Bearing(ssi.bearing_from_azimuth(z[k, i, 1])),
                     z[k, i, 0], z[k, i, 3]]),
        timestamp=ssi.to_datetime(float(k)),
        measurement_model=ssi.measurement_model(SITE, float(k), cov, use_range_rate=True,
                                                **mapping),
    ) for i in range(tracks)] for k in range(steps)]  # fmt: skip
    start = time.perf_counter()
    for i in range(tracks):
        s = states[i]
        for k in range(1, steps):
            det = dets[k][i]
            s = updater.update(SingleHypothesis(predictor.predict(s, timestamp=det.timestamp), det))
        states[i] = s
    elapsed = time.perf_counter() - start
    return ssi.from_stonesoup_states(states, order=order), elapsed


def compare(
    z: np.ndarray, model: FilterModel, steps: int, baseline_n: int, repeats: int, cv: bool
) -> dict[str, float]:
    n = z.shape[1]
    run_openbmd(z[:3], model, 3)  # warm-up (loads the compiled kernels)
    best = min(run_openbmd(z, model, steps)[1] for _ in range(repeats))
    ours, _ = run_openbmd(z, model, steps)
    runs = [run_stonesoup(z, model, steps, baseline_n, cv) for _ in range(repeats)]
    theirs, t_ss = runs[0][0], min(r[1] for r in runs)
    per_ours = best / (n * (steps - 1)) * 1e6
    per_ss = t_ss / (baseline_n * (steps - 1)) * 1e6
    diff = np.abs(theirs.x - ours.x[:baseline_n]) / np.abs(ours.x[:baseline_n])
    return {
        "openbmd_time_per_update_us": per_ours,
        "stonesoup_time_per_update_us": per_ss,
        "speedup_vs_stonesoup": per_ss / per_ours,
        "baseline_max_relative_difference": float(diff.max()),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--n", type=int, default=1000, help="tracks")
    ap.add_argument("--baseline-n", type=int, default=10, help="tracks run through Stone Soup")
    ap.add_argument("--steps", type=int, default=60, help="scans in the Stone Soup comparison")
    ap.add_argument("--duration-s", type=float, default=600.0, help="real-time run, s")
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--json", action="store_true", help="compact JSON")
    args = ap.parse_args()
    load = os.getloadavg()[0]
    truth = truth_eci(args.n, args.duration_s)
    z = measurements(truth)
    cv_model = FilterModel(gravity="none", drag=False, process_noise_m2_s3=5.0, second_order=False)
    ballistic = FilterModel(ballistic_coefficient_kg_m2=5000.0, process_noise_m2_s3=5.0,
                            second_order=False)  # fmt: skip
    cv = compare(z, cv_model, args.steps, args.baseline_n, args.repeats, cv=True)
    bal = compare(z, ballistic, args.steps, args.baseline_n, args.repeats, cv=False)
    full = FilterModel(estimate_beta=True, process_noise_m2_s3=1.0, inv_beta_prior_m2_kg=2e-4,
                       inv_beta_sigma_m2_kg=1e-4)  # fmt: skip
    steps = int(args.duration_s) + 1
    final, elapsed = run_openbmd(z[:steps], full, steps)
    elapsed = min(
        [elapsed] + [run_openbmd(z[:steps], full, steps)[1] for _ in range(1, args.repeats)]
    )
    pos_err = np.linalg.norm(final.x[:, :3] - truth[:, steps - 1, :3], axis=1)
    result = {
        "n_tracks": args.n,
        "baseline_tracks": args.baseline_n,
        "scans_compared": args.steps,
        **cv,
        **{k.replace("speedup", "speedup_ballistic").replace("_us", "_ballistic_us")
           if "time" in k or "speedup" in k else k + "_ballistic": v for k, v in bal.items()},
        "realtime_factor_1000_tracks": args.duration_s / elapsed,
        "realtime_compute_s": elapsed,
        "realtime_time_per_update_us": elapsed / (args.n * (steps - 1)) * 1e6,
        "realtime_final_position_error_median_m": float(np.median(pos_err)),
        "realtime_final_position_sigma_median_m": float(np.median(final.position_sigma_m())),
        "threads": numba.get_num_threads(),
        "load_average": load,
    }  # fmt: skip
    print(json.dumps(result, indent=None if args.json else 2))


if __name__ == "__main__":
    main()
