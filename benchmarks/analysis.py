"""Defence analysis at scale (issue 7): footprints, Monte Carlo and the Dask speed-up.

Prints one JSON object that merges two parts, each measuring its own baseline in the same
run (machines here are noisy: compare ratios, not absolute times):

- ``benchmarks/_analysis_footprint.py``: ``footprint_cells_per_s`` on ``japan-2018``
  (a 200 x 200 grid; target: under 10 s on 2 cores), ``footprint_speedup_vs_bruteforce``
  (against the per-cell solve-and-engage path on a sample of cells) and
  ``footprint_1000x1000_peak_memory_mb`` (target under 2,000);
- ``benchmarks/_analysis_montecarlo.py``: ``montecarlo_trials_per_s`` and
  ``dask_speedup_2_workers`` (one worker against two on local clusters; target >= 1.7).

Each part also runs alone. Usage: ``python benchmarks/analysis.py --json [--quick]``
(``--quick``: smaller workloads, for a smoke test).
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
PARTS = ("_analysis_footprint", "_analysis_montecarlo")


def _part(name: str) -> Any:
    spec = importlib.util.spec_from_file_location(name, HERE / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--json", action="store_true", help="Print one JSON object.")
    ap.add_argument("--quick", action="store_true", help="Smaller workloads (smoke test).")
    args = ap.parse_args()
    figures: dict[str, Any] = {"cpu_count": os.cpu_count(), "quick": args.quick}
    for name in PARTS:
        figures.update(_part(name).measure(quick=args.quick))
    figures["load_average_end"] = os.getloadavg()[0]
    if args.json:
        print(json.dumps(figures, indent=2, sort_keys=True))
    else:
        for key, value in sorted(figures.items()):
            print(f"{key}: {value}")


if __name__ == "__main__":
    main()
