"""Run a scenario end to end and record it: the one function behind ``openbmd run`` and
the dashboard (``openbmd serve``).

:func:`run_and_record` runs the pipeline, writes the run folder and records the run in
the run store: ``running`` when it starts, then ``complete`` with its summary and files,
``failed`` with the error, or ``interrupted`` on Ctrl-C or a cancel request
(:class:`RunCancelledError` raised by the progress callback). A caller that must hand out
the run id before the run starts (the dashboard's queue) records the start itself with
:func:`record_start` and passes the id back in.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from openbmd.errors import OpenBMDError
from openbmd.io.runstore import RunStore, new_run_id
from openbmd.pipeline.run import STAGES

if TYPE_CHECKING:
    from openbmd.scenario import Scenario

__all__ = [
    "DEFAULT_OUT_ROOT",
    "RUN_STEPS",
    "RunCancelledError",
    "record_start",
    "run_and_record",
]

#: Folder under which run folders are written when no ``out`` is given (relative to the
#: working directory).
DEFAULT_OUT_ROOT: Final = Path("openbmd-out") / "runs"
#: Steps reported to the progress callback: the pipeline stages, then writing the folder.
RUN_STEPS: Final = (*STAGES, "writing")


class RunCancelledError(OpenBMDError):
    """A run stopped on request before it finished (recorded ``interrupted``)."""


def record_start(
    store: RunStore, model: Scenario, seed: int | None = None, out: Path | None = None
) -> str:
    """Record a run of ``model`` as started in ``store`` (before it runs); return its id.

    Pass the id to :func:`run_and_record` as ``run_id``; until then the store lists the
    run as ``running``, and a process that dies holding it gets it marked ``interrupted``.
    """
    from openbmd import __version__

    run_seed = int(model.seed if seed is None else seed)
    return store.start_run(model.name, model.to_yaml(), run_seed, __version__, out)


def run_and_record(
    model: Scenario,
    *,
    seed: int | None = None,
    out: Path | None = None,
    out_root: Path = DEFAULT_OUT_ROOT,
    store: RunStore | Path | None = None,
    no_store: bool = False,
    progress: Callable[[str], None] | None = None,
    run_id: str | None = None,
) -> dict[str, Any]:
    """Run ``model`` end to end, write its run folder and record it in the run store.

    Parameters
    ----------
    model : Scenario
        The validated scenario.
    seed : int, optional
        Overrides the scenario's seed.
    out : Path, optional
        Run folder to write; it must not exist or be empty (checked before any work).
        Default: ``out_root / <run id>``.
    out_root : Path
        Parent of the default run folder.
    store : RunStore or Path, optional
        The run store (default: ``$OPENBMD_HOME/runs.duckdb``).
    no_store : bool
        Record nothing (the run id is still drawn, for the folder name).
    progress : callable, optional
        Called with each name of :data:`RUN_STEPS` as that step starts; raising
        :class:`RunCancelledError` from it stops the run (recorded ``interrupted``).
    run_id : str, optional
        Id of a run already recorded as started by :func:`record_start`; this call
        finishes that record instead of making a new one.

    Returns
    -------
    dict
        ``{"run_id": str, "summary": dict, "paths": dict of str to str}``: the run's
        summary metrics plus ``run_id``, ``run_folder`` and ``report``; the files written.

    Raises
    ------
    OpenBMDError
        The run folder cannot be written, the threats cannot reach their aims, the run
        store is busy, ... (one line; the record, if any, is marked failed).
    """
    from openbmd import __version__
    from openbmd.report.run_folder import check_run_folder_target

    run_seed = int(model.seed if seed is None else seed)
    if out is not None:
        check_run_folder_target(out)  # fail before any work or any record
    if no_store:
        if run_id is not None:
            raise OpenBMDError("run_id names a run-store record: it cannot go with no_store")
        return _execute(model, run_seed, new_run_id(), out, out_root, progress)
    rs = store if isinstance(store, RunStore) else RunStore(store)
    if run_id is None:
        run_id = rs.start_run(model.name, model.to_yaml(), run_seed, __version__, out)
    with _recorded(rs, run_id):
        outcome = _execute(model, run_seed, run_id, out, out_root, progress)
        rs.finish_run(run_id, outcome["summary"], outcome["paths"])
    return outcome


@contextlib.contextmanager
def _recorded(store: RunStore, run_id: str) -> Iterator[None]:
    """Mark the record failed on an error, interrupted on Ctrl-C or a cancel request."""
    try:
        yield
    except (KeyboardInterrupt, RunCancelledError) as exc:
        reason = str(exc) if isinstance(exc, RunCancelledError) else "interrupted by the user"
        store.fail_run(run_id, reason, interrupted=True)
        raise
    except BaseException as exc:
        store.fail_run(run_id, exc)
        raise


def _execute(
    model: Scenario,
    seed: int,
    run_id: str,
    out: Path | None,
    out_root: Path,
    progress: Callable[[str], None] | None,
) -> dict[str, Any]:
    from openbmd.pipeline.run import run_scenario
    from openbmd.report.run_folder import check_run_folder_target, write_run_folder

    target = check_run_folder_target(out if out is not None else Path(out_root) / run_id)
    result = run_scenario(model, seed=seed, progress=progress)
    if progress is not None:
        progress(RUN_STEPS[-1])
    paths = write_run_folder(result, target, run_id=run_id)
    summary = dict(result.summary)
    summary["run_id"] = run_id
    summary["run_folder"] = str(target)
    summary["report"] = str(paths.get("report", target / "report.html"))
    if "footprint_grid" in paths:  # the areas written with the footprint (summary.json)
        written = json.loads(paths["summary"].read_text("utf-8"))
        summary["footprint"] = written["footprint"]
    return {
        "run_id": run_id,
        "summary": summary,
        "paths": {key: str(path) for key, path in paths.items()},
    }
