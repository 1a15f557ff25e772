"""``openbmd runs list|show|compare``: the run store (see ``docs/outputs.md``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from openbmd.cli.common import print_json, print_mapping, print_table

runs_app = typer.Typer(
    help="Recorded scenario runs (the DuckDB run store; OPENBMD_HOME moves it).",
    no_args_is_help=True,
)

_STORE_HELP = "Run store file (default: $OPENBMD_HOME/runs.duckdb or the user data folder)."


def register(app: typer.Typer) -> None:
    """Add the ``runs`` command group to ``app``."""
    app.add_typer(runs_app, name="runs")


def _open(store: Path | None) -> Any:
    from openbmd.io.runstore import RunStore

    return RunStore(store, create=False)


def _store_path(store: Path | None) -> Path:
    from openbmd.io.runstore import default_store_path

    return store.expanduser() if store is not None else default_store_path()


@runs_app.command("list")
def list_cmd(
    limit: int = typer.Option(50, "--limit", help="Most recent runs to show (0: all)."),
    store: Path = typer.Option(None, "--store", help=_STORE_HELP),
    json_out: bool = typer.Option(False, "--json", help="Print a JSON list."),
) -> None:
    """Recorded runs, most recent first."""
    from openbmd.errors import require_non_negative

    require_non_negative("limit", limit)
    if not _store_path(store).exists():  # nothing recorded yet: an empty list, no file made
        runs: list[Any] = []
    else:
        runs = _open(store).list_runs(limit or None)
    if json_out:
        print_json([r.as_dict() for r in runs])
        return
    if not runs:
        typer.echo(f"no runs recorded in {_store_path(store)}")
        return
    _print_runs(f"openbmd runs ({_store_path(store)})", runs)


@runs_app.command("show")
def show_cmd(
    run_id: str = typer.Argument(..., help="Run id or a unique prefix of it."),
    store: Path = typer.Option(None, "--store", help=_STORE_HELP),
    scenario: bool = typer.Option(False, "--scenario", help="Also print the scenario text."),
    json_out: bool = typer.Option(False, "--json", help="Print one JSON object."),
) -> None:
    """One run: status, scenario, seed, version, summary metrics and output files."""
    run = _open(store).get_run(run_id)
    if json_out:
        print_json(run.as_dict(scenario=scenario))
        return
    info = run.as_dict()
    meta = {
        k: info[k] if info[k] is not None else "-"
        for k in (
            "run_id",
            "status",
            "scenario_name",
            "scenario_sha256",
            "seed",
            "software_version",
            "created_at",
            "started_at",
            "finished_at",
            "duration_s",
            "out_dir",
            "error",
        )
    }
    print_mapping(f"run {run.run_id}", meta)
    if run.summary:
        from openbmd.io.run_records import flatten_metrics

        print_mapping("summary", flatten_metrics(run.summary))
    if run.outputs:
        print_mapping("outputs", run.outputs)
    if scenario:
        typer.echo(run.scenario_yaml)


@runs_app.command("compare")
def compare_cmd(
    run_a: str = typer.Argument(..., help="First run (id or unique prefix)."),
    run_b: str = typer.Argument(..., help="Second run (id or unique prefix)."),
    store: Path = typer.Option(None, "--store", help=_STORE_HELP),
    json_out: bool = typer.Option(False, "--json", help="Print one JSON object."),
) -> None:
    """Summary metrics of two runs side by side, with differences (B - A)."""
    runs = _open(store)
    a, b = runs.get_run(run_a), runs.get_run(run_b)
    rows = runs.compare(a.run_id, b.run_id)
    same = a.scenario_sha256 == b.scenario_sha256
    if json_out:
        print_json(
            {
                "a": a.as_dict(),
                "b": b.as_dict(),
                "same_scenario": same,
                "metrics": rows,
            }
        )
        return
    print_table(
        f"A = {a.run_id} ({a.scenario_name}, seed {a.seed}), "
        f"B = {b.run_id} ({b.scenario_name}, seed {b.seed}); "
        + ("same scenario text" if same else "different scenario texts"),
        [
            {
                "metric": r["metric"],
                "A": _shown(r["a"]),
                "B": _shown(r["b"]),
                "B - A": _shown(r["difference"]),
            }
            for r in rows
        ],
    )


def _shown(value: Any) -> Any:
    return "-" if value is None else value


def _print_runs(title: str, runs: list[Any]) -> None:
    """A table of runs whose ids are never cut (they are what the user types next)."""
    from rich.console import Console
    from rich.table import Table

    table = Table(title=title, caption="run ids begin with the UTC date and time: YYMMDD-HHMMSS")
    table.add_column("run id", no_wrap=True, min_width=len(runs[0].run_id))
    table.add_column("status", no_wrap=True)
    table.add_column("scenario")
    table.add_column("time, s", justify="right")
    table.add_column("seed", justify="right")
    table.add_column("version")
    for r in runs:
        table.add_row(
            r.run_id,
            r.status,
            r.scenario_name,
            "-" if r.duration_s is None else f"{r.duration_s:.1f}",
            "-" if r.seed is None else str(r.seed),
            r.software_version,
        )
    Console().print(table)
