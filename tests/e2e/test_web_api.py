"""The dashboard's JSON API: scenario library, validation, uploads, and one run of
``teaching`` end to end through a real ``openbmd serve`` (uvicorn) on a loopback port."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import warnings

import httpx
import numpy as np
import pytest

from openbmd import __version__
from openbmd._home import numba_cache_dir
from openbmd.report.run_job import RUN_STEPS
from openbmd.scenario import builtin_names, builtin_text
from openbmd.web.app import create_app
from openbmd.web.settings import WebSettings

with warnings.catch_warnings():  # starlette's test client says it will move to httpx2
    warnings.simplefilter("ignore", UserWarning)
    from starlette.testclient import TestClient


@pytest.fixture(scope="module")
def settings(tmp_path_factory):
    base = tmp_path_factory.mktemp("web")
    return WebSettings(out_root=base / "runs", store_path=base / "runs.duckdb",
                       upload_dir=base / "uploads", web_home=base / "web")  # fmt: skip


@pytest.fixture(scope="module")
def client(settings):
    app = create_app(settings)
    with TestClient(app, base_url="http://127.0.0.1:8000", client=("127.0.0.1", 50000)) as c:
        yield c


def teaching_as(name: str) -> str:
    text = builtin_text("teaching")
    return text.replace("name: teaching ", f"name: {name} ", 1)


def test_health_and_openapi(client):
    health = client.get("/api/health")
    assert health.status_code == 200
    assert health.json() == {"status": "ok", "version": __version__, "cesium": False}
    spec = client.get("/api/openapi.json").json()
    for path in ("/api/health", "/api/scenarios", "/api/scenarios/{name}",
                 "/api/scenarios/validate", "/api/runs", "/api/runs/{run_id}",
                 "/api/runs/{run_id}/progress", "/api/runs/{run_id}/files",
                 "/api/runs/{run_id}/files/{name}", "/api/runs/{run_id}/charts",
                 "/api/runs/{run_id}/footprint"):  # fmt: skip
        assert path in spec["paths"], path
    upload = spec["paths"]["/api/scenarios"]["post"]["requestBody"]["content"]
    assert {"multipart/form-data", "application/json"} <= set(upload)
    assert client.get("/docs").status_code == 404, "no Swagger page (it would use a CDN)"


def test_library_lists_the_builtins(client):
    rows = client.get("/api/scenarios").json()
    builtin = [r for r in rows if r["origin"] == "builtin"]
    assert [r["name"] for r in builtin] == builtin_names()
    assert all(r["description"] for r in builtin)
    one = client.get("/api/scenarios/teaching").json()
    assert one == {"name": "teaching", "origin": "builtin", "yaml": builtin_text("teaching")}
    missing = client.get("/api/scenarios/no-such")
    assert missing.status_code == 404 and "no-such" in missing.json()["detail"]


def test_validation_points_at_the_offending_line(client):
    text = builtin_text("teaching")
    lines = text.splitlines()
    row = next(i for i, t in enumerate(lines) if t.strip().startswith("time_step_s:"))
    bad = text.replace("time_step_s: 1.0", "time_step_s: -1.0", 1)
    got = client.post("/api/scenarios/validate", json={"yaml": bad}).json()
    assert got["valid"] is False
    (err,) = got["errors"]
    assert err["line"] == row + 1, "the line of time_step_s in the text"
    assert err["field"] == "simulation.time_step_s"
    assert "(0, 60]" in err["message"] and "-1.0" in err["message"]

    malformed = client.post("/api/scenarios/validate", json={"yaml": "name: x\nthreats: [\n"})
    (err,) = malformed.json()["errors"]
    assert err["line"] == 3 and err["column"] == 1 and "malformed YAML" in err["message"]

    twice = client.post("/api/scenarios/validate", json={"yaml": "name: a\nseed: 1\nname: b\n"})
    (err,) = twice.json()["errors"]
    assert err["line"] == 3 and "duplicate key 'name'" in err["message"]

    good = client.post("/api/scenarios/validate", json={"yaml": text}).json()
    assert good == {"valid": True, "name": "teaching", "errors": []}


def test_uploads_are_validated_and_stored_as_sent(client, settings):
    text = teaching_as("my-teaching")
    made = client.post("/api/scenarios", json={"yaml": text})
    assert made.status_code == 201, made.text
    assert made.json() == {"name": "my-teaching", "origin": "uploaded"}
    assert (settings.upload_dir / "my-teaching.yaml").read_text() == text, "kept as sent"

    other = teaching_as("other_one")
    files = {"file": ("other.yaml", other.encode(), "application/yaml")}
    assert client.post("/api/scenarios", files=files).status_code == 201
    rows = {r["name"]: r for r in client.get("/api/scenarios").json()}
    assert rows["my-teaching"]["origin"] == rows["other_one"]["origin"] == "uploaded"
    assert rows["my-teaching"]["description"] == rows["teaching"]["description"]
    assert client.get("/api/scenarios/other_one").json()["yaml"] == other

    before = sorted(p.name for p in settings.upload_dir.iterdir())
    clash = client.post("/api/scenarios", json={"yaml": builtin_text("teaching")})
    assert clash.status_code == 409 and "built-in" in clash.json()["detail"]
    invalid = client.post("/api/scenarios", json={"yaml": text.replace("seed: 1 ", "seed: -5 ")})
    assert invalid.status_code == 422
    body = invalid.json()
    assert body["errors"][0]["field"] == "seed" and "line" in body["detail"]
    spaced = client.post("/api/scenarios", json={"yaml": teaching_as("my teaching")})
    assert spaced.status_code == 422
    name_row = next(i for i, t in enumerate(text.splitlines()) if t.startswith("name:"))
    assert spaced.json()["errors"][0]["line"] == name_row + 1
    assert sorted(p.name for p in settings.upload_dir.iterdir()) == before, "nothing written"


def test_run_history_limits(client):
    assert client.get("/api/runs?limit=5").json() == []
    for bad in ("0", "1001", "x"):
        reply = client.get(f"/api/runs?limit={bad}")
        assert reply.status_code == 422 and "limit" in reply.json()["detail"]


# -- a real server ----------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """``openbmd serve`` on a free loopback port, with its own home, store and folders."""
    base = tmp_path_factory.mktemp("served")
    port = _free_port()
    env = {**os.environ, "OPENBMD_HOME": str(base / "home"),
           "NUMBA_CACHE_DIR": str(numba_cache_dir())}  # fmt: skip
    command = [sys.executable, "-m", "openbmd", "serve", "--port", str(port),
               "--store", str(base / "runs.duckdb"), "--out-root", str(base / "runs")]  # fmt: skip
    log = (base / "server.log").open("w")
    proc = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/api/health", timeout=1).status_code == 200:
                break
        except httpx.TransportError:
            time.sleep(0.2)
        assert proc.poll() is None, (base / "server.log").read_text()
    yield url, base
    proc.terminate()
    proc.wait(timeout=30)
    log.close()


def _events(lines) -> list[tuple[str, dict]]:
    events, name = [], None
    for line in lines:
        if line.startswith("event: "):
            name = line[7:]
        elif line.startswith("data: ") and name is not None:
            events.append((name, json.loads(line[6:])))
            if name in ("done", "failed"):
                break
    return events


def test_teaching_end_to_end_on_a_real_server(server):
    url, base = server
    with httpx.Client(base_url=url, timeout=120) as http:
        started = http.post("/api/runs", json={"scenario": "teaching"})
        assert started.status_code == 202, started.text
        run_id = started.json()["run_id"]
        with http.stream("GET", f"/api/runs/{run_id}/progress") as stream:
            assert stream.headers["content-type"].startswith("text/event-stream")
            events = _events(stream.iter_lines())
        stages = [d for n, d in events if n == "stage"]
        assert events[-1][0] == "done", events
        assert [s["stage"] for s in stages] == list(RUN_STEPS)[-len(stages) :]
        assert all(s["total"] == len(RUN_STEPS) for s in stages) and stages, events
        summary = events[-1][1]["summary"]
        assert summary["run_id"] == run_id and summary["missiles"] == 1
        assert summary["kills"] + summary["leakers"] == 1

        state = http.get(f"/api/runs/{run_id}").json()
        assert state["status"] == "done" and state["store_status"] == "complete"
        history = http.get("/api/runs?limit=5").json()
        assert [r["run_id"] for r in history] == [run_id]
        assert (base / "runs" / run_id / "summary.json").is_file()

        files = {f["name"]: f for f in http.get(f"/api/runs/{run_id}/files").json()}
        assert {"scene.czml", "report.html", "events.parquet"} <= set(files)
        czml = http.get(f"/api/runs/{run_id}/files/scene.czml")
        assert czml.headers["content-type"].startswith("application/json")
        assert int(czml.headers["content-length"]) == files["scene.czml"]["size"]
        packets = json.loads(czml.content)
        ids = {p["id"] for p in packets}
        charts = http.get(f"/api/runs/{run_id}/charts").json()
        objects = {t["object_id"] for t in charts["trajectories"]}
        assert {"T1-RV", "T1-RB"} <= objects
        assert {f"object/{o}" for o in objects} <= ids, "every object of the run in the scene"
        report = http.get(f"/api/runs/{run_id}/files/report.html")
        assert run_id in report.text and "sandbox" in report.headers["content-security-policy"]
        assert http.get(f"/api/runs/{run_id}/footprint").status_code == 404
    _check_charts(charts)


def _check_charts(charts: dict) -> None:
    """Intercepts lie on the re-entry vehicle's path, at the interceptor's last point."""
    paths = {t["object_id"]: t for t in charts["trajectories"]}
    rv = paths["T1-RV"]
    assert rv["downrange_km"][0] == 0.0 and rv["alt_km"][0] == pytest.approx(0.0, abs=0.01)
    assert 200 < max(rv["downrange_km"]) < 300, "teaching: a ~250 km shot"
    assert charts["intercepts"], "teaching ends with intercepts"
    kinds = [e["kind"] for e in charts["timeline"]]
    assert kinds.count("intercept") == len(charts["intercepts"])
    for hit in charts["intercepts"]:
        t = np.array(rv["time_s"], dtype=float)
        down = np.interp(hit["time_s"], t, np.array(rv["downrange_km"], dtype=float))
        alt = np.interp(hit["time_s"], t, np.array(rv["alt_km"], dtype=float))
        assert hit["downrange_km"] == pytest.approx(down, abs=1.0), "on the RV's ground track"
        assert hit["alt_km"] == pytest.approx(alt, abs=1.0), "at the RV's altitude"
        shooter = paths[hit["interceptor_id"]]
        assert shooter["downrange_km"][-1] == pytest.approx(hit["downrange_km"], abs=5.0)
        assert shooter["alt_km"][-1] == pytest.approx(hit["alt_km"], abs=5.0)
