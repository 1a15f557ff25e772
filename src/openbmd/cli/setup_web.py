"""``openbmd setup-web``: install CesiumJS for the dashboard's globe (npm ci)."""

from __future__ import annotations

from pathlib import Path

import typer

from openbmd.cli.common import print_json


def register(app: typer.Typer) -> None:
    """Add ``openbmd setup-web`` to ``app``."""
    app.command("setup-web")(setup_web_cmd)


def setup_web_cmd(
    home: Path = typer.Option(
        None, "--dir", help="npm project folder to install into (default: $OPENBMD_HOME/web)."
    ),
    npm: str = typer.Option("npm", "--npm", help="The npm executable."),
    force: bool = typer.Option(False, "--force", help="Reinstall even if already installed."),
    json_out: bool = typer.Option(False, "--json", help="Print the result as one JSON object."),
) -> None:
    """Install the pinned CesiumJS from the npm registry (the only step using the network).

    Copies openbmd's package.json and package-lock.json into the folder and runs
    `npm ci` there; `openbmd serve` then shows run scenes on a 3-D globe with the
    Natural Earth II imagery shipped inside CesiumJS (no other server is contacted).
    """
    from openbmd.web.cesium import installed_cesium_version, setup_web, web_home

    target = (home or web_home()).expanduser().absolute()
    build = setup_web(target, npm=npm, force=force, quiet=json_out)
    version = installed_cesium_version(target)
    if json_out:
        print_json({"cesium_version": version, "web_home": str(target), "build_dir": str(build)})
        return
    typer.echo(f"CesiumJS {version} ready in {build}")
