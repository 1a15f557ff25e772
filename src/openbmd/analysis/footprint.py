"""Defended footprint: the ground area whose incoming threats the defence can engage.

For a scenario's defence (sites grouped into tiers by interceptor class, their radars,
their doctrine) and one of its threats (missile class, trajectory shape, launch point or
area), :func:`defended_footprint` maps, cell by cell of a latitude/longitude grid, what
the defence can do against a threat **aimed at the cell**: whether it can engage it at
all (``engageable``), how many interceptors it can launch at it (``shot_opportunities``),
the altitude of its earliest intercept, whether shoot-look-shoot fits, and the
probability of a successful engagement under the scenario's doctrine. From a launch area
every launch point is tried and the worst counts (see
:mod:`openbmd.analysis.footprint_setup`). :func:`launch_area_denied` turns the question
around (:mod:`openbmd.analysis.launch_area`).

Method (fast path, ``docs/footprints.md``): reference trajectories of the threat are
flown once (:mod:`openbmd.analysis.footprint_family`), each cell's trajectory is blended
from them by range and bearing, the firm-track time comes from the scenario's radars,
and one batched intercept-windows call per tier covers a block of cells
(:mod:`openbmd.analysis.footprint_blocks`). Blocks of grid rows run through
:func:`openbmd.analysis.parallel.map_tasks`, serially or on Dask, with identical
results. The brute-force path (a solved trajectory per cell,
:mod:`openbmd.analysis.footprint_bruteforce`) is the reference it is tested against.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np

from openbmd.analysis.footprint_blocks import run_grid, threat_geometry
from openbmd.analysis.footprint_dataset import footprint_areas, to_dataset
from openbmd.analysis.footprint_family import TrajectoryFamily, bearing_rad, build_family
from openbmd.analysis.footprint_setup import DEFAULT_SAMPLE_STEP_S, FootprintSetup, prepare
from openbmd.analysis.grid import MapGrid, bounds_around, make_grid
from openbmd.analysis.launch_area import launch_area_denied

if TYPE_CHECKING:
    import xarray as xr

    from openbmd.analysis.parallel import Backend
    from openbmd.scenario import Scenario

__all__ = [
    "DEFAULT_MARGIN_KM",
    "DEFAULT_RESOLUTION_KM",
    "default_bounds",
    "defended_footprint",
    "footprint_areas",
    "footprint_family",
    "launch_area_denied",
]

#: Default cell size, km.
DEFAULT_RESOLUTION_KM = 25.0
#: Default margin of the map around the launch points, the defence sites and the aim
#: point, km.
DEFAULT_MARGIN_KM = 300.0
#: Cells sampled to find the ranges and bearings the reference trajectories must cover.
_SURVEY_THREATS = 200_000


def default_bounds(setup: FootprintSetup) -> tuple[float, float, float, float]:
    """Map bounds of a footprint: the box of the launch points, every defence site and
    the threat's nominal aim point, widened by :data:`DEFAULT_MARGIN_KM`."""
    lat = [*setup.launch_lat_deg.tolist(), setup.aim_lat_deg]
    lon = [*setup.launch_lon_deg.tolist(), setup.aim_lon_deg]
    for tier in setup.tiers:
        lat += tier.sites.lat_deg.tolist()
        lon += tier.sites.lon_deg.tolist()
    return bounds_around(lat, lon, DEFAULT_MARGIN_KM)


def reference_launch(setup: FootprintSetup) -> tuple[float, float]:
    """The launch point the reference trajectories fly from: the nominal point of the
    launch area (for a polygon its last launch point, else its first)."""
    k = setup.nominal_index
    return float(setup.launch_lat_deg[k]), float(setup.launch_lon_deg[k])


def footprint_family(setup: FootprintSetup, grid: MapGrid) -> TrajectoryFamily:
    """Reference trajectories covering every launch point x cell of ``grid``.

    Ranges and bearings are surveyed on a regular subset of the cells (every cell up to
    :data:`_SURVEY_THREATS` threats) with the edges; the range span is widened by the
    subset's spacing.
    """
    n_lat, n_lon = grid.shape
    n_points = setup.launch_lat_deg.size
    stride = max(1, math.ceil(math.sqrt(grid.size * n_points / _SURVEY_THREATS)))
    rows = np.unique(np.append(np.arange(0, n_lat, stride), n_lat - 1))
    cols = np.unique(np.append(np.arange(0, n_lon, stride), n_lon - 1))
    lat, lon = np.meshgrid(grid.lat_deg[rows], grid.lon_deg[cols], indexing="ij")
    lat1 = np.tile(lat.ravel(), n_points)
    lon1 = np.tile(lon.ravel(), n_points)
    lat0 = np.repeat(setup.launch_lat_deg, lat.size)
    lon0 = np.repeat(setup.launch_lon_deg, lat.size)
    rng, brg, _ = threat_geometry(lat0, lon0, lat1, lon1)
    away = rng > 1e3
    pad = 1.5 * stride * grid.resolution_km * 1e3
    ref_lat, ref_lon = reference_launch(setup)
    return build_family(
        setup.missile,
        ref_lat,
        ref_lon,
        bearings_rad=brg[away] if away.any() else brg,
        range_lo_m=max(0.0, float(rng.min()) - pad),
        range_hi_m=float(rng.max()) + pad,
        shape=setup.shape,
        shape_parameter=setup.shape_parameter,
        control_bearing_rad=float(
            bearing_rad(ref_lat, ref_lon, setup.aim_lat_deg, setup.aim_lon_deg)
        ),
    )


def defended_footprint(
    scenario: Scenario | str,
    *,
    threat: str | None = None,
    resolution_km: float = DEFAULT_RESOLUTION_KM,
    bounds_deg: tuple[float, float, float, float] | None = None,
    backend: Backend | None = None,
    launch: Any = None,
    rcs_m2: float | None = None,
    sample_step_s: float = DEFAULT_SAMPLE_STEP_S,
) -> xr.Dataset:
    """Defended footprint of a scenario's defence against one of its threats.

    Parameters
    ----------
    scenario : Scenario or str
        A scenario, a scenario file or a built-in name.
    threat : str, optional
        Id of the threat group (default: the first).
    resolution_km : float
        Cell size at the middle latitude of the map, km (> 0).
    bounds_deg : (lat_min, lat_max, lon_min, lon_max), optional
        Map bounds, deg (default: :func:`default_bounds`).
    backend : openbmd.analysis.parallel.Backend, optional
        Where the blocks of rows run (default: serially here); results are identical.
    launch : optional
        Replaces the threat's launch place: a ``(lat, lon)`` point, a sequence of
        ``(lat, lon)`` polygon vertices or a scenario location.
    rcs_m2 : float, optional
        Constant threat RCS for the radars, m² (default: the generic re-entry vehicle's
        table against aspect).
    sample_step_s : float
        Sampling of the trajectories for the intercept windows, s.

    Returns
    -------
    xarray.Dataset
        On (lat, lon) and (tier, lat, lon); see :mod:`openbmd.analysis.footprint_dataset`.
        ``attrs["defended_area_km2"]`` is the engageable area.

    Raises
    ------
    ParameterError
        Bad parameters: an unknown threat, an empty or self-intersecting launch polygon,
        bounds out of range, too many cells.
    """
    setup = prepare(
        scenario, threat=threat, launch=launch, rcs_m2=rcs_m2, sample_step_s=sample_step_s
    )
    grid = make_grid(default_bounds(setup) if bounds_deg is None else bounds_deg, resolution_km)
    family = footprint_family(setup, grid)
    result = run_grid(grid, family, setup, nominal=setup.nominal_index, backend=backend)
    ref_lat, ref_lon = reference_launch(setup)
    return to_dataset(
        grid,
        result,
        setup,
        {
            "kind": "defended-footprint",
            "launch_kind": setup.launch_kind,
            "launch_lat_deg": setup.launch_lat_deg.tolist(),
            "launch_lon_deg": setup.launch_lon_deg.tolist(),
            "reference_launch_deg": [ref_lat, ref_lon],
            "aim_lat_deg": setup.aim_lat_deg,
            "aim_lon_deg": setup.aim_lon_deg,
        },
    )
