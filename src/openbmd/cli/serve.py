"""``openbmd serve``: the dashboard (FastAPI app of :mod:`openbmd.web`, run by uvicorn)."""

from __future__ import annotations

import sys
from pathlib import Path

import typer


def register(app: typer.Typer) -> None:
    """Add ``openbmd serve`` to ``app``."""
    app.command("serve")(serve_cmd)


def serve_cmd(
    host: str = typer.Option(
        "127.0.0.1", help="Address to listen on; any but loopback needs --token."
    ),
    port: int = typer.Option(8000, help="TCP port."),
    token: str = typer.Option(
        None,
        envvar="OPENBMD_WEB_TOKEN",
        help="Secret every request must carry (Authorization: Bearer, or open the page "
        "once with ?token=...); required off loopback. Also read from OPENBMD_WEB_TOKEN.",
    ),
    max_runs: int = typer.Option(
        4, "--max-runs", help="Runs that may wait behind the running one (more: HTTP 429)."
    ),
    store: Path = typer.Option(
        None, help="Run-store database (default: $OPENBMD_HOME/runs.duckdb)."
    ),
    out_root: Path = typer.Option(
        None, "--out-root", help="Folder of the run folders (default: openbmd-out/runs)."
    ),
) -> None:
    """Serve the dashboard: scenario library, editor, runs with live progress, history.

    Listens on 127.0.0.1:8000 by default, for this machine only. Run folders and the run
    store are the same as `openbmd run` uses.
    """
    from openbmd.web.settings import WebSettings

    options: dict[str, object] = {
        "host": host,
        "port": port,
        "token": token,
        "max_queued_runs": max_runs,
    }
    if store is not None:
        options["store_path"] = store
    if out_root is not None:
        options["out_root"] = out_root
    settings = WebSettings(**options)  # type: ignore[arg-type]
    _check_free(host, port)

    import uvicorn

    from openbmd.web.app import create_app

    app = create_app(settings)
    shown = f"[{host}]" if ":" in host else host
    address = f"http://{shown}:{port}/"
    hint = f"{address}?token=<your token>" if settings.token else address
    sys.stderr.write(f"openbmd dashboard on {hint} (Ctrl-C to stop)\n")
    uvicorn.run(
        app,
        host=host,
        port=port,
        proxy_headers=False,
        server_header=False,
        access_log=settings.token is None,  # the log would show ?token= addresses
        timeout_graceful_shutdown=3,
        log_level="info",
    )


def _check_free(host: str, port: int) -> None:
    """Fail with one line, before the app starts, when the address cannot be bound."""
    import socket

    from openbmd.errors import OpenBMDError

    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror as exc:
        raise OpenBMDError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    family, kind, proto, _, address = infos[0]
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except OSError as exc:
            raise OpenBMDError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
