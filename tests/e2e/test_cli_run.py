"""``openbmd run``: the main job end to end, its run folder, the run store, bad input."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def run(*args: str, timeout: float = 600) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "openbmd", *args], capture_output=True,
                          text=True, timeout=timeout, env={**os.environ})  # fmt: skip


def stored(db: Path) -> list[dict]:
    proc = run("runs", "list", "--store", str(db), "--json")
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    return data if isinstance(data, list) else data.get("runs", [])


@pytest.fixture(scope="module")
def teaching_run(tmp_path_factory):
    base = tmp_path_factory.mktemp("run")
    out, db = base / "teaching", base / "runs.duckdb"
    proc = run("run", "teaching", "--out", str(out), "--store", str(db), "--json")
    return proc, out, db


def test_run_writes_the_whole_folder(teaching_run):
    proc, out, _ = teaching_run
    assert proc.returncode == 0, proc.stderr[-3000:]
    summary = json.loads(proc.stdout)
    for key in ("missiles", "detections", "firm_tracks_rv", "interceptors_fired", "kills",
                "leakers", "stage_seconds", "run_id", "report"):  # fmt: skip
        assert key in summary, key
    assert summary["missiles"] == 1
    assert summary["kills"] + summary["leakers"] == summary["missiles"]
    for name in ("summary.json", "events.parquet", "trajectories.parquet", "sites.parquet",
                 "report.html", "scene.czml", "scene.kml", "map.png", "altitude.png",
                 "timeline.png"):  # fmt: skip
        assert (out / name).stat().st_size > 0, name
    html = (out / "report.html").read_text()
    assert "teaching" in html and summary["run_id"] in html
    czml = json.loads((out / "scene.czml").read_text())
    ids = {p["id"] for p in czml}
    assert any(i.startswith("coverage/") for i in ids), "radar coverage outline in the scene"


def test_run_is_recorded_complete(teaching_run):
    proc, _, db = teaching_run
    assert proc.returncode == 0
    run_id = json.loads(proc.stdout)["run_id"]
    rows = stored(db)
    mine = [r for r in rows if r["run_id"] == run_id]
    assert mine and mine[0]["status"] == "complete"


def test_event_log_is_time_ordered_and_tells_the_story(teaching_run):
    import pyarrow.parquet as pq

    _, out, _ = teaching_run
    events = pq.read_table(out / "events.parquet").to_pydict()
    times = events["time_s"]
    assert times == sorted(times)
    kinds = set(events["kind"])
    assert {"launch", "detection", "firm-track", "launch-decision", "interceptor-launch",
            "intercept", "kill-assessment"} <= kinds  # fmt: skip
    launch = events["time_s"][events["kind"].index("launch")]
    firm = events["time_s"][events["kind"].index("firm-track")]
    shot = events["time_s"][events["kind"].index("interceptor-launch")]
    assert launch < firm < shot, "a shot needs a firm track first"


def test_same_seed_same_outcome():
    import numpy as np

    from openbmd.pipeline.run import run_scenario

    a = run_scenario("teaching")
    b = run_scenario("teaching")
    sa = {k: v for k, v in a.summary.items() if k != "stage_seconds"}
    sb = {k: v for k, v in b.summary.items() if k != "stage_seconds"}
    assert sa == sb
    for col in a.events:
        x, y = np.asarray(a.events[col]), np.asarray(b.events[col])
        same = np.array_equal(x, y, equal_nan=True) if x.dtype.kind == "f" else (x == y).all()
        assert same, col
    c = run_scenario("teaching", seed=12345)
    assert c.summary["seed"] == a.summary["seed"]  # the scenario's own seed is reported
    assert c.summary["detections"] != a.summary["detections"] or c.summary != a.summary


def test_missing_scenario_file(tmp_path):
    db = tmp_path / "runs.duckdb"
    proc = run("run", str(tmp_path / "nope.yaml"), "--store", str(db))
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert not db.exists() or stored(db) == []


def test_malformed_yaml(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: x\nthreats: [\n")
    proc = run("run", str(bad), "--store", str(tmp_path / "runs.duckdb"))
    assert proc.returncode == 2
    assert "bad.yaml" in proc.stderr and "Traceback" not in proc.stderr


def test_unwritable_out_writes_nothing(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    db = tmp_path / "runs.duckdb"
    proc = run("run", "teaching", "--out", str(blocker / "run"), "--store", str(db))
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr
    assert blocker.read_text() == "x"
    assert not db.exists() or stored(db) == []


def test_threats_that_cannot_reach_fail_cleanly(tmp_path):
    scenario = (ROOT / "src/openbmd/scenario/builtin/teaching.yaml").read_text()
    from openbmd.scenario import load_scenario

    model = load_scenario("teaching").model_dump(by_alias=True, mode="json")
    model["threats"][0]["aim"] = {"lat_deg": 10.0, "lon_deg": -150.0}  # far beyond reach
    import yaml

    path = tmp_path / "far.yaml"
    path.write_text(yaml.safe_dump(model))
    db, out = tmp_path / "runs.duckdb", tmp_path / "far-run"
    proc = run("run", str(path), "--out", str(out), "--store", str(db))
    assert proc.returncode == 2, proc.stderr
    assert "reach" in proc.stderr and "Traceback" not in proc.stderr
    assert not out.exists()
    assert all(r["status"] != "complete" for r in stored(db))
    assert scenario  # the built-in file is where the docs say


@pytest.mark.slow
def test_killed_run_is_interrupted_never_complete(tmp_path):
    db, out = tmp_path / "runs.duckdb", tmp_path / "killed"
    proc = subprocess.Popen([sys.executable, "-m", "openbmd", "run", "japan-2018", "--out",
                             str(out), "--store", str(db)], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)  # fmt: skip
    deadline = time.time() + 120
    while time.time() < deadline:  # wait until the run is recorded as running
        time.sleep(1.0)
        if db.exists():
            try:
                if any(r["status"] == "running" for r in stored(db)):
                    break
            except (AssertionError, json.JSONDecodeError):
                continue
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    rows = stored(db)
    assert rows, "the run was recorded before it was killed"
    assert all(r["status"] in ("interrupted", "failed") for r in rows), rows
    assert not out.exists(), "no half-written run folder"


def test_same_seed_same_summary_json_and_event_table(tmp_path):
    """Issue requirement: identical summary.json and event table for the same seed."""
    import pyarrow.parquet as pq

    outs = []
    for k in range(2):
        out = tmp_path / f"r{k}"
        proc = run("run", "teaching", "--out", str(out), "--no-store", "--json")
        assert proc.returncode == 0, proc.stderr[-2000:]
        outs.append(out)
    assert (outs[0] / "summary.json").read_bytes() == (outs[1] / "summary.json").read_bytes()
    import numpy as np

    a = pq.read_table(outs[0] / "events.parquet")
    b = pq.read_table(outs[1] / "events.parquet")
    assert a.schema.equals(b.schema, check_metadata=False)  # metadata holds the run id
    for name in a.column_names:
        x, y = a[name].to_numpy(zero_copy_only=False), b[name].to_numpy(zero_copy_only=False)
        same = np.array_equal(x, y, equal_nan=True) if x.dtype.kind == "f" else (x == y).all()
        assert same, name


def test_coverage_outline_encloses_the_covered_area():
    """The traced outline encloses the area the coverage map sums cell by cell."""
    import numpy as np

    from openbmd.geodesy import geodesic_inverse
    from openbmd.pipeline import assemble
    from openbmd.scenario import load_scenario, resolve_scenario
    from openbmd.sensors.coverage import coverage_map

    resolved = resolve_scenario(load_scenario("teaching"))
    outlines = assemble._coverage_outlines(resolved)
    ((radar_id, (lon, lat)),) = outlines.items()
    radar = resolved.radars[radar_id]
    d, _, _ = geodesic_inverse(
        np.full(lon.size, radar.lat_deg), np.full(lon.size, radar.lon_deg), lat, lon
    )
    slant = min(
        radar.detection_range_m(assemble.REFERENCE_RCS_M2, pd=assemble.REFERENCE_PD),
        radar.max_range_m,
    )
    assert np.all(np.asarray(d) < slant), "nothing beyond the detection range"
    # shoelace area of the outline on a local equirectangular plane (km^2)
    r_km = 6371.0
    x = np.radians(lon - radar.lon_deg) * r_km * np.cos(np.radians(radar.lat_deg))
    y = np.radians(lat - radar.lat_deg) * r_km
    area = 0.5 * abs(np.dot(x, np.roll(y, -1)) - np.dot(y, np.roll(x, -1)))
    reach = 1.1 * min(slant, 4.0e6)
    ds = coverage_map(radar, assemble.REFERENCE_RCS_M2, assemble.REFERENCE_ALT_M,
                      pd=assemble.REFERENCE_PD, resolution_m=2 * reach / 241,
                      half_width_m=reach)  # fmt: skip
    assert area == pytest.approx(ds.attrs["covered_area_km2"], rel=0.05)
