"""``openbmd doctor``: versions, the compiled-kernel cache and the bundled data tables."""

from __future__ import annotations

import platform
import sys
from importlib import metadata
from typing import Any

from openbmd import __version__
from openbmd._home import numba_cache_dir, openbmd_home

_PACKAGES = (
    "numpy",
    "scipy",
    "numba",
    "llvmlite",
    "geographiclib",
    "pydantic",
    "typer",
    "matplotlib",
    "xarray",
    "h5netcdf",
    "pyarrow",
    "duckdb",
    "czml3",
    "simplekml",
    "jinja2",
    "stonesoup",
)


def doctor_report() -> dict[str, Any]:
    """A JSON-ready description of this installation."""
    versions: dict[str, str | None] = {"openbmd": __version__, "python": platform.python_version()}
    for name in _PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = None
    cache = numba_cache_dir()
    index_files = sorted(cache.rglob("*.nbi")) if cache.exists() else []
    # numba names index files "<module>.<function>-<line>.pyNNN.nbi" under the source path
    modules = sorted({p.parent.name + "/" + p.name.split(".")[0] for p in index_files})
    from openbmd.atmosphere import table_range
    from openbmd.report.maps import load_coastlines
    from openbmd.sensors.catalog import radar_names
    from openbmd.sensors.early_warning import early_warning_names
    from openbmd.threats import missile_names

    lo, hi, step, rows = table_range()
    coast = load_coastlines()
    return {
        "versions": versions,
        "platform": f"{platform.system()} {platform.machine()}",
        "executable": sys.executable,
        "openbmd_home": str(openbmd_home()),
        "compiled_kernels": {
            "cache_dir": str(cache),
            "cached_kernel_indexes": len(index_files),
            "cached": len(index_files) > 0,
            "modules": modules,
        },
        "data_tables": {
            "ussa1976": {"min_alt_m": lo, "max_alt_m": hi, "step_m": step, "rows": rows},
            "missile_catalog": missile_names(),
            "radar_catalog": radar_names(),
            "early_warning_catalog": early_warning_names(),
            "coastlines": {
                "segments": coast.n_segments,
                "points": int(coast.lon_deg.size),
                "lon_range_deg": [float(coast.lon_deg.min()), float(coast.lon_deg.max())],
                "lat_range_deg": [float(coast.lat_deg.min()), float(coast.lat_deg.max())],
                "source": coast.source,
            },
        },
    }
