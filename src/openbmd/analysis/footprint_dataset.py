"""Footprint results as an xarray Dataset on (lat, lon), and their areas.

Variables on ``(lat, lon)``: ``engageable`` (bool), ``shot_opportunities`` (int32),
``earliest_intercept_s`` (s after launch) and ``earliest_intercept_alt_m`` (m; NaN where
none), ``sls_fits`` (bool), ``p_engagement`` (in [0, 1]), ``firm_track_s`` (s after
launch from the nominal launch point, NaN: never), ``reachable`` (bool) and
``cell_area_km2``; on ``(tier, lat,
lon)``: ``engageable_tier``, ``shot_opportunities_tier``, ``p_engagement_tier``.
Attributes are strings, numbers or lists of them (they go to NetCDF as they are).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import xarray as xr

from openbmd.analysis.footprint_blocks import BlockResult
from openbmd.analysis.footprint_setup import FootprintSetup
from openbmd.analysis.grid import MapGrid

__all__ = ["footprint_areas", "to_dataset"]

#: How the firm-track time of every threat is found (written into the attributes).
FIRM_TRACK_RULE = (
    "the M-th search look (M of the tracker's default M-of-N rule) at which a scenario "
    "radar detects the threat with Pd >= 0.9 (line of sight, field of regard, "
    "instrumented range, radar equation against the threat's RCS at its aspect angle); "
    "looks every search_revisit_s from launch; the earliest radar counts; "
    "early-warning cues seed tracks but do not confirm them"
)


def to_dataset(
    grid: MapGrid, result: BlockResult, setup: FootprintSetup, attrs: dict[str, Any]
) -> xr.Dataset:
    """The Dataset of a footprint or launch-area study (see the module docstring)."""
    shape = grid.shape
    o = result.outcome
    n_tiers = len(setup.tiers)

    def cells(a: np.ndarray) -> np.ndarray:
        return np.asarray(a).reshape(shape)

    def tiers(a: np.ndarray) -> np.ndarray:
        return np.asarray(a).reshape(n_tiers, *shape)

    yx = ("lat", "lon")
    tyx = ("tier", "lat", "lon")
    area = grid.cell_area_km2
    engageable = cells(o.engageable).astype(bool)
    tier_engageable = tiers(o.engageable_tier).astype(bool)
    reachable = cells(result.reachable).astype(bool)
    defended = float(area[engageable].sum())
    ds = xr.Dataset(
        {
            "engageable": (yx, engageable),
            "shot_opportunities": (yx, cells(o.shot_opportunities).astype(np.int32)),
            "earliest_intercept_s": (yx, cells(o.earliest_intercept_s).astype(float)),
            "earliest_intercept_alt_m": (yx, cells(o.earliest_intercept_alt_m).astype(float)),
            "sls_fits": (yx, cells(o.sls_fits).astype(bool)),
            "p_engagement": (yx, cells(o.p_engagement).astype(float)),
            "firm_track_s": (yx, cells(result.firm_track_s).astype(float)),
            "reachable": (yx, reachable),
            "cell_area_km2": (yx, area),
            "engageable_tier": (tyx, tier_engageable),
            "shot_opportunities_tier": (tyx, tiers(o.shot_opportunities_tier).astype(np.int32)),
            "p_engagement_tier": (tyx, tiers(o.p_engagement_tier).astype(float)),
        },
        coords={
            "lat": ("lat", grid.lat_deg, {"units": "degrees_north"}),
            "lon": ("lon", grid.lon_deg, {"units": "degrees_east"}),
            "tier": ("tier", np.array(setup.tier_names, dtype=str)),
        },
    )
    units = {
        "earliest_intercept_s": "s after launch",
        "earliest_intercept_alt_m": "m above WGS 84",
        "firm_track_s": "s after launch",
        "cell_area_km2": "km2 (WGS 84 ellipsoid)",
    }
    for name, unit in units.items():
        ds[name].attrs["units"] = unit
    ds.attrs.update(
        {
            "scenario": setup.scenario_name,
            "threat": setup.threat_id,
            "missile": setup.missile.name,
            "shape": setup.shape,
            "resolution_km": float(grid.resolution_km),
            "bounds_deg": [float(b) for b in grid.bounds_deg],
            "sample_step_s": float(setup.sample_step_s),
            "defended_area_km2": defended,
            "reachable_area_km2": float(area[reachable].sum()),
            "tier_area_km2": [float(area[tier_engageable[i]].sum()) for i in range(n_tiers)],
            "tier_sites": [",".join(t.sites.names) for t in setup.tiers],
            "site_names": [n for t in setup.tiers for n in t.sites.names],
            "site_tier": [t.name for t in setup.tiers for _ in t.sites.names],
            "site_lat_deg": [float(x) for t in setup.tiers for x in t.sites.lat_deg],
            "site_lon_deg": [float(x) for t in setup.tiers for x in t.sites.lon_deg],
            "doctrine": (
                f"{setup.doctrine.mode}, salvo {setup.doctrine.salvo_size}, stages "
                f"{setup.doctrine.stages}, kill assessment {setup.doctrine.kill_assessment_s:g} s"
                + (", layered" if setup.doctrine.layered else "")
            ),
            "radars": list(setup.radars.names),
            "rcs_model": setup.radars.rcs_label,
            "firm_track_rule": FIRM_TRACK_RULE,
            **attrs,
        }
    )
    return ds


def footprint_areas(ds: xr.Dataset) -> dict[str, float]:
    """Engageable area of a footprint (or launch-area) Dataset and of each tier, km².

    Returns ``{"defended_area_km2": ..., "<tier>_area_km2": ...}``, summed from the
    cell areas (so it also works on a Dataset read back from NetCDF).

    Examples
    --------
    >>> import numpy as np, xarray as xr
    >>> ds = xr.Dataset({"engageable": (("lat", "lon"), [[True, False]]),
    ...                  "cell_area_km2": (("lat", "lon"), [[2.0, 3.0]]),
    ...                  "engageable_tier": (("tier", "lat", "lon"), [[[True, False]]])},
    ...                 coords={"tier": ["upper-tier"]})
    >>> footprint_areas(ds)
    {'defended_area_km2': 2.0, 'upper-tier_area_km2': 2.0}
    """
    area = np.asarray(ds["cell_area_km2"], dtype=float)
    out = {"defended_area_km2": float(area[np.asarray(ds["engageable"], dtype=bool)].sum())}
    if "engageable_tier" in ds:
        tiers = np.asarray(ds["engageable_tier"], dtype=bool)
        for i, name in enumerate(np.asarray(ds["tier"]).tolist()):
            out[f"{name}_area_km2"] = float(area[tiers[i]].sum())
    return out
