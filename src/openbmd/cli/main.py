"""The ``openbmd`` command.

Heavy modules are imported inside the commands so that ``openbmd --version`` and the
``calc`` commands start fast; compiled kernels are cached on disk by numba.
"""

from __future__ import annotations

import sys

import typer

from openbmd import __version__
from openbmd.cli.calc import calc_app
from openbmd.cli.trajectory import register as register_trajectory
from openbmd.cli.validate import register as register_validate

app = typer.Typer(
    name="openbmd",
    help="Open, physics-based ballistic missile defence analysis from public, nominal parameters.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
app.add_typer(calc_app, name="calc")
register_trajectory(app)
register_validate(app)


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
    import click

    from openbmd.errors import OpenBMDError

    command = typer.main.get_command(app)
    try:
        command.main(args=argv, prog_name="openbmd", standalone_mode=False)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except click.ClickException as exc:
        exc.show()
        sys.exit(2)
    except click.exceptions.Abort:
        sys.stderr.write("Aborted.\n")
        sys.exit(130)
    except OpenBMDError as exc:
        sys.stderr.write(f"error: {exc}\n")
        sys.exit(2)
    except OSError as exc:
        sys.stderr.write(f"error: {exc.strerror or exc}: {exc.filename or ''}\n".replace(": \n", "\n"))
        sys.exit(2)
