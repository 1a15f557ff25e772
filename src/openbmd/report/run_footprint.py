"""The defended footprint of a run, written into its run folder when the scenario asks.

A scenario whose ``outputs`` list holds ``footprint`` gets ``footprint.nc`` (the grid of
:func:`openbmd.analysis.footprint.defended_footprint` for the scenario's first threat
group, :data:`RUN_FOOTPRINT_RESOLUTION_KM` cells) and ``footprint.png`` (its map) in the
run folder, and ``defended_area_km2`` with the per-tier areas in ``summary.json``. The
dashboard shows the map in its run view.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

__all__ = [
    "RUN_FOOTPRINT_RESOLUTION_KM",
    "listed_outputs",
    "write_run_footprint",
]

#: Grid step of the footprint written with a run, km (the CLI default of `openbmd footprint`).
RUN_FOOTPRINT_RESOLUTION_KM = 25.0


def listed_outputs(scenario_yaml: str) -> set[str]:
    """The names in the scenario text's ``outputs`` list (the text of a run was validated
    when it ran; this only reads that list)."""
    import yaml

    try:
        data = yaml.safe_load(scenario_yaml)
    except yaml.YAMLError:
        return set()
    outputs = data.get("outputs") if isinstance(data, dict) else None
    return {str(o) for o in outputs} if isinstance(outputs, list) else set()


def write_run_footprint(scenario_yaml: str, folder: Path, *, dpi: int = 110) -> dict[str, Any]:
    """Compute the footprint and write ``footprint.nc`` and ``footprint.png`` in ``folder``.

    Returns the areas (``defended_area_km2`` and one ``<tier>_area_km2`` per tier).
    """
    from openbmd.analysis.footprint import defended_footprint, footprint_areas
    from openbmd.io.atomic import atomic_write_bytes
    from openbmd.io.netcdf import write_netcdf
    from openbmd.report.footprint_figure import footprint_png
    from openbmd.scenario import parse_scenario

    model = parse_scenario(scenario_yaml, "scenario.yaml")
    ds = defended_footprint(model, resolution_km=RUN_FOOTPRINT_RESOLUTION_KM)
    write_netcdf(ds, folder / "footprint.nc")
    atomic_write_bytes(folder / "footprint.png", footprint_png(ds, dpi=dpi))
    return {k: round(float(v), 1) for k, v in footprint_areas(ds).items()}
