"""Analytic defence effectiveness: salvo, shoot-look-shoot, raids, interceptors needed.

After D. Wilkening, "A Simple Model for Calculating Ballistic Missile Defense
Effectiveness", *Science & Global Security* 8 (2000) 183-215. Per threat:

- ``sspk``: single-shot kill probability of an interceptor that works;
- ``reliability`` R: probability that an interceptor works (launch, fly-out, divert);
- ``p_track``: probability that the defence detects, tracks and assigns the threat (an
  unassigned threat draws no interceptor);
- ``p_assess``: probability that a kill assessment between stages is correct;
- ``p_system`` (raids only): probability that the defence as a whole works, common to
  every threat of the raid (1: only independent per-threat failures).

A salvo of n interceptors kills with ``P_track (1 - (1 - R SSPK)^n)``. Shoot-look-shoot
(SLS) fires stage salvos n_1..n_k, looks between stages and fires again only at threats it
judges alive. A raid of N independent threats then has no leaker with probability
``p_system P_kill^N``. Everything is vectorised: array arguments broadcast, scalar inputs
give floats. The Monte Carlo of :mod:`openbmd.engagement.effectiveness_mc` cross-checks
these closed forms. See ``docs/effectiveness.md``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from openbmd.errors import ParameterError, UnreachableError, require_choice, require_range

DOCTRINES = ("salvo", "sls")
#: Relative slack when comparing a probability with a goal (float rounding of 1 - q^n).
_GOAL_SLACK = 1e-12

Number = float | np.ndarray


@dataclass(frozen=True)
class ShootLookShoot:
    """Kill probability and interceptor use of one threat under shoot-look-shoot.

    Attributes
    ----------
    p_kill : float or ndarray
        Probability that the threat is killed (includes ``p_track``).
    expected_shots : float or ndarray
        Expected interceptors fired at it (untracked threats draw none; a wrong "alive"
        assessment of a killed threat draws the next stage's salvo).
    max_shots : int or ndarray
        Interceptors fired if every stage is fired (sum of the stage salvos).
    """

    p_kill: Number
    expected_shots: Number
    max_shots: Number


@dataclass(frozen=True)
class RaidOutcome:
    """Outcome of a raid of N threats.

    Attributes
    ----------
    p_kill_per_threat : float or ndarray
        Probability that one threat is killed when the defence system works (mean over
        the threats when the inventory is not evenly divisible).
    p_no_leaker : float or ndarray
        Probability that no threat leaks through: ``p_system * prod(P_kill)``.
    expected_leakers : float or ndarray
        Expected number of threats that get through.
    interceptors_used : float or ndarray
        Expected number of interceptors fired (salvo: ``P_track n N`` when the system
        works).
    interceptors_committed : float or ndarray
        Interceptors the doctrine may fire, to be held in inventory (salvo: ``n N``; SLS:
        every stage fired at every threat).
    """

    p_kill_per_threat: Number
    p_no_leaker: Number
    expected_leakers: Number
    interceptors_used: Number
    interceptors_committed: Number


@dataclass(frozen=True)
class ShotsNeeded:
    """Smallest salvo reaching a goal, and what it costs.

    Attributes
    ----------
    shots : int
        Interceptors per threat (salvo) or per stage (SLS).
    outcome : RaidOutcome
        The raid outcome with that many shots.
    """

    shots: int
    outcome: RaidOutcome


@dataclass(frozen=True)
class DoctrineComparison:
    """The same raid under a salvo and under shoot-look-shoot with as many shots at most.

    Attributes
    ----------
    salvo : RaidOutcome
        One salvo of ``stages * shots_per_stage`` interceptors per threat.
    shoot_look_shoot : RaidOutcome
        ``stages`` stages of ``shots_per_stage`` interceptors.
    """

    salvo: RaidOutcome
    shoot_look_shoot: RaidOutcome


def salvo_kill_probability(
    sspk: ArrayLike,
    shots: ArrayLike,
    *,
    reliability: ArrayLike = 1.0,
    p_track: ArrayLike = 1.0,
) -> Number:
    """Probability that a salvo of ``shots`` interceptors kills one threat.

    ``P_kill = P_track (1 - (1 - R SSPK)^n)``.

    Parameters
    ----------
    sspk : array_like
        Single-shot kill probability of a working interceptor, in [0, 1].
    shots : array_like of int
        Interceptors in the salvo, n >= 0.
    reliability : array_like
        Probability that an interceptor works, R in [0, 1].
    p_track : array_like
        Probability that the defence detects, tracks and assigns the threat, in [0, 1].

    Returns
    -------
    float or ndarray
        Broadcast shape of the arguments.

    Examples
    --------
    >>> round(salvo_kill_probability(0.8, 2), 12)
    0.96
    >>> salvo_kill_probability([0.5, 0.9], 3, reliability=0.9, p_track=0.95).round(6)
    array([0.791944, 0.943484])
    """
    s = require_probability("sspk", sspk)
    n = require_count("shots", shots)
    r = require_probability("reliability", reliability)
    t = require_probability("p_track", p_track)
    return _out(t * _salvo_kill(r * s, n))


def sls_kill_probability(
    sspk: ArrayLike,
    salvo_sizes: ArrayLike,
    *,
    reliability: ArrayLike = 1.0,
    p_track: ArrayLike = 1.0,
    p_assess: ArrayLike = 1.0,
) -> ShootLookShoot:
    """Shoot-look-shoot against one threat: k stages of salvos n_1..n_k.

    Stage j kills a live threat with ``p_j = 1 - (1 - R SSPK)^(n_j)``. Between stages the
    defence assesses the threat: a live threat is seen alive (and engaged again) with
    probability ``p_assess``, else it leaks; a killed threat is wrongly seen alive with
    probability ``1 - p_assess`` and draws the next salvo for nothing. With ``A_1 = 1``,
    ``A_(j+1) = A_j (1 - p_j) p_assess`` (alive and engaged at stage j+1) and
    ``D_1 = 0``, ``D_(j+1) = (D_j + A_j p_j)(1 - p_assess)`` (dead and engaged):

    ``P_kill = P_track sum_j A_j p_j``,  ``E[shots] = P_track sum_j n_j (A_j + D_j)``.

    With perfect assessment ``P_kill`` equals a salvo of ``sum n_j``, for fewer shots.

    Parameters
    ----------
    sspk, reliability, p_track : array_like
        As in :func:`salvo_kill_probability`.
    salvo_sizes : array_like of int, shape (k,) or (..., k)
        Interceptors fired at each stage (last axis: stages), >= 0.
    p_assess : array_like
        Probability that a kill assessment is correct, in [0, 1].

    Returns
    -------
    ShootLookShoot

    Examples
    --------
    >>> out = sls_kill_probability(0.8, [1, 1])
    >>> round(out.p_kill, 12), round(out.expected_shots, 12)
    (0.96, 1.2)
    """
    s = require_probability("sspk", sspk)
    sizes = require_count("salvo_sizes", salvo_sizes)
    if sizes.ndim == 0 or sizes.shape[-1] == 0:
        raise ParameterError("salvo_sizes", "a sequence of at least one stage", salvo_sizes)
    r = require_probability("reliability", reliability)
    t = require_probability("p_track", p_track)
    q = require_probability("p_assess", p_assess)
    rs = r * s
    alive = np.ones(np.broadcast_shapes(rs.shape, q.shape))
    dead_engaged = np.zeros_like(alive)
    p_kill = np.zeros_like(alive)
    shots = np.zeros(np.broadcast_shapes(alive.shape, sizes.shape[:-1]))
    for j in range(sizes.shape[-1]):
        n_j = sizes[..., j]
        p_j = _salvo_kill(rs, n_j)
        shots = shots + n_j * (alive + dead_engaged)
        p_kill = p_kill + alive * p_j
        dead_engaged = (dead_engaged + alive * p_j) * (1.0 - q)
        alive = alive * (1.0 - p_j) * q
    return ShootLookShoot(_out(t * p_kill), _out(t * shots), _out(sizes.sum(axis=-1)))


def raid_outcome(
    n_threats: ArrayLike,
    sspk: ArrayLike,
    shots: ArrayLike,
    *,
    reliability: ArrayLike = 1.0,
    p_track: ArrayLike = 1.0,
    p_system: ArrayLike = 1.0,
    doctrine: str = "salvo",
    stages: ArrayLike = 2,
    p_assess: ArrayLike = 1.0,
) -> RaidOutcome:
    """A raid of N independent threats, each engaged with the same doctrine.

    ``P_0 = p_system P_kill^N``, ``E[leakers] = N (1 - p_system P_kill)``.

    Parameters
    ----------
    n_threats : array_like of int
        Threats in the raid, N >= 0.
    sspk, reliability, p_track : array_like
        As in :func:`salvo_kill_probability`.
    shots : array_like of int
        Interceptors per threat (salvo) or per stage (SLS), >= 0.
    p_system : array_like
        Probability that the defence as a whole works (common to all threats), in [0, 1].
    doctrine : {"salvo", "sls"}
        One salvo per threat, or shoot-look-shoot with ``stages`` stages of ``shots``.
    stages : int
        Stages of shoot-look-shoot, a whole number >= 1 (ignored for a salvo).
    p_assess : array_like
        Probability of a correct kill assessment (SLS), in [0, 1].

    Returns
    -------
    RaidOutcome

    Examples
    --------
    >>> out = raid_outcome(10, 0.8, 2)
    >>> round(out.p_no_leaker, 6), round(out.expected_leakers, 6), out.interceptors_used
    (0.664833, 0.4, 20.0)
    """
    require_choice("doctrine", doctrine, DOCTRINES)
    n_thr = require_count("n_threats", n_threats)
    n = require_count("shots", shots)
    ps = require_probability("p_system", p_system)
    if doctrine == "salvo":
        p_kill = np.asarray(
            salvo_kill_probability(sspk, n, reliability=reliability, p_track=p_track)
        )
        used = require_probability("p_track", p_track) * n
        committed = n * 1.0
    else:
        k = int(require_count("stages", stages))
        if k < 1:
            raise ParameterError("stages", ">= 1", k)
        sls = sls_kill_probability(
            sspk,
            np.repeat(n[..., None], k, axis=-1),
            reliability=reliability,
            p_track=p_track,
            p_assess=p_assess,
        )
        p_kill = np.asarray(sls.p_kill)
        used = np.asarray(sls.expected_shots)
        committed = np.asarray(sls.max_shots) * 1.0
    return RaidOutcome(
        p_kill_per_threat=_out(p_kill + 0.0 * n_thr),
        p_no_leaker=_out(ps * p_kill**n_thr),
        expected_leakers=_out(n_thr * (1.0 - ps * p_kill)),
        interceptors_used=_out(ps * used * n_thr),
        interceptors_committed=_out(committed * n_thr + 0.0 * ps),
    )


def raid_with_inventory(
    n_threats: int,
    inventory: int,
    sspk: float,
    *,
    reliability: float = 1.0,
    p_track: float = 1.0,
    p_system: float = 1.0,
) -> RaidOutcome:
    """A raid of N threats against a fixed inventory of interceptors, fired in salvos.

    The inventory is spread as evenly as it goes: ``I mod N`` threats get
    ``I // N + 1`` interceptors, the others ``I // N``; ``P_0 = p_system prod_i P_kill(n_i)``.

    Parameters
    ----------
    n_threats : int
        Threats, N >= 0.
    inventory : int
        Interceptors available, I >= 0.
    sspk, reliability, p_track, p_system : float
        As in :func:`raid_outcome`.

    Returns
    -------
    RaidOutcome

    Examples
    --------
    >>> out = raid_with_inventory(4, 6, 0.8)
    >>> round(out.p_no_leaker, 6)  # two threats with 2 shots, two with 1
    0.589824
    """
    n_thr = int(require_count("n_threats", n_threats))
    stock = int(require_count("inventory", inventory))
    ps = float(require_probability("p_system", p_system))
    if n_thr == 0:
        return RaidOutcome(math.nan, ps, 0.0, 0.0, 0.0)
    base, extra = divmod(stock, n_thr)
    p_low = float(salvo_kill_probability(sspk, base, reliability=reliability, p_track=p_track))
    p_high = float(salvo_kill_probability(sspk, base + 1, reliability=reliability, p_track=p_track))
    t = float(require_probability("p_track", p_track))
    sum_kill = (n_thr - extra) * p_low + extra * p_high
    return RaidOutcome(
        p_kill_per_threat=sum_kill / n_thr,
        p_no_leaker=ps * p_low ** (n_thr - extra) * p_high**extra,
        expected_leakers=n_thr - ps * sum_kill,
        interceptors_used=ps * t * stock,
        interceptors_committed=float(stock),
    )


def shots_needed(
    p_goal: float,
    n_threats: int,
    sspk: float,
    *,
    reliability: float = 1.0,
    p_track: float = 1.0,
    p_system: float = 1.0,
    doctrine: str = "salvo",
    stages: int = 2,
    p_assess: float = 1.0,
    max_shots: int = 1000,
) -> ShotsNeeded:
    """Smallest salvo (per threat, or per SLS stage) with ``P_0 >= p_goal``.

    For a salvo this is ``n = ceil(ln(1 - (p_goal/p_system)^(1/N) / P_track) / ln(1 - R
    SSPK))``, found here by search so that salvo and SLS share one rule.

    Parameters
    ----------
    p_goal : float
        Wanted probability of no leaker, in [0, 1].
    n_threats, sspk, reliability, p_track, p_system, doctrine, stages, p_assess :
        As in :func:`raid_outcome`.
    max_shots : int
        Largest salvo tried.

    Returns
    -------
    ShotsNeeded

    Raises
    ------
    UnreachableError
        If no salvo up to ``max_shots`` reaches the goal (the message gives the limit).

    Examples
    --------
    >>> need = shots_needed(0.9, 10, 0.8)
    >>> need.shots, need.outcome.interceptors_committed
    (3, 30.0)
    """
    goal = float(require_probability("p_goal", p_goal))
    top = int(require_count("max_shots", max_shots))
    n_try = np.arange(top + 1)
    out = raid_outcome(
        n_threats,
        sspk,
        n_try,
        reliability=reliability,
        p_track=p_track,
        p_system=p_system,
        doctrine=doctrine,
        stages=stages,
        p_assess=p_assess,
    )
    p0 = np.asarray(out.p_no_leaker)
    ok = np.flatnonzero(p0 >= goal * (1.0 - _GOAL_SLACK))
    if ok.size == 0:
        raise UnreachableError(
            f"A probability of no leaker of {goal} is out of reach with up to {top} shots "
            f"per threat (the most reachable is {float(p0[-1]):.6g})."
        )
    best = int(ok[0])
    return ShotsNeeded(
        best,
        RaidOutcome(*(float(np.asarray(getattr(out, f))[best]) for f in _FIELDS)),
    )


def compare_doctrines(
    n_threats: int,
    sspk: ArrayLike,
    *,
    shots_per_stage: int = 1,
    stages: int = 2,
    reliability: ArrayLike = 1.0,
    p_track: ArrayLike = 1.0,
    p_system: ArrayLike = 1.0,
    p_assess: ArrayLike = 1.0,
) -> DoctrineComparison:
    """A salvo of ``stages * shots_per_stage`` against SLS with the same largest expense.

    With perfect kill assessment both kill equally often and SLS fires fewer
    interceptors; imperfect assessment lets SLS leak more.

    Examples
    --------
    >>> cmp = compare_doctrines(10, 0.8)
    >>> round(cmp.salvo.interceptors_used, 6), round(cmp.shoot_look_shoot.interceptors_used, 6)
    (20.0, 12.0)
    """
    common: dict[str, Any] = {
        "reliability": reliability,
        "p_track": p_track,
        "p_system": p_system,
    }
    k = int(require_count("stages", stages))
    n = int(require_count("shots_per_stage", shots_per_stage))
    salvo = raid_outcome(n_threats, sspk, n * k, doctrine="salvo", **common)
    sls = raid_outcome(n_threats, sspk, n, doctrine="sls", stages=k, p_assess=p_assess, **common)
    return DoctrineComparison(salvo, sls)


_FIELDS = (
    "p_kill_per_threat",
    "p_no_leaker",
    "expected_leakers",
    "interceptors_used",
    "interceptors_committed",
)


def _salvo_kill(rs: np.ndarray, n: np.ndarray) -> np.ndarray:
    """``1 - (1 - rs)^n`` accurate for small ``rs`` (log1p/expm1), with ``0^0 = 1``."""
    with np.errstate(divide="ignore", invalid="ignore"):
        exponent = n * np.log1p(-rs)
    return 0.0 - np.expm1(np.where(n > 0, exponent, 0.0))  # 0 - 0.0: no negative zero


def require_probability(name: str, value: ArrayLike) -> np.ndarray:
    """Return ``value`` as a float array of probabilities; raise unless all are in [0, 1]."""
    return require_range(name, value, 0.0, 1.0)


def require_count(name: str, value: ArrayLike) -> np.ndarray:
    """Return ``value`` as a float array; raise unless all are whole numbers >= 0.

    Ints and floats without a fraction pass (the CLI reads counts as floats so that
    ``--shots 2.5`` ends in a one-line error); booleans and text do not.
    """
    arr = np.asarray(value)
    if arr.dtype == np.bool_ or not (
        np.issubdtype(arr.dtype, np.integer) or np.issubdtype(arr.dtype, np.floating)
    ):
        raise ParameterError(name, "a non-negative integer", value)
    arr = arr.astype(float)
    bad = ~np.isfinite(arr) | (arr < 0.0) | (arr != np.round(arr))
    if np.any(bad):
        raise ParameterError(name, "a non-negative integer", arr[bad].ravel()[0].item())
    return arr


def _out(x: ArrayLike) -> Number:
    arr = np.asarray(x, dtype=float)
    return float(arr) if arr.ndim == 0 else arr
