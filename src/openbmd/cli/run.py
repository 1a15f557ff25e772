"""``openbmd run``: the main job, a scenario in, a run folder and a run-store record out."""

from __future__ import annotations

from pathlib import Path

import typer

from openbmd.cli.common import print_json

DEFAULT_SCENARIO = "japan-2018"


def register(app: typer.Typer) -> None:
    """Add ``openbmd run`` to ``app``."""
    app.command("run")(run_cmd)


def run_cmd(
    scenario: str = typer.Argument(
        DEFAULT_SCENARIO, help="Scenario file (YAML) or built-in name (openbmd scenarios list)."
    ),
    out: Path = typer.Option(
        None, help="Run folder to write (default: openbmd-out/runs/<run id>); must not exist."
    ),
    seed: int = typer.Option(None, help="Seed (default: the scenario's)."),
    store: Path = typer.Option(
        None, help="Run-store database (default: $OPENBMD_HOME/runs.duckdb)."
    ),
    no_store: bool = typer.Option(False, "--no-store", help="Do not record the run."),
    json_out: bool = typer.Option(False, "--json", help="Print the summary as one JSON object."),
) -> None:
    """Run a scenario end to end: truth, sensors, tracking, engagement, outcome.

    Writes summary.json, events/trajectories/sites Parquet tables, figures, report.html,
    scene.czml and scene.kml into the run folder and records the run in the run store.
    """
    from rich.console import Console
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    from openbmd.report.run_job import DEFAULT_OUT_ROOT, RUN_STEPS, run_and_record
    from openbmd.scenario import load_scenario

    model = load_scenario(scenario)
    with Progress(
        SpinnerColumn(),
        TextColumn("[bold]{task.description}"),
        TimeElapsedColumn(),
        console=Console(stderr=True),
        transient=True,
        disable=json_out,
    ) as bar:
        task = bar.add_task(f"{model.name}: starting", total=len(RUN_STEPS))

        def stage(name: str) -> None:
            bar.update(task, description=f"{model.name}: {name}", advance=1)

        outcome = run_and_record(
            model,
            seed=seed,
            out=out,
            out_root=DEFAULT_OUT_ROOT,
            store=store,
            no_store=no_store,
            progress=stage,
        )
    summary = outcome["summary"]
    if json_out:
        print_json(summary)
        return
    _print_summary(summary)


def _print_summary(summary: dict[str, object]) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"openbmd run {summary['run_id']}: {summary['scenario']}")
    table.add_column("quantity")
    table.add_column("value", justify="right")
    for key in ("missiles", "objects", "cues", "detections", "tracks", "firm_tracks_rv",
                "mean_time_to_firm_track_s", "engageable_rv", "interceptors_fired", "kills",
                "leakers", "inventory_left"):  # fmt: skip
        value = summary.get(key)
        text = f"{value:,.3g}" if isinstance(value, float) else str(value)
        table.add_row(key, text)
    console = Console()
    console.print(table)
    console.print(f"Report: {summary['report']}")
    console.print(f"Run folder: {summary['run_folder']}")
