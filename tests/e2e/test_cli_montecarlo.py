"""``openbmd montecarlo``: JSON, figure and per-trial table; the default local cluster gives
the serial numbers; bad input ends as one line with exit code 2."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

import pytest


def run(*args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "openbmd", "montecarlo", *args],
                          capture_output=True, text=True, timeout=timeout,
                          env={**os.environ})  # fmt: skip


@pytest.fixture(scope="module")
def cluster_run(tmp_path_factory):
    """Three trials of teaching on the default backend (a local cluster, one worker per core)."""
    base = tmp_path_factory.mktemp("mc")
    png, table = base / "convergence.png", base / "trials.parquet"
    proc = run("teaching", "--trials", "3", "--seed", "5", "--json", "--png", str(png),
               "--out", str(table))  # fmt: skip
    return proc, png, table


def test_json_has_every_estimate_with_its_interval(cluster_run):
    proc, _, _ = cluster_run
    assert proc.returncode == 0, proc.stderr[-3000:]
    data = json.loads(proc.stdout)
    assert data["trials"] == 3 and data["seed"] == 5
    assert data["backend"] == "local cluster, one worker per core"
    for key in ("p_no_leaker", "expected_leakers", "interceptors_expended"):
        low, high = data[f"{key}_ci95"]
        assert 0.0 <= low <= data[key] <= high, key
    assert 0.0 <= data["p_no_leaker"] <= 1.0 and data["elapsed_s"] > 0
    analytic = data["analytic"]
    # teaching: terminal-high, SSPK 0.8 and reliability 0.9 (data/interceptors.yaml), SLS 1+1
    assert analytic["p_kill_per_threat"] == pytest.approx(
        analytic["p_track"] * (1 - (1 - 0.72) ** 2)
    )


def test_figure_and_table_are_written(cluster_run):
    proc, png, table = cluster_run
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    import pyarrow.parquet as pq

    t = pq.read_table(table)
    assert t.num_rows == 3
    cols = t.to_pydict()
    summary = json.loads(proc.stdout)
    assert sum(cols["leakers"]) / 3 == pytest.approx(summary["expected_leakers"])
    assert sum(cols["interceptors_expended"]) / 3 == pytest.approx(summary["interceptors_expended"])
    assert cols["trial"] == [0, 1, 2]


def test_serial_run_gives_the_cluster_numbers(cluster_run):
    proc, _, _ = cluster_run
    serial = run("teaching", "--trials", "3", "--seed", "5", "--workers", "0", "--json")
    assert serial.returncode == 0, serial.stderr[-3000:]
    a, b = json.loads(proc.stdout), json.loads(serial.stdout)
    for key in ("p_no_leaker", "p_no_leaker_ci95", "expected_leakers", "expected_leakers_ci95",
                "interceptors_expended", "interceptors_expended_ci95", "analytic"):  # fmt: skip
        assert a[key] == b[key], key


@pytest.mark.parametrize(
    "args, words",
    [
        (("--trials", "0"), "'trials' parameter must be an integer >= 1. Got 0"),
        (("--trials", "-5"), "'trials' parameter"),
        (("--trials", "2", "--scheduler", "not-an-address"), "tcp://HOST:PORT"),
        (("--trials", "2", "--workers", "2", "--scheduler", "tcp://127.0.0.1:1"),
         "'workers' parameter must be left out when --scheduler is given"),
        (("--trials", "2", "--workers", "-1"), "'workers' parameter"),
    ],
)  # fmt: skip
def test_bad_input_is_one_line_and_exit_code_2(args, words):
    proc = run("teaching", *args, "--json", timeout=60)
    assert proc.returncode == 2, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and words in lines[0], lines
    assert proc.stdout == ""


def test_a_scheduler_that_does_not_answer_is_a_clear_error_within_the_timeout():
    start = time.perf_counter()
    proc = run("teaching", "--trials", "2", "--scheduler", "tcp://127.0.0.1:1",
               "--scheduler-timeout-s", "2", "--json", timeout=60)  # fmt: skip
    elapsed = time.perf_counter() - start
    assert proc.returncode == 2, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "Dask scheduler that answers within 2 s" in lines[0], lines
    assert "tcp://127.0.0.1:1" in lines[0]
    assert elapsed < 20.0, f"took {elapsed:.1f} s"
