"""Run independent tasks serially or on a Dask cluster, with the same results either way.

A study (footprint grid, Monte Carlo, uncertainty sweep) cuts its work into items, each
carrying everything its task needs *including its own seed* (:func:`task_seeds`), and
hands them to :func:`map_tasks`. Results come back in the order of the items, so they
never depend on the backend, the number of workers or which worker ran which item.

Backends (:class:`Backend`):

* ``workers=0``: serially in this process (the default of the Python API);
* ``workers=None``: a :class:`distributed.LocalCluster` sized to the machine (one
  single-threaded worker process per core; the default of the CLI);
* ``workers=k``: a local cluster of ``k`` worker processes;
* ``scheduler="tcp://HOST:PORT"``: an existing cluster (``workers`` is then ignored).

At most about two tasks per worker are in flight at a time, so memory stays bounded
however many items there are. Worker processes started here inherit this process's
environment (``OPENBMD_HOME``, ``NUMBA_CACHE_DIR``), so they reuse the compiled-kernel
cache, and run numba's parallel loops on one thread (``NUMBA_NUM_THREADS=1`` unless set):
one single-threaded process per core. Workers of an existing cluster must be started with
the same variables.
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

import numpy as np

from openbmd.errors import ParameterError

__all__ = ["Backend", "default_worker_count", "local_cluster", "map_tasks", "task_seeds"]

T = TypeVar("T")
R = TypeVar("R")

#: Tasks in flight per worker: enough to keep every worker busy while results travel back.
IN_FLIGHT_PER_WORKER = 2

_ADDRESS = re.compile(
    r"^(?:(?P<scheme>tcp|tls)://)?(?P<host>\[[0-9A-Fa-f:.]+\]|[^\s:/\[\]]+):(?P<port>\d{1,5})$"
)


@dataclass(frozen=True)
class Backend:
    """Where :func:`map_tasks` runs its tasks.

    Attributes
    ----------
    workers : int or None
        0: serially in this process; None: a local cluster with one worker process per
        core of the machine; k >= 1: a local cluster of k worker processes (one thread
        each).
    scheduler : str, optional
        Address ``tcp://HOST:PORT`` (or ``tls://``) of an existing Dask scheduler; when
        given, ``workers`` is ignored.
    timeout_s : float
        Seconds to wait for a scheduler to answer before a clear error (no hang).
    progress : bool
        Show a progress bar on stderr (one step per finished task).
    """

    workers: int | None = 0
    scheduler: str | None = None
    timeout_s: float = 10.0
    progress: bool = False

    def __post_init__(self) -> None:
        if self.workers is not None and (
            isinstance(self.workers, bool)
            or not isinstance(self.workers, int | np.integer)
            or self.workers < 0
        ):
            raise ParameterError("workers", "an integer >= 0 (0: serial) or None", self.workers)
        if not (isinstance(self.timeout_s, int | float) and 0 < float(self.timeout_s) < 1e6):
            raise ParameterError("timeout_s", "in (0, 1000000)", self.timeout_s)
        if self.scheduler is not None:
            object.__setattr__(self, "scheduler", normalise_address(self.scheduler))

    @property
    def serial(self) -> bool:
        """True when tasks run in this process."""
        return self.scheduler is None and self.workers == 0


def normalise_address(address: str) -> str:
    """Check a scheduler address and return it with its scheme (``tcp://`` by default).

    Raises
    ------
    ParameterError
        If the address is not of the form ``tcp://HOST:PORT`` with a port in [1, 65535].
    """
    text = str(address).strip()
    match = _ADDRESS.match(text)
    port = int(match.group("port")) if match else 0
    if match is None or not 1 <= port <= 65535:
        raise ParameterError("scheduler", "an address tcp://HOST:PORT (port 1-65535)", address)
    return f"{match.group('scheme') or 'tcp'}://{match.group('host')}:{port}"


def default_worker_count() -> int:
    """Cores this process may use (the size of the default local cluster)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not on Linux
        return max(1, os.cpu_count() or 1)


def task_seeds(seed: int, n: int) -> list[int]:
    """``n`` independent integer seeds derived from ``seed``.

    Seed ``i`` is the ``i``-th child of ``numpy.random.SeedSequence(seed)``, reduced to a
    63-bit integer: the same for any backend, chunking or ``n`` larger than ``i``.

    Examples
    --------
    >>> a = task_seeds(7, 3)
    >>> a == task_seeds(7, 5)[:3], len(set(a))
    (True, 3)
    """
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0:
        raise ParameterError("seed", "an integer >= 0", seed)
    if isinstance(n, bool) or not isinstance(n, int | np.integer) or n < 0:
        raise ParameterError("n", "an integer >= 0", n)
    children = np.random.SeedSequence(int(seed)).spawn(int(n))
    return [int(c.generate_state(1, dtype=np.uint64)[0] >> np.uint64(1)) for c in children]


def map_tasks(
    func: Callable[[T], R],
    items: Iterable[T],
    *,
    backend: Backend | None = None,
    description: str = "",
) -> list[R]:
    """``func(item)`` for each item, results in the order of ``items``.

    Parameters
    ----------
    func : callable
        A picklable top-level function of one argument.
    items : iterable
        Each item carries everything its task needs, including its own seed.
    backend : Backend, optional
        Where to run (default: serially in this process).
    description : str
        Label of the progress bar.

    Raises
    ------
    ParameterError
        If the scheduler of ``backend`` does not answer, or has no worker, within
        ``backend.timeout_s``.
    Exception
        The first exception a task raised (the remaining tasks are cancelled).

    Examples
    --------
    >>> map_tasks(abs, [-2, 3, -1])
    [2, 3, 1]
    """
    backend = Backend() if backend is None else backend
    work: Sequence[T] = list(items)
    if not work:
        return []
    if backend.serial:
        out: list[R] = []
        with _progress_bar(len(work), description, backend.progress) as advance:
            for item in work:
                out.append(func(item))
                advance()
        return out
    # connect first: a scheduler that does not answer fails before any bar is drawn
    with (
        _client(backend, len(work)) as client,
        _progress_bar(len(work), description, backend.progress) as advance,
    ):
        return _map_on_client(client, func, work, advance)


def _map_on_client(
    client: Any, func: Callable[[T], R], work: Sequence[T], advance: Callable[[], None]
) -> list[R]:
    from distributed import as_completed

    workers = max(1, len(client.scheduler_info(n_workers=-1).get("workers", {})))
    limit = IN_FLIGHT_PER_WORKER * workers
    results: list[Any] = [None] * len(work)
    index: dict[str, int] = {}
    next_item = 0

    def submit() -> Any:
        nonlocal next_item
        future = client.submit(func, work[next_item], pure=False)
        index[future.key] = next_item
        next_item += 1
        return future

    first = [submit() for _ in range(min(limit, len(work)))]
    pending = as_completed(first, loop=client.loop)
    try:
        for future in pending:
            results[index.pop(future.key)] = future.result()
            future.release()
            advance()
            if next_item < len(work):
                pending.add(submit())
    except BaseException:
        pending.clear()
        raise
    return results


@contextlib.contextmanager
def _client(backend: Backend, n_items: int) -> Iterator[Any]:
    """A connected :class:`distributed.Client`, closed (with its local cluster) on exit.

    A local cluster gets no more workers than there are items.
    """
    from distributed import Client

    if backend.scheduler is not None:
        try:
            client = Client(
                backend.scheduler, timeout=float(backend.timeout_s), set_as_default=False
            )
        except (OSError, TimeoutError) as exc:
            raise ParameterError(
                "scheduler",
                f"the address of a Dask scheduler that answers within {backend.timeout_s:g} s",
                backend.scheduler,
            ) from exc
        with client:
            try:  # a scheduler without workers would leave the tasks waiting forever
                client.wait_for_workers(1, timeout=float(backend.timeout_s))
            except (OSError, TimeoutError) as exc:
                raise ParameterError(
                    "scheduler",
                    f"a Dask scheduler with at least one worker within {backend.timeout_s:g} s",
                    backend.scheduler,
                ) from exc
            yield client
        return
    n = default_worker_count() if backend.workers is None else int(backend.workers)
    with (
        local_cluster(max(1, min(n, n_items))) as cluster,
        Client(cluster, set_as_default=False) as client,
    ):
        yield client


@contextlib.contextmanager
def local_cluster(workers: int | None = None) -> Iterator[Any]:
    """A :class:`distributed.LocalCluster` set up for openbmd's tasks, closed on exit.

    ``workers`` single-threaded worker processes (default: one per core), numba's
    parallel loops on one thread, the status server on a free port, logs silenced to
    errors. Pass its ``scheduler_address`` to :class:`Backend` to reuse it across calls.
    """
    import dask
    from distributed import LocalCluster

    n = default_worker_count() if workers is None else int(workers)
    if n < 1:
        raise ParameterError("workers", "an integer >= 1", workers)
    # Dask sets MALLOC_TRIM_THRESHOLD_=65536 in new workers to hand memory back to the
    # system early; the pipeline allocates many small arrays and ran ~15 % slower with it
    # (measured on teaching trials), while a task's memory is bounded anyway.
    # (the nannies read it when the cluster is built: the setting need not outlive that)
    trim = {"distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_": None}
    with dask.config.set(trim):
        cluster = LocalCluster(
            n_workers=n,
            threads_per_worker=1,
            processes=True,
            dashboard_address=":0",  # a free port: never clashes with another cluster
            silence_logs=logging.ERROR,
            # one compute thread per worker process: numba's parallel loops would
            # otherwise start one thread per core in every worker and oversubscribe
            env={"NUMBA_NUM_THREADS": os.environ.get("NUMBA_NUM_THREADS", "1")},
        )
    with cluster:
        yield cluster


@contextlib.contextmanager
def _progress_bar(total: int, description: str, enabled: bool) -> Iterator[Callable[[], None]]:
    if not enabled:
        yield lambda: None
        return
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
    )
    console = Console(stderr=True)
    # off when stderr is not a terminal (logs, pipes): a bar there is only noise
    with Progress(
        *columns, console=console, transient=True, disable=not console.is_terminal
    ) as bar:
        task = bar.add_task(description or "tasks", total=total)
        yield lambda: bar.advance(task)
