"""The dashboard's HTML pages and static files.

Pages are thin Jinja2 shells; each loads one ES module from ``/static`` that calls the JSON
API (``/api``, see ``openbmd.web.app``). Every asset is served by this server: the page
scripts and styles from the package's ``static`` folder and CesiumJS from the npm install
of ``openbmd setup-web`` under ``/cesium/``. No page loads anything from elsewhere.

- ``/``: the scenario library (built-in and uploaded), an upload form, run buttons;
- ``/editor?name=NAME``: the YAML editor (validation errors marked at their line);
- ``/runs``: run history from the run store;
- ``/runs/{run_id}``: a run's progress (server-sent events), globe, charts, downloads.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates

from openbmd import __version__
from openbmd.web.cesium import cesium_build_dir, web_home

if TYPE_CHECKING:
    from fastapi import FastAPI

    from openbmd.web.settings import WebSettings

__all__ = ["STATIC_DIR", "TEMPLATES_DIR", "mount_static", "router"]

_HERE: Final = Path(__file__).resolve().parent
#: Package folder of the page scripts and styles, served under ``/static``.
STATIC_DIR: Final = _HERE / "static"
#: Package folder of the Jinja2 page templates.
TEMPLATES_DIR: Final = _HERE / "templates"
#: Run ids the run view accepts in its path (the API decides whether the run exists).
_RUN_ID: Final = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,127}")
#: Scenario names, as the API restricts them.
_SCENARIO_NAME: Final = re.compile(r"[A-Za-z0-9_-]{1,64}")

router = APIRouter(include_in_schema=False)
_templates = Jinja2Templates(directory=str(TEMPLATES_DIR))


def mount_static(app: FastAPI, settings: WebSettings) -> None:
    """Serve ``/static`` (page assets) and ``/cesium`` (the CesiumJS build) from ``app``.

    ``/cesium`` is mounted even when CesiumJS is not installed yet: it answers 404 until
    ``openbmd setup-web`` has run, and the run view then says how to install it.
    """
    home = Path(getattr(settings, "web_home", None) or web_home())
    app.state.openbmd_web_home = home
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    cesium = home / "node_modules" / "cesium" / "Build" / "Cesium"
    app.mount("/cesium", _InstalledLater(directory=cesium, check_dir=False), name="cesium")


class _InstalledLater(StaticFiles):
    """Static files from a folder that may appear later: 404s until it exists."""

    async def check_config(self) -> None:
        if self.directory is not None and not Path(self.directory).is_dir():
            return
        await super().check_config()


def _cesium_ready(request: Request) -> bool:
    home = getattr(request.app.state, "openbmd_web_home", None)
    return cesium_build_dir(Path(home) if home is not None else None) is not None


def _page(request: Request, template: str, **context: Any) -> HTMLResponse:
    context.setdefault("version", __version__)
    return _templates.TemplateResponse(request, template, context)


@router.get("/", response_class=HTMLResponse)
def library_page(request: Request) -> HTMLResponse:
    """Scenario library: built-in and uploaded scenarios, upload, run."""
    return _page(request, "library.html", title="Scenario library", page="library")


@router.get("/editor", response_class=HTMLResponse)
def editor_page(request: Request, name: str | None = None) -> HTMLResponse:
    """YAML editor for a scenario (``?name=`` opens a built-in or uploaded one)."""
    if name is not None and not _SCENARIO_NAME.fullmatch(name):
        raise HTTPException(404, detail="scenario names use only A-Z a-z 0-9 _ - (1-64)")
    return _page(request, "editor.html", title="Scenario editor", page="editor", name=name or "")


@router.get("/runs", response_class=HTMLResponse)
def history_page(request: Request) -> HTMLResponse:
    """Run history from the run store."""
    return _page(request, "history.html", title="Runs", page="runs")


@router.get("/runs/{run_id}", response_class=HTMLResponse)
def run_page(request: Request, run_id: str) -> HTMLResponse:
    """One run: live progress, the globe, charts, footprint and downloads."""
    if not _RUN_ID.fullmatch(run_id):
        raise HTTPException(404, detail=f"no run {run_id!r}")
    return _page(
        request,
        "run.html",
        title=f"Run {run_id}",
        page="runs",
        run_id=run_id,
        cesium=_cesium_ready(request),
    )
