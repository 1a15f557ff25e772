"""A run whose scenario lists ``footprint`` shows its footprint through the dashboard API."""

from __future__ import annotations

import time
import warnings

import pytest

from openbmd.scenario import builtin_text
from openbmd.web.app import create_app
from openbmd.web.settings import WebSettings

with warnings.catch_warnings():  # starlette's test client says it will move to httpx2
    warnings.simplefilter("ignore", UserWarning)
    from starlette.testclient import TestClient


@pytest.fixture()
def client(tmp_path):
    settings = WebSettings(out_root=tmp_path / "runs", store_path=tmp_path / "runs.duckdb",
                           upload_dir=tmp_path / "uploads", web_home=tmp_path / "web")  # fmt: skip
    app = create_app(settings)
    with TestClient(app, base_url="http://127.0.0.1:8000", client=("127.0.0.1", 50000)) as c:
        yield c


def test_run_with_a_footprint_output_serves_its_map_and_grid(client):
    text = builtin_text("teaching").replace("name: teaching ", "name: teaching-fp ", 1)
    text = text.replace("outputs: [summary, events, trajectories, report]",
                        "outputs: [summary, events, trajectories, report, footprint]")  # fmt: skip
    assert client.post("/api/scenarios", json={"yaml": text}).status_code == 201
    run_id = client.post("/api/runs", json={"scenario": "teaching-fp"}).json()["run_id"]
    deadline = time.monotonic() + 240
    while (state := client.get(f"/api/runs/{run_id}").json())["status"] not in ("done", "failed"):
        assert time.monotonic() < deadline, state
        time.sleep(0.5)
    assert state["status"] == "done", state
    info = client.get(f"/api/runs/{run_id}/footprint").json()
    assert info["png"] == "footprint.png" and info["netcdf"] == "footprint.nc"
    assert {"lat", "lon"} <= set(info["grid"]["dims"])
    assert "engageable" in info["grid"]["variables"]
    png = client.get(f"/api/runs/{run_id}/files/footprint.png")
    assert png.status_code == 200 and png.content[:4] == b"\x89PNG"
    assert state["summary"]["footprint"]["defended_area_km2"] > 1000.0


def test_run_without_one_answers_404(client):
    run_id = client.post("/api/runs", json={"scenario": "teaching"}).json()["run_id"]
    deadline = time.monotonic() + 240
    while client.get(f"/api/runs/{run_id}").json()["status"] not in ("done", "failed"):
        assert time.monotonic() < deadline
        time.sleep(0.5)
    missing = client.get(f"/api/runs/{run_id}/footprint")
    assert missing.status_code == 404 and "no footprint" in missing.json()["detail"]
