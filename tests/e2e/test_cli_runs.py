"""``openbmd runs list|show|compare`` as a user runs them, on a store filled from Python."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from openbmd.io.runstore import RunStore

YAML = "name: cli-demo\nthreats: []\n"


def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "openbmd", *args],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, **(env or {})},
    )


def assert_user_error(proc: subprocess.CompletedProcess[str], *fragments: str) -> None:
    assert proc.returncode == 2, f"expected exit code 2, got {proc.returncode}: {proc.stderr}"
    assert "Traceback" not in proc.stderr, proc.stderr
    lines = [ln for ln in proc.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1, proc.stderr
    for frag in fragments:
        assert frag in proc.stderr, f"{frag!r} not in {proc.stderr!r}"


@pytest.fixture(scope="module")
def filled(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[str]]:
    path = tmp_path_factory.mktemp("store") / "runs.duckdb"
    store = RunStore(path)
    a = store.start_run("cli-demo", YAML, 1, "0.1.0", "/tmp/run-a")
    store.finish_run(a, {"leakers": 2, "p_no_leaker": 0.25, "stages": {"s": 1.0}}, {"r": "x"})
    b = store.start_run("cli-demo", YAML, 2, "0.1.0", "/tmp/run-b")
    store.finish_run(b, {"leakers": 1, "p_no_leaker": 0.5, "stages": {"s": 1.5}}, {})
    c = store.start_run("cli-demo", YAML, 3, "0.1.0", None)
    store.fail_run(c, "scenario error: bad threat")
    return path, [a, b, c]


def test_runs_list_json(filled):
    path, (a, b, c) = filled
    proc = run("runs", "list", "--store", str(path), "--json")
    assert proc.returncode == 0, proc.stderr
    rows = json.loads(proc.stdout)
    assert [r["run_id"] for r in rows] == [c, b, a]
    assert [r["status"] for r in rows] == ["failed", "complete", "complete"]
    assert rows[2]["summary"]["leakers"] == 2
    assert rows[0]["error"] == "scenario error: bad threat"
    proc = run("runs", "list", "--store", str(path), "--json", "--limit", "1")
    assert [r["run_id"] for r in json.loads(proc.stdout)] == [c]


def test_runs_list_table_shows_full_ids(filled):
    path, ids = filled
    proc = run("runs", "list", "--store", str(path))
    assert proc.returncode == 0, proc.stderr
    for rid in ids:
        assert rid in proc.stdout


def test_runs_show_by_prefix(filled):
    path, (a, _, _) = filled
    proc = run("runs", "show", a[:-1], "--store", str(path), "--json", "--scenario")
    assert proc.returncode == 0, proc.stderr
    shown = json.loads(proc.stdout)
    assert shown["run_id"] == a and shown["seed"] == 1
    assert shown["scenario_yaml"] == YAML
    assert shown["outputs"] == {"r": "x"}
    proc = run("runs", "show", a, "--store", str(path))
    assert proc.returncode == 0, proc.stderr
    assert a in proc.stdout and "p_no_leaker" in proc.stdout and "complete" in proc.stdout


def test_runs_compare(filled):
    path, (a, b, _) = filled
    proc = run("runs", "compare", a, b, "--store", str(path), "--json")
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert out["a"]["run_id"] == a and out["b"]["run_id"] == b
    assert out["same_scenario"] is True
    rows = {r["metric"]: r for r in out["metrics"]}
    assert rows["leakers"] == {"metric": "leakers", "a": 2, "b": 1, "difference": -1}
    assert rows["p_no_leaker"]["difference"] == pytest.approx(0.25)
    assert rows["stages.s"]["difference"] == pytest.approx(0.5)
    proc = run("runs", "compare", a, b, "--store", str(path))
    assert proc.returncode == 0, proc.stderr
    assert "p_no_leaker" in proc.stdout and "B - A" in proc.stdout


def test_unknown_and_ambiguous_ids_are_user_errors(filled):
    path, (a, _, _) = filled
    assert_user_error(run("runs", "show", "nope", "--store", str(path)), "error:", "no run 'nope'")
    assert_user_error(run("runs", "compare", a, "nope", "--store", str(path)), "no run 'nope'")
    assert_user_error(run("runs", "show", a[:2], "--store", str(path)), "ambiguous")


def test_openbmd_home_locates_the_default_store(tmp_path: Path):
    home = tmp_path / "home"
    env = {"OPENBMD_HOME": str(home)}
    proc = run("runs", "list", "--json", env=env)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout) == []
    assert not home.exists()  # listing creates nothing
    assert_user_error(run("runs", "show", "x", env=env), "no run store at")

    rid = RunStore(home / "runs.duckdb").start_run("home-demo", YAML, 9, "0.1.0", None)
    proc = run("runs", "list", "--json", env=env)
    assert [r["run_id"] for r in json.loads(proc.stdout)] == [rid]
    # this test process is alive, so its run is still running
    assert json.loads(proc.stdout)[0]["status"] == "running"
