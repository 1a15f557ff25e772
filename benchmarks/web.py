"""The dashboard under a bounded loopback load: ``openbmd serve`` in a subprocess.

The server runs with a temporary ``OPENBMD_HOME``, run store and out root on a free
loopback port (the compiled-kernel cache is kept, so runs start warm). One ``teaching``
run through the API first loads the kernels and gives the read endpoints a run to show.
Then, with an async httpx client:

- **baseline**: ``/api/health`` alone, the same number of requests and concurrency;
- **load**: ``--requests`` reads (default 2,000) at ``--concurrency`` (default 20), round
  robin over the read endpoints (health, library, a scenario's text, history, a run's
  state, files, charts, a file download), while ``--submissions`` (default 10) runs of
  ``teaching`` are submitted at once: the queue takes one running plus
  ``max_queued_runs`` (4) waiting, the rest get 429. The accepted runs are then waited
  for.

Figures: ``errors_5xx`` (must be 0), ``requests_per_s`` and ``p50/p99_latency_ms`` of the
read load, ``health_requests_per_s`` (baseline) and ``read_load_vs_health`` (the ratio of
throughputs), ``status_counts``, the submissions (``accepted``, ``rejected_429``,
``runs_done``, ``queue_drain_s``) and ``server_memory_mb_before`` / ``_after_load`` /
``_after`` (resident memory of the server process: before the load, after it, and once
the queue is empty).

Usage: ``python benchmarks/web.py --json [--requests 2000] [--concurrency 20]``
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import psutil

from openbmd._home import numba_cache_dir


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _start_server(base: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = _free_port()
    env = {**os.environ, "OPENBMD_HOME": str(base / "home"),
           "NUMBA_CACHE_DIR": str(numba_cache_dir())}  # fmt: skip
    command = [sys.executable, "-m", "openbmd", "serve", "--port", str(port),
               "--store", str(base / "runs.duckdb"), "--out-root", str(base / "runs")]  # fmt: skip
    log = (base / "server.log").open("wb")
    proc = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"server ended: {(base / 'server.log').read_text()[-2000:]}")
        try:
            if httpx.get(f"{url}/api/health", timeout=1).status_code == 200:
                return proc, url
        except httpx.TransportError:
            time.sleep(0.2)
    proc.kill()
    raise SystemExit("server did not start in 90 s")


async def _wait_done(client: httpx.AsyncClient, run_ids: list[str], timeout_s: float) -> dict:
    states: dict[str, str] = {}
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        for run_id in run_ids:
            if states.get(run_id) not in ("done", "failed"):
                states[run_id] = (await client.get(f"/api/runs/{run_id}")).json()["status"]
        if all(s in ("done", "failed") for s in states.values()):
            break
        await asyncio.sleep(0.5)
    return states


async def _load(
    client: httpx.AsyncClient, urls: list[str], total: int, concurrency: int
) -> tuple[float, list[float], dict[int, int]]:
    """Seconds, latencies (ms) and status counts of ``total`` GETs over ``urls``."""
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    counter = iter(range(total))

    async def worker() -> None:
        for k in counter:
            t0 = time.perf_counter()
            try:
                status = (await client.get(urls[k % len(urls)])).status_code
            except httpx.HTTPError:
                status = 0  # a dropped connection counts as an error
            latencies.append((time.perf_counter() - t0) * 1e3)
            statuses[status] = statuses.get(status, 0) + 1

    t0 = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return time.perf_counter() - t0, latencies, statuses


async def _submit(client: httpx.AsyncClient, count: int) -> list[httpx.Response]:
    body = {"scenario": "teaching"}
    return list(await asyncio.gather(*(client.post("/api/runs", json=body) for _ in range(count))))


async def _measure(url: str, server: psutil.Process, args: argparse.Namespace) -> dict[str, Any]:
    limits = httpx.Limits(max_connections=args.concurrency + args.submissions + 2)
    async with httpx.AsyncClient(base_url=url, timeout=120, limits=limits) as client:
        first = (await client.post("/api/runs", json={"scenario": "teaching"})).json()["run_id"]
        await _wait_done(client, [first], 300)
        memory_before = server.memory_info().rss / 2**20
        base_s, _, base_status = await _load(
            client, ["/api/health"], args.requests, args.concurrency
        )
        run = f"/api/runs/{first}"
        urls = ["/api/health", "/api/scenarios", "/api/scenarios/teaching", "/api/runs?limit=20",
                run, f"{run}/files", f"{run}/charts", f"{run}/files/summary.json"]  # fmt: skip
        submissions = asyncio.create_task(_submit(client, args.submissions))
        load_s, latencies, statuses = await _load(client, urls, args.requests, args.concurrency)
        replies = await submissions
        memory_after_load = server.memory_info().rss / 2**20
        accepted = [r.json()["run_id"] for r in replies if r.status_code == 202]
        t0 = time.perf_counter()
        states = await _wait_done(client, accepted, 600)
        drain_s = time.perf_counter() - t0
        memory_after = server.memory_info().rss / 2**20
    sub_status = [r.status_code for r in replies]
    all_status = list(statuses.items()) + list(base_status.items())
    lat = np.asarray(latencies)
    return {
        "requests": args.requests,
        "concurrency": args.concurrency,
        "errors_5xx": sum(n for s, n in all_status if s >= 500 or s == 0)
        + sum(s >= 500 for s in sub_status),
        "requests_per_s": round(args.requests / load_s, 1),
        "p50_latency_ms": round(float(np.percentile(lat, 50)), 2),
        "p99_latency_ms": round(float(np.percentile(lat, 99)), 2),
        "health_requests_per_s": round(args.requests / base_s, 1),
        "read_load_vs_health": round((args.requests / load_s) / (args.requests / base_s), 3),
        "status_counts": {str(k): v for k, v in sorted(statuses.items())},
        "submissions": args.submissions,
        "accepted": len(accepted),
        "rejected_429": sub_status.count(429),
        "runs_done": sum(s == "done" for s in states.values()),
        "runs_failed": sum(s == "failed" for s in states.values()),
        "queue_drain_s": round(drain_s, 2),
        "server_memory_mb_before": round(memory_before, 1),
        "server_memory_mb_after_load": round(memory_after_load, 1),
        "server_memory_mb_after": round(memory_after, 1),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--requests", type=int, default=2000)
    ap.add_argument("--concurrency", type=int, default=20)
    ap.add_argument("--submissions", type=int, default=10)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="openbmd-web-bench-") as tmp:
        proc, url = _start_server(Path(tmp))
        try:
            figures = asyncio.run(_measure(url, psutil.Process(proc.pid), args))
        finally:
            proc.terminate()
            proc.wait(timeout=60)
    figures["targets"] = {"errors_5xx": "0"}
    if args.json:
        print(json.dumps(figures, indent=2))
    else:
        for key, value in figures.items():
            print(f"{key:28s} {value}")


if __name__ == "__main__":
    main()
