"""Defence effectiveness after Wilkening (2000): exact algebra and a Monte Carlo cross-check.

Source: D. Wilkening, "A Simple Model for Calculating Ballistic Missile Defense
Effectiveness", Science & Global Security 8 (2000) 183-215. Expected values are the
model's equations evaluated by hand (shown next to each), not numbers from the paper.
"""

import math

import numpy as np
import pytest

from openbmd.engagement.effectiveness import (
    compare_doctrines,
    raid_outcome,
    raid_with_inventory,
    salvo_kill_probability,
    shots_needed,
    sls_kill_probability,
)
from openbmd.engagement.effectiveness_mc import raid_monte_carlo
from openbmd.errors import ParameterError, UnreachableError

# ---------------------------------------------------------------- salvo


def test_salvo_hand_values():
    assert salvo_kill_probability(0.8, 2) == pytest.approx(0.96, abs=1e-15)  # 1 - 0.2^2
    assert salvo_kill_probability(0.8, 0) == 0.0
    assert salvo_kill_probability(1.0, 1) == 1.0
    assert salvo_kill_probability(1.0, 0) == 0.0  # 0^0 = 1: no shot, no kill
    # 0.95 (1 - (1 - 0.9 * 0.7)^3) = 0.95 * (1 - 0.37^3)
    assert salvo_kill_probability(0.7, 3, reliability=0.9, p_track=0.95) == pytest.approx(
        0.90187965, abs=1e-15
    )


def test_salvo_is_vectorised_and_scalars_give_floats():
    p = salvo_kill_probability(np.array([0.5, 0.8])[:, None], np.arange(4)[None, :])
    assert p.shape == (2, 4)
    np.testing.assert_allclose(p[1], 1.0 - 0.2 ** np.arange(4), atol=1e-15)
    assert isinstance(salvo_kill_probability(0.5, 2.0), float)


# ---------------------------------------------------------------- shoot-look-shoot


def test_sls_perfect_assessment_equals_salvo_kill_with_fewer_shots():
    out = sls_kill_probability(0.7, [2, 1, 1], reliability=0.9)
    assert out.p_kill == pytest.approx(salvo_kill_probability(0.7, 4, reliability=0.9))
    # shots: 2 + 1 * 0.37^2 + 1 * 0.37^3 (live threats go on, dead ones are left alone)
    assert out.expected_shots == pytest.approx(2 + 0.37**2 + 0.37**3, abs=1e-15)
    assert out.max_shots == 4.0


def test_sls_imperfect_assessment_hand_values():
    q, s = 0.9, 0.8
    out = sls_kill_probability(s, [1, 1], p_track=0.95, p_assess=q)
    # kill: s + (1 - s) q s; shots: 1 + (1 - s) q + s (1 - q)
    assert out.p_kill == pytest.approx(0.95 * (s + (1 - s) * q * s), abs=1e-15)
    assert out.expected_shots == pytest.approx(0.95 * (1 + (1 - s) * q + s * (1 - q)), abs=1e-15)


def test_sls_with_assessment_always_wrong():
    # live threats are never re-engaged, dead ones always are: kill = p_1, shots = n_1 + p_1 n_2
    out = sls_kill_probability(0.6, [1, 3], p_assess=0.0)
    assert out.p_kill == pytest.approx(0.6)
    assert out.expected_shots == pytest.approx(1 + 0.6 * 3)


def test_sls_vectorised_over_stages_and_probabilities():
    out = sls_kill_probability([0.5, 0.9], [[1, 1], [2, 2]], p_assess=[[1.0], [0.8]])
    assert np.shape(out.p_kill) == (2, 2)
    np.testing.assert_array_equal(out.max_shots, [2.0, 4.0])


# ---------------------------------------------------------------- raids


def test_raid_salvo_hand_values():
    out = raid_outcome(10, 0.8, 2)
    assert out.p_kill_per_threat == pytest.approx(0.96)
    assert out.p_no_leaker == pytest.approx(0.96**10, rel=1e-14)
    assert out.expected_leakers == pytest.approx(0.4, rel=1e-12)
    assert out.interceptors_used == 20.0 and out.interceptors_committed == 20.0


def test_raid_tracking_and_common_mode_system():
    out = raid_outcome(5, 0.8, 2, p_track=0.9, p_system=0.95)
    pk = 0.9 * 0.96
    assert out.p_no_leaker == pytest.approx(0.95 * pk**5)
    assert out.expected_leakers == pytest.approx(5 * (1 - 0.95 * pk))
    assert out.interceptors_used == pytest.approx(0.95 * 0.9 * 2 * 5)  # untracked: no shots
    assert out.interceptors_committed == 10.0


def test_raid_sls_uses_expected_shots():
    out = raid_outcome(4, 0.8, 1, doctrine="sls", stages=2, p_assess=0.9)
    assert out.p_kill_per_threat == pytest.approx(0.944)
    assert out.interceptors_used == pytest.approx(4 * 1.26)
    assert out.interceptors_committed == 8.0


def test_raid_zero_threats():
    out = raid_outcome(0, 0.5, 1)
    assert out.p_no_leaker == 1.0 and out.expected_leakers == 0.0 and out.interceptors_used == 0


def test_inventory_spread_evenly():
    out = raid_with_inventory(4, 6, 0.8)
    assert out.p_no_leaker == pytest.approx(0.96**2 * 0.8**2)
    assert out.expected_leakers == pytest.approx(2 * 0.04 + 2 * 0.2)
    even = raid_with_inventory(5, 10, 0.7, reliability=0.9, p_track=0.95, p_system=0.99)
    ref = raid_outcome(5, 0.7, 2, reliability=0.9, p_track=0.95, p_system=0.99)
    for field in ("p_kill_per_threat", "p_no_leaker", "expected_leakers", "interceptors_used"):
        assert getattr(even, field) == pytest.approx(getattr(ref, field), rel=1e-12), field
    assert raid_with_inventory(3, 0, 0.9).p_no_leaker == 0.0
    assert math.isnan(raid_with_inventory(0, 5, 0.9).p_kill_per_threat)


# ---------------------------------------------------------------- interceptors needed


@pytest.mark.parametrize(
    ("goal", "n_threats", "sspk", "rel", "track"),
    [(0.9, 10, 0.8, 1.0, 1.0), (0.95, 20, 0.6, 0.9, 0.999), (0.5, 1, 0.3, 0.8, 1.0)],
)
def test_shots_needed_matches_salvo_closed_form(goal, n_threats, sspk, rel, track):
    need = shots_needed(goal, n_threats, sspk, reliability=rel, p_track=track)
    # n = ceil(ln(1 - goal^(1/N) / P_track) / ln(1 - R SSPK))
    closed = math.ceil(math.log(1 - goal ** (1 / n_threats) / track) / math.log(1 - rel * sspk))
    assert need.shots == closed
    assert need.outcome.p_no_leaker >= goal
    assert need.outcome.interceptors_committed == closed * n_threats


def test_shots_needed_sls_and_unreachable():
    salvo = shots_needed(0.9, 10, 0.8)
    sls = shots_needed(0.9, 10, 0.8, doctrine="sls", stages=3)
    assert sls.shots == 1  # 3 stages of 1 = a salvo of 3 in kill probability
    assert sls.outcome.interceptors_used < salvo.outcome.interceptors_used
    with pytest.raises(UnreachableError, match="out of reach"):
        shots_needed(0.9, 10, 0.8, p_track=0.98)  # 0.98^10 = 0.817 < 0.9


def test_compare_doctrines():
    cmp = compare_doctrines(10, 0.8)
    assert cmp.salvo.p_no_leaker == pytest.approx(cmp.shoot_look_shoot.p_no_leaker)
    assert cmp.salvo.interceptors_used == 20.0
    assert cmp.shoot_look_shoot.interceptors_used == pytest.approx(12.0)
    worse = compare_doctrines(10, 0.8, p_assess=0.9)
    assert worse.shoot_look_shoot.p_no_leaker < worse.salvo.p_no_leaker


# ---------------------------------------------------------------- Monte Carlo cross-check

CASES = [
    {"n_threats": 3, "sspk": 0.6, "shots": 2, "reliability": 0.85, "p_track": 0.9},
    {"n_threats": 5, "sspk": 0.7, "shots": 1, "reliability": 0.9, "p_track": 0.95,
     "doctrine": "sls", "stages": 3, "p_assess": 0.8, "p_system": 0.9},
    {"n_threats": 2, "sspk": 0.5, "shots": 2, "doctrine": "sls", "stages": 2, "p_assess": 0.7},
]  # fmt: skip


@pytest.mark.parametrize("case", CASES)
def test_monte_carlo_within_binomial_bounds(case):
    trials = 100_000
    exact = raid_outcome(**case)
    mc = raid_monte_carlo(trials, 20240601, **case)
    z = 4.0  # two-sided ~6e-5: a fixed seed, so a pass is not luck-dependent

    def bound(p, n):
        return z * math.sqrt(p * (1 - p) / n) + 1e-12

    assert abs(mc.p_no_leaker - exact.p_no_leaker) <= bound(exact.p_no_leaker, trials)
    n_engaged = trials * case["n_threats"] * case.get("p_system", 1.0)
    pk = exact.p_kill_per_threat
    assert abs(mc.p_kill_per_threat - pk) <= bound(pk, n_engaged)
    # leakers per raid: variance <= N^2/4, a loose but safe bound on the mean
    assert abs(mc.expected_leakers - exact.expected_leakers) <= z * case[
        "n_threats"
    ] / 2 / math.sqrt(trials)
    max_shots = exact.interceptors_committed
    assert abs(mc.interceptors_used - exact.interceptors_used) <= z * max_shots / 2 / math.sqrt(
        trials
    )


def test_monte_carlo_is_reproducible():
    a = raid_monte_carlo(1000, 5, 3, 0.5, 1)
    b = raid_monte_carlo(1000, 5, 3, 0.5, 1)
    assert a == b


# ---------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    ("call", "name"),
    [
        (lambda: salvo_kill_probability(1.1, 1), "sspk"),
        (lambda: salvo_kill_probability(-0.1, 1), "sspk"),
        (lambda: salvo_kill_probability(0.5, -1), "shots"),
        (lambda: salvo_kill_probability(0.5, 1.5), "shots"),
        (lambda: salvo_kill_probability(0.5, float("nan")), "shots"),
        (lambda: salvo_kill_probability(0.5, True), "shots"),
        (lambda: salvo_kill_probability(0.5, 1, reliability=2.0), "reliability"),
        (lambda: salvo_kill_probability(0.5, 1, p_track=float("nan")), "p_track"),
        (lambda: sls_kill_probability(0.5, [1, -1]), "salvo_sizes"),
        (lambda: sls_kill_probability(0.5, []), "salvo_sizes"),
        (lambda: sls_kill_probability(0.5, [1, 1], p_assess=1.5), "p_assess"),
        (lambda: raid_outcome(-1, 0.5, 1), "n_threats"),
        (lambda: raid_outcome(2.5, 0.5, 1), "n_threats"),
        (lambda: raid_outcome(2, 0.5, 1, doctrine="barrage"), "doctrine"),
        (lambda: raid_outcome(2, 0.5, 1, doctrine="sls", stages=0), "stages"),
        (lambda: raid_outcome(2, 0.5, 1, p_system=-0.5), "p_system"),
        (lambda: raid_with_inventory(2, -3, 0.5), "inventory"),
        (lambda: raid_with_inventory(-2, 3, 0.5), "n_threats"),
        (lambda: shots_needed(1.5, 2, 0.5), "p_goal"),
        (lambda: raid_monte_carlo(0, 1, 2, 0.5, 1), "n_trials"),
        (lambda: raid_monte_carlo(10, -1, 2, 0.5, 1), "seed"),
    ],
)
def test_bad_input_names_the_parameter(call, name):
    with pytest.raises(ParameterError, match=f"'{name}'"):
        call()


def test_registered_effectiveness_cases_pass():
    # registered on import (openbmd.validation.registry lists the module too)
    import openbmd.validation.cases_effectiveness  # noqa: F401
    from openbmd.validation.registry import all_cases, run_case

    cases = all_cases(["effectiveness"])
    assert len(cases) == 8
    for case in cases:
        result = run_case(case)
        assert result.error is None, f"{case.case_id} raised {result.error}"
        assert result.passed, (
            f"{case.quantity}: expected {case.expected} ± {case.tolerance} ({case.source}), "
            f"got {result.got}"
        )
