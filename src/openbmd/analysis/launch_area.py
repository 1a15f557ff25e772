"""Launch area denied: the launch locations from which threats aimed at a defended point
can be engaged.

The grid is of **launch points**: from every cell one threat of the scenario's missile
class and shape flies to the defended point (default: the threat's nominal aim point,
the centre of its aim circle), and the cell holds what the defence can do against it
(the same figures as a defended footprint, :mod:`openbmd.analysis.footprint_dataset`).
Cells beyond the missile's reach of the defended point are ``reachable`` False and not
engageable. The reference trajectories fly from the defended point itself in every
direction (families all round); a threat from a cell uses the profile of its range and
of its bearing toward the defended point (the Earth-rotation effect of a launch
latitude a few degrees away is left out; ``docs/footprints.md``). The default map is the
box around the defended point reaching :data:`REACH_MARGIN` times the missile's longest
range.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from openbmd.analysis.footprint_blocks import run_grid
from openbmd.analysis.footprint_dataset import to_dataset
from openbmd.analysis.footprint_family import build_family
from openbmd.analysis.footprint_setup import DEFAULT_SAMPLE_STEP_S, prepare
from openbmd.analysis.grid import bounds_around, make_grid
from openbmd.errors import ParameterError, require_range

if TYPE_CHECKING:
    import xarray as xr

    from openbmd.analysis.parallel import Backend
    from openbmd.scenario import Scenario

__all__ = ["REACH_MARGIN", "launch_area_denied"]

#: Half-width of the default map over the missile's longest range.
REACH_MARGIN = 1.05
#: Resolution of a launch-area map when none is given, km.
DEFAULT_RESOLUTION_KM = 25.0


def _defended_point(
    defended: tuple[float, float] | None, lat: float, lon: float
) -> tuple[float, float]:
    if defended is None:
        return lat, lon
    try:
        d_lat, d_lon = (float(v) for v in defended)
    except (TypeError, ValueError):
        raise ParameterError("defended", "a (lat, lon) pair in degrees", defended) from None
    require_range("defended latitude", d_lat, -89.0, 89.0)
    require_range("defended longitude", d_lon, -180.0, 360.0)
    return d_lat, d_lon


def launch_area_denied(
    scenario: Scenario | str,
    *,
    defended: tuple[float, float] | None = None,
    threat: str | None = None,
    resolution_km: float = DEFAULT_RESOLUTION_KM,
    bounds_deg: tuple[float, float, float, float] | None = None,
    backend: Backend | None = None,
    rcs_m2: float | None = None,
    sample_step_s: float = DEFAULT_SAMPLE_STEP_S,
) -> xr.Dataset:
    """Launch points whose threats aimed at ``defended`` the scenario's defence can engage.

    Parameters
    ----------
    scenario : Scenario or str
        A scenario, a scenario file or a built-in name.
    defended : (lat, lon), optional
        The defended point, deg (default: the threat's nominal aim point).
    threat : str, optional
        Id of the threat group whose missile and shape fly (default: the first).
    resolution_km, bounds_deg, backend, rcs_m2, sample_step_s
        As in :func:`openbmd.analysis.footprint.defended_footprint`.

    Returns
    -------
    xarray.Dataset
        Cells are launch points; ``attrs["defended_area_km2"]`` (also
        ``launch_area_denied_km2``) is the area of the engageable launch points.
    """
    setup = prepare(scenario, threat=threat, rcs_m2=rcs_m2, sample_step_s=sample_step_s)
    d_lat, d_lon = _defended_point(defended, setup.aim_lat_deg, setup.aim_lon_deg)
    family = build_family(
        setup.missile,
        d_lat,
        d_lon,
        bearings_rad=np.linspace(0.0, 2.0 * math.pi, 73),
        range_lo_m=0.0,
        range_hi_m=math.inf,
        shape=setup.shape,
        shape_parameter=setup.shape_parameter,
        control_bearing_rad=0.0,
    )
    reach_km = family.reach_m[1] / 1e3
    if bounds_deg is None:
        bounds_deg = bounds_around([d_lat], [d_lon], REACH_MARGIN * reach_km)
    grid = make_grid(bounds_deg, resolution_km)
    result = run_grid(grid, family, setup, backend=backend, defended=(d_lat, d_lon))
    ds = to_dataset(
        grid,
        result,
        setup,
        {
            "kind": "launch-area-denied",
            "defended_lat_deg": d_lat,
            "defended_lon_deg": d_lon,
            "missile_reach_km": reach_km,
        },
    )
    ds.attrs["launch_area_denied_km2"] = ds.attrs["defended_area_km2"]
    return ds
