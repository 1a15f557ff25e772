"""The sampled paths of a run as a NetCDF grid (``trajectories.nc``).

:func:`trajectories_dataset` turns the long table :attr:`RunResult.trajectories` (one row
per object per sample) into an xarray Dataset on ``(object, time)``: geodetic latitude,
longitude and height and ECEF position, NaN where an object does not exist at that time
(before its launch, after its impact or intercept). Per-object coordinates give its kind
and threat. A run folder holds it when the scenario's ``outputs`` list ``netcdf``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    import xarray as xr

    from openbmd.pipeline.result import RunResult

__all__ = ["trajectories_dataset"]

#: Column -> (units, long name) of the gridded variables.
_VARIABLES = {
    "lat_deg": ("degrees_north", "WGS 84 geodetic latitude"),
    "lon_deg": ("degrees_east", "longitude, east positive"),
    "alt_m": ("m", "height above the WGS 84 ellipsoid"),
    "x_ecef_m": ("m", "ECEF x"),
    "y_ecef_m": ("m", "ECEF y"),
    "z_ecef_m": ("m", "ECEF z"),
}


def trajectories_dataset(result: RunResult) -> xr.Dataset:
    """The trajectories of ``result`` on an (object, time) grid.

    Objects keep their order of first appearance in the table; times are the sorted
    union of every object's sample times (s since the scenario epoch).
    """
    import xarray as xr

    table = result.trajectories
    ids = np.asarray(table["object_id"], dtype=object)
    times = np.asarray(table["time_s"], dtype=np.float64)
    objects, first, row_obj = np.unique(ids.astype(str), return_index=True, return_inverse=True)
    order = np.argsort(first)  # objects in order of first appearance
    rank = np.empty_like(order)
    rank[order] = np.arange(order.size)
    obj_index = rank[row_obj]
    axis, row_time = np.unique(times, return_inverse=True)
    data: dict[str, Any] = {}
    for column, (units, long_name) in _VARIABLES.items():
        grid = np.full((objects.size, axis.size), np.nan)
        grid[obj_index, row_time] = np.asarray(table[column], dtype=np.float64)
        data[column] = (("object", "time"), grid, {"units": units, "long_name": long_name})
    kinds = np.asarray(table["kind"], dtype=object).astype(str)[first[order]]
    threats = np.asarray(table["threat_id"], dtype=object).astype(str)[first[order]]
    return xr.Dataset(
        data,
        coords={
            "object": ("object", objects[order].astype(str)),
            "time": ("time", axis, {"units": "s", "long_name": "time since the scenario epoch"}),
            "kind": ("object", kinds),
            "threat_id": ("object", threats),
        },
        attrs={
            "title": f"openbmd run of {result.scenario_name}: sampled trajectories",
            "scenario_name": result.scenario_name,
            "seed": int(result.seed),
            "software_version": result.software_version,
            "epoch_utc": result.epoch.isoformat(),
            "Conventions": "CF-1.8",
        },
    )
