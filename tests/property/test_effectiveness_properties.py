"""Properties of the defence-effectiveness model (Wilkening 2000) for any input.

Kill probabilities are probabilities, grow with every resource, shoot-look-shoot with
perfect assessment kills like the salvo of all its stages, and the salvo size found for a
goal is the smallest that reaches it. Bad input ends in a ParameterError, never in NaN.
"""

import math

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from openbmd.engagement.effectiveness import (
    raid_outcome,
    salvo_kill_probability,
    shots_needed,
    sls_kill_probability,
)
from openbmd.errors import ParameterError, UnreachableError

prob = st.floats(0.0, 1.0)
shots = st.integers(0, 30)
threats = st.integers(0, 200)
stage_sizes = st.lists(st.integers(0, 5), min_size=1, max_size=6)


@given(prob, shots, prob, prob)
def test_salvo_is_a_probability_bounded_by_tracking(s, n, r, t):
    p = salvo_kill_probability(s, n, reliability=r, p_track=t)
    assert 0.0 <= p <= t + 1e-15


@given(prob, shots, prob, prob, st.floats(0.0, 0.5))
def test_salvo_grows_with_shots_sspk_reliability_and_tracking(s, n, r, t, d):
    p = salvo_kill_probability(s, n, reliability=r, p_track=t)
    assert salvo_kill_probability(s, n + 1, reliability=r, p_track=t) >= p - 1e-15
    assert salvo_kill_probability(min(s + d, 1.0), n, reliability=r, p_track=t) >= p - 1e-15
    assert salvo_kill_probability(s, n, reliability=min(r + d, 1.0), p_track=t) >= p - 1e-15
    assert salvo_kill_probability(s, n, reliability=r, p_track=min(t + d, 1.0)) >= p - 1e-15


@given(prob, stage_sizes, prob, prob)
def test_sls_with_perfect_assessment_kills_like_the_salvo_of_all_stages(s, sizes, r, t):
    out = sls_kill_probability(s, sizes, reliability=r, p_track=t)
    salvo = salvo_kill_probability(s, sum(sizes), reliability=r, p_track=t)
    assert math.isclose(out.p_kill, salvo, abs_tol=1e-12)
    assert t * sizes[0] - 1e-12 <= out.expected_shots <= t * sum(sizes) + 1e-12


@given(prob, stage_sizes, prob, prob, prob)
def test_sls_imperfect_assessment_never_helps(s, sizes, r, t, q):
    out = sls_kill_probability(s, sizes, reliability=r, p_track=t, p_assess=q)
    perfect = sls_kill_probability(s, sizes, reliability=r, p_track=t)
    first = salvo_kill_probability(s, sizes[0], reliability=r, p_track=t)
    assert first - 1e-12 <= out.p_kill <= perfect.p_kill + 1e-12
    assert out.expected_shots <= out.max_shots * t + 1e-12


@given(threats, prob, shots, prob, prob, prob)
def test_raid_bounds(n_thr, s, n, r, t, ps):
    out = raid_outcome(n_thr, s, n, reliability=r, p_track=t, p_system=ps)
    assert 0.0 <= out.p_no_leaker <= ps + 1e-15
    assert -1e-9 <= out.expected_leakers <= n_thr + 1e-9
    assert 0.0 <= out.interceptors_used <= n * n_thr + 1e-9
    more = raid_outcome(n_thr + 1, s, n, reliability=r, p_track=t, p_system=ps)
    assert more.p_no_leaker <= out.p_no_leaker + 1e-15


@settings(max_examples=60)
@given(st.floats(0.01, 0.999), st.integers(1, 50), st.floats(0.05, 0.99), st.floats(0.5, 1.0),
       st.sampled_from(["salvo", "sls"]))  # fmt: skip
def test_shots_needed_is_smallest(goal, n_thr, s, r, doctrine):
    try:
        need = shots_needed(goal, n_thr, s, reliability=r, doctrine=doctrine, max_shots=200)
    except UnreachableError:
        return
    assert need.outcome.p_no_leaker >= goal * (1 - 1e-12)
    if need.shots > 0:
        fewer = raid_outcome(n_thr, s, need.shots - 1, reliability=r, doctrine=doctrine)
        assert fewer.p_no_leaker < goal


@given(st.one_of(st.floats(-10, -1e-9), st.floats(1 + 1e-9, 10), st.just(float("nan"))))
def test_bad_probability_raises(p):
    try:
        salvo_kill_probability(p, 1)
    except ParameterError as exc:
        assert "'sspk'" in str(exc)
    else:
        raise AssertionError(f"sspk = {p} accepted")


@given(st.one_of(st.integers(-100, -1), st.floats(0.01, 100).filter(lambda x: x != round(x))))
def test_bad_shot_count_raises(n):
    try:
        raid_outcome(3, 0.5, n)
    except ParameterError as exc:
        assert "'shots'" in str(exc)
    else:
        raise AssertionError(f"shots = {n} accepted")


@given(prob, shots)
def test_vectorised_equals_scalar(s, n):
    vec = salvo_kill_probability(np.array([s, s]), np.array([n, n + 1]))
    # equal to rounding: numpy's power may square a scalar and call pow on an array
    assert math.isclose(vec[0], salvo_kill_probability(s, n), rel_tol=1e-14, abs_tol=1e-300)
    assert math.isclose(vec[1], salvo_kill_probability(s, n + 1), rel_tol=1e-14, abs_tol=1e-300)
