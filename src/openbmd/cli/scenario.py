"""``openbmd schema`` and ``openbmd scenarios list|show|check``."""

from __future__ import annotations

import json
import sys

import typer

from openbmd.cli.common import print_json

scenarios_app = typer.Typer(
    help="Built-in scenarios: list them, print one, check a scenario file.",
    no_args_is_help=True,
)


def register(app: typer.Typer) -> None:
    """Add ``schema`` and the ``scenarios`` group to ``app``."""
    app.command("schema")(schema_cmd)
    app.add_typer(scenarios_app, name="scenarios")


def schema_cmd() -> None:
    """Print the JSON Schema of scenario files (for editor completion and checks)."""
    from openbmd.scenario import scenario_json_schema

    sys.stdout.write(json.dumps(scenario_json_schema(), indent=2) + "\n")


@scenarios_app.command("list")
def list_cmd(
    json_out: bool = typer.Option(False, "--json", help="Print a JSON list."),
) -> None:
    """List the built-in scenarios with their descriptions."""
    from openbmd.scenario import builtin_descriptions

    rows = [{"name": k, "description": v} for k, v in builtin_descriptions().items()]
    if json_out:
        print_json(rows)
        return
    from rich.console import Console
    from rich.table import Table

    table = Table(title="built-in scenarios (openbmd scenarios show NAME)")
    table.add_column("name", no_wrap=True)
    table.add_column("description", overflow="fold")
    for row in rows:
        table.add_row(row["name"], row["description"])
    Console().print(table)


@scenarios_app.command("show")
def show_cmd(name: str = typer.Argument(..., help="A built-in scenario name.")) -> None:
    """Print a built-in scenario's YAML, comments and sources included."""
    from openbmd.scenario import builtin_text

    sys.stdout.write(builtin_text(name))


@scenarios_app.command("check")
def check_cmd(
    path_or_name: str = typer.Argument(..., help="A scenario file or a built-in name."),
    json_out: bool = typer.Option(False, "--json", help="Print a JSON summary."),
) -> None:
    """Validate a scenario and resolve its catalog references (exit code 2 on errors)."""
    from openbmd.scenario import load_scenario

    scenario = load_scenario(path_or_name)
    uncertain = sorted(scenario.uncertain_parameters())
    summary: dict[str, object] = {
        "name": scenario.name,
        "threats": len(scenario.threats),
        "missiles": scenario.missile_count,
        "radars": len(scenario.sensors.radars),
        "early_warning": scenario.sensors.early_warning is not None,
        "defence_sites": len(scenario.defence.sites),
        "interceptors": sum(s.inventory for s in scenario.defence.sites),
        "uncertain_parameters": uncertain,
    }
    if json_out:
        print_json(summary)
    else:
        sys.stdout.write(
            f"ok: {summary['name']}: {summary['missiles']} missiles in {summary['threats']} "
            f"threats, {summary['radars']} radars, {summary['defence_sites']} defence sites "
            f"({summary['interceptors']} interceptors), "
            f"{len(uncertain)} uncertain parameters\n"
        )
