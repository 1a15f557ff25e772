"""The dashboard's run queue: one worker thread, a bounded queue, progress broadcasting.

A submitted run is recorded in the run store at once (so its id exists and a server that
dies leaves it ``interrupted``, never ``running``), queued, and run by a single worker
thread through :func:`openbmd.report.run_job.run_and_record`, the function behind
``openbmd run``. The pipeline's compiled kernels bring their own threads; one run at a
time keeps the machine responsive. At most ``max_queued_runs`` runs wait behind the
running one; more submissions raise :class:`QueueFullError` (HTTP 429).

Progress events (``stage``, then ``done`` or ``failed``) go to any number of listeners,
each an :class:`asyncio.Queue` fed thread-safely on its own event loop.

Test hook: :attr:`JobQueue.run_function` is the function the worker calls, with the
keywords of :func:`~openbmd.report.run_job.run_and_record` (``seed``, ``out_root``,
``store``, ``progress``, ``run_id``); a replacement must finish or fail the record of
``run_id`` (the worker marks a record it left ``running`` as failed).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import queue
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Final

from openbmd.errors import OpenBMDError
from openbmd.io.run_records import json_ready
from openbmd.io.runstore import RunNotFoundError, RunStore, StoredRun
from openbmd.report.run_job import RUN_STEPS, RunCancelledError, record_start, run_and_record

if TYPE_CHECKING:
    from openbmd.scenario import Scenario
    from openbmd.web.settings import WebSettings

__all__ = [
    "TERMINAL_EVENTS",
    "Job",
    "JobQueue",
    "Listener",
    "QueueFullError",
    "ServerRunStore",
]

log = logging.getLogger("openbmd.web")

#: Events that end a run's progress stream.
TERMINAL_EVENTS: Final = ("done", "failed")
#: Finished jobs kept in memory (the run store keeps them all).
_KEEP_FINISHED: Final = 200
#: Seconds a cached run list stays fresh (runs of other processes show up after it).
_LIST_TTL_S: Final = 1.0

RunFunction = Callable[..., dict[str, Any]]
Event = tuple[str, dict[str, Any]]


class QueueFullError(OpenBMDError):
    """The run queue is full (HTTP 429)."""


class ServerRunStore(RunStore):
    """The run store as the server uses it: one operation at a time, reads cached.

    Every operation holds the file for milliseconds only (as :class:`RunStore`), so the
    command line can record runs while the server runs. Records of finished runs never
    change and are cached; a run list is reused for one second unless this process
    wrote meanwhile.
    """

    def __init__(self, path: Any, **kwargs: Any) -> None:
        self._lock = threading.RLock()
        self._finished: OrderedDict[str, StoredRun] = OrderedDict()
        self._lists: dict[int | None, tuple[float, list[StoredRun]]] = {}
        with self._lock:
            super().__init__(path, **kwargs)

    def start_run(self, *args: Any, **kwargs: Any) -> str:
        with self._lock:
            self._lists.clear()
            return super().start_run(*args, **kwargs)

    def finish_run(self, *args: Any, **kwargs: Any) -> None:
        with self._lock:
            self._lists.clear()
            super().finish_run(*args, **kwargs)

    def fail_run(self, *args: Any, **kwargs: Any) -> None:
        with self._lock:
            self._lists.clear()
            super().fail_run(*args, **kwargs)

    def mark_interrupted(self) -> list[str]:
        with self._lock:
            self._lists.clear()
            return super().mark_interrupted()

    def list_runs(self, limit: int | None = 50) -> list[StoredRun]:
        with self._lock:
            cached = self._lists.get(limit)
            if cached is not None and time.monotonic() - cached[0] < _LIST_TTL_S:
                return list(cached[1])
            runs = super().list_runs(limit)
            self._lists[limit] = (time.monotonic(), runs)
            return list(runs)

    def get_exact(self, run_id: str) -> StoredRun:
        """The run with exactly this id (no prefix matching).

        Raises
        ------
        RunNotFoundError
            No run has this id.
        """
        with self._lock:
            if run_id in self._finished:
                return self._finished[run_id]
            run = super().get_run(run_id)
            if run.run_id != run_id:
                raise RunNotFoundError(f"no run '{run_id}' in the run store")
            if run.status != "running":
                self._finished[run_id] = run
                while len(self._finished) > 1000:
                    self._finished.popitem(last=False)
            return run

    def get_run(self, run_id: str) -> StoredRun:
        with self._lock:
            return super().get_run(run_id)


@dataclass(eq=False)
class Listener:
    """One subscriber to a job's progress: events arrive on ``events`` in ``loop``."""

    loop: asyncio.AbstractEventLoop
    events: asyncio.Queue[Event] = field(default_factory=asyncio.Queue)

    def deliver(self, event: Event) -> None:
        with contextlib.suppress(RuntimeError):  # the listener's loop is closed
            self.loop.call_soon_threadsafe(self.events.put_nowait, event)


@dataclass(eq=False)
class Job:
    """A run submitted to the dashboard (state as seen by the API)."""

    run_id: str
    scenario: str
    seed: int | None
    model: Scenario
    status: str = "queued"
    stage: str | None = None
    stage_index: int | None = None
    error: str | None = None
    summary: dict[str, Any] | None = None
    last_stage: Event | None = None
    terminal: Event | None = None
    listeners: set[Listener] = field(default_factory=set)

    def as_dict(self) -> dict[str, Any]:
        """The job's state: ``run_id``, ``status``, ``stage``, ... (JSON-ready)."""
        return {
            "run_id": self.run_id,
            "scenario": self.scenario,
            "seed": self.seed,
            "status": self.status,
            "stage": self.stage,
            "stage_index": self.stage_index,
            "stages": len(RUN_STEPS),
            "error": self.error,
            "summary": self.summary,
        }


class JobQueue:
    """Runs submitted scenarios one at a time on a worker thread (see the module notes).

    Parameters
    ----------
    settings : WebSettings
        ``out_root`` and ``max_queued_runs`` are used.
    store : ServerRunStore
        Where runs are recorded.
    """

    def __init__(self, settings: WebSettings, store: ServerRunStore) -> None:
        self.settings = settings
        self.store = store
        #: The function the worker calls (test hook, see the module notes).
        self.run_function: RunFunction = run_and_record
        self._lock = threading.Lock()
        self._jobs: OrderedDict[str, Job] = OrderedDict()
        self._pending: queue.Queue[Job | None] = queue.Queue()
        self._stopping = threading.Event()
        self._worker: threading.Thread | None = None

    # -- life cycle ----------------------------------------------------------------------

    def start(self) -> None:
        """Mark runs of dead processes interrupted, then start the worker thread."""
        swept = self.store.mark_interrupted()
        if swept:
            log.info("marked %d run(s) of stopped processes interrupted", len(swept))
        self._stopping.clear()
        self._worker = threading.Thread(target=self._work, name="openbmd-runs", daemon=True)
        self._worker.start()

    def stop(self, timeout_s: float = 30.0) -> None:
        """Interrupt the queue: waiting runs and the running one end ``interrupted``.

        The running run stops at its next stage; this waits up to ``timeout_s``.
        """
        self._stopping.set()
        while True:
            try:
                job = self._pending.get_nowait()
            except queue.Empty:
                break
            if job is not None:
                self._finish_unrun(job, "the server stopped before the run started")
        self._pending.put(None)
        if self._worker is not None:
            self._worker.join(timeout_s)
            self._worker = None

    # -- submissions ---------------------------------------------------------------------

    def submit(self, model: Scenario, scenario: str, seed: int | None = None) -> Job:
        """Record and queue a run of ``model``; return its job.

        Raises
        ------
        QueueFullError
            ``max_queued_runs`` runs already wait behind a running one.
        OpenBMDError
            The server is stopping, or the run store cannot be written.
        """
        with self._lock:
            if self._stopping.is_set():
                raise OpenBMDError("the server is stopping: no new runs")
            active = sum(job.status in ("queued", "running") for job in self._jobs.values())
            if active > self.settings.max_queued_runs:
                raise QueueFullError(
                    f"run queue is full ({self.settings.max_queued_runs} queued); try again later"
                )
            run_id = record_start(self.store, model, seed)
            job = Job(run_id=run_id, scenario=scenario, seed=seed, model=model)
            self._jobs[run_id] = job
            self._forget_old()
        self._pending.put(job)
        return job

    def get(self, run_id: str) -> Job | None:
        """The job of ``run_id`` if this server ran or queued it recently."""
        with self._lock:
            return self._jobs.get(run_id)

    def jobs(self) -> list[Job]:
        """Jobs known to this server, oldest first."""
        with self._lock:
            return list(self._jobs.values())

    def queue_position(self, job: Job) -> int | None:
        """1 for the next run to start, ...; ``None`` unless queued."""
        with self._lock:
            waiting = [j for j in self._jobs.values() if j.status == "queued"]
        return waiting.index(job) + 1 if job in waiting else None

    # -- progress ------------------------------------------------------------------------

    def subscribe(self, job: Job, loop: asyncio.AbstractEventLoop) -> tuple[list[Event], Listener]:
        """Listen to ``job``: the events so far (latest stage, end) and the listener."""
        listener = Listener(loop)
        with self._lock:
            past = [e for e in (job.last_stage, job.terminal) if e is not None]
            if job.terminal is None:
                job.listeners.add(listener)
        return past, listener

    def unsubscribe(self, job: Job, listener: Listener) -> None:
        """Stop delivering ``job``'s events to ``listener``."""
        with self._lock:
            job.listeners.discard(listener)

    def _publish(self, job: Job, event: Event) -> None:
        with self._lock:
            if event[0] in TERMINAL_EVENTS:
                job.terminal = event
                listeners = list(job.listeners)
                job.listeners.clear()
            else:
                job.last_stage = event
                listeners = list(job.listeners)
        for listener in listeners:
            listener.deliver(event)

    # -- the worker ----------------------------------------------------------------------

    def _work(self) -> None:
        while True:
            job = self._pending.get()
            if job is None:
                return
            if self._stopping.is_set():
                self._finish_unrun(job, "the server stopped before the run started")
                continue
            self._run(job)

    def _run(self, job: Job) -> None:
        job.status = "running"

        def progress(name: str) -> None:
            if self._stopping.is_set():
                raise RunCancelledError("the server stopped during the run")
            index = RUN_STEPS.index(name) if name in RUN_STEPS else len(RUN_STEPS) - 1
            job.stage, job.stage_index = name, index
            self._publish(job, ("stage", {"stage": name, "index": index, "total": len(RUN_STEPS)}))

        try:
            outcome = self.run_function(
                job.model,
                seed=job.seed,
                out_root=self.settings.out_root,
                store=self.store,
                progress=progress,
                run_id=job.run_id,
            )
        except OpenBMDError as exc:
            self._fail(job, " ".join(str(exc).split()))
        except Exception as exc:  # a bug: keep serving, say so in the log and the run
            log.exception("run %s failed", job.run_id)
            self._fail(job, f"{type(exc).__name__}: {exc}")
        else:
            job.summary = json_ready(outcome.get("summary", {}))
            job.status = "done"
            self._close_record(job, "the run ended without recording results")
            self._publish(job, ("done", {"run_id": job.run_id, "summary": job.summary}))

    def _fail(self, job: Job, error: str) -> None:
        job.status, job.error = "failed", error
        self._close_record(job, error)
        self._publish(job, ("failed", {"run_id": job.run_id, "error": error}))

    def _finish_unrun(self, job: Job, reason: str) -> None:
        job.status, job.error = "failed", reason
        with contextlib.suppress(OpenBMDError):
            self.store.fail_run(job.run_id, reason, interrupted=True)
        self._publish(job, ("failed", {"run_id": job.run_id, "error": reason}))

    def _close_record(self, job: Job, reason: str) -> None:
        """Fail a record the run function left ``running`` (a replaced function's slip)."""
        try:
            if self.store.get_run(job.run_id).status == "running":
                self.store.fail_run(job.run_id, reason)
        except OpenBMDError:
            log.warning("could not close the record of run %s", job.run_id)

    def _forget_old(self) -> None:
        finished = [k for k, j in self._jobs.items() if j.status in ("done", "failed")]
        for run_id in finished[: max(0, len(finished) - _KEEP_FINISHED)]:
            del self._jobs[run_id]
