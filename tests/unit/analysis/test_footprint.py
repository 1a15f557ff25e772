"""openbmd.analysis.footprint: defended footprints and launch areas denied (teaching scenario:
an SRBM, an X-band radar and a terminal-high site at Kauai)."""

from __future__ import annotations

import math

import numpy as np
import pytest
import xarray as xr
import yaml

from openbmd.analysis import footprint_blocks
from openbmd.analysis.footprint import (
    defended_footprint,
    footprint_areas,
    launch_area_denied,
)
from openbmd.analysis.footprint_engage import Outcome, worst_case
from openbmd.analysis.grid import make_grid
from openbmd.analysis.parallel import Backend
from openbmd.errors import ParameterError
from openbmd.geodesy import geodesic_inverse
from openbmd.interceptors.catalog import get_interceptor
from openbmd.scenario import Defence, builtin_text, load_scenario, parse_scenario

SITE = (22.04, -159.77)  # the teaching scenario's terminal-high site
LAUNCH = (22.0, -162.2)


@pytest.fixture(scope="module")
def teaching() -> xr.Dataset:
    return defended_footprint("teaching", resolution_km=20.0)


def _variant(**site_overrides: float):
    data = yaml.safe_load(builtin_text("teaching"))
    if site_overrides:
        data["defence"]["sites"][0]["overrides"] = dict(site_overrides)
    return parse_scenario(yaml.safe_dump(data))


def test_dataset_layout_and_areas(teaching):
    ds = teaching
    for name in ("engageable", "sls_fits", "reachable"):
        assert ds[name].dtype == bool and ds[name].dims == ("lat", "lon")
    assert ds["shot_opportunities"].dtype == np.int32
    assert ds["engageable_tier"].dims == ("tier", "lat", "lon")
    assert ds["tier"].values.tolist() == ["terminal-high"]
    areas = footprint_areas(ds)
    assert areas["defended_area_km2"] == pytest.approx(ds.attrs["defended_area_km2"])
    assert areas["terminal-high_area_km2"] == pytest.approx(areas["defended_area_km2"])
    assert 0.0 < areas["defended_area_km2"] < ds.attrs["reachable_area_km2"]
    # engageable cells are reachable; elsewhere nothing is credited
    eng = ds["engageable"].values
    assert not np.any(eng & ~ds["reachable"].values)
    assert np.all(ds["shot_opportunities"].values[~eng] == 0)
    assert np.all(ds["p_engagement"].values[~eng] == 0.0)
    assert np.all(np.isnan(ds["earliest_intercept_alt_m"].values[~eng]))


def test_cell_at_the_site_is_engageable_with_the_doctrine_kill_probability(teaching):
    cell = teaching.sel(lat=SITE[0], lon=SITE[1], method="nearest")
    assert bool(cell["engageable"]) and bool(cell["sls_fits"])
    assert int(cell["shot_opportunities"]) == 4, "capped by the site's inventory of 4"
    icp = get_interceptor("terminal-high")
    assert 40e3 <= float(cell["earliest_intercept_alt_m"]) <= 150e3, "class altitude band"
    # shoot-look-shoot, salvos of 1, both stages possible: 1 - (1 - R SSPK)^2
    single = icp.reliability * icp.sspk
    assert float(cell["p_engagement"]) == pytest.approx(1.0 - (1.0 - single) ** 2)
    # everywhere: one stage (R SSPK) or two, nothing else
    p = teaching["p_engagement"].values[teaching["engageable"].values]
    assert set(np.round(p, 12)) <= {round(single, 12), round(1.0 - (1.0 - single) ** 2, 12)}


def test_cells_beyond_the_interceptors_reach_are_not_engageable(teaching):
    """A threat's path lies between the launch point and its aim; when the whole path is
    farther from the site than the class's 200 km engagement range (plus 30 km of slack
    for the curved ground track), no cell there can be engageable."""
    lat, lon = np.meshgrid(teaching["lat"].values, teaching["lon"].values, indexing="ij")
    fractions = np.linspace(0.0, 1.0, 41)
    path_lat = LAUNCH[0] + fractions[:, None] * (lat.ravel() - LAUNCH[0])
    path_lon = LAUNCH[1] + fractions[:, None] * (lon.ravel() - LAUNCH[1])
    d, _, _ = geodesic_inverse(SITE[0], SITE[1], path_lat.ravel(), path_lon.ravel())
    nearest = np.asarray(d).reshape(fractions.size, -1).min(axis=0).reshape(lat.shape)
    far = nearest > 230e3
    reach = teaching["reachable"].values
    assert np.count_nonzero(far & reach) > 50, "the map must hold reachable cells far away"
    assert not np.any(teaching["engageable"].values[far])


def test_defended_area_grows_with_interceptor_burnout_speed():
    areas = [
        defended_footprint(_variant(burnout_speed_m_s=v), resolution_km=25.0).attrs[
            "defended_area_km2"
        ]
        for v in (2500.0, 3000.0, 4000.0)
    ]
    assert areas[0] < areas[1] < areas[2], areas


def test_cell_areas_match_pyproj(teaching):
    from pyproj import Geod

    geod = Geod(ellps="WGS84")
    lat0, lat1, lon0, lon1 = teaching.attrs["bounds_deg"]
    n = 4000
    lons = np.concatenate(
        [np.linspace(lon0, lon1, n), np.full(n, lon1), np.linspace(lon1, lon0, n), np.full(n, lon0)]
    )
    lats = np.concatenate(
        [np.full(n, lat0), np.linspace(lat0, lat1, n), np.full(n, lat1), np.linspace(lat1, lat0, n)]
    )
    area_m2, _ = geod.polygon_area_perimeter(lons, lats)
    total = float(teaching["cell_area_km2"].sum())
    assert total == pytest.approx(abs(area_m2) / 1e6, rel=1e-6)
    grid = make_grid((35.0, 35.25, 139.0, 139.3), 25.0)
    assert grid.shape == (1, 1)
    a1, _ = geod.polygon_area_perimeter(
        np.r_[np.linspace(139.0, 139.3, n), np.linspace(139.3, 139.0, n)],
        np.r_[np.full(n, 35.0), np.full(n, 35.25)],
    )
    assert grid.cell_area_km2[0, 0] == pytest.approx(abs(a1) / 1e6, rel=1e-6)


def test_launch_area_denied_reach_disc_and_consistency(teaching):
    ds = launch_area_denied("teaching", resolution_km=20.0)
    reach_km = ds.attrs["missile_reach_km"]
    assert 250.0 < reach_km < 350.0, "SRBM of the Scud-B class, ~300 km"
    # launch points within the reach form a disc around the defended point
    disc = math.pi * reach_km**2
    assert ds.attrs["reachable_area_km2"] == pytest.approx(disc, rel=0.05)
    assert ds.attrs["launch_area_denied_km2"] == ds.attrs["defended_area_km2"]
    assert 0.0 < ds.attrs["defended_area_km2"] < ds.attrs["reachable_area_km2"]
    # the scenario's own launch point is in the denied area, as the footprint says of
    # the cell at its aim point
    launch_cell = ds.sel(lat=LAUNCH[0], lon=LAUNCH[1], method="nearest")
    aim_cell = teaching.sel(lat=22.05, lon=-159.76, method="nearest")
    assert bool(launch_cell["engageable"]) and bool(aim_cell["engageable"])


def test_worst_case_over_launch_points():
    a = Outcome.empty(1, 4)
    a.engageable[:] = [True, True, False, True]
    a.engageable_tier[0] = a.engageable
    a.shot_opportunities[:] = [3, 2, 0, 5]
    a.earliest_intercept_s[:] = [100.0, 120.0, np.nan, 90.0]
    a.earliest_intercept_alt_m[:] = [1.0, 2.0, np.nan, 3.0]
    a.p_engagement[:] = [0.9, 0.7, 0.0, 0.8]
    out = worst_case(a, 2)  # launch point 0: cells (0, 1); point 1: cells (0, 1)
    assert out.engageable.tolist() == [False, True]
    assert out.shot_opportunities.tolist() == [0, 2]
    assert np.isnan(out.earliest_intercept_s[0]) and out.earliest_intercept_s[1] == 120.0
    assert out.earliest_intercept_alt_m[1] == 2.0, "altitude of the latest earliest intercept"
    assert out.p_engagement.tolist() == [0.0, 0.7]


def test_dask_result_identical_to_serial(monkeypatch):
    monkeypatch.setattr(footprint_blocks, "BLOCK_THREATS", 50)  # several blocks
    kwargs = {"resolution_km": 40.0}
    serial = defended_footprint("teaching", **kwargs)
    on_dask = defended_footprint("teaching", backend=Backend(workers=2), **kwargs)
    assert serial.sizes["lat"] > 2 and footprint_blocks.rows_per_block(serial.sizes["lon"]) < 3
    xr.testing.assert_identical(serial, on_dask)


@pytest.mark.parametrize(
    ("launch", "words"),
    [
        ([], "empty area"),
        ([(22.0, -162.5), (22.5, -162.0)], "polygon of at least 3"),
        ([(22.0, -162.5), (22.5, -162.0), (22.0, -162.0), (22.5, -162.5)], "intersect itself"),
        ([(22.0, -162.5), (22.0, -162.0), (22.0, -161.5)], "enclose an area"),
        ([(95.0, 0.0)], "launch latitude"),
    ],
)
def test_bad_launch_areas_are_one_line_errors(launch, words):
    with pytest.raises(ParameterError) as err:
        defended_footprint("teaching", resolution_km=50.0, launch=launch)
    text = str(err.value)
    assert words in text and "\n" not in text


def test_other_bad_input():
    with pytest.raises(ParameterError, match=r"'threat'.*T1"):
        defended_footprint("teaching", threat="nope")
    with pytest.raises(ParameterError, match="resolution_km"):
        defended_footprint("teaching", resolution_km=0.0)
    with pytest.raises(ParameterError, match="bounds_deg"):
        defended_footprint("teaching", bounds_deg=(30.0, 20.0, 0.0, 1.0))
    with pytest.raises(ParameterError, match="cells"):
        defended_footprint("teaching", resolution_km=0.01)
    bare = load_scenario("teaching").model_copy(update={"defence": Defence()})
    with pytest.raises(ParameterError, match="defence site"):
        defended_footprint(bare)
    with pytest.raises(ParameterError, match="defended latitude"):
        launch_area_denied("teaching", defended=(95.0, 0.0))


def test_footprint_figure_png(teaching):
    from openbmd.report.footprint_figure import footprint_png

    for color_by in ("tier", "p_engagement"):
        png = footprint_png(teaching, color_by=color_by, dpi=50)
        assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 5000
    with pytest.raises(ParameterError, match="color_by"):
        footprint_png(teaching, color_by="nope")


def test_sample_screen_changes_nothing(monkeypatch):
    """Samples the screen drops (outside every tier's altitude band, or too early for any
    launch after the firm track) are ones the windows find infeasible: same Dataset.
    The layered scenario has three tiers with different bands and reaction times."""
    from openbmd.analysis import footprint_kernels as fk

    screened = defended_footprint("layered", resolution_km=60.0)

    def unscreened(profile, index, weight, geometry, firm, time_s, *tiers_and_out):
        reaction, r, v = tiers_and_out[2], tiers_and_out[-2], tiers_and_out[-1]
        fk.place_kernel(profile, index, weight, geometry, firm + reaction.min(), time_s, r, v)

    monkeypatch.setattr(fk, "place_screened_kernel", unscreened)
    xr.testing.assert_identical(screened, defended_footprint("layered", resolution_km=60.0))
    per_tier = screened["engageable_tier"].sum(axis=(1, 2)).values
    assert per_tier.size == 3 and np.all(per_tier > 0), per_tier
