"""The DuckDB run store: lifecycle, lookup, comparison, home folder, crashes, locking."""

from __future__ import annotations

import math
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from openbmd.errors import OpenBMDError
from openbmd.io.runstore import (
    RunNotFoundError,
    RunStore,
    default_store_path,
    flatten_metrics,
    json_ready,
    new_run_id,
    scenario_sha256,
)

YAML = "name: demo\nthreats: []\n"


@pytest.fixture
def store(tmp_path: Path) -> RunStore:
    return RunStore(tmp_path / "runs.duckdb")


def test_lifecycle_running_complete(store: RunStore, tmp_path: Path):
    rid = store.start_run("demo", YAML, 7, "0.1.0", tmp_path / "out")
    run = store.get_run(rid)
    assert run.status == "running"
    assert run.finished_at is None and run.duration_s is None
    assert run.scenario_sha256 == scenario_sha256(YAML)
    assert run.scenario_yaml == YAML
    assert run.seed == 7 and run.software_version == "0.1.0"
    assert run.out_dir == str(tmp_path / "out")
    assert run.owner_pid == os.getpid()

    store.finish_run(rid, {"leakers": 1, "p": math.nan, "nested": {"a": 2.5}}, {"r": tmp_path})
    run = store.get_run(rid)
    assert run.status == "complete"
    assert run.summary == {"leakers": 1, "p": None, "nested": {"a": 2.5}}  # NaN -> null
    assert run.outputs == {"r": str(tmp_path)}
    assert run.finished_at is not None and run.finished_at >= run.started_at
    assert run.created_at.tzinfo is not None
    d = run.as_dict()
    assert d["status"] == "complete" and d["created_at"].endswith("Z")
    assert "scenario_yaml" not in d and run.as_dict(scenario=True)["scenario_yaml"] == YAML


def test_failed_run_keeps_one_line_error(store: RunStore):
    rid = store.start_run("demo", YAML, None, "0.1.0", None)
    store.fail_run(rid, ValueError("bad value\n  on two lines"))
    run = store.get_run(rid)
    assert run.status == "failed"
    assert run.error == "ValueError: bad value on two lines"
    assert run.seed is None


def test_only_running_runs_change_state(store: RunStore):
    rid = store.start_run("demo", YAML, 1, "0.1.0", None)
    store.finish_run(rid, {}, {})
    with pytest.raises(OpenBMDError, match="is complete, not running"):
        store.fail_run(rid, "late failure")
    with pytest.raises(OpenBMDError, match="is complete, not running"):
        store.finish_run(rid, {}, {})
    with pytest.raises(RunNotFoundError, match="no run 'missing'"):
        store.finish_run("missing", {}, {})


def test_recording_context_manager(store: RunStore):
    with store.recording("ok", YAML, 1, "0.1.0", None) as run:
        run.finish({"leakers": 0}, {})
    assert store.get_run(run.run_id).status == "complete"

    with pytest.raises(RuntimeError), store.recording("boom", YAML, 1, "0.1.0", None) as run:
        raise RuntimeError("kernel exploded")
    failed = store.get_run(run.run_id)
    assert failed.status == "failed" and "kernel exploded" in (failed.error or "")

    with pytest.raises(KeyboardInterrupt), store.recording("ctrl-c", YAML, 1, "0.1.0", None) as run:
        raise KeyboardInterrupt
    assert store.get_run(run.run_id).status == "interrupted"

    with store.recording("forgot", YAML, 1, "0.1.0", None) as run:
        pass
    assert store.get_run(run.run_id).status == "failed"


def test_list_newest_first_and_limit(store: RunStore):
    ids = [store.start_run(f"s{i}", YAML, i, "0.1.0", None) for i in range(4)]
    listed = [r.run_id for r in store.list_runs()]
    assert listed == ids[::-1]
    assert len(store.list_runs(limit=2)) == 2
    assert len(store.list_runs(limit=None)) == 4


def test_run_ids_are_short_time_based_and_unique():
    rid = new_run_id()
    assert len(rid) == 18 and rid[6] == "-" and rid[13] == "-"
    assert len({new_run_id() for _ in range(200)}) > 150  # 16 random bits per second


def test_prefix_lookup(store: RunStore, monkeypatch: pytest.MonkeyPatch):
    import openbmd.io.runstore as rs

    made = iter(["260101-000000-aaaa", "260101-000000-aabb", "260101-000001-cccc"])
    monkeypatch.setattr(rs, "new_run_id", lambda now=None: next(made))
    a, b, c = (store.start_run("s", YAML, 1, "0.1.0", None) for _ in range(3))
    assert store.get_run("260101-000001").run_id == c
    assert store.get_run("260101-000000-aab").run_id == b
    assert store.get_run(a).run_id == a
    with pytest.raises(RunNotFoundError, match="ambiguous: matches 260101-000000-aaaa"):
        store.get_run("260101-000000-aa")
    with pytest.raises(RunNotFoundError, match="no run 'zz'"):
        store.get_run("zz")
    with pytest.raises(RunNotFoundError, match="must not be empty"):
        store.get_run("  ")
    # LIKE wildcards in a prefix are plain characters
    with pytest.raises(RunNotFoundError):
        store.get_run("%")


def test_id_collision_is_redrawn(store: RunStore, monkeypatch: pytest.MonkeyPatch):
    import openbmd.io.runstore as rs

    made = iter(["260101-000000-aaaa", "260101-000000-aaaa", "260101-000000-bbbb"])
    monkeypatch.setattr(rs, "new_run_id", lambda now=None: next(made))
    assert store.start_run("s", YAML, 1, "0.1.0", None) == "260101-000000-aaaa"
    assert store.start_run("s", YAML, 1, "0.1.0", None) == "260101-000000-bbbb"


def test_compare_side_by_side(store: RunStore):
    a = store.start_run("s", YAML, 1, "0.1.0", None)
    b = store.start_run("s", YAML, 2, "0.1.0", None)
    store.finish_run(a, {"leakers": 2, "p": 0.25, "stage": {"t": 1.0}, "ok": True, "only_a": 1}, {})
    store.finish_run(
        b, {"leakers": 1, "p": 0.75, "stage": {"t": 1.5}, "ok": False, "only_b": "x"}, {}
    )
    rows = {r["metric"]: r for r in store.compare(a, b)}
    assert list(rows) == ["leakers", "p", "stage.t", "ok", "only_a", "only_b"]
    assert rows["leakers"] == {"metric": "leakers", "a": 2, "b": 1, "difference": -1}
    assert rows["p"]["difference"] == pytest.approx(0.5)
    assert rows["stage.t"]["difference"] == pytest.approx(0.5)
    assert rows["ok"]["difference"] is None  # booleans are not differenced
    assert rows["only_a"] == {"metric": "only_a", "a": 1, "b": None, "difference": None}
    assert rows["only_b"]["a"] is None and rows["only_b"]["difference"] is None
    with pytest.raises(RunNotFoundError):
        store.compare(a, "nope")


def test_helpers():
    import numpy as np

    assert flatten_metrics({"a": 1, "b": {"c": 2, "d": {"e": 3}}}) == {"a": 1, "b.c": 2, "b.d.e": 3}
    assert json_ready({"x": np.float64(1.5), 2: np.array([1, 2]), "n": math.inf}) == {
        "x": 1.5,
        "2": [1, 2],
        "n": None,
    }


def test_openbmd_home_moves_the_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("OPENBMD_HOME", str(tmp_path / "home"))
    assert default_store_path() == tmp_path / "home" / "runs.duckdb"
    store = RunStore()
    assert store.path == tmp_path / "home" / "runs.duckdb"
    rid = store.start_run("s", YAML, 1, "0.1.0", None)
    assert (tmp_path / "home" / "runs.duckdb").is_file()
    assert RunStore(tmp_path / "home" / "runs.duckdb").get_run(rid).run_id == rid


def test_bad_store_paths(tmp_path: Path):
    with pytest.raises(OpenBMDError, match="no run store at"):
        RunStore(tmp_path / "absent.duckdb", create=False)
    assert not (tmp_path / "absent.duckdb").exists()
    with pytest.raises(OpenBMDError, match="is a folder"):
        RunStore(tmp_path)
    junk = tmp_path / "junk.duckdb"
    junk.write_bytes(b"this is not a database" * 100)
    with pytest.raises(OpenBMDError, match="cannot open run store"):
        RunStore(junk)
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(OpenBMDError, match="cannot create run store folder"):
        RunStore(blocker / "runs.duckdb")


def test_live_run_of_this_process_stays_running(store: RunStore):
    rid = store.start_run("s", YAML, 1, "0.1.0", None)
    assert store.mark_interrupted() == []
    assert RunStore(store.path).get_run(rid).status == "running"


def test_reused_pid_counts_as_dead(store: RunStore):
    """A row whose PID now belongs to another process (start time differs) is stale."""
    import duckdb

    rid = store.start_run("s", YAML, 1, "0.1.0", None)
    if not Path("/proc/self/stat").exists():
        pytest.skip("process start times need /proc")
    con = duckdb.connect(str(store.path))
    con.execute("UPDATE runs SET owner_token = 'other-boot:1' WHERE run_id = ?", [rid])
    con.close()
    assert store.mark_interrupted() == [rid]
    assert store.get_run(rid).status == "interrupted"


def _python(code: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(code)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _kill(proc: subprocess.Popen[str]) -> None:
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=10)
    assert proc.returncode == -signal.SIGKILL


@pytest.mark.skipif(sys.platform == "win32", reason="kill -9")
def test_killed_run_becomes_interrupted_never_complete(tmp_path: Path):
    path = tmp_path / "runs.duckdb"
    done = RunStore(path).start_run("before", YAML, 1, "0.1.0", None)
    RunStore(path).finish_run(done, {"leakers": 0}, {})
    proc = _python(
        f"""
        import sys, time
        from openbmd.io.runstore import RunStore
        rid = RunStore({str(path)!r}).start_run("doomed", "name: doomed\\n", 3, "0.1.0", None)
        print(rid, flush=True)
        time.sleep(120)
        """
    )
    try:
        rid = proc.stdout.readline().strip()  # type: ignore[union-attr]
        assert rid, proc.stderr.read()  # type: ignore[union-attr]
        # while the process lives, its run is running (and the file is not held)
        assert RunStore(path).get_run(rid).status == "running"
    finally:
        _kill(proc)
    store = RunStore(path)
    run = store.get_run(rid)
    assert run.status == "interrupted"
    assert f"process {proc.pid}" in (run.error or "")
    assert run.finished_at is not None
    statuses = {r.run_id: r.status for r in store.list_runs()}
    assert statuses == {done: "complete", rid: "interrupted"}
    with pytest.raises(OpenBMDError, match="interrupted, not running"):
        store.finish_run(rid, {}, {})


@pytest.mark.skipif(sys.platform == "win32", reason="kill -9")
def test_kill_inside_a_transaction_leaves_store_consistent(tmp_path: Path):
    """kill -9 while a process holds the file in an open transaction: nothing half-done,
    the lock goes with the process, and a waiting process gets a clear error meanwhile."""
    path = tmp_path / "runs.duckdb"
    store = RunStore(path)
    kept = store.start_run("kept", YAML, 1, "0.1.0", None)
    store.finish_run(kept, {"leakers": 0}, {})
    proc = _python(
        f"""
        import time
        from openbmd.io.runstore import RunStore, _transaction
        store = RunStore({str(path)!r})
        with store._connect() as con, _transaction(con):
            con.execute("UPDATE runs SET status = 'failed', error = 'half'")
            con.execute("DELETE FROM store_meta")
            print("inside", flush=True)
            time.sleep(120)
        """
    )
    try:
        assert proc.stdout.readline().strip() == "inside", proc.stderr.read()  # type: ignore[union-attr]
        with pytest.raises(OpenBMDError, match=r"is busy: another process holds it .*PID"):
            RunStore(path, timeout_s=0.3)
    finally:
        _kill(proc)
    store = RunStore(path, timeout_s=5.0)
    run = store.get_run(kept)
    assert run.status == "complete" and run.error is None
    assert run.summary == {"leakers": 0}
    new = store.start_run("after", YAML, 2, "0.1.0", None)
    assert store.get_run(new).status == "running"
