"""``/api/runs``: start runs, follow their progress, read the history and the run folders.

A run's folder is found from its run-store record, never from the request; a file is
served only if it is a plain file (not a link, not hidden) listed in that folder, by a
name without any path in it.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Annotated, Any, Final, Literal

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi import Path as PathParam
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import FileResponse, StreamingResponse
from pydantic import BaseModel, ConfigDict, Field

from openbmd.errors import OpenBMDError
from openbmd.io.run_records import StoredRun, iso, json_ready
from openbmd.io.runstore import RunNotFoundError
from openbmd.web.api_scenarios import NAME_PATTERN, find_scenario, load_model
from openbmd.web.jobs import TERMINAL_EVENTS, Event, Job, JobQueue, ServerRunStore

__all__ = ["MEDIA_TYPES", "router"]

#: Media type of each file kind of a run folder (others: application/octet-stream).
MEDIA_TYPES: Final = {
    ".czml": "application/json",
    ".json": "application/json",
    ".kml": "application/vnd.google-earth.kml+xml",
    ".nc": "application/x-netcdf",
    ".parquet": "application/vnd.apache.parquet",
    ".html": "text/html; charset=utf-8",
    ".png": "image/png",
    ".yaml": "application/yaml",
}
_INLINE: Final = frozenset({".czml", ".json", ".html", ".png"})
#: Files are shown sandboxed: no script runs, nothing loads from elsewhere.
_FILE_CSP: Final = "default-src 'none'; img-src 'self' data:; style-src 'unsafe-inline'; sandbox"
_FILE_NAME: Final = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$")
_STATUS: Final = {"complete": "done", "failed": "failed", "interrupted": "failed"}
_KEEPALIVE_S: Final = 15.0
_POLL_S: Final = 2.0

router = APIRouter(prefix="/api/runs", tags=["runs"])

RunId = Annotated[str, PathParam(pattern=r"^[A-Za-z0-9_-]{1,64}$", description="Run id (exact).")]


class RunRequest(BaseModel):
    """A run to start."""

    model_config = ConfigDict(extra="forbid")
    scenario: str = Field(pattern=NAME_PATTERN, description="Built-in or uploaded name.")
    seed: int | None = Field(None, ge=0, le=2**63 - 1, description="Default: the scenario's.")


class RunAccepted(BaseModel):
    """A queued run."""

    run_id: str
    status: Literal["queued"] = "queued"


class RunState(BaseModel):
    """A run as the API shows it."""

    run_id: str
    scenario: str
    status: Literal["queued", "running", "done", "failed"]
    store_status: str | None = Field(None, description="running|complete|failed|interrupted")
    stage: str | None = None
    stage_index: int | None = None
    stages: int | None = None
    queue_position: int | None = None
    seed: int | None = None
    created: str | None = None
    started: str | None = None
    finished: str | None = None
    duration_s: float | None = None
    software_version: str | None = None
    error: str | None = None
    summary: dict[str, Any] | None = None


class RunFile(BaseModel):
    """A file of a run folder."""

    name: str
    size: int
    kind: str = Field(description="The file's extension without the dot: czml, png, ...")


def _store(request: Request) -> ServerRunStore:
    store: ServerRunStore = request.app.state.store
    return store


def _jobs(request: Request) -> JobQueue:
    jobs: JobQueue = request.app.state.jobs
    return jobs


def _stored_state(run: StoredRun) -> dict[str, Any]:
    return {
        "run_id": run.run_id,
        "scenario": run.scenario_name,
        "status": _STATUS.get(run.status, "running"),
        "store_status": run.status,
        "seed": run.seed,
        "created": iso(run.created_at),
        "started": iso(run.started_at),
        "finished": iso(run.finished_at),
        "duration_s": run.duration_s,
        "software_version": run.software_version,
        "error": run.error,
        "summary": json_ready(run.summary) or None,
    }


def _job_state(jobs: JobQueue, job: Job, base: dict[str, Any] | None = None) -> dict[str, Any]:
    state = dict(base or {})
    state.update(job.as_dict())
    state["queue_position"] = jobs.queue_position(job)
    if state.get("summary") is None and base is not None:
        state["summary"] = base.get("summary")
    return state


def _get_stored(request: Request, run_id: str) -> StoredRun:
    try:
        return _store(request).get_exact(run_id)
    except RunNotFoundError:
        raise HTTPException(404, f"no run {run_id!r}") from None


@router.post("", status_code=202, response_model=RunAccepted, summary="Start a run")
def start_run(request: Request, body: RunRequest) -> dict[str, Any]:
    """Queue a run of a built-in or uploaded scenario (429 when the queue is full)."""
    from openbmd.web.jobs import QueueFullError

    found = find_scenario(request.app.state.settings, body.scenario)
    if found is None:
        raise HTTPException(404, f"no scenario {body.scenario!r}")
    try:
        model = load_model(found[1])
    except OpenBMDError as exc:
        raise HTTPException(422, " ".join(str(exc).split())) from None
    try:
        job = _jobs(request).submit(model, body.scenario, body.seed)
    except QueueFullError as exc:
        raise HTTPException(429, str(exc), headers={"Retry-After": "10"}) from None
    return {"run_id": job.run_id, "status": "queued"}


@router.get("", response_model=list[RunState], summary="Run history")
def list_runs(
    request: Request,
    limit: Annotated[int, Query(ge=1, le=1000, description="Most recent runs to list.")] = 50,
) -> list[dict[str, Any]]:
    """Runs of the run store, most recent first; queued and running ones with their stage."""
    jobs = _jobs(request)
    out = []
    for run in _store(request).list_runs(limit):
        state = _stored_state(run)
        job = jobs.get(run.run_id)
        out.append(_job_state(jobs, job, state) if job is not None else state)
    return out


@router.get("/{run_id}", response_model=RunState, summary="One run")
def get_run(request: Request, run_id: RunId) -> dict[str, Any]:
    """Status, stage, error and summary of a run."""
    jobs = _jobs(request)
    job = jobs.get(run_id)
    state = _stored_state(_get_stored(request, run_id))
    return _job_state(jobs, job, state) if job is not None else state


def _sse(event: str, data: dict[str, Any]) -> str:
    return f"event: {event}\ndata: {json.dumps(json_ready(data), allow_nan=False)}\n\n"


def _stored_event(run: StoredRun) -> Event | None:
    if run.status == "complete":
        return "done", {"run_id": run.run_id, "summary": run.summary}
    if run.status in ("failed", "interrupted"):
        return "failed", {"run_id": run.run_id, "error": run.error or run.status}
    return None


async def _job_events(jobs: JobQueue, job: Job) -> AsyncIterator[str]:
    past, listener = jobs.subscribe(job, asyncio.get_running_loop())
    try:
        position = jobs.queue_position(job)
        if position is not None:
            yield _sse("queued", {"run_id": job.run_id, "position": position})
        for name, data in past:
            yield _sse(name, data)
            if name in TERMINAL_EVENTS:
                return
        while True:
            try:
                name, data = await asyncio.wait_for(listener.events.get(), _KEEPALIVE_S)
            except TimeoutError:
                yield ": keep-alive\n\n"
                continue
            yield _sse(name, data)
            if name in TERMINAL_EVENTS:
                return
    finally:
        jobs.unsubscribe(job, listener)


async def _stored_events(store: ServerRunStore, run: StoredRun) -> AsyncIterator[str]:
    """A run of another process: its end at once, or when the store records it."""
    waited = 0.0
    while True:
        event = _stored_event(run)
        if event is not None:
            yield _sse(*event)
            return
        await asyncio.sleep(_POLL_S)
        waited += _POLL_S
        if waited >= _KEEPALIVE_S:
            waited = 0.0
            yield ": keep-alive\n\n"
        run = await run_in_threadpool(store.get_exact, run.run_id)


@router.get(
    "/{run_id}/progress",
    summary="Progress events (server-sent events)",
    response_class=StreamingResponse,
    responses={200: {"content": {"text/event-stream": {}}, "description": "Event stream"}},
)
async def progress(request: Request, run_id: RunId) -> StreamingResponse:
    """``stage`` events ``{stage, index, total}`` (index 0-based), then ``done``
    ``{run_id, summary}`` or ``failed`` ``{run_id, error}``; a finished run sends its end
    at once. A queued run first gets ``queued`` ``{run_id, position}``."""
    jobs = _jobs(request)
    job = jobs.get(run_id)
    stream: AsyncIterator[str]
    if job is not None:
        stream = _job_events(jobs, job)
    else:
        try:
            run = await run_in_threadpool(_store(request).get_exact, run_id)
        except RunNotFoundError:
            raise HTTPException(404, f"no run {run_id!r}") from None
        stream = _stored_events(_store(request), run)
    headers = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}
    return StreamingResponse(stream, media_type="text/event-stream", headers=headers)


def _run_folder(request: Request, run_id: str) -> Path:
    """The run's folder, from its record (409 while it is not written yet)."""
    job = _jobs(request).get(run_id)
    if job is not None and job.status in ("queued", "running"):
        raise HTTPException(409, f"run {run_id} is {job.status}: its files are not written yet")
    run = _get_stored(request, run_id)
    folder = run.out_dir or run.summary.get("run_folder")
    if not folder and run.outputs.get("summary"):
        folder = str(Path(run.outputs["summary"]).parent)
    if not folder or not Path(folder).is_dir():
        raise HTTPException(404, f"run {run_id} ({run.status}) has no run folder")
    return Path(folder)


def _plain_files(folder: Path) -> dict[str, os.DirEntry[str]]:
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return {}
    return {
        e.name: e for e in entries if _FILE_NAME.match(e.name) and e.is_file(follow_symlinks=False)
    }


@router.get("/{run_id}/files", response_model=list[RunFile], summary="Files of a run")
def list_files(request: Request, run_id: RunId) -> list[dict[str, Any]]:
    """The plain files of the run's folder, sorted by name."""
    files = _plain_files(_run_folder(request, run_id))
    return [
        {
            "name": name,
            "size": entry.stat(follow_symlinks=False).st_size,
            "kind": Path(name).suffix.lstrip(".").lower(),
        }
        for name, entry in sorted(files.items())
    ]


def _checked_name(name: str) -> str:
    if (
        not name
        or any(c in name for c in "/\\\x00")
        or name.startswith(".")
        or os.path.isabs(name)
        or not _FILE_NAME.match(name)
    ):
        raise HTTPException(
            400, "a file name must be a plain name of the run folder (no path, no '..')"
        )
    return name


@router.get(
    "/{run_id}/files/{name}",
    summary="Download a file of a run",
    response_class=FileResponse,
    responses={200: {"content": {"application/octet-stream": {}}}},
)
def get_file(request: Request, run_id: RunId, name: str) -> FileResponse:
    """One plain file of the run's own folder (400 for a name with a path, 404 if absent)."""
    _checked_name(name)
    folder = _run_folder(request, run_id)
    entry = _plain_files(folder).get(name)
    if entry is None:
        raise HTTPException(404, f"run {run_id} has no file {name!r}")
    path = Path(entry.path)
    if path.resolve().parent != folder.resolve():
        raise HTTPException(404, f"run {run_id} has no file {name!r}")
    suffix = path.suffix.lower()
    return FileResponse(
        path,
        media_type=MEDIA_TYPES.get(suffix, "application/octet-stream"),
        filename=name,
        content_disposition_type="inline" if suffix in _INLINE else "attachment",
        headers={"Content-Security-Policy": _FILE_CSP},
    )


@router.get("/{run_id}/charts", summary="Chart data of a run")
def charts(request: Request, run_id: RunId) -> dict[str, Any]:
    """Paths (downrange, altitude, time), the event timeline and the intercepts."""
    from openbmd.web.charts import chart_data

    folder = _run_folder(request, run_id)
    try:
        return chart_data(folder)
    except OpenBMDError as exc:
        raise HTTPException(404, f"run {run_id}: {exc}") from None


@router.get("/{run_id}/footprint", summary="Defended footprint files of a run")
def footprint(request: Request, run_id: RunId) -> dict[str, Any]:
    """The footprint map (PNG) and grid (NetCDF) of a run folder, with the grid's
    dimensions, variables and attributes; 404 when the run has none."""
    folder = _run_folder(request, run_id)
    files = _plain_files(folder)
    png = sorted(n for n in files if n.startswith("footprint") and n.endswith(".png"))
    grids = sorted(n for n in files if n.startswith("footprint") and n.endswith(".nc"))
    if not png and not grids:
        raise HTTPException(404, f"run {run_id} has no footprint")
    info = _netcdf_info(folder / grids[0]) if grids else None
    return {"png": png[0] if png else None, "netcdf": grids[0] if grids else None, "grid": info}


def _netcdf_info(path: Path) -> dict[str, Any] | None:
    try:
        import xarray as xr

        with xr.open_dataset(path, engine="h5netcdf") as ds:
            return {
                "dims": {str(k): int(v) for k, v in ds.sizes.items()},
                "variables": {
                    str(k): {
                        "dims": [str(d) for d in v.dims],
                        "units": str(v.attrs.get("units", "")),
                        "long_name": str(v.attrs.get("long_name", "")),
                    }
                    for k, v in ds.data_vars.items()
                },
                "attrs": json_ready({str(k): _attr(v) for k, v in ds.attrs.items()}),
            }
    except Exception:  # a grid the reader cannot open: list the files, skip the details
        return None


def _attr(value: Any) -> Any:
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return value.tolist() if hasattr(value, "tolist") else value
