"""The ``openbmd`` command as a user runs it: real processes, exit codes, outputs."""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


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
    lines = [ln for ln in proc.stderr.splitlines() if ln.strip()]
    assert "Traceback" not in proc.stderr, proc.stderr
    assert len(lines) >= 1
    for frag in fragments:
        assert frag in proc.stderr, f"{frag!r} not in {proc.stderr!r}"
    assert proc.stdout.strip() == "" or "nan" not in proc.stdout.lower()


def test_version():
    proc = run("--version")
    assert proc.returncode == 0
    assert proc.stdout.startswith("openbmd ")


def test_doctor_reports_versions_cache_and_tables():
    proc = run("doctor", "--json")
    assert proc.returncode == 0, proc.stderr
    rep = json.loads(proc.stdout)
    assert rep["versions"]["numba"]
    assert rep["data_tables"]["ussa1976"]["min_alt_m"] == -5000.0
    assert rep["data_tables"]["ussa1976"]["max_alt_m"] == 1_000_000.0
    assert set(rep["data_tables"]["missile_catalog"]) == {"srbm", "mrbm", "irbm", "icbm"}
    assert "cached" in rep["compiled_kernels"]


def test_calc_atmosphere_json_sea_level_and_tropopause():
    proc = run("calc", "atmosphere", "0", "11", "--json")
    assert proc.returncode == 0, proc.stderr
    rows = json.loads(proc.stdout)
    assert [r["altitude_km"] for r in rows] == [0.0, 11.0]
    # U.S. Standard Atmosphere 1976, table I: sea level and 11 km
    assert rows[0]["temperature_k"] == pytest.approx(288.15, abs=0.01)
    assert rows[0]["pressure_pa"] == pytest.approx(101325.0, rel=1e-4)
    assert rows[0]["density_kg_m3"] == pytest.approx(1.225, rel=1e-3)
    assert rows[0]["speed_of_sound_m_s"] == pytest.approx(340.294, abs=0.01)
    # 11 km geometric is 10.981 km geopotential, just below the tropopause: 216.774 K
    assert rows[1]["temperature_k"] == pytest.approx(216.774, abs=0.01)
    assert set(rows[0]) == {
        "altitude_km",
        "temperature_k",
        "pressure_pa",
        "density_kg_m3",
        "speed_of_sound_m_s",
    }


@pytest.mark.parametrize("alt", [["2000"], ["--", "-6"], ["nan"], ["inf"]])
def test_calc_atmosphere_bad_altitude(alt):
    assert_user_error(run("calc", "atmosphere", "--json", *alt), "alt_km")


def test_calc_atmosphere_negative_number_without_separator_is_usage_error():
    assert_user_error(run("calc", "atmosphere", "-6"), "No such option")


def test_calc_ballistic_keplerian_matches_closed_form():
    from openbmd.flight import free_flight_deg

    proc = run(
        "calc",
        "ballistic",
        "--burnout-speed-kms",
        "3",
        "--burnout-angle-deg",
        "40",
        "--burnout-alt-km",
        "0",
        "--earth",
        "spherical",
        "--no-rotation",
        "--no-drag",
        "--json",
    )
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    ff = free_flight_deg(3000.0, 40.0, 0.0)
    assert out["method"] == "closed-form"
    assert out["range_km"] == pytest.approx(float(ff.range_m) / 1e3, abs=1e-6)
    assert out["range_angle_deg"] == pytest.approx(math.degrees(float(ff.range_angle_rad)))
    # launch and impact on the same sphere: impact speed equals burnout speed
    assert out["impact_speed_m_s"] == pytest.approx(3000.0, abs=1e-6)
    assert {
        "range_km",
        "range_angle_deg",
        "apogee_alt_km",
        "time_of_flight_s",
        "impact_speed_m_s",
    } <= set(out)


def test_calc_ballistic_numerical_with_drag_is_shorter():
    common = [
        "calc",
        "ballistic",
        "--burnout-speed-kms",
        "3",
        "--burnout-angle-deg",
        "40",
        "--burnout-alt-km",
        "30",
        "--json",
    ]
    vac = json.loads(run(*common, "--no-drag").stdout)
    air = json.loads(run(*common).stdout)
    assert vac["method"] == air["method"] == "numerical"
    assert air["range_km"] < vac["range_km"]


@pytest.mark.parametrize(
    ("option", "value", "name"),
    [
        ("--burnout-angle-deg", "95", "burnout_angle_deg"),
        ("--burnout-angle-deg", "0", "burnout_angle_deg"),
        ("--burnout-speed-kms", "-1", "burnout_speed_m_s"),
        ("--burnout-speed-kms", "nan", "burnout_speed_m_s"),
        ("--burnout-speed-kms", "12", "burnout_speed_m_s"),
    ],
)
def test_calc_ballistic_bad_input(option, value, name):
    args = {"--burnout-speed-kms": "3", "--burnout-angle-deg": "40"}
    args[option] = value
    flat = [x for kv in args.items() for x in kv]
    assert_user_error(
        run(
            "calc",
            "ballistic",
            *flat,
            "--earth",
            "spherical",
            "--no-rotation",
            "--no-drag",
            "--json",
        ),
        name,
    )


def test_trajectory_json_and_files(tmp_path):
    png, czml = tmp_path / "t.png", tmp_path / "t.czml"
    proc = run(
        "trajectory",
        "--missile",
        "mrbm",
        "--launch",
        "39.0,125.7",
        "--aim",
        "36.0,133.0",
        "--json",
        "--png",
        str(png),
        "--czml",
        str(czml),
    )
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    for key in (
        "ground_range_km",
        "apogee_alt_km",
        "time_of_flight_s",
        "burnout_speed_m_s",
        "burnout_angle_deg",
        "burnout_time_s",
        "impact_miss_m",
        "reentry_speed_m_s",
    ):
        assert isinstance(out[key], float) and math.isfinite(out[key]), key
    assert out["impact_miss_m"] < 100.0
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    packets = json.loads(czml.read_text())
    assert packets[0]["id"] == "document"
    assert len(packets[1]["position"]["cartesian"]) % 4 == 0


def test_trajectory_lofted_by_apogee():
    proc = run(
        "trajectory",
        "--missile",
        "mrbm",
        "--launch",
        "39.0,125.7",
        "--aim",
        "38.0,131.0",
        "--shape",
        "apogee",
        "--apogee-km",
        "600",
        "--json",
    )
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert out["apogee_alt_km"] == pytest.approx(600.0, abs=1.0)
    assert out["impact_miss_m"] < 100.0


def test_trajectory_out_of_reach_states_reach():
    assert_user_error(
        run(
            "trajectory",
            "--missile",
            "srbm",
            "--launch",
            "39.0,125.7",
            "--aim",
            "35.7,139.7",
            "--json",
        ),
        "beyond the reach",
        "at most",
    )


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["--missile", "nope", "--launch", "39,125", "--aim", "36,133"], "missile"),
        (["--missile", "mrbm", "--launch", "91,125", "--aim", "36,133"], "launch latitude"),
        (["--missile", "mrbm", "--launch", "39;125", "--aim", "36,133"], "launch"),
        (["--missile", "mrbm", "--launch", "39,125", "--aim", "nan,133"], "aim latitude"),
        (
            ["--missile", "mrbm", "--launch", "39,125", "--aim", "36,133", "--shape", "zigzag"],
            "shape",
        ),
        (
            ["--missile", "mrbm", "--launch", "39,125", "--aim", "36,133", "--shape", "apogee"],
            "apogee_km",
        ),
    ],
)
def test_trajectory_bad_input(args, fragment):
    assert_user_error(run("trajectory", *args, "--json"), fragment)


def test_trajectory_unwritable_output_writes_nothing(tmp_path):
    blocked = tmp_path / "file"
    blocked.write_text("x")
    target = blocked / "sub" / "t.png"
    proc = run(
        "trajectory",
        "--missile",
        "mrbm",
        "--launch",
        "39,125.7",
        "--aim",
        "36,133",
        "--png",
        str(target),
    )
    assert_user_error(proc, "output folder")
    assert blocked.read_text() == "x"


def test_range_table_json():
    proc = run("range-table", "--missile", "srbm", "--azimuth-step-deg", "90", "--json")
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    rows = out["max_range_by_azimuth"]
    assert [r["azimuth_deg"] for r in rows] == [0.0, 90.0, 180.0, 270.0]
    assert all(250.0 < r["max_range_km"] < 360.0 for r in rows)
    by = out["range_by_burnout"]
    ranges = [r["range_km_at_45_deg"] for r in by]
    assert ranges == sorted(ranges), "range grows with burnout speed"


def test_demo_writes_figure_and_czml(tmp_path):
    proc = run("demo", "--out", str(tmp_path / "demo"), "--json")
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert out["impact_miss_m"] < 100.0
    assert Path(out["figure"]).stat().st_size > 10_000
    assert Path(out["czml"]).stat().st_size > 1_000


def test_validate_json_all_pass():
    proc = run("validate", "--json")
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr
    rows = json.loads(proc.stdout)
    assert len(rows) >= 10
    assert all(r["passed"] for r in rows)
    assert all(r["source"] for r in rows)


def test_python_m_openbmd_doctor():
    proc = run("doctor")
    assert proc.returncode == 0, proc.stderr
    assert "ussa1976" in proc.stdout


def test_readme_commands_and_ci():
    readme = (ROOT / "README.md").read_text()
    block = readme.split("```bash\n", 1)[1].split("```", 1)[0].strip().splitlines()
    assert len(block) == 2, "the README opens with exactly two set-up commands"
    assert block[0].endswith("openbmd run"), "the first command runs the main job"
    assert "pytest" in block[1]
    assert block[1] in (ROOT / ".ci" / "run").read_text(), (
        ".ci/run must call the README's test command"
    )
