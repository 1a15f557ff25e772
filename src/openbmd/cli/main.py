"""The ``openbmd`` command.

Heavy modules are imported inside the commands so that ``openbmd --version`` and the
``calc`` commands start fast; compiled kernels are cached on disk by numba.
"""

from __future__ import annotations

import sys

import typer

from openbmd import __version__
from openbmd.cli.calc import calc_app
from openbmd.cli.coverage import register as register_coverage
from openbmd.cli.engage import register as register_engage
from openbmd.cli.footprint import register as register_footprint
from openbmd.cli.montecarlo import register as register_montecarlo
from openbmd.cli.reach import register as register_reach
from openbmd.cli.reach_check import register as register_reach_check
from openbmd.cli.run import register as register_run
from openbmd.cli.runs import register as register_runs
from openbmd.cli.scenario import register as register_scenario
from openbmd.cli.serve import register as register_serve
from openbmd.cli.setup_web import register as register_setup_web
from openbmd.cli.track import register as register_track
from openbmd.cli.trajectory import register as register_trajectory
from openbmd.cli.uncertainty import register as register_uncertainty
from openbmd.cli.validate import register as register_validate

app = typer.Typer(
    name="openbmd",
    help="Open, physics-based ballistic missile defence analysis from public, nominal parameters.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
app.add_typer(calc_app, name="calc")
register_run(app)
register_scenario(app)
register_runs(app)
register_trajectory(app)
register_coverage(app)
register_engage(app)
register_footprint(app)
register_montecarlo(app)
register_reach(app)
register_reach_check(app)
register_validate(app)
register_track(app)
register_uncertainty(app)
register_setup_web(app)
register_serve(app)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"openbmd {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Print the version and exit."
    ),
) -> None:
    """openbmd command-line interface."""


def main(argv: list[str] | None = None) -> None:
    """Entry point: user errors end as one line on stderr with exit code 2."""
    from openbmd.errors import OpenBMDError

    exit_types, abort_types, usage_types = _cli_exception_types()
    command = typer.main.get_command(app)
    try:
        command.main(args=argv, prog_name="openbmd", standalone_mode=False)
    except exit_types as exc:
        sys.exit(getattr(exc, "exit_code", 0))
    except abort_types:
        sys.stderr.write("Aborted.\n")
        sys.exit(130)
    except usage_types as exc:
        exc.show()  # type: ignore[attr-defined]
        sys.exit(2)
    except OpenBMDError as exc:
        sys.stderr.write(f"error: {exc}\n")
        sys.exit(2)
    except OSError as exc:
        where = f": {exc.filename}" if exc.filename else ""
        sys.stderr.write(f"error: {exc.strerror or exc}{where}\n")
        sys.exit(2)


_Types = tuple[type[BaseException], ...]


def _cli_exception_types() -> tuple[_Types, _Types, _Types]:
    """Exit, abort and usage-error classes of click and of typer's own copy of click."""
    import importlib

    exits: list[type[BaseException]] = [typer.Exit]
    aborts: list[type[BaseException]] = [typer.Abort]
    usage: list[type[BaseException]] = []
    # older typer runs on click; typer >= 0.26 carries its own copy as typer._click
    for module in ("click.exceptions", "typer._click.exceptions"):
        try:
            mod = importlib.import_module(module)
        except ImportError:
            continue
        for name, bucket in (("Exit", exits), ("Abort", aborts), ("ClickException", usage)):
            if hasattr(mod, name):
                bucket.append(getattr(mod, name))
    return tuple(exits), tuple(aborts), tuple(usage)
