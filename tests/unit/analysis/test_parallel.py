"""openbmd.analysis.parallel: seeds, ordering, backends, and a scheduler that does not answer."""

from __future__ import annotations

import logging
import os
import time

import numpy as np
import pytest

from openbmd.analysis.parallel import (
    Backend,
    default_worker_count,
    local_cluster,
    map_tasks,
    normalise_address,
    task_seeds,
)
from openbmd.errors import ParameterError


def _slow_square(item: tuple[int, float]) -> tuple[int, int, tuple[str | None, ...]]:
    """Square after a delay (later items finish first), with the worker's pid and settings."""
    value, delay_s = item
    time.sleep(delay_s)
    names = ("NUMBA_CACHE_DIR", "NUMBA_NUM_THREADS", "MALLOC_TRIM_THRESHOLD_")
    return value * value, os.getpid(), tuple(os.environ.get(k) for k in names)


def _fail_on_three(value: int) -> int:
    if value == 3:
        raise ValueError("task 3 failed")
    return value


@pytest.fixture(scope="module")
def cluster_address():
    """A running two-process cluster, reached by its address as an existing one would be."""
    with local_cluster(2) as cluster:
        yield cluster.scheduler_address


# --- seeds ------------------------------------------------------------------------------


def test_task_seeds_are_spawned_children_of_the_seed():
    seeds = task_seeds(2018, 5)
    # independent closed form: child i of SeedSequence(seed) has spawn_key (i,)
    for i, s in enumerate(seeds):
        child = np.random.SeedSequence(2018, spawn_key=(i,))
        assert s == int(child.generate_state(1, dtype=np.uint64)[0]) >> 1
        assert 0 <= s < 2**63
    assert len(set(seeds)) == 5
    assert task_seeds(2018, 3) == seeds[:3], "a seed must not depend on the number of tasks"
    assert task_seeds(2019, 5) != seeds
    assert task_seeds(0, 0) == []


@pytest.mark.parametrize("seed, n", [(-1, 3), (1.5, 3), (True, 3), (1, -2)])
def test_task_seeds_refuse_bad_input(seed, n):
    with pytest.raises(ParameterError, match=r"'(seed|n)' parameter"):
        task_seeds(seed, n)


# --- backends ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, expected",
    [
        ("tcp://127.0.0.1:8786", "tcp://127.0.0.1:8786"),
        ("scheduler.example:8786", "tcp://scheduler.example:8786"),
        (" tls://node-1:9000 ", "tls://node-1:9000"),
        ("tcp://[::1]:8786", "tcp://[::1]:8786"),
    ],
)
def test_scheduler_addresses_are_normalised(text, expected):
    assert normalise_address(text) == expected
    assert Backend(scheduler=text).scheduler == expected
    assert not Backend(scheduler=text).serial


@pytest.mark.parametrize(
    "text",
    [
        "",
        "localhost",
        "tcp://host",
        "tcp://host:0",
        "tcp://host:70000",
        "http://h:80",
        "tcp://a b:80",
    ],
)
def test_bad_scheduler_addresses_are_refused(text):
    with pytest.raises(ParameterError, match="'scheduler' parameter must be an address"):
        Backend(scheduler=text)


@pytest.mark.parametrize(
    "kwargs, name",
    [({"workers": -1}, "workers"), ({"workers": 1.5}, "workers"), ({"workers": True}, "workers"),
     ({"timeout_s": 0.0}, "timeout_s"), ({"timeout_s": float("nan")}, "timeout_s")],
)  # fmt: skip
def test_bad_backends_are_refused(kwargs, name):
    with pytest.raises(ParameterError, match=f"'{name}' parameter"):
        Backend(**kwargs)


def test_default_backend_is_serial_and_cluster_size_is_the_cores():
    assert Backend().serial and map_tasks(abs, []) == []
    assert Backend(workers=None).workers is None and not Backend(workers=None).serial
    assert default_worker_count() == len(os.sched_getaffinity(0))


def test_serial_map_keeps_order_and_raises_task_errors():
    items = [(v, 0.0) for v in range(6)]
    out = map_tasks(_slow_square, items, backend=Backend(progress=True), description="squares")
    assert [r[0] for r in out] == [v * v for v in range(6)]
    assert {r[1] for r in out} == {os.getpid()}
    with pytest.raises(ValueError, match="task 3 failed"):
        map_tasks(_fail_on_three, range(5))


# --- clusters ---------------------------------------------------------------------------


def test_cluster_map_returns_results_in_item_order(cluster_address):
    # later items are quicker, so they finish first: the order must still be the items'
    items = [(v, 0.05 * (9 - v)) for v in range(10)]
    out = map_tasks(_slow_square, items, backend=Backend(scheduler=cluster_address))
    assert [r[0] for r in out] == [v * v for v in range(10)]
    pids = {r[1] for r in out}
    assert os.getpid() not in pids and len(pids) == 2, "both worker processes took tasks"
    # workers find the same compiled-kernel cache as this process, run numba on one
    # thread and keep glibc's default memory trimming (see local_cluster)
    assert {r[2] for r in out} == {(os.environ["NUMBA_CACHE_DIR"], "1", None)}


def test_cluster_map_raises_the_task_error(cluster_address):
    with pytest.raises(ValueError, match="task 3 failed"):
        map_tasks(_fail_on_three, range(8), backend=Backend(scheduler=cluster_address))


def test_a_scheduler_that_does_not_answer_fails_fast_in_one_line():
    start = time.perf_counter()
    with pytest.raises(ParameterError) as info:
        map_tasks(abs, [1, 2], backend=Backend(scheduler="tcp://127.0.0.1:1", timeout_s=2.0))
    elapsed = time.perf_counter() - start
    message = str(info.value)
    assert "\n" not in message
    assert "'scheduler'" in message and "tcp://127.0.0.1:1" in message and "2 s" in message
    assert elapsed < 8.0, f"gave up after {elapsed:.1f} s, expected about the 2 s timeout"


def test_a_scheduler_without_workers_is_an_error_not_a_hang():
    from distributed import LocalCluster

    with LocalCluster(n_workers=0, processes=False, protocol="tcp", dashboard_address=":0",
                      silence_logs=logging.ERROR) as empty:  # fmt: skip
        start = time.perf_counter()
        with pytest.raises(ParameterError, match="at least one worker within 1 s"):
            map_tasks(abs, [1], backend=Backend(scheduler=empty.scheduler_address, timeout_s=1))
        assert time.perf_counter() - start < 6.0
