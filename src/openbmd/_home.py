"""Where openbmd keeps its own files (compiled-kernel cache, later the run store).

``OPENBMD_HOME`` moves all of them; otherwise the platform's user data folder is used.
"""

from __future__ import annotations

import os
from pathlib import Path


def openbmd_home() -> Path:
    """Return the folder for openbmd's own files (not created here)."""
    env = os.environ.get("OPENBMD_HOME")
    if env:
        return Path(env).expanduser()
    from platformdirs import user_data_dir

    return Path(user_data_dir("openbmd", appauthor=False))


def numba_cache_dir() -> Path:
    """Folder where numba caches openbmd's compiled kernels."""
    return Path(os.environ.get("NUMBA_CACHE_DIR") or openbmd_home() / "numba-cache")


def configure_numba_cache() -> None:
    """Point numba's on-disk cache at openbmd's home unless the user chose a folder.

    Must run before numba is imported; ``openbmd/__init__`` calls it first thing.
    """
    os.environ.setdefault("NUMBA_CACHE_DIR", str(numba_cache_dir()))
