"""``openbmd uncertainty`` as a user runs it: real processes, JSON, files, exit codes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np

from openbmd.scenario import builtin_text

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
#: The teaching scenario with an uncertain SSPK (fast: one missile per run).
TEXT = (
    builtin_text("teaching")
    .replace("name: teaching ", "name: teaching-uncertain ")
    .replace(
        "      inventory: 4 ",
        "      overrides: {sspk: {uniform: [0.5, 0.9]}}\n      inventory: 4 ",
    )
)
SSPK = "defence.sites[0].overrides.sspk"


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "openbmd", *args],
        capture_output=True,
        text=True,
        timeout=600,
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


def test_json_netcdf_and_png(tmp_path):
    scenario = tmp_path / "t.yaml"
    scenario.write_text(TEXT, "utf-8")
    nc, png = tmp_path / "out" / "u.nc", tmp_path / "out" / "u.png"
    proc = run(
        "uncertainty", str(scenario), "--samples", "4", "--seed", "3", "--workers", "0",
        "--no-progress", "--json", "--out", str(nc), "--png", str(png), "--footprint",
        "--resolution-km", "100",
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    rep = json.loads(proc.stdout)
    assert rep["samples"] == 4 and rep["seed"] == 3 and rep["scenario"] == "teaching-uncertain"
    assert rep["parameters"] == [
        {
            "parameter": SSPK,
            "path": SSPK,
            "distribution": {"uniform": [0.5, 0.9]},
            "nominal": 0.7,
            "support": [0.5, 0.9],
        }
    ]
    band = rep["bands"]["analytic_p_no_leaker"]
    # SLS with salvos of 1, R = 0.9: P = 1 - (1 - 0.9 SSPK)^2 lies in [0.6975, 0.9639]
    assert 0.6975 - 1e-9 <= band["min"] <= band["q05"] <= band["q50"] <= band["q95"]
    assert band["q95"] <= band["max"] <= 0.9639 + 1e-9
    assert band["nominal"] == 1 - (1 - 0.9 * 0.7) ** 2
    for key in ("leakers", "interceptors_fired", "threats_engaged", "kill_fraction"):
        assert key in rep["bands"]
    first = rep["sensitivity"]["ranking"][0]
    assert set(first) == {"parameter", "output", "spearman", "srrc", "significant", "rank"}
    by_output = {r["output"]: r for r in rep["sensitivity"]["ranking"]}
    assert by_output["analytic_p_no_leaker"]["spearman"] == 1.0  # monotone in the SSPK
    # the SSPK does not move the footprint: every sample maps the same cells
    pm = rep["probability_map"]
    assert pm["threat"] == "T1" and pm["resolution_km"] == 100.0
    assert pm["area_any_km2"] == pm["area_all_km2"] == rep["bands"]["defended_area_km2"]["nominal"]
    assert rep["netcdf"] == str(nc) and rep["png"] == str(png)
    assert png.read_bytes().startswith(PNG_SIGNATURE)
    from openbmd.io.netcdf import read_netcdf

    ds = read_netcdf(nc)
    assert ds["inputs"].shape == (4, 1)
    assert ds.attrs["samples"] == 4
    assert float(ds["analytic_p_no_leaker"].min()) == band["min"]
    assert set(np.unique(ds["p_engageable"].values)) <= {0.0, 1.0}


def test_builtin_name_analytic_only_and_text_output():
    proc = run(
        "uncertainty", "japan-2018-uncertain", "--samples", "60", "--analytic-only",
        "--workers", "0", "--no-progress", "--json",
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    rep = json.loads(proc.stdout)
    assert len(rep["parameters"]) == 10 and set(rep["bands"]) == {
        "analytic_p_kill",
        "analytic_p_no_leaker",
    }
    ranking = [r for r in rep["sensitivity"]["ranking"] if r["output"] == "analytic_p_no_leaker"]
    # of the ten parameters only the two sites' SSPKs enter the closed form, with equal
    # weights (24 interceptors each): both rank first, with rho ~ 1/sqrt(2) each
    top = ranking[:2]
    assert all(r["parameter"].endswith(".overrides.sspk") and r["significant"] for r in top)
    assert all(0.55 < r["spearman"] < 0.9 for r in top)
    assert all(r["srrc"] > 0.5 for r in top)
    others = [r for r in ranking if not r["parameter"].endswith(".overrides.sspk")]
    assert len(others) == 8 and not any(r["significant"] for r in others)
    # the two SSPKs set the closed form alone: the rank regression leaves the others ~0
    assert all(abs(r["srrc"]) < 0.1 for r in others)
    text = run(
        "uncertainty", "japan-2018-uncertain", "--samples", "5", "--analytic-only",
        "--workers", "0", "--no-progress",
    )  # fmt: skip
    assert text.returncode == 0, text.stderr
    assert "bands over the samples" in text.stdout and "sites[0].sspk" in text.stdout


def test_zero_samples_is_one_line(tmp_path):
    assert_user_error(
        run("uncertainty", "japan-2018-uncertain", "--samples", "0"),
        "'samples' parameter must be an integer >= 3",
        "Got 0 instead",
    )


def test_scenario_without_distributions_says_what_to_add():
    assert_user_error(
        run("uncertainty", "teaching", "--samples", "5", "--workers", "0"),
        "scenario 'teaching' has no distributions",
        "sspk: {uniform: [0.7, 0.9]}",
    )


def test_invalid_distribution_is_refused_by_the_loader(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(TEXT.replace("[0.5, 0.9]", "[0.9, 0.5]"), "utf-8")
    assert_user_error(
        run("uncertainty", str(bad), "--samples", "5", "--workers", "0"),
        f"{bad}:",
        "defence.sites[0].overrides.sspk.uniform: must be [lo, hi] with lo < hi",
    )
    bad.write_text(TEXT.replace("[0.5, 0.9]", "[0.5, 1.2]"), "utf-8")
    assert_user_error(run("uncertainty", str(bad), "--samples", "5", "--workers", "0"), "sspk")


def test_unknown_threat_of_the_footprint(tmp_path):
    scenario = tmp_path / "t.yaml"
    scenario.write_text(TEXT, "utf-8")
    assert_user_error(
        run(
            "uncertainty",
            str(scenario),
            "--samples",
            "3",
            "--footprint",
            "--threat",
            "T9",
            "--workers",
            "0",
        ),
        "'threat' parameter must be one of T1",
    )


def test_both_workers_and_scheduler_is_refused():
    assert_user_error(
        run(
            "uncertainty",
            "japan-2018-uncertain",
            "--samples",
            "5",
            "--workers",
            "2",
            "--scheduler",
            "tcp://127.0.0.1:8786",
        ),
        "workers",
    )


def test_output_folder_blocked_before_any_work(tmp_path):
    (tmp_path / "file").write_text("x")
    assert_user_error(
        run(
            "uncertainty",
            "japan-2018-uncertain",
            "--samples",
            "5",
            "--png",
            str(tmp_path / "file" / "u.png"),
        ),
        "a file is in the way",
    )
    assert not list(Path(tmp_path).glob("**/*.png"))
