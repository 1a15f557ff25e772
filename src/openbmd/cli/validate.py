"""``openbmd validate``: every published reference value, recomputed."""

from __future__ import annotations

import typer

from openbmd.cli.common import print_json


def register(app: typer.Typer) -> None:
    """Add the ``validate`` and ``doctor`` commands to ``app``."""
    app.command("validate")(validate_cmd)
    app.command("doctor")(doctor_cmd)


def validate_cmd(
    area: list[str] = typer.Option(None, help="Only these areas (geodesy, atmosphere, ...)."),
    json_out: bool = typer.Option(False, "--json", help="Print a JSON list."),
) -> None:
    """Recompute published reference values and compare (exit code 1 if any fails)."""
    from rich.console import Console
    from rich.table import Table

    from openbmd.validation import run_cases

    results = run_cases(area or None)
    rows = [
        {
            "case": r.case.case_id,
            "quantity": r.case.quantity,
            "source": r.case.source,
            "expected": r.case.expected,
            "got": r.got,
            "tolerance": r.case.tolerance,
            "unit": r.case.unit,
            "passed": r.passed,
            **({"error": r.error} if r.error else {}),
        }
        for r in results
    ]
    if json_out:
        print_json(rows)
    else:
        table = Table(title="openbmd validation against published references", show_lines=False)
        for col in ("quantity", "source", "expected", "got", "tolerance", "pass"):
            table.add_column(
                col,
                overflow="fold",
                justify="right" if col in ("expected", "got", "tolerance") else "left",
            )
        for r in results:
            table.add_row(
                f"{r.case.quantity}",
                r.case.source,
                f"{r.case.expected:.8g} {r.case.unit}",
                f"{r.got:.8g}",
                f"± {r.case.tolerance:.3g}",
                "[green]pass[/green]" if r.passed else "[red]FAIL[/red]",
            )
        console = Console()
        console.print(table)
        n_fail = sum(not r.passed for r in results)
        console.print(f"{len(results) - n_fail} passed, {n_fail} failed")
    if any(not r.passed for r in results):
        raise typer.Exit(1)


def doctor_cmd(
    json_out: bool = typer.Option(False, "--json", help="Print one JSON object."),
) -> None:
    """Versions, compiled-kernel cache and the reach of the bundled data tables."""
    from openbmd.doctor import doctor_report

    report = doctor_report()
    if json_out:
        print_json(report)
        return
    from rich.console import Console
    from rich.pretty import Pretty

    Console().print(Pretty(report, expand_all=True))
