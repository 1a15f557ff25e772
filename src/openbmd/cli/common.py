"""Helpers shared by the CLI commands: argument parsing, JSON output, tables."""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path
from typing import Any

from openbmd.errors import OpenBMDError, ParameterError


def parse_latlon(name: str, text: str) -> tuple[float, float]:
    """Parse ``"LAT,LON"`` (degrees) and check the ranges."""
    parts = text.replace(" ", "").split(",")
    if len(parts) != 2:
        raise ParameterError(name, "LAT,LON in degrees (e.g. 40.0,127.5)", text)
    try:
        lat, lon = float(parts[0]), float(parts[1])
    except ValueError:
        raise ParameterError(name, "LAT,LON in degrees (e.g. 40.0,127.5)", text) from None
    if not (math.isfinite(lat) and -90.0 <= lat <= 90.0):
        raise ParameterError(f"{name} latitude", "in [-90, 90] degrees", lat)
    if not (math.isfinite(lon) and -180.0 <= lon <= 360.0):
        raise ParameterError(f"{name} longitude", "in [-180, 360] degrees", lon)
    return lat, lon


def _clean(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    return value


def print_json(obj: Any) -> None:
    """Print one JSON object or list (non-finite floats become null)."""
    sys.stdout.write(json.dumps(_clean(obj), indent=2) + "\n")


def print_table(title: str, rows: list[dict[str, Any]]) -> None:
    """Print rows of equal keys as a rich table."""
    from rich.console import Console
    from rich.table import Table

    table = Table(title=title)
    if not rows:
        Console().print(table)
        return
    for key in rows[0]:
        table.add_column(key, justify="right")
    for row in rows:
        table.add_row(*(_fmt(v) for v in row.values()))
    Console().print(table)


def print_mapping(title: str, values: dict[str, Any]) -> None:
    """Print a name/value table."""
    from rich.console import Console
    from rich.table import Table

    table = Table(title=title)
    table.add_column("quantity")
    table.add_column("value", justify="right")
    for k, v in values.items():
        table.add_row(k, _fmt(v))
    Console().print(table)


def _fmt(v: Any) -> str:
    if isinstance(v, float):
        if not math.isfinite(v):
            return "-"
        return f"{v:,.6g}" if abs(v) < 1e6 else f"{v:,.0f}"
    return str(v)


def check_output_paths(paths: list[Path]) -> None:
    """Fail before any work if an output folder cannot be created or written."""
    import os

    for p in paths:
        if p.is_dir():
            raise OpenBMDError(f"output path {p} is a folder, not a file")
        folder = p.parent
        if folder.exists() and not folder.is_dir():
            raise OpenBMDError(f"cannot create output folder {folder}: a file is in the way")
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise OpenBMDError(
                f"cannot create output folder {folder}: {exc.strerror or exc}"
            ) from None
        if not os.access(folder, os.W_OK):
            raise OpenBMDError(f"output folder {folder} is not writable")
