"""``openbmd footprint`` and ``openbmd launch-area``: defended footprints and launch areas
denied of a scenario's defence (:mod:`openbmd.analysis.footprint`)."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import typer

from openbmd.cli.analysis_options import (
    PROGRESS_OPTION,
    SCHEDULER_OPTION,
    WORKERS_OPTION,
    backend_from_options,
)
from openbmd.cli.common import check_output_paths, parse_latlon, print_json, print_mapping
from openbmd.errors import ParameterError

_SCENARIO = typer.Argument(..., help="Scenario file (YAML) or built-in name.")
_THREAT = typer.Option(None, "--threat", help="Threat group id (default: the first).")
_RESOLUTION = typer.Option(25.0, "--resolution-km", help="Cell size, km.")
_BOUNDS = typer.Option(
    None, "--bounds", help="Map bounds LAT_MIN,LAT_MAX,LON_MIN,LON_MAX, deg (default: auto)."
)
_RCS = typer.Option(
    None, "--rcs-m2", help="Constant threat RCS, m² (default: generic re-entry vehicle table)."
)
_STEP = typer.Option(2.0, "--sample-step-s", help="Trajectory sampling of the windows, s.")
_OUT = typer.Option(None, "--out", help="Write the map as NetCDF (.nc).")
_PNG = typer.Option(None, "--png", help="Write a map figure with coastlines (.png).")
_COLOR = typer.Option("tier", "--color-by", help="Shade the figure by 'tier' or 'p_engagement'.")
_JSON = typer.Option(False, "--json", help="Print one JSON object.")


def register(app: typer.Typer) -> None:
    """Add ``footprint`` and ``launch-area`` to ``app``."""
    app.command("footprint")(footprint_cmd)
    app.command("launch-area")(launch_area_cmd)


def parse_bounds(text: str | None) -> tuple[float, float, float, float] | None:
    """``LAT_MIN,LAT_MAX,LON_MIN,LON_MAX`` as four floats (checked by the grid)."""
    if text is None:
        return None
    allowed = "LAT_MIN,LAT_MAX,LON_MIN,LON_MAX in degrees (e.g. 30,45,125,145)"
    try:
        values = [float(v) for v in text.replace(" ", "").split(",")]
    except ValueError:
        raise ParameterError("bounds", allowed, text) from None
    if len(values) != 4:
        raise ParameterError("bounds", allowed, text)
    from openbmd.analysis.grid import check_bounds

    return check_bounds(values)


def parse_launch_text(text: str | None) -> list[tuple[float, float]] | None:
    """``LAT,LON`` (a point) or ``LAT,LON;LAT,LON;LAT,LON...`` (a polygon)."""
    if text is None:
        return None
    parts = [p for p in text.split(";") if p.strip()]
    if not parts:
        raise ParameterError(
            "launch",
            "a point LAT,LON or a polygon LAT,LON;LAT,LON;LAT,LON (>= 3 vertices)",
            "an empty area",
        )
    return [parse_latlon("launch", p) for p in parts]


def _check_common(resolution_km: float, color_by: str, outputs: list[Path]) -> None:
    from openbmd.errors import require_choice, require_positive

    require_positive("resolution_km", resolution_km)
    require_choice("color_by", color_by, ("tier", "p_engagement"))
    for p in outputs:
        if p.suffix.lower() not in (".nc", ".png"):
            raise ParameterError("output", "a .nc (--out) or .png (--png) file", str(p))
    check_output_paths(outputs)


def _write(ds: Any, out: Path | None, png: Path | None, color_by: str) -> dict[str, str]:
    written = {}
    if out is not None:
        from openbmd.io.netcdf import write_netcdf

        write_netcdf(ds, out)
        written["netcdf"] = str(out)
    if png is not None:
        from openbmd.io.atomic import atomic_write_bytes
        from openbmd.report.footprint_figure import footprint_png

        atomic_write_bytes(png, footprint_png(ds, color_by=color_by))
        written["png"] = str(png)
    return written


def _summary(ds: Any) -> dict[str, Any]:
    from openbmd.analysis.footprint import footprint_areas

    a = ds.attrs
    areas = footprint_areas(ds)
    tiers = {name: areas[f"{name}_area_km2"] for name in ds["tier"].values.tolist()}
    return {
        "scenario": a["scenario"],
        "threat": a["threat"],
        "missile": a["missile"],
        "shape": a["shape"],
        "resolution_km": a["resolution_km"],
        "grid_shape": [int(ds.sizes["lat"]), int(ds.sizes["lon"])],
        "bounds_deg": list(a["bounds_deg"]),
        **areas,
        "tier_area_km2": tiers,
        "reachable_area_km2": a["reachable_area_km2"],
        "engageable_cells": int(ds["engageable"].sum()),
        "max_p_engagement": float(ds["p_engagement"].max()) if ds["p_engagement"].size else 0.0,
    }


def footprint_cmd(
    scenario: str = _SCENARIO,
    threat: str = _THREAT,
    resolution_km: float = _RESOLUTION,
    bounds: str = _BOUNDS,
    launch: str = typer.Option(
        None, "--launch", help="Replace the launch area: LAT,LON or LAT,LON;LAT,LON;LAT,LON..."
    ),
    rcs_m2: float = _RCS,
    sample_step_s: float = _STEP,
    out: Path = _OUT,
    png: Path = _PNG,
    color_by: str = _COLOR,
    workers: int = WORKERS_OPTION,
    scheduler: str = SCHEDULER_OPTION,
    progress: bool = PROGRESS_OPTION,
    json_out: bool = _JSON,
) -> None:
    """Defended footprint: the ground area whose incoming threats the defence can engage."""
    outputs = [p for p in (out, png) if p is not None]
    _check_common(resolution_km, color_by, outputs)
    box = parse_bounds(bounds)
    place = parse_launch_text(launch)
    backend = backend_from_options(workers, scheduler, progress and not json_out)

    from openbmd.analysis.footprint import defended_footprint

    ds = defended_footprint(
        scenario,
        threat=threat,
        resolution_km=resolution_km,
        bounds_deg=box,
        backend=backend,
        launch=place,
        rcs_m2=rcs_m2,
        sample_step_s=sample_step_s,
    )
    summary = {
        **_summary(ds),
        "launch_kind": ds.attrs["launch_kind"],
        "launch_points_deg": [
            [lat, lon]
            for lat, lon in zip(ds.attrs["launch_lat_deg"], ds.attrs["launch_lon_deg"], strict=True)
        ],
        **_write(ds, out, png, color_by),
    }
    _print(summary, json_out, f"Defended footprint of {ds.attrs['scenario']}")


def launch_area_cmd(
    scenario: str = _SCENARIO,
    defended: str = typer.Option(
        None, "--defended", help="Defended point LAT,LON (default: the threat's aim point)."
    ),
    threat: str = _THREAT,
    resolution_km: float = _RESOLUTION,
    bounds: str = _BOUNDS,
    rcs_m2: float = _RCS,
    sample_step_s: float = _STEP,
    out: Path = _OUT,
    png: Path = _PNG,
    color_by: str = _COLOR,
    workers: int = WORKERS_OPTION,
    scheduler: str = SCHEDULER_OPTION,
    progress: bool = PROGRESS_OPTION,
    json_out: bool = _JSON,
) -> None:
    """Launch area denied: launch points whose threats at a defended point can be engaged."""
    outputs = [p for p in (out, png) if p is not None]
    _check_common(resolution_km, color_by, outputs)
    box = parse_bounds(bounds)
    point = None if defended is None else parse_latlon("defended", defended)
    backend = backend_from_options(workers, scheduler, progress and not json_out)

    from openbmd.analysis.footprint import launch_area_denied

    ds = launch_area_denied(
        scenario,
        defended=point,
        threat=threat,
        resolution_km=resolution_km,
        bounds_deg=box,
        backend=backend,
        rcs_m2=rcs_m2,
        sample_step_s=sample_step_s,
    )
    summary = {
        **_summary(ds),
        "launch_area_denied_km2": ds.attrs["launch_area_denied_km2"],
        "defended_deg": [ds.attrs["defended_lat_deg"], ds.attrs["defended_lon_deg"]],
        "missile_reach_km": ds.attrs["missile_reach_km"],
        **_write(ds, out, png, color_by),
    }
    _print(summary, json_out, f"Launch area denied, {ds.attrs['scenario']}")


def _print(summary: dict[str, Any], json_out: bool, title: str) -> None:
    if json_out:
        print_json(summary)
        return
    flat = {
        k: v
        for k, v in summary.items()
        if not isinstance(v, dict | list) or k in ("grid_shape", "bounds_deg")
    }
    for k, v in summary.get("tier_area_km2", {}).items():
        flat[f"area of {k}, km²"] = v
    print_mapping(
        title,
        {
            k: (round(v, 1) if isinstance(v, float) and math.isfinite(v) else v)
            for k, v in flat.items()
        },
    )
