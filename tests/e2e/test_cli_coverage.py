"""``openbmd coverage`` as a user runs it: real processes, JSON, files, exit codes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
#: A catalog radar near Tokyo against a 1 m^2 target at 10 km, coarse cells (fast).
BASE = (
    "coverage",
    "--radar",
    "s-band-array",
    "--site",
    "35.0,139.5",
    "--alt-km",
    "10",
    "--rcs-m2",
    "1",
    "--resolution-km",
    "10",
)


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "openbmd", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=300,
        env={**os.environ},
    )


def assert_user_error(proc: subprocess.CompletedProcess[str], *fragments: str) -> None:
    assert proc.returncode == 2, f"expected exit code 2, got {proc.returncode}: {proc.stderr}"
    assert "Traceback" not in proc.stderr, proc.stderr
    lines = [ln for ln in proc.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1, f"expected one line, got {proc.stderr!r}"
    for frag in fragments:
        assert frag in proc.stderr, f"{frag!r} not in {proc.stderr!r}"
    assert proc.stdout.strip() == ""


def test_coverage_json_and_files(tmp_path):
    nc, png, vpng = tmp_path / "out" / "cov.nc", tmp_path / "out" / "cov.png", tmp_path / "v.png"
    proc = run(*BASE, "--json", "--out", str(nc), "--png", str(png), "--vertical-png", str(vpng))
    assert proc.returncode == 0, proc.stderr
    rep = json.loads(proc.stdout)
    for key in (
        "max_range_km",
        "covered_area_km2",
        "max_ground_range_km",
        "free_space_range_km",
        "required_snr_db",
        "resolution_km",
        "grid_shape",
        "netcdf",
        "png",
    ):
        assert key in rep, key
    # a 10 km target seen above 0.5 deg elevation: horizon-limited near 345 km
    assert 300.0 < rep["max_range_km"] < 420.0
    assert rep["max_range_km"] < rep["free_space_range_km"]
    assert 2.5e5 < rep["covered_area_km2"] < 5.5e5
    assert png.read_bytes().startswith(PNG_SIGNATURE)
    assert vpng.read_bytes().startswith(PNG_SIGNATURE)
    import xarray as xr

    with xr.open_dataset(nc, engine="h5netcdf") as ds:
        assert ds["covered"].dtype == bool
        assert float(ds.attrs["covered_area_km2"]) == pytest.approx(rep["covered_area_km2"])
        assert ds.attrs["radar"] == "s-band-array"
    assert sorted(p.name for p in nc.parent.iterdir()) == ["cov.nc", "cov.png"]


def test_coverage_table_output():
    proc = run(*BASE)
    assert proc.returncode == 0, proc.stderr
    assert "covered_area_km2" in proc.stdout


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (("--rcs-m2", "0"), "rcs_m2"),
        (("--rcs-m2", "-3"), "rcs_m2"),
        (("--pd", "1.5"), "'pd'"),
        (("--pd", "1e-9"), "'pd'"),  # below the radar's pfa (1e-6)
        (("--radar", "no-such-radar"), "s-band-array"),
        (("--site", "91,0"), "site latitude"),
        (("--site", "abc"), "LAT,LON"),
        (("--alt-km", "-1"), "alt_km"),
    ],
)
def test_bad_input_is_one_line_exit_2(args, fragment):
    assert_user_error(run(*BASE, *args), fragment)


def test_unwritable_output_folder_fails_before_computing(tmp_path):
    blocker = tmp_path / "file.txt"
    blocker.write_text("not a folder")
    proc = run(*BASE, "--out", str(tmp_path / "ok.nc"), "--png", str(blocker / "map.png"))
    assert_user_error(proc, "output folder")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file.txt"]  # nothing written
