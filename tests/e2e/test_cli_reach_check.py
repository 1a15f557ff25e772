"""``openbmd reach-check`` as a user runs it: real processes, exit codes, JSON, figure."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

MRBM_AT_AKITA = [
    "--interceptor", "upper-tier", "--site", "Akita=39.7,140.1",
    "--missile", "mrbm", "--launch", "39.0,125.7", "--aim", "39.7,140.1",
]  # fmt: skip
# the worked case of docs/reach-check.md: 2018 candidate sites, ICBM Far East -> US
JAPAN_ICBM = [
    "--interceptor", "upper-tier",
    "--site", "Araya=39.70,140.07", "--site", "Mutsumi=34.46,131.57",
    "--missile", "icbm", "--launch", "51.0,128.0", "--aim", "45.0,-100.0",
]  # fmt: skip
SITE_KEYS = {
    "name",
    "reachable",
    "reason",
    "reason_detail",
    "closest_ground_range_km",
    "first_detection_s",
    "firm_track_s",
    "window",
    "latest_firm_track_s",
    "track_margin_s",
}
WINDOW_KEYS = {
    "earliest_launch_s",
    "latest_launch_s",
    "earliest_intercept_s",
    "latest_intercept_s",
    "min_intercept_alt_km",
    "max_intercept_alt_km",
    "min_ground_range_km",
    "max_ground_range_km",
    "shot_opportunities",
}


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "openbmd", "reach-check", *args],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ},
    )


def run_json(*args: str) -> dict:
    proc = run(*args, "--json")
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def test_regional_threat_is_reachable_with_a_given_track(tmp_path: Path):
    png = tmp_path / "figs" / "reach.png"
    out = run_json(*MRBM_AT_AKITA, "--firm-track-s", "130", "--png", str(png))
    assert out["reachable"] is True
    (site,) = out["sites"]
    assert set(site) >= SITE_KEYS and set(site["window"]) >= WINDOW_KEYS
    assert site["name"] == "Akita" and site["firm_track_s"] == 130.0
    w = site["window"]
    assert w["earliest_launch_s"] >= 130.0 + out["reaction_time_s"] - 1e-6
    assert 80.0 <= w["min_intercept_alt_km"] <= w["max_intercept_alt_km"] <= 1000.0
    assert out["speed_margin_m_s"] > 0.0 and out["track_margin_s"] > 0.0
    assert out["figure"] == str(png)
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_japan_sites_cannot_reach_an_icbm_from_the_far_east():
    out = run_json(*JAPAN_ICBM)
    assert out["reachable"] is False
    assert [s["name"] for s in out["sites"]] == ["Araya", "Mutsumi"]
    for s in out["sites"]:
        assert s["reason"] == "too late" and s["first_detection_s"] is None
        assert s["latest_firm_track_s"] < -400.0, "a track before the threat's launch"
        assert 1500.0 < s["closest_ground_range_km"] < 2000.0
    assert out["speed_margin_m_s"] < -3000.0 and out["speed_margin_bound"] == "at most"
    assert out["speed_margin_basis"] == "track at launch"


def test_text_output_states_the_verdict_and_margins():
    proc = run(*MRBM_AT_AKITA, "--no-speed-margin", "--no-early-warning")
    assert proc.returncode == 0, proc.stderr
    assert "Verdict: NOT REACHABLE" in proc.stdout
    assert "Akita: firm track at" in proc.stdout and "too late" in proc.stdout


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (["--site", "39.7"], "'site' parameter must be LAT,LON"),
        (["--launch", "north,east"], "'launch' parameter must be LAT,LON"),
        (["--interceptor", "no-such"], "'interceptor' parameter must be one of"),
        (["--missile", "no-such"], "'missile' parameter must be one of"),
        (["--radar", "no-such"], "radar"),
        (["--aim", "10.0,-60.0"], "beyond the reach of 'mrbm'"),
    ],
)
def test_bad_input_is_one_line_and_exit_code_2(change: list[str], message: str):
    args = list(MRBM_AT_AKITA)
    key, value = change
    if key in args:
        args[args.index(key) + 1] = value
    else:
        args += change
    proc = run(*args, "--no-speed-margin")
    assert proc.returncode == 2, proc.stdout + proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), proc.stderr
    assert message in lines[0]
    assert "Traceback" not in proc.stderr
