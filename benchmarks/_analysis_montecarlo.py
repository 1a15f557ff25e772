"""Monte Carlo of the full pipeline on Dask: trials per second and the two-worker speed-up.

Workload: the ``teaching`` scenario (one short-range missile, one radar, one site,
shoot-look-shoot), one trial per task, the same seed on every backend. Two local
clusters (process workers, one thread each) run the same trials: one worker (the
baseline) and two workers. Both clusters are started and warmed first (imports and
compiled kernels loaded by one trial on every worker), so start-up is excluded; the
two then run the same study alternately, ``repeats`` times each, and the best time of
each counts (other work on a shared machine only ever slows a repetition down).

Figures: ``montecarlo_trials_per_s`` (two workers, the default local cluster on a
two-core machine), ``dask_speedup_2_workers`` (one-worker time / two-worker time; target
>= 1.7 on two free cores), ``serial_trials_per_s`` (in this process, for reference),
``identical`` (the per-trial outcomes equal bit for bit on every backend) and the load
average of the machine before and after.

:func:`measure` is merged by ``benchmarks/analysis.py``; alone:
``python benchmarks/_analysis_montecarlo.py --json [--quick]``.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import time
from typing import Any

import numpy as np

SCENARIO = "teaching"
SEED = 2024
_FIELDS = ("leakers", "interceptors_expended", "kills", "no_leaker", "trial_seeds")


def _study(trials: int, backend: Any) -> tuple[float, Any]:
    from openbmd.analysis.montecarlo import monte_carlo

    t0 = time.perf_counter()
    result = monte_carlo(SCENARIO, trials=trials, seed=SEED, backend=backend, chunk_trials=1)
    return time.perf_counter() - t0, result


def measure(quick: bool = False) -> dict[str, Any]:
    """Run the benchmark; return its figures (see the module doc)."""
    from distributed import Client

    from openbmd.analysis.montecarlo_trials import run_trial
    from openbmd.analysis.parallel import Backend, local_cluster
    from openbmd.scenario import load_scenario

    trials, repeats = (12, 1) if quick else (40, 3)
    load_before = os.getloadavg()[0]
    model = load_scenario(SCENARIO)
    run_trial(model, 0)
    serial_s, serial = _study(trials // 2, Backend())

    with contextlib.ExitStack() as stack:
        backends = {}
        for workers in (1, 2):
            cluster = stack.enter_context(local_cluster(workers))
            client = stack.enter_context(Client(cluster, set_as_default=False))
            client.wait_for_workers(workers)
            client.run(run_trial, model, 0)  # every worker warm before any clock starts
            backends[workers] = Backend(scheduler=cluster.scheduler_address)
        best = {1: float("inf"), 2: float("inf")}
        results = {}
        for _ in range(repeats):
            for workers in (1, 2):
                seconds, results[workers] = _study(trials, backends[workers])
                best[workers] = min(best[workers], seconds)

    identical = all(
        np.array_equal(getattr(results[1], f), getattr(results[2], f))
        and np.array_equal(getattr(results[1], f)[: trials // 2], getattr(serial, f))
        for f in _FIELDS
    )
    summary = results[2].to_dict()
    return {
        "montecarlo_trials_per_s": trials / best[2],
        "dask_speedup_2_workers": best[1] / best[2],
        "serial_trials_per_s": (trials // 2) / serial_s,
        "one_worker_trials_per_s": trials / best[1],
        "identical": identical,
        "workload": {
            "scenario": SCENARIO,
            "trials": trials,
            "repeats": repeats,
            "chunk_trials": 1,
            "seed": SEED,
            "cores": len(os.sched_getaffinity(0)),
            "what": "full pipeline per trial; warm local clusters of 1 and 2 process workers "
            "(start-up excluded), run alternately, best of the repeats",
        },
        "p_no_leaker": summary["p_no_leaker"],
        "p_no_leaker_ci95": summary["p_no_leaker_ci95"],
        "analytic_p_no_leaker": summary["analytic"]["p_no_leaker"],
        "load_average_1min": {"before": load_before, "after": os.getloadavg()[0]},
        "targets": {"dask_speedup_2_workers": ">= 1.7"},
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--json", action="store_true", help="Print one JSON line.")
    ap.add_argument("--quick", action="store_true", help="Fewer trials, one repetition.")
    args = ap.parse_args()
    print(json.dumps(measure(quick=args.quick), indent=None if args.json else 2))


if __name__ == "__main__":
    main()
