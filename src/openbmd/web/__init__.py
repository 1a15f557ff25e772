"""The dashboard: ``openbmd serve`` (FastAPI + uvicorn), an edge layer nothing imports.

- :func:`create_app` (``openbmd.web.app``): the JSON API under ``/api`` and the HTML pages;
- :class:`WebSettings` (``openbmd.web.settings``): host, port, token, folders, limits;
- ``openbmd.web.jobs``: the run queue; ``openbmd.web.security``: the request checks;
- ``openbmd.web.pages`` and ``static/``: the pages; ``openbmd.web.cesium``: the globe.

See ``docs/web.md``. The names are imported on first use, so that ``openbmd.web.cesium``
and the settings load without FastAPI.
"""

from __future__ import annotations

from typing import Any

__all__ = ["WebSettings", "create_app"]


def __getattr__(name: str) -> Any:
    if name == "create_app":
        from openbmd.web.app import create_app

        return create_app
    if name == "WebSettings":
        from openbmd.web.settings import WebSettings

        return WebSettings
    raise AttributeError(f"module 'openbmd.web' has no attribute {name!r}")
