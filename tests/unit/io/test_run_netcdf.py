"""trajectories.nc: the run's sampled paths on an (object, time) grid."""

import json

import numpy as np
import pytest

from openbmd.io.netcdf import read_netcdf
from openbmd.io.run_netcdf import trajectories_dataset
from openbmd.pipeline.run import run_scenario
from openbmd.report.run_folder import NETCDF_FILES, RUN_FILES, write_run_folder
from openbmd.scenario import builtin_text, parse_scenario

TEXT = builtin_text("teaching").replace(
    "outputs: [summary, events, trajectories, report]",
    "outputs: [summary, events, trajectories, report, netcdf]",
)


@pytest.fixture(scope="module")
def result():
    assert "netcdf]" in TEXT
    return run_scenario(parse_scenario(TEXT, "teaching-netcdf.yaml"))


def test_grid_holds_every_sample_of_the_table(result):
    ds = trajectories_dataset(result)
    table = result.trajectories
    assert ds.sizes["object"] == len(set(table["object_id"]))
    assert list(ds["object"].values[:2]) == ["T1-RV", "T1-RB"]  # order of first appearance
    for i in np.random.default_rng(1).choice(len(table["time_s"]), 50, replace=False):
        cell = ds.sel(object=table["object_id"][i], time=table["time_s"][i])
        for column in ("lat_deg", "lon_deg", "alt_m", "x_ecef_m"):
            assert float(cell[column]) == table[column][i]
    # cells without a sample are NaN, and there are exactly as many values as rows
    assert int(np.isfinite(ds["alt_m"].values).sum()) == len(table["time_s"])
    rv = ds["kind"].values[list(ds["object"].values).index("T1-RV")]
    assert rv == "reentry-vehicle" and ds["alt_m"].attrs["units"] == "m"


def test_run_folder_writes_it_when_listed(result, tmp_path):
    paths = write_run_folder(result, tmp_path / "r")
    ds = read_netcdf(paths["netcdf"])
    direct = trajectories_dataset(result)
    np.testing.assert_array_equal(ds["alt_m"].values, direct["alt_m"].values)
    assert list(ds["threat_id"].values) == list(direct["threat_id"].values)
    summary = json.loads((tmp_path / "r" / "summary.json").read_text())
    assert summary["files"] == {**RUN_FILES, **NETCDF_FILES}
