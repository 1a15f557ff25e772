"""A scenario listing ``footprint`` in its outputs gets the footprint in its run folder."""

import json

import numpy as np
import pytest

from openbmd.analysis.footprint import defended_footprint, footprint_areas
from openbmd.io.netcdf import read_netcdf
from openbmd.pipeline.run import run_scenario
from openbmd.report.run_folder import FOOTPRINT_FILES, RUN_FILES, write_run_folder
from openbmd.scenario import builtin_text, parse_scenario

TEXT = builtin_text("teaching").replace(
    "outputs: [summary, events, trajectories, report]",
    "outputs: [summary, events, trajectories, report, footprint]",
)


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    assert "footprint]" in TEXT
    result = run_scenario(parse_scenario(TEXT, "teaching-footprint.yaml"))
    out = tmp_path_factory.mktemp("runs") / "r1"
    paths = write_run_folder(result, out, run_id="r1")
    return out, paths


def test_footprint_files_and_areas_are_in_the_run_folder(folder):
    out, paths = folder
    assert paths["footprint_grid"] == out / "footprint.nc"
    assert (out / "footprint.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    ds = read_netcdf(out / "footprint.nc")
    direct = defended_footprint(parse_scenario(TEXT, "t.yaml"), resolution_km=25.0)
    assert np.array_equal(ds["engageable"].values, direct["engageable"].values)
    summary = json.loads((out / "summary.json").read_text())
    areas = footprint_areas(direct)
    assert summary["footprint"]["defended_area_km2"] == pytest.approx(
        areas["defended_area_km2"], abs=0.1
    )
    assert summary["footprint"]["defended_area_km2"] > 1000.0  # a terminal-high site
    assert summary["files"] == {**RUN_FILES, **FOOTPRINT_FILES}


def test_without_the_output_no_footprint_is_written(tmp_path):
    result = run_scenario("teaching")
    paths = write_run_folder(result, tmp_path / "r2")
    assert "footprint_grid" not in paths
    assert not list((tmp_path / "r2").glob("footprint*"))
    assert "footprint" not in json.loads((tmp_path / "r2" / "summary.json").read_text())
