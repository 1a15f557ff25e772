"""Weapon-target assignment across batteries and threats, with inventories and a log.

A *battery* is one launch site of one interceptor class (one
:class:`~openbmd.engagement.windows.InterceptWindows` per class, its sites concatenated).
Each threat may receive up to ``shots_per_threat`` interceptors; each battery has an
inventory and launches at most one interceptor per ``min_launch_interval_s``.

- ``greedy``: threats in priority order (earliest impact first, or highest value first);
  each shot goes to the engageable battery with stock and a free launch slot that has
  the highest kill probability (ties: earliest intercept, then most stock left).
- ``optimal``: :func:`scipy.optimize.linear_sum_assignment` on inventory slots (rows:
  one per interceptor in stock) against threat shots (columns: the k-th shot at threat
  o). Objective ``expected-kills``: the k-th shot of battery b at threat o is worth
  ``v_o p_b (1 - p*_o)^k``, with p*_o the best kill probability among the batteries that
  can engage o; the shots then sum to ``v_o (1 - (1 - p)^n)``. This is exact, i.e. the
  assignment maximises ``sum_o v_o P_kill(o)``, with one shot per threat (any mix of
  classes) or when the batteries that can engage a threat share one kill probability
  (one interceptor class); with mixed classes and several shots per threat it is a
  marginal-value heuristic. Objective ``log-leak``: minimise ``sum_o v_o ln P_leak(o)``
  (each shot is worth ``-v_o ln(1 - p_b)``), exact for any mix. Launch times are then
  scheduled per battery in priority order (first free slot in the window); a shot
  without a slot is dropped.

p = ``reliability x sspk`` of the battery's class (Wilkening 2000, perfect assessment).
Every decision is recorded in a :class:`DecisionLog`. See ``docs/engagement.md``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
from numpy.typing import ArrayLike
from scipy.optimize import linear_sum_assignment

from openbmd.engagement.doctrine import next_shot_index
from openbmd.engagement.windows import InterceptWindows
from openbmd.errors import ParameterError, require_choice, require_non_negative

__all__ = [
    "METHODS",
    "OBJECTIVES",
    "PRIORITIES",
    "Assignment",
    "Decision",
    "DecisionLog",
    "assign_weapons",
]

METHODS: tuple[str, ...] = ("greedy", "optimal")
OBJECTIVES: tuple[str, ...] = ("expected-kills", "log-leak")
PRIORITIES: tuple[str, ...] = ("impact", "value")

ASSIGNED = "assigned"
INVENTORY_EMPTY = "inventory empty"
WINDOW_CLOSED = "window closed"
#: Optimal assignment left an engageable threat with stock available (no gain: p = 0 or
#: value 0).
NOT_CHOSEN = "not chosen"
#: Cap on 1 - p in the log-leak objective (p = 1 would be worth infinitely much).
_MIN_SURVIVAL = 1e-12


@dataclass
class Decision:
    """One decision of the battle manager (a plain record).

    ``time_s``: when it is taken, the threat's firm-track time (s since the epoch);
    ``action``: ``assign`` or ``reject``; ``reason``: ``assigned`` or why not (``out of
    reach``, ``no firm track in time``, ``inventory empty``, ``window closed``, ...).
    ``battery`` is -1 when the decision concerns no battery.
    """

    time_s: float
    threat: int
    battery: int
    battery_name: str
    action: str
    reason: str
    shot: int = 0
    launch_time_s: float = math.nan
    intercept_time_s: float = math.nan
    p_kill: float = math.nan


@dataclass
class DecisionLog:
    """Decisions in the order they were taken."""

    records: list[Decision] = field(default_factory=list)

    def add(self, decision: Decision) -> None:
        self.records.append(decision)

    def __len__(self) -> int:
        return len(self.records)

    def for_threat(self, threat: int) -> list[Decision]:
        """The decisions about one threat."""
        return [r for r in self.records if r.threat == threat]

    def reasons(self, threat: int) -> set[str]:
        """The distinct reasons logged for one threat."""
        return {r.reason for r in self.for_threat(threat)}

    def to_dicts(self) -> list[dict[str, Any]]:
        """Every record as a dict (JSON-ready but for NaN)."""
        return [asdict(r) for r in self.records]


@dataclass(frozen=True)
class Assignment:
    """Outcome of :func:`assign_weapons`.

    Attributes
    ----------
    method, objective : str
    battery_names : tuple of str
        ``<interceptor>@<site>`` per battery.
    shots : tuple of Decision
        The ``assign`` decisions (one per interceptor), in decision order.
    kill_probability : ndarray, shape (O,)
        ``1 - prod(1 - p)`` over each threat's shots.
    inventory_left : ndarray of int, shape (B,)
    log : DecisionLog
    """

    method: str
    objective: str
    battery_names: tuple[str, ...]
    shots: tuple[Decision, ...]
    kill_probability: np.ndarray
    threat_value: np.ndarray
    inventory_left: np.ndarray
    log: DecisionLog

    @property
    def expected_kills(self) -> float:
        """Value-weighted expected kills ``sum_o v_o P_kill(o)``."""
        return float(np.sum(self.threat_value * self.kill_probability))

    @property
    def expected_leakers(self) -> float:
        """Expected number of threats that get through, ``sum_o (1 - P_kill(o))``."""
        return float(np.sum(1.0 - self.kill_probability))

    def shots_at(self, threat: int) -> list[Decision]:
        return [s for s in self.shots if s.threat == threat]


@dataclass(frozen=True)
class _Battery:
    windows: InterceptWindows
    site: int
    name: str
    p: float


def _batteries(windows: InterceptWindows | Sequence[InterceptWindows]) -> list[_Battery]:
    groups = [windows] if isinstance(windows, InterceptWindows) else list(windows)
    if not groups:
        raise ParameterError("windows", "at least one InterceptWindows", 0)
    ref = groups[0]
    for w in groups[1:]:
        if w.shape[0] != ref.shape[0] or not np.array_equal(w.time_s, ref.time_s):
            raise ParameterError("windows", "windows of the same threats and time grid", "not")
    out = []
    for w in groups:
        icp = w.interceptor
        for s, site in enumerate(w.site_names):
            out.append(_Battery(w, s, f"{icp.name}@{site}", icp.reliability * icp.sspk))
    return out


def _inventory(inventory: ArrayLike, n: int) -> np.ndarray:
    arr = np.asarray(inventory)
    if arr.dtype == np.bool_ or not np.issubdtype(arr.dtype, np.number):
        raise ParameterError("inventory", "non-negative integers, one per battery", inventory)
    a = np.broadcast_to(arr.astype(float), (n,)) if arr.ndim == 0 else arr.astype(float)
    if a.shape != (n,):
        raise ParameterError("inventory", f"{n} values (one per battery)", a.shape[0])
    bad = ~np.isfinite(a) | (a < 0) | (a != np.round(a))
    if np.any(bad):
        raise ParameterError("inventory", "non-negative integers", a[bad][0].item())
    return a.astype(np.int64)


def _impact_time(w: InterceptWindows) -> np.ndarray:
    present = np.isfinite(w.threat_alt_m)
    last = w.time_s.size - 1 - np.argmax(present[:, ::-1], axis=1)
    return np.where(present.any(axis=1), w.time_s[last], np.inf)


def assign_weapons(
    windows: InterceptWindows | Sequence[InterceptWindows],
    inventory: ArrayLike,
    *,
    method: str = "greedy",
    objective: str = "expected-kills",
    shots_per_threat: int = 1,
    threat_value: ArrayLike | None = None,
    priority: str = "impact",
) -> Assignment:
    """Assign interceptors of several batteries to threats (see the module docstring).

    Parameters
    ----------
    windows : InterceptWindows or sequence of them
        One per interceptor class, computed with ``keep_samples=True``; batteries are
        their sites, in order.
    inventory : array_like of int, shape (B,)
        Interceptors in stock per battery (a scalar: the same for all), >= 0.
    method : {"greedy", "optimal"}
    objective : {"expected-kills", "log-leak"}
        What ``optimal`` maximises (greedy ignores it).
    shots_per_threat : int
        Most interceptors at one threat, >= 1.
    threat_value : array_like, shape (O,), optional
        Value of killing each threat (>= 0; default 1).
    priority : {"impact", "value"}
        Greedy order and scheduling order: earliest impact first, or highest value first
        (ties by impact).

    Returns
    -------
    Assignment
    """
    require_choice("method", method, METHODS)
    require_choice("objective", objective, OBJECTIVES)
    require_choice("priority", priority, PRIORITIES)
    if isinstance(shots_per_threat, bool) or int(shots_per_threat) != shots_per_threat:
        raise ParameterError("shots_per_threat", "an integer >= 1", shots_per_threat)
    if shots_per_threat < 1:
        raise ParameterError("shots_per_threat", "an integer >= 1", shots_per_threat)
    bats = _batteries(windows)
    stock = _inventory(inventory, len(bats))
    ref = bats[0].windows
    n_threats = ref.shape[0]
    value = np.ones(n_threats) if threat_value is None else np.asarray(threat_value, float)
    value = np.broadcast_to(require_non_negative("threat_value", value), (n_threats,)).copy()
    impact = _impact_time(ref)
    if priority == "impact":
        order = np.lexsort((np.arange(n_threats), impact))
    else:
        order = np.lexsort((impact, -value))
    engage = np.array([[b.windows.engageable[o, b.site] for b in bats] for o in range(n_threats)])
    state = _State(bats, stock.copy(), ref.decision_time_s, DecisionLog())
    state.log_unengageable(order, engage)
    if method == "greedy":
        for o in order:
            for k in range(int(shots_per_threat)):
                if not state.greedy_shot(int(o), k, engage[o]):
                    break
    else:
        wanted = _optimal(bats, stock, engage, value, int(shots_per_threat), objective)
        used = np.zeros(len(bats), dtype=np.int64)
        for chosen in wanted.values():
            np.add.at(used, chosen, 1)
        for o in order:
            for k, b in enumerate(sorted(wanted.get(int(o), []), key=lambda b: -bats[b].p)):
                state.schedule(int(o), k, b)
            if int(o) not in wanted and engage[o].any():
                empty = bool(np.all(used[engage[o]] >= stock[engage[o]]))
                state.reject(int(o), -1, 0, INVENTORY_EMPTY if empty else NOT_CHOSEN)
    p_kill = np.zeros(n_threats)
    for s in state.shots:
        p_kill[s.threat] = 1.0 - (1.0 - p_kill[s.threat]) * (1.0 - s.p_kill)
    return Assignment(
        method=method,
        objective=objective,
        battery_names=tuple(b.name for b in bats),
        shots=tuple(state.shots),
        kill_probability=p_kill,
        threat_value=value,
        inventory_left=state.stock,
        log=state.log,
    )


class _State:
    """Stock, launch schedules and the log while assigning."""

    def __init__(
        self, bats: list[_Battery], stock: np.ndarray, decision: np.ndarray, log: DecisionLog
    ) -> None:
        self.bats, self.stock, self.decision, self.log = bats, stock, decision, log
        self.busy: list[list[float]] = [[] for _ in bats]
        self.shots: list[Decision] = []

    def reject(self, o: int, b: int, k: int, reason: str) -> None:
        name = self.bats[b].name if b >= 0 else ""
        self.log.add(Decision(float(self.decision[o]), o, b, name, "reject", reason, k))

    def log_unengageable(self, order: np.ndarray, engage: np.ndarray) -> None:
        """One ``reject`` per battery that has no window at a threat, with its reason."""
        for o in order:
            for b, bat in enumerate(self.bats):
                if not engage[o, b]:
                    self.reject(int(o), b, 0, bat.windows.reason(int(o), bat.site))

    def _slot(self, o: int, b: int) -> int:
        bat = self.bats[b]
        return next_shot_index(bat.windows, o, bat.site, -math.inf, self.busy[b])

    def _assign(self, o: int, k: int, b: int, index: int) -> None:
        bat = self.bats[b]
        w = bat.windows
        assert w.launch_time_s is not None
        launch = float(w.launch_time_s[o, bat.site, index])
        self.busy[b].append(launch)
        self.stock[b] -= 1
        d = Decision(
            float(self.decision[o]),
            o,
            b,
            bat.name,
            "assign",
            ASSIGNED,
            k,
            launch,
            float(w.time_s[index]),
            bat.p,
        )
        self.log.add(d)
        self.shots.append(d)

    def greedy_shot(self, o: int, k: int, engage: np.ndarray) -> bool:
        cands = [b for b in range(len(self.bats)) if engage[b]]
        if not cands:
            return False
        stocked = [b for b in cands if self.stock[b] > 0]
        if not stocked:
            self.reject(o, -1, k, INVENTORY_EMPTY)
            return False
        best, best_i, best_key = -1, -1, (math.inf, math.inf, math.inf)
        for b in stocked:
            i = self._slot(o, b)
            if i < 0:
                continue
            key = (-self.bats[b].p, float(self.bats[b].windows.time_s[i]), -float(self.stock[b]))
            if key < best_key:
                best, best_key, best_i = b, key, i
        if best < 0:
            self.reject(o, -1, k, WINDOW_CLOSED)
            return False
        self._assign(o, k, best, best_i)
        return True

    def schedule(self, o: int, k: int, b: int) -> None:
        i = self._slot(o, b)
        if i < 0:
            self.reject(o, b, k, WINDOW_CLOSED)
        else:
            self._assign(o, k, b, i)


def _optimal(
    bats: list[_Battery],
    stock: np.ndarray,
    engage: np.ndarray,
    value: np.ndarray,
    shots: int,
    objective: str,
) -> dict[int, list[int]]:
    """Batteries assigned to each threat by linear_sum_assignment (see module doc)."""
    n_threats = engage.shape[0]
    cap = np.minimum(stock, n_threats * shots)  # more slots than threat shots are useless
    rows = np.repeat(np.arange(len(bats)), cap)
    if rows.size == 0:
        return {}
    p = np.array([b.p for b in bats])
    k = np.tile(np.arange(shots), n_threats)
    cols_threat = np.repeat(np.arange(n_threats), shots)
    pb = p[rows][:, None]
    if objective == "expected-kills":
        # earlier shots at a threat are taken to be the best battery's that can engage it
        p_best = np.max(np.where(engage, p[None, :], 0.0), axis=1)
        survive = (1.0 - p_best[cols_threat]) ** k
        gain = (value[cols_threat] * survive)[None, :] * pb
    else:
        gain = -value[cols_threat][None, :] * np.log(np.maximum(1.0 - pb, _MIN_SURVIVAL))
        gain = np.broadcast_to(gain, (rows.size, cols_threat.size))
    gain = np.where(engage[cols_threat][:, rows].T, gain, 0.0)
    r, c = linear_sum_assignment(gain, maximize=True)
    out: dict[int, list[int]] = {}
    for ri, ci in zip(r, c, strict=True):
        if gain[ri, ci] > 0.0:
            out.setdefault(int(cols_threat[ci]), []).append(int(rows[ri]))
    return out
