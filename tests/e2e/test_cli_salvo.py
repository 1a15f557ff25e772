"""``openbmd calc salvo`` as a user runs it: JSON keys and values, doctrines, bad input.

Values: D. Wilkening, "A Simple Model for Calculating Ballistic Missile Defense
Effectiveness", Science & Global Security 8 (2000) -- the model's equations evaluated by
hand: P_kill = P_track (1 - (1 - R SSPK)^n), P_0 = P_kill^M, leakers M (1 - P_kill).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

KEYS = {"p_kill_per_threat", "p_no_leaker", "expected_leakers", "interceptors_used"}


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "openbmd", "calc", "salvo", *args],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ},
    )


def test_salvo_json_hand_values():
    proc = run("--sspk", "0.8", "--shots", "2", "--threats", "10", "--json")
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert set(out) == KEYS
    assert out["p_kill_per_threat"] == pytest.approx(0.96, abs=1e-12)
    assert out["p_no_leaker"] == pytest.approx(0.96**10, abs=1e-12)
    assert out["expected_leakers"] == pytest.approx(0.4, abs=1e-12)
    assert out["interceptors_used"] == pytest.approx(20.0)


def test_salvo_with_reliability_and_tracking_defaults_to_one_threat():
    proc = run("--sspk", "0.7", "--shots", "3", "--reliability", "0.9", "--p-track", "0.95",
               "--json")  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert out["p_kill_per_threat"] == pytest.approx(0.95 * (1 - 0.37**3), abs=1e-12)
    assert out["p_no_leaker"] == pytest.approx(out["p_kill_per_threat"], abs=1e-15)
    assert out["interceptors_used"] == pytest.approx(0.95 * 3)


def test_shoot_look_shoot_json():
    proc = run("--sspk", "0.8", "--shots", "1", "--threats", "10", "--doctrine", "sls", "--json")
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    # two stages of one: kill 0.96 like a salvo of two, 1.2 interceptors per threat
    assert out["p_kill_per_threat"] == pytest.approx(0.96, abs=1e-12)
    assert out["interceptors_used"] == pytest.approx(12.0, abs=1e-9)


def test_table_output():
    proc = run("--sspk", "0.5", "--shots", "2", "--doctrine", "sls", "--stages", "3",
               "--p-assess", "0.9")  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert "p_no_leaker" in proc.stdout


@pytest.mark.parametrize(
    ("args", "name"),
    [
        (["--sspk", "1.2", "--shots", "2"], "sspk"),
        (["--sspk", "0.5", "--shots", "-1"], "shots"),
        (["--sspk", "0.5", "--shots", "2.5"], "shots"),
        (["--sspk", "0.5", "--shots", "2", "--threats", "-3"], "threats"),
        (["--sspk", "0.5", "--shots", "2", "--reliability", "1.5"], "reliability"),
        (["--sspk", "0.5", "--shots", "2", "--p-track", "-0.1"], "p_track"),
        (["--sspk", "0.5", "--shots", "2", "--doctrine", "barrage"], "doctrine"),
        (["--sspk", "0.5", "--shots", "2", "--doctrine", "sls", "--stages", "0"], "stages"),
        (["--sspk", "nan", "--shots", "2"], "sspk"),
    ],
)
def test_bad_input_one_line_exit_2(args, name):
    proc = run(*args, "--json")
    assert proc.returncode == 2, f"expected exit code 2, got {proc.returncode}: {proc.stderr}"
    assert "Traceback" not in proc.stderr
    lines = [ln for ln in proc.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith("error: ") and f"'{name}'" in lines[0], lines[0]
    assert proc.stdout == ""
