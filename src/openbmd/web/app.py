"""The dashboard application: JSON API under ``/api`` plus the HTML pages.

:func:`create_app` builds the FastAPI app for :class:`~openbmd.web.settings.WebSettings`;
``openbmd serve`` runs it with uvicorn. The API calls the same library functions as the
command line (scenario loading and validation, :func:`openbmd.report.run_job.
run_and_record`, the run store). ``/api/openapi.json`` describes it; no Swagger page is
served (it would load its scripts from a CDN).

Errors are JSON ``{"detail": "one clear line"}`` with the fitting 4xx status.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from openbmd import __version__
from openbmd.errors import OpenBMDError
from openbmd.web.settings import WebSettings

__all__ = ["create_app"]

log = logging.getLogger("openbmd.web")


def _api_app(settings: WebSettings) -> FastAPI:
    """The app with the JSON API, its security and the run queue (no pages)."""
    from openbmd.web import api_runs, api_scenarios
    from openbmd.web.cesium import cesium_build_dir
    from openbmd.web.jobs import JobQueue, ServerRunStore
    from openbmd.web.security import SecurityMiddleware

    store = ServerRunStore(settings.store_path)
    jobs = JobQueue(settings, store)

    @contextlib.asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        jobs.start()
        try:
            yield
        finally:
            jobs.stop()

    app = FastAPI(
        title="openbmd dashboard",
        version=__version__,
        description="Scenarios, runs and their outputs of openbmd (ballistic missile "
        "defence analysis from public, nominal parameters).",
        docs_url=None,
        redoc_url=None,
        openapi_url="/api/openapi.json",
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.store = store
    app.state.jobs = jobs

    @app.get("/api/health", tags=["server"], summary="Server health")
    def health() -> dict[str, Any]:
        """``{"status": "ok", "version", "cesium"}``; ``cesium``: the globe can be shown."""
        return {
            "status": "ok",
            "version": __version__,
            "cesium": cesium_build_dir(settings.web_home) is not None,
        }

    app.include_router(api_scenarios.router)
    app.include_router(api_runs.router)
    _add_error_handlers(app)
    app.add_middleware(SecurityMiddleware, settings=settings)
    if settings.cors_origins:
        from starlette.middleware.cors import CORSMiddleware

        app.add_middleware(
            CORSMiddleware,
            allow_origins=list(settings.cors_origins),
            allow_methods=["GET", "POST"],
            allow_headers=["Authorization", "Content-Type"],
        )
    return app


def create_app(settings: WebSettings | None = None) -> FastAPI:
    """The dashboard: the JSON API (see the module notes) and the HTML pages.

    Parameters
    ----------
    settings : WebSettings, optional
        Default: loopback on port 8000, the default run store and folders.
    """
    from openbmd.web.pages import mount_static
    from openbmd.web.pages import router as pages_router

    settings = settings or WebSettings()
    app = _api_app(settings)
    app.include_router(pages_router)
    mount_static(app, settings)
    return app


def _one_line_validation(exc: RequestValidationError) -> str:
    errors = exc.errors()
    if not errors:
        return "invalid request"
    first = errors[0]
    loc = [str(p) for p in first.get("loc", ())]
    where = loc[0] if loc else "request"
    name = ".".join(loc[1:])
    if first.get("type") == "json_invalid":
        return f"the body is not valid JSON: {(first.get('ctx') or {}).get('error', '')}".strip()
    if where == "body" and not name:
        subject = "the body"
    elif where == "body":
        subject = f"body field '{name}'"
    else:
        subject = f"{where} parameter '{name}'"
    message = str(first.get("msg", "is invalid"))
    got = first.get("input")
    shown = "" if got is None or isinstance(got, dict | list) else f" (got {str(got)[:80]!r})"
    more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
    return f"{subject}: {message}{shown}{more}"


def _add_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(RequestValidationError)
    async def invalid_request(_: Request, exc: RequestValidationError) -> JSONResponse:
        return JSONResponse({"detail": _one_line_validation(exc)}, status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        return JSONResponse(
            {"detail": exc.detail}, status_code=exc.status_code, headers=exc.headers
        )

    @app.exception_handler(OpenBMDError)
    async def user_error(_: Request, exc: OpenBMDError) -> JSONResponse:
        text = " ".join(str(exc).split())
        busy = "busy" in text or "stopping" in text
        headers = {"Retry-After": "5"} if busy else None
        return JSONResponse({"detail": text}, status_code=503 if busy else 400, headers=headers)

    @app.exception_handler(Exception)
    async def bug(_: Request, exc: Exception) -> JSONResponse:
        log.exception("unexpected error", exc_info=exc)
        return JSONResponse(
            {"detail": f"internal error ({type(exc).__name__}); see the server log"},
            status_code=500,
        )
