"""Values of Wilkening's simple defence-effectiveness model that openbmd.engagement reproduces.

Source: D. Wilkening, "A Simple Model for Calculating Ballistic Missile Defense
Effectiveness", *Science & Global Security* 8 (2000) 183-215: the kill probability of a
salvo of n interceptors, ``P_track (1 - (1 - R SSPK)^n)``, shoot-look-shoot, the
probability of no leaker in a raid of N independent threats, ``P_kill^N``, and the salvo
size needed to reach a goal. The expected values are those equations evaluated at round
inputs by hand (exact algebra, shown in each source line); they are not numbers copied
from the paper's tables, which these cases do not rely on.
"""

from __future__ import annotations

from openbmd.engagement.effectiveness import (
    raid_outcome,
    raid_with_inventory,
    salvo_kill_probability,
    shots_needed,
    sls_kill_probability,
)
from openbmd.validation.registry import register

_SRC = (
    "Wilkening, 'A Simple Model for Calculating Ballistic Missile Defense Effectiveness', "
    "Science & Global Security 8 (2000) 183-215, "
)
_EXACT = 1e-12


@register(
    "effectiveness.salvo_two_shots",
    quantity="salvo of 2, SSPK 0.8, R = P_track = 1: kill probability [-]",
    source=_SRC + "salvo kill probability 1 - (1 - SSPK)^n: 1 - 0.2^2 = 0.96",
    expected=0.96,
    tolerance=_EXACT,
    unit="-",
)
def _salvo_two() -> float:
    return float(salvo_kill_probability(0.8, 2))


@register(
    "effectiveness.salvo_reliability_tracking",
    quantity="salvo of 3, SSPK 0.7, R 0.9, P_track 0.95: kill probability [-]",
    source=_SRC + "P_track (1 - (1 - R SSPK)^n): 0.95 (1 - 0.37^3) = 0.90187965",
    expected=0.90187965,
    tolerance=_EXACT,
    unit="-",
)
def _salvo_reliability() -> float:
    return float(salvo_kill_probability(0.7, 3, reliability=0.9, p_track=0.95))


@register(
    "effectiveness.sls_perfect_assessment_shots",
    quantity="shoot-look-shoot 1+1, SSPK 0.8, perfect assessment: expected interceptors [-]",
    source=_SRC + "shoot-look-shoot: 1 + (1 - 0.8) = 1.2 (kill probability 0.96, as a salvo of 2)",
    expected=1.2,
    tolerance=_EXACT,
    unit="-",
)
def _sls_shots() -> float:
    return float(sls_kill_probability(0.8, [1, 1]).expected_shots)


@register(
    "effectiveness.sls_imperfect_assessment_kill",
    quantity="shoot-look-shoot 1+1, SSPK 0.8, kill assessment right 90 %: kill probability [-]",
    source=_SRC + "shoot-look-shoot with imperfect kill assessment: 0.8 + 0.2 * 0.9 * 0.8 = 0.944",
    expected=0.944,
    tolerance=_EXACT,
    unit="-",
)
def _sls_imperfect() -> float:
    return float(sls_kill_probability(0.8, [1, 1], p_assess=0.9).p_kill)


@register(
    "effectiveness.raid_no_leaker",
    quantity="raid of 10, salvo of 2 per threat, SSPK 0.8: probability of no leaker [-]",
    source=_SRC + "P_0 = P_kill^N: 0.96^10 = 0.66483263599150...",
    expected=0.96**10,
    tolerance=_EXACT,
    unit="-",
)
def _raid_p0() -> float:
    return float(raid_outcome(10, 0.8, 2).p_no_leaker)


@register(
    "effectiveness.raid_expected_leakers",
    quantity="raid of 10, salvo of 2 per threat, SSPK 0.8: expected leakers [-]",
    source=_SRC + "N (1 - P_kill) = 10 * 0.04 = 0.4",
    expected=0.4,
    tolerance=_EXACT,
    unit="-",
)
def _raid_leakers() -> float:
    return float(raid_outcome(10, 0.8, 2).expected_leakers)


@register(
    "effectiveness.inventory_split",
    quantity="raid of 4 against 6 interceptors, SSPK 0.8: probability of no leaker [-]",
    source=_SRC + "P_0 = prod P_kill(n_i), n = (2, 2, 1, 1): 0.96^2 * 0.8^2 = 0.589824",
    expected=0.589824,
    tolerance=_EXACT,
    unit="-",
)
def _inventory() -> float:
    return float(raid_with_inventory(4, 6, 0.8).p_no_leaker)


@register(
    "effectiveness.shots_needed_goal",
    quantity="raid of 10, SSPK 0.8, goal P_0 >= 0.9: interceptors per threat [-]",
    source=_SRC + "smallest n with (1 - 0.2^n)^10 >= 0.9: 0.96^10 = 0.665, 0.992^10 = 0.923, n = 3",
    expected=3.0,
    tolerance=0.0,
    unit="-",
)
def _shots_needed() -> float:
    return float(shots_needed(0.9, 10, 0.8).shots)
