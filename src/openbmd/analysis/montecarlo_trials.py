"""One Monte Carlo trial of the full pipeline, and a block of trials (a Dask task).

Trial ``i`` of a study with seed ``S`` uses the trial seed ``task_seeds(S, n)[i]``
(:func:`openbmd.analysis.parallel.task_seeds`) and nothing else, so its outcome is the
same whichever process runs it and however the trials are cut into blocks. From that
seed:

- every distribution of the scenario is drawn once (launch times, drawn once per
  missile, and any other uncertain parameter) with a generator on a child of the
  trial seed, independent of the pipeline's own streams;
- the pipeline (:func:`openbmd.pipeline.run.run_scenario`) runs with the trial seed:
  launch and aim points inside launch/aim areas, early-warning and radar noise,
  interceptor reliability, homing-endgame noise and kill draws all follow from it.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from openbmd.scenario import Scenario

__all__ = ["TRIAL_COLUMNS", "TrialBlock", "draw_trial_scenario", "run_block", "run_trial"]

#: Per-trial outcome columns (all integers), in the order of :func:`run_trial`'s tuple.
TRIAL_COLUMNS = (
    "threats",  # re-entry vehicles in the raid
    "engageable",  # threats some interceptor class could engage (intercept windows)
    "leakers",  # threats that reached the ground unkilled
    "kills",
    "interceptors_expended",  # interceptors fired
    "interceptors_failed",  # fired interceptors that did not work (reliability draw)
)


@dataclass(frozen=True)
class TrialBlock:
    """A block of consecutive trials: everything a worker needs to run them.

    Attributes
    ----------
    scenario : Scenario
        The scenario, distributions included (each trial draws them).
    first : int
        Index of the block's first trial in the study.
    seeds : tuple of int
        The trial seeds of the block, in order.
    sample_distributions : bool
        Draw the scenario's distributions per trial (else their nominal values).
    """

    scenario: Scenario
    first: int
    seeds: tuple[int, ...]
    sample_distributions: bool = True


def draw_trial_scenario(
    scenario: Scenario, seed: int, *, sample_distributions: bool = True
) -> Scenario:
    """The scenario of one trial: its distributions drawn from a child of ``seed``."""
    if not sample_distributions:
        return scenario
    child = np.random.SeedSequence(int(seed)).spawn(1)[0]
    return scenario.sample(np.random.default_rng(child))


def run_trial(
    scenario: Scenario, seed: int, *, sample_distributions: bool = True
) -> tuple[int, ...]:
    """Run one trial; return its outcome in the order of :data:`TRIAL_COLUMNS`."""
    from openbmd.pipeline.run import run_scenario

    drawn = draw_trial_scenario(scenario, seed, sample_distributions=sample_distributions)
    summary = run_scenario(drawn, seed=int(seed)).summary
    return (
        int(summary["missiles"]),
        int(summary["engageable_rv"]),
        int(summary["leakers"]),
        int(summary["kills"]),
        int(summary["interceptors_fired"]),
        int(summary["interceptors_failed"]),
    )


def run_block(block: TrialBlock) -> np.ndarray:
    """Run a block of trials (the task function sent to workers).

    Returns
    -------
    ndarray of int64, shape (len(block.seeds), len(TRIAL_COLUMNS))
    """
    out = np.zeros((len(block.seeds), len(TRIAL_COLUMNS)), dtype=np.int64)
    with _one_numba_thread():
        for k, seed in enumerate(block.seeds):
            out[k] = run_trial(
                block.scenario, seed, sample_distributions=block.sample_distributions
            )
    return out


@contextlib.contextmanager
def _one_numba_thread() -> Iterator[None]:
    """Run numba's parallel loops on one thread (this thread only; restored after).

    Trials are the unit of parallelism: the pipeline's parallel loops over a few hundred
    radar looks gain little from threads, and on busy cores every parallel region waits
    for all its threads to be scheduled (measured: a teaching trial ~5x slower with two
    threads on an oversubscribed two-core machine). The loops are element-wise, so the
    results do not depend on the thread count.
    """
    import numba

    previous = numba.get_num_threads()
    numba.set_num_threads(1)
    try:
        yield
    finally:
        numba.set_num_threads(previous)
