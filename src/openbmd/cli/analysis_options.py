"""Command-line options shared by the analysis commands (footprint, montecarlo, ...).

``--workers K`` runs on a local Dask cluster of K worker processes (``0``: serially in
this process; default: one worker per core), ``--scheduler tcp://HOST:PORT`` on an
existing cluster (``--scheduler-timeout-s``: how long to wait for it to answer),
``--progress/--no-progress`` toggles the progress bar on stderr.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import typer

from openbmd.errors import ParameterError

if TYPE_CHECKING:
    from openbmd.analysis.parallel import Backend

WORKERS_OPTION = typer.Option(
    None,
    "--workers",
    help="Worker processes of a local Dask cluster (0: serial; default: one per core).",
)
SCHEDULER_OPTION = typer.Option(
    None,
    "--scheduler",
    help="Address tcp://HOST:PORT of an existing Dask scheduler (instead of --workers).",
)
PROGRESS_OPTION = typer.Option(
    True, "--progress/--no-progress", help="Show a progress bar on stderr."
)

#: Seconds to wait for a ``--scheduler`` to answer before a clear error.
SCHEDULER_TIMEOUT_S = 10.0
SCHEDULER_TIMEOUT_OPTION = typer.Option(
    SCHEDULER_TIMEOUT_S,
    "--scheduler-timeout-s",
    help="Seconds to wait for --scheduler to answer before giving up.",
)


def backend_from_options(
    workers: int | None,
    scheduler: str | None,
    progress: bool,
    *,
    timeout_s: float = SCHEDULER_TIMEOUT_S,
) -> Backend:
    """The :class:`~openbmd.analysis.parallel.Backend` that the options ask for.

    Raises
    ------
    ParameterError
        If both ``--workers`` and ``--scheduler`` are given, ``--workers`` is negative, the
        timeout is not in (0, 3600] s or the scheduler address is malformed.
    """
    from openbmd.analysis.parallel import Backend

    if scheduler is not None and workers is not None:
        raise ParameterError("workers", "left out when --scheduler is given", workers)
    if workers is not None and workers < 0:
        raise ParameterError("workers", "an integer >= 0 (0: serial)", workers)
    if not 0.0 < timeout_s <= 3600.0:  # also refuses NaN
        raise ParameterError("scheduler_timeout_s", "in (0, 3600]", timeout_s)
    return Backend(workers=workers, scheduler=scheduler, timeout_s=timeout_s, progress=progress)
