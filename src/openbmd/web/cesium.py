"""CesiumJS for the dashboard's globe: where it is installed and how to install it.

CesiumJS comes from the npm registry, pinned by the ``package.json`` and
``package-lock.json`` shipped beside this module. ``openbmd setup-web`` (:func:`setup_web`)
copies both into ``$OPENBMD_HOME/web`` and runs ``npm ci`` there: the one set-up step that
uses the network, like ``pip install``. The dashboard then serves
``$OPENBMD_HOME/web/node_modules/cesium/Build/Cesium`` under ``/cesium/``; its imagery is
the Natural Earth II tile set inside that folder, so the globe needs no other server.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Final

from openbmd._home import openbmd_home
from openbmd.errors import OpenBMDError

__all__ = [
    "CesiumSetupError",
    "cesium_build_dir",
    "installed_cesium_version",
    "pinned_cesium_version",
    "setup_web",
    "web_home",
]

#: The npm project files shipped inside the package (pinned versions and hashes).
_PACKAGE_DIR: Final = Path(__file__).resolve().parent
_MANIFESTS: Final = ("package.json", "package-lock.json")
#: Files that show a usable CesiumJS build: the script and the offline imagery.
_BUILD_MARKERS: Final = ("Cesium.js", "Assets/Textures/NaturalEarthII/tilemapresource.xml")
#: Seconds ``npm ci`` may take (it downloads ~30 packages, ~80 MB).
_NPM_TIMEOUT_S: Final = 900.0
#: npm error lines that say nothing by themselves (codes, stack frames, the log's path).
_NPM_NOISE: Final = re.compile(r"^(?:code|syscall|errno|path|at|A complete log)\b|^[{}]")


class CesiumSetupError(OpenBMDError):
    """``openbmd setup-web`` could not install CesiumJS (npm missing or failing)."""


def web_home() -> Path:
    """Folder of the dashboard's installed browser packages: ``$OPENBMD_HOME/web``."""
    return openbmd_home() / "web"


def cesium_build_dir(home: Path | None = None) -> Path | None:
    """The installed ``Build/Cesium`` folder, or None when CesiumJS is not set up.

    Parameters
    ----------
    home : Path, optional
        The npm project folder (default :func:`web_home`).
    """
    build = (web_home() if home is None else home) / "node_modules" / "cesium" / "Build" / "Cesium"
    if all((build / marker).is_file() for marker in _BUILD_MARKERS):
        return build
    return None


def pinned_cesium_version() -> str:
    """The CesiumJS version the shipped ``package.json`` pins, e.g. ``"1.140.0"``."""
    manifest = json.loads((_PACKAGE_DIR / "package.json").read_text(encoding="utf-8"))
    return str(manifest["dependencies"]["cesium"])


def installed_cesium_version(home: Path | None = None) -> str | None:
    """Version of the CesiumJS package installed in ``home``, or None."""
    manifest = (web_home() if home is None else home) / "node_modules" / "cesium" / "package.json"
    try:
        return str(json.loads(manifest.read_text(encoding="utf-8"))["version"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def setup_web(
    home: Path | None = None,
    *,
    npm: str | None = None,
    force: bool = False,
    quiet: bool = False,
) -> Path:
    """Install the pinned CesiumJS into ``home`` with ``npm ci``; return its Build folder.

    Nothing is done when the pinned version is already installed there (unless ``force``).
    Package install scripts are not run: the dashboard only serves CesiumJS's prebuilt
    files.

    Parameters
    ----------
    home : Path, optional
        Target npm project folder (default ``$OPENBMD_HOME/web``); created if missing.
    npm : str, optional
        The npm executable (default: ``npm`` found on ``PATH``).
    force : bool
        Reinstall even when the pinned version is present.
    quiet : bool
        Hide npm's own output (it is still shown when npm fails).

    Raises
    ------
    CesiumSetupError
        npm is missing, fails, or leaves no usable ``Build/Cesium`` behind.
    """
    target = (web_home() if home is None else home).expanduser()
    pinned = pinned_cesium_version()
    ready = cesium_build_dir(target)
    if ready is not None and not force and installed_cesium_version(target) == pinned:
        return ready
    executable = shutil.which(npm or "npm")
    if executable is None:
        raise CesiumSetupError(
            f"npm not found (looked for {npm or 'npm'!r} on PATH): install Node.js with npm "
            "(e.g. `apt-get install npm`) and run `openbmd setup-web` again"
        )
    try:
        target.mkdir(parents=True, exist_ok=True)
        for name in _MANIFESTS:
            shutil.copyfile(_PACKAGE_DIR / name, target / name)
    except OSError as exc:
        raise CesiumSetupError(f"cannot prepare {target}: {exc.strerror or exc}") from None
    command = [executable, "ci", "--prefix", str(target)]
    command += ["--ignore-scripts", "--no-audit", "--no-fund", "--loglevel=error"]
    try:
        done = subprocess.run(
            command,
            cwd=target,
            capture_output=quiet,
            text=True,
            timeout=_NPM_TIMEOUT_S,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise CesiumSetupError(
            f"`npm ci` in {target} took longer than {_NPM_TIMEOUT_S:.0f} s (network?)"
        ) from None
    except OSError as exc:
        raise CesiumSetupError(f"cannot run {executable}: {exc.strerror or exc}") from None
    if done.returncode != 0:
        detail = _npm_reason(done.stderr) if quiet else "see npm's messages above"
        raise CesiumSetupError(
            f"`npm ci` in {target} failed with exit code {done.returncode}: {detail}"
        )
    build = cesium_build_dir(target)
    if build is None:
        raise CesiumSetupError(f"`npm ci` in {target} left no CesiumJS build (Build/Cesium)")
    return build


def _npm_reason(text: str | None) -> str:
    """The telling line of npm's error output (npm 9 writes ``npm ERR!``, npm 10+ ``npm error``)."""
    lines = []
    for raw in (text or "").splitlines():
        line = re.sub(r"^npm (?:error|ERR!)\s*", "", raw.strip())
        if line and not _NPM_NOISE.match(line):
            lines.append(line)
    return lines[0] if lines else "no message from npm"
