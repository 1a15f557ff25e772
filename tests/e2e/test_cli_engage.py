"""``openbmd engage`` as a user runs it: real processes, exit codes, JSON."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

THREAT = ["--missile", "mrbm", "--launch", "39.0,125.7", "--aim", "35.7,139.7"]
AKITA = ["--interceptor", "upper-tier", "--site", "39.7,140.1"]
KEYS = {
    "engageable",
    "earliest_intercept_s",
    "latest_intercept_s",
    "earliest_intercept_alt_km",
    "latest_intercept_alt_km",
    "earliest_intercept_ground_range_km",
    "latest_intercept_ground_range_km",
    "shot_opportunities",
    "shoot_look_shoot_possible",
    "earliest_launch_s",
    "latest_launch_s",
    "reason",
    "firm_track_s",
    "firm_track_rule",
}


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "openbmd", "engage", *args],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ},
    )


def engage_json(*args: str) -> dict:
    proc = run(*args, "--json")
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def test_upper_tier_at_akita_engages_the_mrbm():
    out = engage_json(*AKITA, *THREAT)
    assert set(out) >= KEYS
    assert out["engageable"] is True and out["reason"] == ""
    # default firm track: burnout (~70 s for this MRBM) + 60 s, and it says so
    assert out["firm_track_rule"].startswith("default: burnout")
    assert out["firm_track_s"] == pytest.approx(129.6, abs=1.0)
    # the upper-tier class launches 15 s after the firm track at the earliest
    assert out["earliest_launch_s"] >= out["firm_track_s"] + 15.0 - 1e-6
    assert out["earliest_intercept_s"] < out["latest_intercept_s"] < out["time_of_flight_s"]
    for key in ("earliest_intercept_alt_km", "latest_intercept_alt_km"):
        assert 80.0 <= out[key] <= 1000.0, "inside the class's altitude band"
    for key in ("earliest_intercept_ground_range_km", "latest_intercept_ground_range_km"):
        assert 0.0 < out[key] < 2400.0
    assert out["shot_opportunities"] >= 2
    assert isinstance(out["shoot_look_shoot_possible"], bool)


def test_lower_tier_far_from_the_aim_is_out_of_reach():
    out = engage_json("--interceptor", "lower-tier", "--site", "35.0,135.0", *THREAT)
    assert out["engageable"] is False
    assert out["reason"] == "out of reach"
    assert out["earliest_intercept_s"] is None and out["shot_opportunities"] == 0
    assert out["shoot_look_shoot_possible"] is False


def test_late_firm_track_and_text_output():
    out = engage_json(*AKITA, *THREAT, "--firm-track-s", "500")
    assert out["engageable"] is False and out["reason"] == "no firm track in time"
    assert out["firm_track_rule"] == "given" and out["firm_track_s"] == 500.0
    proc = run(*AKITA, *THREAT, "--firm-track-s", "500")
    assert proc.returncode == 0, proc.stderr
    assert "Firm track at 500.0 s after launch (given)" in proc.stdout
    assert "Not engageable: no firm track in time." in proc.stdout


def test_inventory_caps_the_shots():
    out = engage_json(*AKITA, *THREAT, "--inventory", "2", "--sspk", "0.5", "--reliability", "1")
    assert out["shots_available"] == 2
    assert out["single_shot_p_kill"] == pytest.approx(0.5)


@pytest.mark.parametrize(
    ("extra", "fragment"),
    [
        (["--sspk", "1.5"], "sspk"),
        (["--reliability", "-0.1"], "reliability"),
        (["--inventory", "-1"], "inventory"),
        (["--inventory", "2.5"], "inventory"),
        (["--reaction-time-s", "-5"], "reaction_time_s"),
        (["--firm-track-s", "nan"], "firm_track_s"),
        (["--sample-step-s", "0"], "sample_step_s"),
    ],
)
def test_bad_numbers_end_in_one_line(extra, fragment):
    proc = run(*AKITA, *THREAT, *extra)
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr
    lines = [ln for ln in proc.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1 and fragment in lines[0], proc.stderr


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["--interceptor", "photon-torpedo", "--site", "39.7,140.1"], "interceptor"),
        (["--interceptor", "upper-tier", "--site", "95,140"], "site latitude"),
        (["--interceptor", "upper-tier", "--site", "nan,140"], "site latitude"),
        (["--interceptor", "upper-tier", "--site", "39.7,inf"], "site longitude"),
    ],
)
def test_bad_interceptor_or_site_end_in_one_line(args, fragment):
    proc = run(*args, *THREAT)
    assert proc.returncode == 2, proc.stderr
    lines = [ln for ln in proc.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1 and fragment in lines[0], proc.stderr
