"""``openbmd uncertainty``: a scenario's distributions propagated to bands and a ranking."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from openbmd.cli.analysis_options import (
    PROGRESS_OPTION,
    SCHEDULER_OPTION,
    WORKERS_OPTION,
    backend_from_options,
)
from openbmd.cli.common import check_output_paths, print_json, print_mapping, print_table

if TYPE_CHECKING:
    from openbmd.analysis.uncertainty import UncertaintyResult

#: Rows of the ranking shown per output in the text output.
_TOP = 3


def register(app: typer.Typer) -> None:
    """Add the uncertainty command to ``app``."""
    app.command("uncertainty")(uncertainty_cmd)


def uncertainty_cmd(
    scenario: str = typer.Argument(
        ..., help="Scenario file or built-in name, with distributions (e.g. japan-2018-uncertain)."
    ),
    samples: int = typer.Option(..., "--samples", help="Parameter sets to draw (>= 3)."),
    seed: int = typer.Option(None, "--seed", help="Seed (default: the scenario's seed)."),
    footprint: bool = typer.Option(
        False, "--footprint", help="Also map the defended footprint's probability."
    ),
    resolution_km: float = typer.Option(
        25.0, "--resolution-km", help="Footprint cell size, km (with --footprint)."
    ),
    threat: str = typer.Option(None, "--threat", help="Threat id of the footprint."),
    analytic_only: bool = typer.Option(
        False,
        "--analytic-only",
        help="No scenario run per sample: closed-form outputs (and --footprint) only; fast.",
    ),
    out: Path = typer.Option(None, "--out", help="Write samples, bands and ranking (.nc)."),
    png: Path = typer.Option(None, "--png", help="Write the bands and ranking figure (.png)."),
    workers: int = WORKERS_OPTION,
    scheduler: str = SCHEDULER_OPTION,
    progress: bool = PROGRESS_OPTION,
    json_out: bool = typer.Option(False, "--json", help="Print one JSON object."),
) -> None:
    """Bands (5/50/95 %) of a scenario's outcome and which parameter moves it most."""
    from openbmd.errors import ParameterError, require_positive

    if samples < 3:
        raise ParameterError(
            "samples", "an integer >= 3 (bands and rank correlations need at least 3)", samples
        )
    if seed is not None and seed < 0:
        raise ParameterError("seed", "an integer >= 0", seed)
    require_positive("resolution_km", resolution_km)
    check_output_paths([p for p in (out, png) if p is not None])
    backend = backend_from_options(workers, scheduler, progress)

    from openbmd.analysis.uncertainty import uncertainty_study

    result = uncertainty_study(
        scenario,
        samples=samples,
        seed=seed,
        footprint=footprint,
        resolution_km=resolution_km,
        threat=threat,
        run=not analytic_only,
        backend=backend,
    )
    summary = result.to_dict()
    if out is not None:
        from openbmd.io.netcdf import write_netcdf

        write_netcdf(result.to_dataset(), out)
        summary["netcdf"] = str(out)
    if png is not None:
        from openbmd.io.atomic import atomic_write_bytes
        from openbmd.report.uncertainty_figure import uncertainty_png

        atomic_write_bytes(png, uncertainty_png(result))
        summary["png"] = str(png)
    if json_out:
        print_json(summary)
    else:
        _print_text(result, summary)


def _print_text(result: UncertaintyResult, summary: dict[str, Any]) -> None:
    from openbmd.report.uncertainty_figure import short_name

    print_mapping(
        f"{result.scenario_name}: {result.samples} samples, seed {result.seed}",
        {
            short_name(
                p.name
            ): f"{p.distribution.model_dump()} (nominal {p.distribution.nominal():g})"
            for p in result.parameters
        },
    )
    print_table(
        "bands over the samples",
        [
            {
                "output": k,
                "5 %": b.q05,
                "50 %": b.q50,
                "95 %": b.q95,
                "mean": b.mean,
                "nominal": b.nominal,
            }
            for k, b in result.bands.items()
        ],
    )
    rank = result.sensitivity
    rows = [
        {
            "output": e.output,
            "rank": e.rank,
            "parameter": short_name(e.parameter),
            "spearman": e.spearman,
            "srrc": "-" if e.srrc is None else f"{e.srrc:.3f}",
            "significant": "yes" if e.significant else "no",
        }
        for e in rank.entries
        if e.rank <= _TOP
    ]
    print_table(
        f"sensitivity (top {_TOP} per output; |rho| > {rank.threshold:.2f} is significant)",
        rows,
    )
    files: dict[str, Any] = {k: summary[k] for k in ("netcdf", "png") if k in summary}
    if "probability_map" in summary:
        files["probability_map"] = summary["probability_map"]
    if files:
        print_mapping("written", files)
