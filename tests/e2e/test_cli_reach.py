"""``openbmd reach`` as a user runs it: real processes, exit codes, outputs."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from openbmd._home import numba_cache_dir


@pytest.fixture
def run(tmp_path):
    """Run ``python -m openbmd`` with its own OPENBMD_HOME (the fly-out cache) but the
    usual compiled-kernel cache."""
    env = {
        **os.environ,
        "OPENBMD_HOME": str(tmp_path / "home"),
        "NUMBA_CACHE_DIR": str(numba_cache_dir()),
    }

    def _run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "openbmd", *args],
            capture_output=True,
            text=True,
            timeout=300,
            env=env,
            cwd=tmp_path,
        )

    return _run


def _user_error(proc: subprocess.CompletedProcess[str], *fragments: str) -> None:
    assert proc.returncode == 2, f"expected exit code 2, got {proc.returncode}: {proc.stderr}"
    assert "Traceback" not in proc.stderr, proc.stderr
    for frag in fragments:
        assert frag in proc.stderr, f"{frag!r} not in {proc.stderr!r}"


def test_reach_json_upper_tier(run, tmp_path):
    proc = run("reach", "--interceptor", "upper-tier", "--json")
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert out["interceptor"] == "upper-tier" and out["kind"] == "exo"
    # a ~4.5 km/s interceptor: reach of order 2,000 km and 1,500 km altitude
    assert 1500.0 < out["max_ground_range_km"] < 3500.0
    assert 1000.0 < out["max_altitude_km"] < 2000.0
    assert out["burnout_speed_km_s"] == pytest.approx(4.5, rel=0.1)
    assert out["burnout_time_s"] > 0.0
    assert out["max_ground_range_cap_km"] is None  # inf: no cap
    x, h, t = out["ground_range_km"], out["altitude_km"], out["time_s"]
    assert x[0] == 0.0 and h[0] == 0.0
    assert len(t) == len(x) and all(len(row) == len(h) for row in t)
    assert any(v is None for row in t for v in row), "unreachable points are null"
    reachable = [v for row in t for v in row if v is not None]
    assert min(reachable) >= 0.0 and max(reachable) < 3000.0
    assert t[0][0] == 0.0  # the launch site at launch
    # the table was cached under OPENBMD_HOME
    assert list((tmp_path / "home" / "cache" / "flyout").glob("upper-tier-*.npz"))


def test_reach_figure_and_table(run, tmp_path):
    png = tmp_path / "out" / "reach.png"
    proc = run("reach", "--interceptor", "lower-tier", "--png", str(png))
    assert proc.returncode == 0, proc.stderr
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "max_ground_range_km" in proc.stdout and "time to reach" in proc.stdout


def test_reach_json_step(run):
    proc = run("reach", "--interceptor", "lower-tier", "--json", "--step-km", "10")
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert out["table_step_km"] == 10.0
    assert out["ground_range_km"][:3] == [0.0, 10.0, 20.0]


def test_reach_unknown_class_lists_the_names(run):
    proc = run("reach", "--interceptor", "sm-99", "--json")
    _user_error(proc, "upper-tier", "terminal-high", "lower-tier")
    assert proc.stdout == ""


def test_reach_unwritable_figure_folder_writes_nothing(run, tmp_path):
    blocker = tmp_path / "blocker"
    blocker.write_text("a file where a folder should be")
    proc = run("reach", "--interceptor", "lower-tier", "--png", str(blocker / "reach.png"))
    _user_error(proc, "blocker")
    assert proc.stdout == ""
    assert blocker.read_text() == "a file where a folder should be"
    assert not (tmp_path / "home").exists(), "nothing computed or cached before the check"


@pytest.mark.parametrize("step", ["0", "-1", "nan"])
def test_reach_bad_step(run, step):
    _user_error(run("reach", "--interceptor", "lower-tier", "--step-km", step), "step_km")


def test_reach_help_names_the_classes(run):
    proc = run("reach", "--help")
    assert proc.returncode == 0
    assert "upper-tier" in proc.stdout
