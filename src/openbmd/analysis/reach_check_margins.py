"""Speed margin of a reach check: how much slower (or faster) an interceptor class could
(or would have to) be, by bisection over a scaled class.

**The scaled class.** A catalog class is one equivalent stage built by
:meth:`openbmd.interceptors.Interceptor.from_burnout` from its *design* burnout speed
``burnout_speed_m_s`` (vertical, vacuum, drag-free, uniform ``g0``); that is the
parameter that changes the fly-out (``published_burnout_speed_m_s`` only documents the
class). :func:`scaled_overrides` gives the overrides of a class whose design speed is
``v`` with **the same masses, burn time, diameter and pitch programme**: both specific
impulses are scaled by ``(v + g0 t_b) / (v0 + g0 t_b)``, which keeps the mass ratio of
the stage (and so every mass) unchanged. Overriding ``burnout_speed_m_s`` alone would
resize the propellant load instead, which changes the drag of the fly-out and has a
ceiling (a single stage of the class's structural fraction cannot exceed about 6.6 km/s
design speed for the upper tier); the scaling here has neither.

**Published-speed terms.** The catalog chooses each design speed so that the fly-out with
drag, on the class's longest-range trajectory, burns out at the *published* speed
(``TimeToReach.burnout_speed_m_s``: 4,489 m/s for the upper tier against 4,500
published). The margin is stated in that measure: ``speed_margin_m_s = v_bo(class) -
v_bo(slowest scaled class that reaches)``, both fly-out burnout speeds computed the same
way. Positive: the class could be that much slower and still reach (reserve); negative:
it would have to burn out that much faster.

**Bisection** on the design speed, to :data:`SPEED_TOLERANCE_M_S`, between
:data:`FLOOR_FRACTION` of the class's design speed and the design speed whose fly-out
would burn out at about the first cosmic velocity (:data:`CIRCULAR_SPEED_M_S`: faster, the
"interceptor" would be an orbital vehicle). Reaching is assumed to grow with speed
(checked at the two ends of the final bracket). Past either end the margin is a bound.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from openbmd.constants import G0_M_S2, WGS84_A_M, WGS84_GM_M3_S2
from openbmd.errors import ParameterError
from openbmd.interceptors.catalog import get_interceptor
from openbmd.interceptors.flyout import time_to_reach_table
from openbmd.interceptors.interceptor import Interceptor
from openbmd.interceptors.time_to_reach import TimeToReach

__all__ = [
    "CIRCULAR_SPEED_M_S",
    "FLOOR_FRACTION",
    "SPEED_TOLERANCE_M_S",
    "SpeedMargin",
    "scaled_interceptor",
    "scaled_overrides",
    "speed_margin",
]

#: Width of the final bracket on the design burnout speed, m/s.
SPEED_TOLERANCE_M_S = 10.0
#: Lowest design speed tried, as a fraction of the class's.
FLOOR_FRACTION = 0.25
#: First cosmic velocity at the equatorial radius, sqrt(GM / a), m/s (7,905 m/s).
CIRCULAR_SPEED_M_S = math.sqrt(WGS84_GM_M3_S2 / WGS84_A_M)


def scaled_overrides(
    name: str, design_burnout_speed_m_s: float, **overrides: Any
) -> dict[str, float]:
    """Catalog overrides of class ``name`` with design burnout speed ``v`` (m/s, > 0) and
    the class's masses (see the module notes); ``overrides`` are applied first."""
    v = float(design_burnout_speed_m_s)
    if not (math.isfinite(v) and v > 0.0):
        raise ParameterError("design_burnout_speed_m_s", "> 0", design_burnout_speed_m_s)
    base = get_interceptor(name, **overrides)
    if len(base.rocket.stages) != 1:
        raise ParameterError("interceptor", "a one-stage catalog class", name)
    stage = base.rocket.stages[0]
    gravity_loss = G0_M_S2 * base.burn_time_s
    factor = (v + gravity_loss) / (base.design_burnout_speed_m_s + gravity_loss)
    return {
        **overrides,
        "burnout_speed_m_s": v,
        "isp_vacuum_s": stage.isp_vacuum_s * factor,
        "isp_sea_level_s": stage.isp_sea_level_s * factor,
    }


def scaled_interceptor(name: str, design_burnout_speed_m_s: float, **overrides: Any) -> Interceptor:
    """The class ``name`` scaled to design burnout speed ``v`` (see the module notes)."""
    return get_interceptor(name, **scaled_overrides(name, design_burnout_speed_m_s, **overrides))


@dataclass(frozen=True)
class SpeedMargin:
    """Result of :func:`speed_margin`.

    Attributes
    ----------
    speed_margin_m_s : float
        ``burnout_speed_m_s - required_burnout_speed_m_s`` (see the module notes).
    bound : str
        ``""``: found within the tolerance; ``"at least"``: the class still reaches at the
        floor speed (the true margin is larger); ``"at most"``: it does not reach even at
        the ceiling (the true margin is smaller, i.e. more negative).
    burnout_speed_m_s : float
        Fly-out burnout speed of the class (published-speed terms), m/s.
    required_burnout_speed_m_s : float
        Fly-out burnout speed of the slowest scaled class found to reach (or of the floor
        / ceiling for a bound), m/s.
    design_bracket_m_s : tuple of float
        Design speeds (not reaching, reaching) of the final bracket, m/s; the first is
        NaN for an "at least" bound, the second NaN for "at most".
    evaluations : int
        Fly-out tables built.
    """

    speed_margin_m_s: float
    bound: str
    burnout_speed_m_s: float
    required_burnout_speed_m_s: float
    design_bracket_m_s: tuple[float, float]
    evaluations: int


def speed_margin(
    name: str,
    reaches: Callable[[Interceptor, TimeToReach], bool],
    *,
    overrides: Mapping[str, Any] | None = None,
    tolerance_m_s: float = SPEED_TOLERANCE_M_S,
) -> SpeedMargin:
    """Bisect the design burnout speed of class ``name`` for the boundary of ``reaches``.

    Parameters
    ----------
    name : str
        Catalog interceptor class.
    reaches : callable
        ``reaches(interceptor, table) -> bool``: whether that interceptor, with its
        fly-out table, reaches the threat.
    overrides : mapping, optional
        Catalog overrides of the class (applied before the scaling).
    tolerance_m_s : float
        Width of the final bracket on the design speed, m/s (> 0).
    """
    if not (math.isfinite(tolerance_m_s) and tolerance_m_s > 0.0):
        raise ParameterError("tolerance_m_s", "> 0", tolerance_m_s)
    extra = dict(overrides or {})
    base = get_interceptor(name, **extra)
    v0 = base.design_burnout_speed_m_s
    count = 0

    def check(v: float) -> tuple[bool, float]:
        nonlocal count
        count += 1
        if v == v0:
            it, table = base, time_to_reach_table(base)
        else:
            it = scaled_interceptor(name, v, **extra)
            table = time_to_reach_table(it, cache=False)
        return bool(reaches(it, table)), float(table.burnout_speed_m_s)

    ok0, bo0 = check(v0)
    if ok0:
        floor = FLOOR_FRACTION * v0
        ok_floor, bo_floor = check(floor)
        if ok_floor:
            return SpeedMargin(bo0 - bo_floor, "at least", bo0, bo_floor, (math.nan, floor), count)
        lo, hi, bo_hi = floor, v0, bo0
    else:
        ceiling = v0 + max(CIRCULAR_SPEED_M_S - bo0, 0.0)
        ok_cap, bo_cap = check(ceiling)
        if not ok_cap:
            return SpeedMargin(bo0 - bo_cap, "at most", bo0, bo_cap, (ceiling, math.nan), count)
        lo, hi, bo_hi = v0, ceiling, bo_cap
    while hi - lo > tolerance_m_s:
        mid = 0.5 * (lo + hi)
        ok, bo = check(mid)
        if ok:
            hi, bo_hi = mid, bo
        else:
            lo = mid
    return SpeedMargin(bo0 - bo_hi, "", bo0, bo_hi, (lo, hi), count)
