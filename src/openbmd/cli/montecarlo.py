"""``openbmd montecarlo``: Monte Carlo effectiveness of a scenario's defence, on Dask."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from openbmd.cli.analysis_options import (
    PROGRESS_OPTION,
    SCHEDULER_OPTION,
    SCHEDULER_TIMEOUT_OPTION,
    WORKERS_OPTION,
    backend_from_options,
)
from openbmd.cli.common import check_output_paths, print_json, print_mapping

#: Trials when neither --trials nor the scenario's ``simulation.trials`` (> 1) says.
DEFAULT_TRIALS = 100


def register(app: typer.Typer) -> None:
    """Add ``openbmd montecarlo`` to ``app``."""
    app.command("montecarlo")(montecarlo_cmd)


def montecarlo_cmd(
    scenario: str = typer.Argument(
        ..., help="Scenario file (YAML) or built-in name (openbmd scenarios list)."
    ),
    trials: int = typer.Option(
        None,
        "--trials",
        help=f"Trials, >= 1 (default: the scenario's simulation.trials if > 1, else "
        f"{DEFAULT_TRIALS}).",
    ),
    seed: int = typer.Option(None, "--seed", help="Seed of the study (default: the scenario's)."),
    workers: int = WORKERS_OPTION,
    scheduler: str = SCHEDULER_OPTION,
    scheduler_timeout_s: float = SCHEDULER_TIMEOUT_OPTION,
    progress: bool = PROGRESS_OPTION,
    chunk_trials: int = typer.Option(
        None, "--chunk-trials", help="Trials per task (default: about 64 tasks, at most 16)."
    ),
    nominal: bool = typer.Option(
        False,
        "--nominal",
        help="Keep the scenario's distributions at nominal values (launch points in areas, "
        "sensor noise and kill draws still vary).",
    ),
    png: Path = typer.Option(None, "--png", help="Write the convergence figure (.png)."),
    out: Path = typer.Option(None, "--out", help="Write the per-trial table (.parquet)."),
    json_out: bool = typer.Option(False, "--json", help="Print one JSON object."),
) -> None:
    """Probability of no leaker, expected leakers and interceptors expended, each with a
    95 % confidence interval, from N trials of the full pipeline; Wilkening's analytic
    values beside them."""
    from openbmd.errors import ParameterError
    from openbmd.scenario import load_scenario

    if trials is not None and trials < 1:
        raise ParameterError("trials", "an integer >= 1", trials)
    backend = backend_from_options(workers, scheduler, progress, timeout_s=scheduler_timeout_s)
    check_output_paths([p for p in (png, out) if p is not None])
    model = load_scenario(scenario)
    if trials is None:
        trials = model.simulation.trials if model.simulation.trials > 1 else DEFAULT_TRIALS

    from openbmd.analysis.montecarlo import monte_carlo

    result = monte_carlo(model, trials=trials, seed=seed, backend=backend,
                         chunk_trials=chunk_trials, sample_distributions=not nominal)  # fmt: skip
    summary = result.to_dict()
    if png is not None:
        from openbmd.io.atomic import atomic_write_bytes
        from openbmd.report.montecarlo_figure import convergence_png

        atomic_write_bytes(png, convergence_png(result))
        summary["png"] = str(png)
    if out is not None:
        from openbmd import __version__
        from openbmd.io.parquet import write_table

        meta = {"scenario": result.scenario_name, "seed": str(result.seed),
                "software_version": __version__}  # fmt: skip
        write_table(result.table(), out, name="montecarlo_trials", metadata=meta)
        summary["out"] = str(out)
    if json_out:
        print_json(summary)
        return
    _print(summary)


def _print(summary: dict[str, Any]) -> None:
    analytic = summary["analytic"]
    rows: dict[str, Any] = {}
    for key in ("p_no_leaker", "expected_leakers", "interceptors_expended"):
        low, high = summary[f"{key}_ci95"]
        rows[key] = f"{summary[key]:.4g}  [{low:.4g}, {high:.4g}]"
        inside = "inside" if analytic[f"{key}_in_mc_ci95"] else "outside"
        rows[f"  analytic {key}"] = f"{analytic[key]:.4g} ({inside} the 95 % interval)"
    rows["p_engageable (analytic p_track)"] = summary["p_engageable"]
    for key in ("trials", "seed", "backend", "elapsed_s", "trials_per_s"):
        rows[key] = summary[key]
    for key in ("png", "out"):
        if key in summary:
            rows[key] = summary[key]
    print_mapping(f"openbmd montecarlo: {summary['scenario']}", rows)
