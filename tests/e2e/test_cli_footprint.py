"""``openbmd footprint`` and ``openbmd launch-area`` as a user runs them: real processes,
exit codes, JSON, NetCDF and PNG files."""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys

import pytest
import yaml

from openbmd.scenario import builtin_text

KEYS = {
    "scenario",
    "threat",
    "missile",
    "shape",
    "resolution_km",
    "grid_shape",
    "bounds_deg",
    "defended_area_km2",
    "tier_area_km2",
    "reachable_area_km2",
    "engageable_cells",
}
BOW_TIE = "22,-162.5;22.5,-162;22,-162;22.5,-162.5"


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "openbmd", *args],
        capture_output=True,
        text=True,
        timeout=600,
        env={**os.environ},
    )


def test_footprint_json_netcdf_and_png(tmp_path):
    nc, png = tmp_path / "fp.nc", tmp_path / "maps" / "fp.png"
    proc = run(
        "footprint",
        "teaching",
        "--resolution-km",
        "40",
        "--workers",
        "0",
        "--out",
        str(nc),
        "--png",
        str(png),
        "--json",
    )
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert set(out) >= KEYS | {"terminal-high_area_km2", "launch_points_deg", "netcdf", "png"}
    assert out["tier_area_km2"] == {"terminal-high": out["defended_area_km2"]}
    assert 0.0 < out["defended_area_km2"] < out["reachable_area_km2"]
    assert out["launch_points_deg"] == [[22.0, -162.2]]
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    from openbmd.analysis.footprint import footprint_areas
    from openbmd.io.netcdf import read_netcdf

    ds = read_netcdf(nc)
    assert ds["engageable"].dtype == bool
    assert footprint_areas(ds)["defended_area_km2"] == pytest.approx(out["defended_area_km2"])
    assert [ds.sizes["lat"], ds.sizes["lon"]] == out["grid_shape"]
    assert not list(tmp_path.glob("*.tmp")), "no temporary file left"


def test_launch_area_json():
    proc = run("launch-area", "teaching", "--resolution-km", "50", "--workers", "0", "--json")
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert set(out) >= KEYS | {"launch_area_denied_km2", "defended_deg", "missile_reach_km"}
    assert out["defended_deg"] == [22.05, -159.76]
    assert out["launch_area_denied_km2"] == out["defended_area_km2"] > 0.0
    # launch points within reach: a disc of the missile's reach
    disc = math.pi * out["missile_reach_km"] ** 2
    assert out["reachable_area_km2"] == pytest.approx(disc, rel=0.08)


@pytest.fixture(scope="module")
def bow_tie_file(tmp_path_factory):
    data = yaml.safe_load(builtin_text("teaching"))
    data["threats"][0]["launch"] = {
        "polygon": [[22.0, -162.5], [22.5, -162.0], [22.0, -162.0], [22.5, -162.5]]
    }
    path = tmp_path_factory.mktemp("scenarios") / "bow-tie.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["footprint", "teaching", "--launch", BOW_TIE], "intersect itself"),
        (["footprint", "teaching", "--launch", ";"], "empty area"),
        (["footprint", "teaching", "--bounds", "20,25,-165"], "bounds"),
        (["footprint", "teaching", "--threat", "nope"], "threat"),
        (["launch-area", "teaching", "--png", "x.jpg"], ".png"),
    ],
)
def test_bad_input_exits_2_with_one_line(args, words):
    proc = run(*args, "--workers", "0", "--json")
    assert proc.returncode == 2, (proc.stdout, proc.stderr)
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), proc.stderr
    assert words in lines[0] and "Traceback" not in proc.stderr


def test_self_intersecting_scenario_polygon_exits_2(bow_tie_file):
    proc = run("footprint", str(bow_tie_file), "--workers", "0", "--json")
    assert proc.returncode == 2
    assert "intersect itself" in proc.stderr and "Traceback" not in proc.stderr
    assert proc.stdout == ""
