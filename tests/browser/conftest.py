"""Browser tests of the dashboard: Debian's Chromium, driven headless by Playwright.

The session installs what it needs and nothing else:

1. Chromium from Debian's package registry (``apt-get install chromium``) when
   ``/usr/bin/chromium`` is missing and the tests run as root; Playwright never downloads
   a browser. Without root, the tests are skipped with the reason, except under CI
   (``CI=true``), where anything missing is a failure;
2. CesiumJS with ``openbmd.web.cesium.setup_web`` (``npm ci`` into ``$OPENBMD_HOME/web``,
   the user's own, so it is installed once per machine); npm itself from apt when missing;
3. a real uvicorn server on a free loopback port with its own run folders, run store and
   upload folder.

Screenshots land in ``test-artifacts/browser/`` under the repository root.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts" / "browser"
CHROMIUM = Path("/usr/bin/chromium")
#: Headless, software rendering, and no look-ups of any host but the loopback address.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1",
]
_APT_TIMEOUT_S = 900


def _in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in {"true", "1", "yes"}


def _is_root() -> bool:
    return hasattr(os, "geteuid") and os.geteuid() == 0


def _missing(what: str) -> None:
    """Fail (CI or root: the set-up should have worked) or skip with the reason."""
    if _in_ci() or _is_root():
        pytest.fail(f"browser tests: {what}", pytrace=False)
    pytest.skip(f"browser tests: {what} (run as root to let the tests install it)")


def _apt_install(package: str) -> None:
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    steps = (
        ["apt-get", "update"],
        ["apt-get", "install", "-y", "--no-install-recommends", package],
    )
    for command in steps:
        try:
            done = subprocess.run(
                command, env=env, capture_output=True, text=True, timeout=_APT_TIMEOUT_S
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            pytest.fail(f"`{' '.join(command)}` could not run: {exc}", pytrace=False)
        if done.returncode != 0:
            tail = (done.stderr or done.stdout).strip().splitlines()[-1:] or ["no output"]
            pytest.fail(
                f"`{' '.join(command)}` failed ({done.returncode}): {tail[0]}", pytrace=False
            )


@pytest.fixture(scope="session")
def chromium_path() -> Path:
    """Debian's Chromium, installed with apt when missing (root only)."""
    if not CHROMIUM.exists():
        if not _is_root():
            _missing(f"{CHROMIUM} is missing (apt-get install chromium)")
        _apt_install("chromium")
        if not CHROMIUM.exists():
            pytest.fail(f"apt-get installed chromium but {CHROMIUM} is missing", pytrace=False)
    return CHROMIUM


@pytest.fixture(scope="session")
def cesium_home() -> Path:
    """``$OPENBMD_HOME/web`` with CesiumJS installed by openbmd's own set-up step."""
    from openbmd.web.cesium import (
        CesiumSetupError,
        cesium_build_dir,
        installed_cesium_version,
        pinned_cesium_version,
        setup_web,
        web_home,
    )

    home = web_home()
    ready = cesium_build_dir(home) is not None
    if ready and installed_cesium_version(home) == pinned_cesium_version():
        return home
    if shutil.which("npm") is None:
        if not _is_root():
            _missing("npm is missing, needed once to install CesiumJS (apt-get install npm)")
        _apt_install("npm")
    try:
        setup_web(home, quiet=True)
    except CesiumSetupError as exc:
        pytest.fail(f"openbmd setup-web failed: {exc}", pytrace=False)
    return home


@dataclass
class Dashboard:
    """A running dashboard server and its folders."""

    url: str
    port: int
    root: Path
    settings: Any
    started_s: float = field(default_factory=time.monotonic)

    @property
    def out_root(self) -> Path:
        return Path(self.settings.out_root)


@pytest.fixture(scope="session")
def dashboard(cesium_home: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Dashboard]:
    """The real app (``create_app``) served by uvicorn on a free loopback port."""
    import uvicorn

    from openbmd.web.app import create_app
    from openbmd.web.settings import WebSettings

    root = tmp_path_factory.mktemp("dashboard")
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    settings = WebSettings(
        host="127.0.0.1",
        port=port,
        out_root=root / "runs",
        store_path=root / "runs.duckdb",
        upload_dir=root / "uploads",
        web_home=cesium_home,
    )
    config = uvicorn.Config(
        create_app(settings), host="127.0.0.1", port=port, log_level="warning", lifespan="on"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            pytest.fail("the dashboard server did not start", pytrace=False)
        time.sleep(0.05)
    try:
        yield Dashboard(url=f"http://127.0.0.1:{port}", port=port, root=root, settings=settings)
    finally:
        server.should_exit = True
        thread.join(timeout=30)
        sock.close()


@pytest.fixture(scope="session")
def browser(chromium_path: Path) -> Iterator[Any]:
    """Chromium launched by Playwright for Python (no browser download)."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _missing("Playwright for Python is not installed (pip install -e '.[test]')")
    playwright = sync_playwright().start()
    try:
        browser = playwright.chromium.launch(
            executable_path=str(chromium_path), args=CHROMIUM_ARGS, headless=True
        )
    except Exception as exc:  # Playwright's own error type: one line suffices here
        playwright.stop()
        pytest.fail(f"Chromium did not start: {str(exc).splitlines()[0]}", pytrace=False)
    try:
        yield browser
    finally:
        browser.close()
        playwright.stop()


@dataclass
class TrackedPage:
    """A page and every request it made, with the errors it printed."""

    context: Any
    page: Any
    requests: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)

    def screenshot(self, name: str) -> Path:
        """Save a full-page screenshot as ``test-artifacts/browser/NAME.png``."""
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        path = ARTIFACTS / f"{name}.png"
        self.page.screenshot(path=str(path), full_page=True)
        return path

    def close(self) -> None:
        self.context.close()


@pytest.fixture(scope="session")
def artifacts() -> Path:
    """The folder of the screenshots kept as test artefacts."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


@pytest.fixture(scope="session")
def new_page(browser: Any, dashboard: Dashboard) -> Callable[[], TrackedPage]:
    """Open a fresh page (own context) on the dashboard that records its requests."""

    def open_page() -> TrackedPage:
        context = browser.new_context(
            viewport={"width": 1280, "height": 900}, base_url=dashboard.url
        )
        page = context.new_page()
        page.set_default_timeout(30_000)
        tracked = TrackedPage(context=context, page=page)
        page.on("request", lambda r: tracked.requests.append(r.url))
        page.on(
            "console",
            lambda m: tracked.console_errors.append(m.text) if m.type == "error" else None,
        )
        page.on("pageerror", lambda e: tracked.page_errors.append(str(e)))
        return tracked

    return open_page


@pytest.fixture
def dashboard_page(
    new_page: Callable[[], TrackedPage], request: pytest.FixtureRequest
) -> Iterator[TrackedPage]:
    """A fresh page for one test; its last state is kept as a screenshot."""
    tracked = new_page()
    try:
        yield tracked
    finally:
        try:
            tracked.screenshot(f"{request.node.name}-end")
        finally:
            tracked.close()
