"""Settings of the dashboard server (``openbmd serve``), checked once when built."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

from openbmd._home import openbmd_home
from openbmd.errors import OpenBMDError, ParameterError

__all__ = [
    "DEFAULT_MAX_QUEUED_RUNS",
    "DEFAULT_MAX_UPLOAD_BYTES",
    "MIN_TOKEN_CHARS",
    "WebSettings",
    "is_loopback",
]

#: Largest scenario upload, bytes (a built-in scenario is under 10 KiB).
DEFAULT_MAX_UPLOAD_BYTES: Final = 256 * 1024
#: Runs that may wait behind the one running before submissions get 429.
DEFAULT_MAX_QUEUED_RUNS: Final = 4
#: Shortest token accepted (``secrets.token_urlsafe()`` gives 43 characters).
MIN_TOKEN_CHARS: Final = 16


def is_loopback(host: str) -> bool:
    """True for ``localhost`` and loopback addresses (127.0.0.0/8, ::1)."""
    name = host.strip().strip("[]").lower()
    if name == "localhost":
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def _default_store() -> Path:
    from openbmd.io.runstore import default_store_path

    return default_store_path()


@dataclass(frozen=True)
class WebSettings:
    """What the dashboard serves and how.

    Attributes
    ----------
    host : str
        Address to bind; loopback by default. Any other address needs ``token``.
    port : int
        TCP port, in [1, 65535].
    token : str, optional
        Secret every request must carry (``Authorization: Bearer``, ``?token=`` or the
        cookie set by opening a page with ``?token=``); required off loopback.
    out_root : Path
        Folder of the run folders (one per run id), as ``openbmd run``.
    store_path : Path
        The run store (DuckDB file).
    upload_dir : Path
        Uploaded scenarios (validated YAML files, one per name).
    max_upload_bytes : int
        Largest scenario upload, bytes (larger: 413).
    max_queued_runs : int
        Runs that may wait behind the running one (more: 429).
    cors_origins : tuple of str
        Origins allowed to call the API from another site; none by default.
    web_home : Path
        Where ``openbmd setup-web`` installs CesiumJS (``node_modules/cesium``).
    """

    host: str = "127.0.0.1"
    port: int = 8000
    token: str | None = None
    out_root: Path = field(default_factory=lambda: Path("openbmd-out") / "runs")
    store_path: Path = field(default_factory=_default_store)
    upload_dir: Path = field(default_factory=lambda: openbmd_home() / "web" / "scenarios")
    max_upload_bytes: int = DEFAULT_MAX_UPLOAD_BYTES
    max_queued_runs: int = DEFAULT_MAX_QUEUED_RUNS
    cors_origins: tuple[str, ...] = ()
    web_home: Path = field(default_factory=lambda: openbmd_home() / "web")

    def __post_init__(self) -> None:
        if not isinstance(self.port, int) or not 1 <= self.port <= 65535:
            raise ParameterError("port", "an integer in [1, 65535]", self.port)
        if not isinstance(self.max_upload_bytes, int) or self.max_upload_bytes < 1024:
            raise ParameterError("max_upload_bytes", "an integer >= 1024", self.max_upload_bytes)
        if not isinstance(self.max_queued_runs, int) or not 0 <= self.max_queued_runs <= 1000:
            raise ParameterError("max_queued_runs", "an integer in [0, 1000]", self.max_queued_runs)
        token = self.token or None
        if token is not None and (len(token) < MIN_TOKEN_CHARS or not token.isprintable()):
            raise ParameterError(
                "token", f"at least {MIN_TOKEN_CHARS} printable characters", "<hidden>"
            )
        if token is None and not is_loopback(self.host):
            raise OpenBMDError(
                f"serving on the non-loopback host {self.host!r} needs a token (--token, "
                'e.g. from `python -c "import secrets; print(secrets.token_urlsafe())"`)'
            )
        for origin in self.cors_origins:
            if not origin.startswith(("http://", "https://")) or origin.endswith("/"):
                raise ParameterError("cors_origins", "origins like 'https://host:port'", origin)
        object.__setattr__(self, "token", token)
        object.__setattr__(self, "cors_origins", tuple(self.cors_origins))
        for name in ("out_root", "store_path", "upload_dir", "web_home"):
            value = Path(getattr(self, name)).expanduser().absolute()
            object.__setattr__(self, name, value)

    @property
    def loopback(self) -> bool:
        """The server listens on a loopback address only."""
        return is_loopback(self.host)
