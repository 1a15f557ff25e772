"""Monte Carlo of salvo and shoot-look-shoot engagements, to check the closed forms.

Every random event of :mod:`openbmd.engagement.effectiveness` is drawn on its own: the
defence system works (once per trial), each threat is tracked, each interceptor works and
then kills, each kill assessment is right or wrong. Nothing is shared with the closed
forms but the inputs.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from openbmd.engagement.effectiveness import DOCTRINES, require_count, require_probability
from openbmd.errors import ParameterError, require_choice


@dataclass(frozen=True)
class RaidMonteCarlo:
    """Sample estimates over ``n_trials`` raids.

    Attributes
    ----------
    n_trials : int
        Raids simulated.
    p_kill_per_threat : float
        Fraction of threats killed, in the trials where the system worked (NaN if none).
    p_no_leaker : float
        Fraction of raids with no leaker.
    expected_leakers : float
        Mean number of leakers per raid.
    interceptors_used : float
        Mean number of interceptors fired per raid.
    """

    n_trials: int
    p_kill_per_threat: float
    p_no_leaker: float
    expected_leakers: float
    interceptors_used: float


def raid_monte_carlo(
    n_trials: int,
    seed: int,
    n_threats: int,
    sspk: float,
    shots: int,
    *,
    reliability: float = 1.0,
    p_track: float = 1.0,
    p_system: float = 1.0,
    doctrine: str = "salvo",
    stages: int = 2,
    p_assess: float = 1.0,
) -> RaidMonteCarlo:
    """Simulate ``n_trials`` raids event by event (``numpy.random.default_rng(seed)``).

    Parameters are those of :func:`openbmd.engagement.effectiveness.raid_outcome`
    (scalars); ``n_trials >= 1``.

    Examples
    --------
    >>> mc = raid_monte_carlo(20000, 1, 5, 0.8, 2)
    >>> abs(mc.p_no_leaker - 0.96**5) < 0.01
    True
    """
    trials = int(require_count("n_trials", n_trials))
    if trials < 1:
        raise ParameterError("n_trials", ">= 1", trials)
    n_thr = int(require_count("n_threats", n_threats))
    n = int(require_count("shots", shots))
    s = float(require_probability("sspk", sspk))
    r = float(require_probability("reliability", reliability))
    t = float(require_probability("p_track", p_track))
    ps = float(require_probability("p_system", p_system))
    q = float(require_probability("p_assess", p_assess))
    require_choice("doctrine", doctrine, DOCTRINES)
    k = 1 if doctrine == "salvo" else int(require_count("stages", stages))
    if k < 1:
        raise ParameterError("stages", ">= 1", k)
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0:
        raise ParameterError("seed", "a non-negative integer", seed)
    rng = np.random.default_rng(int(seed))

    system_ok = rng.random(trials) < ps
    engaged = (rng.random((trials, n_thr)) < t) & system_ok[:, None]
    alive = np.ones((trials, n_thr), dtype=bool)
    used = np.zeros(trials)
    for stage in range(k):
        used += n * engaged.sum(axis=1)
        for _ in range(n):
            works = rng.random((trials, n_thr)) < r
            kills = rng.random((trials, n_thr)) < s
            alive &= ~(engaged & works & kills)
        if stage < k - 1:
            correct = rng.random((trials, n_thr)) < q
            engaged &= np.where(alive, correct, ~correct)
    leakers = alive.sum(axis=1)
    worked = int(system_ok.sum())
    killed_in_worked = float((~alive[system_ok]).sum())
    return RaidMonteCarlo(
        n_trials=trials,
        p_kill_per_threat=killed_in_worked / (worked * n_thr) if worked and n_thr else np.nan,
        p_no_leaker=float(np.mean(leakers == 0)),
        expected_leakers=float(leakers.mean()),
        interceptors_used=float(used.mean()),
    )
