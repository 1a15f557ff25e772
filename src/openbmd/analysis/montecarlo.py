"""Monte Carlo effectiveness of a defence: N trials of the full pipeline.

Each trial runs the whole scenario (truth, early warning, radars, tracking, battle
management, fly-out, endgame, kill assessment) with its own seed: launch times and any
other distribution of the scenario drawn, launch and aim points drawn inside their
areas, sensor noise, interceptor reliability and kill draws
(:mod:`openbmd.analysis.montecarlo_trials`). The outcome:

- ``p_no_leaker``: fraction of trials in which no re-entry vehicle reached the ground,
  with a Wilson score 95 % interval;
- ``expected_leakers`` and ``interceptors_expended``: means per raid, with Student t
  95 % intervals clipped to their supports (:mod:`openbmd.analysis.stats`);
- running estimates and intervals after each trial (convergence);
- Wilkening's analytic prediction for the same raid and doctrine beside them
  (:mod:`openbmd.analysis.montecarlo_analytic`).

Trials run serially or on Dask (:mod:`openbmd.analysis.parallel`) in blocks; trial ``i``
depends only on ``(scenario, seed, i)``, so any backend and any block size give the same
per-trial outcomes, bit for bit. See ``docs/montecarlo.md``.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from typing import Any

import numpy as np

from openbmd.analysis.montecarlo_analytic import AnalyticCheck, analytic_check
from openbmd.analysis.montecarlo_trials import TRIAL_COLUMNS, TrialBlock, run_block
from openbmd.analysis.parallel import Backend, map_tasks, task_seeds
from openbmd.analysis.stats import (
    contains,
    mean_interval,
    running_mean_interval,
    wilson_interval,
)
from openbmd.errors import ParameterError
from openbmd.scenario import Scenario, load_scenario

__all__ = [
    "MAX_TRIALS",
    "Convergence",
    "Estimate",
    "MonteCarloResult",
    "default_chunk_trials",
    "monte_carlo",
]

#: Most trials one study may ask for.
MAX_TRIALS = 1_000_000
#: Largest default block of trials per task (small blocks balance the load and keep the
#: progress bar moving; a trial of a real scenario takes about a second or more).
MAX_DEFAULT_CHUNK = 16

WILSON = "Wilson score"
STUDENT_T = "Student t, clipped to [0, upper] (Wilson on mean/upper when degenerate)"


@dataclass(frozen=True)
class Estimate:
    """A Monte Carlo estimate with its 95 % confidence interval."""

    value: float
    ci95: tuple[float, float]
    method: str


@dataclass(frozen=True)
class Convergence:
    """Running estimates after 1, 2, ..., n trials (arrays of shape (n,)).

    ``*_low``/``*_high`` are the 95 % bounds, computed as for the final estimates.
    """

    trials: np.ndarray
    p_no_leaker: np.ndarray
    p_no_leaker_low: np.ndarray
    p_no_leaker_high: np.ndarray
    expected_leakers: np.ndarray
    expected_leakers_low: np.ndarray
    expected_leakers_high: np.ndarray
    interceptors_expended: np.ndarray
    interceptors_expended_low: np.ndarray
    interceptors_expended_high: np.ndarray


@dataclass(frozen=True)
class MonteCarloResult:
    """Outcome of :func:`monte_carlo` (immutable; arrays are read-only).

    Attributes
    ----------
    scenario_name : str
    seed : int
        Seed of the study; trial ``i`` used ``trial_seeds[i]``.
    trial_seeds : ndarray of uint64, shape (n,)
    leakers, interceptors_expended, kills, engageable, interceptors_failed : ndarray
        Per trial (int64, shape (n,)).
    no_leaker : ndarray of bool, shape (n,)
    n_threats : int
        Re-entry vehicles per raid.
    inventory : int
        Interceptors in stock at the start (upper bound of ``interceptors_expended``).
    p_no_leaker, expected_leakers, expected_interceptors : Estimate
        Final estimates with their 95 % intervals.
    analytic : AnalyticCheck
        Wilkening's model for the same raid, with ``p_track`` measured by the trials.
    convergence : Convergence
    elapsed_s : float
        Wall time of the trials (cluster start-up included).
    backend : str
        Where the trials ran, in words.
    chunk_trials : int
        Trials per task.
    sample_distributions : bool
        Whether each trial drew the scenario's distributions.
    """

    scenario_name: str
    seed: int
    trial_seeds: np.ndarray
    leakers: np.ndarray
    interceptors_expended: np.ndarray
    no_leaker: np.ndarray
    kills: np.ndarray
    engageable: np.ndarray
    interceptors_failed: np.ndarray
    n_threats: int
    inventory: int
    p_no_leaker: Estimate
    expected_leakers: Estimate
    expected_interceptors: Estimate
    analytic: AnalyticCheck
    convergence: Convergence
    elapsed_s: float
    backend: str
    chunk_trials: int
    sample_distributions: bool

    @property
    def trials(self) -> int:
        """Number of trials."""
        return int(self.leakers.size)

    @property
    def trials_per_s(self) -> float:
        """Trials per second of wall time."""
        return self.trials / self.elapsed_s if self.elapsed_s > 0 else math.inf

    def table(self) -> dict[str, np.ndarray]:
        """Per-trial table: ``trial``, ``seed`` and the outcome columns."""
        return {
            "trial": np.arange(self.trials, dtype=np.int64),
            "seed": self.trial_seeds.copy(),
            "threats": np.full(self.trials, self.n_threats, dtype=np.int64),
            "engageable": self.engageable.copy(),
            "leakers": self.leakers.copy(),
            "no_leaker": self.no_leaker.copy(),
            "kills": self.kills.copy(),
            "interceptors_expended": self.interceptors_expended.copy(),
            "interceptors_failed": self.interceptors_failed.copy(),
        }

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready summary: estimates, ``*_ci95`` bounds, analytic cross-check."""
        a = self.analytic
        estimates = {
            "p_no_leaker": (self.p_no_leaker, a.p_no_leaker),
            "expected_leakers": (self.expected_leakers, a.expected_leakers),
            "interceptors_expended": (self.expected_interceptors, a.interceptors_expended),
        }
        out: dict[str, Any] = {"scenario": self.scenario_name}
        for name, (est, _) in estimates.items():
            out[name] = est.value
            out[f"{name}_ci95"] = list(est.ci95)
        analytic = a.to_dict()
        for name, (est, value) in estimates.items():
            analytic[f"{name}_in_mc_ci95"] = contains(est.ci95, value)
        out.update(
            trials=self.trials,
            seed=self.seed,
            n_threats=self.n_threats,
            p_engageable=float(self.engageable.sum() / max(1, self.n_threats * self.trials)),
            methods={name: est.method for name, (est, _) in estimates.items()},
            analytic=analytic,
            sample_distributions=self.sample_distributions,
            backend=self.backend,
            chunk_trials=self.chunk_trials,
            elapsed_s=round(self.elapsed_s, 3),
            trials_per_s=self.trials_per_s,
        )
        return out


def default_chunk_trials(trials: int) -> int:
    """Trials per task when the caller does not say: about 64 tasks, 1 to 16 trials each."""
    return max(1, min(MAX_DEFAULT_CHUNK, math.ceil(trials / 64)))


def monte_carlo(
    scenario: Scenario | str,
    *,
    trials: int,
    seed: int | None = None,
    backend: Backend | None = None,
    chunk_trials: int | None = None,
    sample_distributions: bool = True,
) -> MonteCarloResult:
    """Run ``trials`` trials of the full pipeline and estimate the defence's effectiveness.

    Parameters
    ----------
    scenario : Scenario or str
        A scenario, a scenario file or a built-in name.
    trials : int
        Number of trials, in [1, 1000000].
    seed : int, optional
        Seed of the study (default: the scenario's seed). Trial ``i`` uses
        ``task_seeds(seed, trials)[i]``.
    backend : Backend, optional
        Where to run (default: serially in this process).
    chunk_trials : int, optional
        Trials per task (default :func:`default_chunk_trials`); results do not depend on it.
    sample_distributions : bool
        Draw the scenario's distributions (launch times, ...) in each trial; False keeps
        their nominal values (launch points in areas, noise and kill draws still vary).

    Returns
    -------
    MonteCarloResult

    Raises
    ------
    ParameterError
        If ``trials``, ``seed`` or ``chunk_trials`` is out of range, or the backend's
        scheduler does not answer.
    """
    model = load_scenario(scenario) if isinstance(scenario, str) else scenario
    n = _require_int("trials", trials, 1, MAX_TRIALS)
    study_seed = int(model.seed) if seed is None else _require_int("seed", seed, 0, 2**63 - 1)
    chunk = default_chunk_trials(n) if chunk_trials is None else _require_int(
        "chunk_trials", chunk_trials, 1, MAX_TRIALS
    )  # fmt: skip
    backend = Backend() if backend is None else backend
    seeds = task_seeds(study_seed, n)
    blocks = [
        TrialBlock(model, start, tuple(seeds[start : start + chunk]), bool(sample_distributions))
        for start in range(0, n, chunk)
    ]
    t0 = time.perf_counter()
    parts = map_tasks(run_block, blocks, backend=backend,
                      description=f"{model.name}: {n} trials")  # fmt: skip
    elapsed = time.perf_counter() - t0
    outcomes = np.concatenate(parts, axis=0)
    return summarise(model, study_seed, np.array(seeds, dtype=np.uint64), outcomes,
                     elapsed_s=elapsed, backend=describe(backend), chunk_trials=chunk,
                     sample_distributions=bool(sample_distributions))  # fmt: skip


def summarise(
    scenario: Scenario,
    seed: int,
    trial_seeds: np.ndarray,
    outcomes: np.ndarray,
    *,
    elapsed_s: float,
    backend: str,
    chunk_trials: int,
    sample_distributions: bool,
) -> MonteCarloResult:
    """Estimates, intervals, convergence and analytic check from per-trial outcomes.

    ``outcomes`` has shape (n, len(TRIAL_COLUMNS)), columns as :data:`TRIAL_COLUMNS`.
    """
    cols = {name: _frozen(outcomes[:, k].astype(np.int64)) for k, name in
            enumerate(TRIAL_COLUMNS)}  # fmt: skip
    n = outcomes.shape[0]
    n_threats = int(cols["threats"][0]) if n else scenario.missile_count
    inventory = sum(int(s.inventory) for s in scenario.nominal().defence.sites)
    no_leaker = _frozen(cols["leakers"] == 0)

    successes = int(no_leaker.sum())
    low, high = wilson_interval(successes, n)
    p0 = Estimate(successes / n, (float(low), float(high)), WILSON)
    leak = Estimate(float(cols["leakers"].mean()),
                    mean_interval(cols["leakers"], n_threats), STUDENT_T)  # fmt: skip
    used = Estimate(float(cols["interceptors_expended"].mean()),
                    mean_interval(cols["interceptors_expended"], inventory), STUDENT_T)  # fmt: skip

    engageable = int(cols["engageable"].sum())
    p_track = engageable / (n_threats * n) if n_threats else 1.0
    analytic = analytic_check(scenario, p_track=p_track)
    return MonteCarloResult(
        scenario_name=scenario.name,
        seed=int(seed),
        trial_seeds=_frozen(np.asarray(trial_seeds, dtype=np.uint64)),
        leakers=cols["leakers"],
        interceptors_expended=cols["interceptors_expended"],
        no_leaker=no_leaker,
        kills=cols["kills"],
        engageable=cols["engageable"],
        interceptors_failed=cols["interceptors_failed"],
        n_threats=n_threats,
        inventory=inventory,
        p_no_leaker=p0,
        expected_leakers=leak,
        expected_interceptors=used,
        analytic=analytic,
        convergence=_convergence(no_leaker, cols, n_threats, inventory),
        elapsed_s=float(elapsed_s),
        backend=backend,
        chunk_trials=int(chunk_trials),
        sample_distributions=sample_distributions,
    )


def describe(backend: Backend) -> str:
    """A backend in words (``serial``, ``local cluster, 2 workers``, ``tcp://...``)."""
    if backend.scheduler is not None:
        return f"scheduler {backend.scheduler}"
    if backend.workers == 0:
        return "serial"
    return "local cluster, " + (
        "one worker per core" if backend.workers is None else f"{backend.workers} workers"
    )


def _convergence(
    no_leaker: np.ndarray, cols: dict[str, np.ndarray], n_threats: int, inventory: int
) -> Convergence:
    count = np.arange(1, no_leaker.size + 1, dtype=np.int64)
    hits = np.cumsum(no_leaker.astype(np.int64))
    p_low, p_high = wilson_interval(hits, count)
    leak, leak_low, leak_high = running_mean_interval(cols["leakers"], n_threats)
    used, used_low, used_high = running_mean_interval(cols["interceptors_expended"], inventory)
    arrays = (count, hits / count, p_low, p_high, leak, leak_low, leak_high,
              used, used_low, used_high)  # fmt: skip
    return Convergence(*(_frozen(np.asarray(a)) for a in arrays))


def _frozen(arr: np.ndarray) -> np.ndarray:
    arr = np.ascontiguousarray(arr)
    arr.setflags(write=False)
    return arr


def _require_int(name: str, value: Any, low: int, high: int) -> int:
    ok = isinstance(value, int | np.integer) and not isinstance(value, bool)
    if not ok or not low <= int(value) <= high:
        raise ParameterError(name, f"an integer in [{low}, {high}]", value)
    return int(value)
