"""Homing endgame: Zarchan's closed forms and adjoint results, 3-D sim, noise, limits.

Reference: P. Zarchan, *Tactical and Strategic Missile Guidance* (AIAA), chapters on
proportional navigation and miss distance, the method of adjoints and advanced guidance
laws. Closed forms for ideal PN in the linearised engagement:
heading error n_c = -Vm HE N'/tF (1 - t/tF)^(N'-2); target step
n_c/n_T = N'/(N'-2) (1 - (1 - t/tF)^(N'-2)); augmented PN n_c/n_T = N'/2 (1 - t/tF)^(N'-2).
"""

import math

import numpy as np
import pytest
from scipy.integrate import solve_ivp

from openbmd.errors import ParameterError
from openbmd.interceptors.homing import (
    apn_step_accel_ratio,
    collision_course_states,
    homing_monte_carlo,
    kill_probability,
    linear_engagement,
    pn_heading_error_accel,
    pn_step_accel_ratio,
    simulate_homing,
)
from openbmd.interceptors.homing_kernels import normal_samples

VM, VT, R0 = 3000.0, 1000.0, 40e3  # head-on, Vc = 4000 m/s, tF = 10 s
TF = R0 / (VM + VT)
HE = math.radians(1.0)


def _lateral_shape_error(time_s, accel, reference, tf):
    """Largest |accel - reference| for t <= 0.99 tF, as a fraction of the reference peak.

    Within the last percent of the flight n_c = N' ZEM / t_go^2 is a ratio of vanishing
    numbers and carries the integration error; the closed form is compared before that.
    """
    keep = np.isfinite(accel) & (time_s <= 0.99 * tf)
    return np.max(np.abs(accel - reference)[keep]) / np.max(np.abs(reference[keep]))


# ---------------------------------------------------------------- linear model


@pytest.mark.parametrize("nav", [3.0, 4.0, 5.0])
def test_linear_heading_error_matches_closed_form_and_zero_miss(nav):
    out = linear_engagement(10.0, interceptor_speed_m_s=VM, heading_error_rad=-0.01, nav_ratio=nav)
    ref = pn_heading_error_accel(out.time_s[0], 10.0, VM, -0.01, nav)
    err = _lateral_shape_error(out.time_s[0], out.commanded_accel_m_s2[0], ref, 10.0)
    assert err < 1e-6, f"linear model off the closed form by {err:.2e} of peak (RK4, 1 ms)"
    assert abs(out.miss_m[0]) < 1e-3, "ideal PN has zero miss for a heading error"


@pytest.mark.parametrize("nav", [3.0, 4.0, 5.0])
def test_linear_step_maneuver_matches_closed_form_and_zero_miss(nav):
    out = linear_engagement(10.0, target_accel_m_s2=3 * 9.80665, nav_ratio=nav)
    ref = 3 * 9.80665 * pn_step_accel_ratio(out.time_s[0], 10.0, nav)
    err = _lateral_shape_error(out.time_s[0], out.commanded_accel_m_s2[0], ref, 10.0)
    assert err < 1e-5, f"n_c/n_T off N'/(N'-2)(1-(1-t/tF)^(N'-2)) by {err:.2e} of peak"
    assert abs(out.miss_m[0]) < 1e-3, "ideal PN has zero miss for a target step"


def test_linear_apn_step_matches_closed_form():
    out = linear_engagement(10.0, target_accel_m_s2=10.0, nav_ratio=4.0, law="apn")
    ref = 10.0 * apn_step_accel_ratio(out.time_s[0], 10.0, 4.0)
    assert _lateral_shape_error(out.time_s[0], out.commanded_accel_m_s2[0], ref, 10.0) < 1e-6
    assert abs(out.miss_m[0]) < 1e-3
    # APN front-loads the effort: its peak (N'/2 n_T at t = 0) is below PN's N'/(N'-2) n_T
    assert out.commanded_accel_m_s2[0, 0] == pytest.approx(20.0, rel=1e-9)


def _adjoint_miss(nav, tf_over_t):
    """Adjoint of the single-time-constant PN loop (Zarchan, method of adjoints).

    States (y*, v*, n*) in adjoint time tau = t_go, T = 1: returns the normalised misses
    y(tF)/(-Vm HE T) = v*(tF) and y(tF)/(n_T T^2) = integral of v* (step from t = 0).
    """

    def rhs(tau, x):
        y, v, n, _ = x
        return [nav * n / tau**2, y + nav * n / tau, -v - n, v]

    eps = 1e-6  # series start: y* = 1, v* = tau, n* = -tau^2/2
    sol = solve_ivp(
        rhs, (eps, max(tf_over_t)), [1.0, eps, -(eps**2) / 2, eps**2 / 2],
        rtol=1e-11, atol=1e-14, dense_output=True,
    )  # fmt: skip
    return sol.sol(np.asarray(tf_over_t))[[1, 3]]


@pytest.mark.parametrize("nav", [3.0, 4.0, 5.0])
def test_linear_lag_miss_matches_adjoint(nav):
    x = np.array([1.0, 2.0, 3.0, 5.0, 8.0, 10.0])
    he_adj, step_adj = _adjoint_miss(nav, x)
    he = linear_engagement(
        x, interceptor_speed_m_s=1.0, heading_error_rad=-1.0, time_constant_s=1.0,
        nav_ratio=nav, step_s=1e-4,
    )  # fmt: skip
    step = linear_engagement(
        x, target_accel_m_s2=1.0, time_constant_s=1.0, nav_ratio=nav, step_s=1e-4
    )
    np.testing.assert_allclose(he.miss_m, he_adj, atol=1e-3, err_msg="heading error vs adjoint")
    np.testing.assert_allclose(step.miss_m, step_adj, atol=1e-3, err_msg="step vs adjoint")


def test_linear_lag_miss_vanishes_as_flight_time_over_tau_grows():
    x = np.array([2.0, 5.0, 10.0, 20.0, 40.0])
    out = linear_engagement(
        x, interceptor_speed_m_s=1.0, heading_error_rad=-1.0, time_constant_s=1.0, step_s=1e-3
    )
    miss = np.abs(out.miss_m)
    assert miss[0] > 0.05, "a lag comparable to the flight time leaves a real miss"
    assert miss[-2] < 1e-4 and miss[-1] < 1e-6, f"miss must vanish with tF/T, got {miss}"


def test_linear_batch_pads_histories():
    out = linear_engagement([1.0, 2.0], interceptor_speed_m_s=1.0, heading_error_rad=0.1)
    assert out.time_s.shape == (2, 2000)
    assert np.isnan(out.time_s[0, 1000]) and np.isfinite(out.time_s[1, 1999])


# ---------------------------------------------------------------- 3-D engagement


@pytest.mark.parametrize(
    ("aspect_deg", "plane_deg", "he_deg"),
    [(0.0, 0.0, 1.0), (0.0, 90.0, -3.0), (30.0, 45.0, 5.0), (60.0, 180.0, 10.0)],
)
def test_3d_ideal_pn_zero_miss_for_heading_error(aspect_deg, plane_deg, he_deg):
    m, t = collision_course_states(
        R0, VM, VT, math.radians(he_deg),
        target_aspect_rad=math.radians(aspect_deg), heading_error_plane_rad=math.radians(plane_deg),
    )  # fmt: skip
    res = simulate_homing(m, t, nav_ratio=4.0)
    assert res.miss_distance_m[0] < 1e-3, "ideal true PN has zero miss against a straight target"


def test_3d_heading_error_matches_closed_form_and_divert():
    m, t = collision_course_states(R0, VM, VT, HE)
    res = simulate_homing(m, t, nav_ratio=4.0, record_history=True)
    tf = R0 / (VM * math.cos(HE) + VT)
    h = res.history
    ref = pn_heading_error_accel(h.time_s, tf, VM, math.sin(HE), 4.0)
    err = _lateral_shape_error(h.time_s, h.commanded_accel_m_s2[0, :, 1], ref, tf)
    assert err < 0.02, f"3-D PN {err:.2%} of peak off the linear closed form (allowed 2 %)"
    assert err < 1e-3  # found: 1e-5 at 1 deg
    assert res.time_of_closest_approach_s[0] == pytest.approx(tf, abs=2e-3)
    # delta-v of ideal PN: integral |n_c| dt = Vm HE N'/(N'-1)
    assert res.divert_used_m_s[0] == pytest.approx(VM * math.sin(HE) * 4.0 / 3.0, rel=1e-3)


@pytest.mark.parametrize(
    ("law", "closed_form"), [("pn", pn_step_accel_ratio), ("apn", apn_step_accel_ratio)]
)
def test_3d_step_maneuver_matches_closed_form(law, closed_form):
    m, t = collision_course_states(R0, VM, VT)
    res = simulate_homing(m, t, law=law, target_accel_m_s2=(0.0, 10.0, 0.0), record_history=True)
    h = res.history
    ref = 10.0 * closed_form(h.time_s, TF, 4.0)
    err = _lateral_shape_error(h.time_s, h.commanded_accel_m_s2[0, :, 1], ref, TF)
    assert err < 0.02, f"3-D {law} {err:.2%} of peak off the closed form (allowed 2 %)"
    assert res.miss_distance_m[0] < 1e-3


def test_3d_step_starting_between_updates_still_zero_miss():
    m, t = collision_course_states(R0, VM, VT)
    res = simulate_homing(
        m, t, target_accel_m_s2=(0.0, 5.0, 5.0), target_maneuver_start_s=3.3337, step_s=2e-3
    )
    assert res.miss_distance_m[0] < 1e-3


@pytest.mark.parametrize("tau", [0.5, 1.0])
def test_3d_lag_miss_matches_linear_model(tau):
    m, t = collision_course_states(R0, VM, VT, HE)
    res = simulate_homing(m, t, time_constant_s=tau)
    tf = R0 / (VM * math.cos(HE) + VT)
    lin = linear_engagement(
        tf, interceptor_speed_m_s=VM, heading_error_rad=math.sin(HE), time_constant_s=tau,
        step_s=1e-4,
    )  # fmt: skip
    assert res.miss_distance_m[0] == pytest.approx(abs(lin.miss_m[0]), rel=0.02, abs=1e-4)


def test_straight_flyby_closest_approach_interpolated():
    # no guidance (blind range larger than the range): closest approach of straight lines
    rel = np.array([1000.0, 5.0, -2.0, -3000.0, 0.0, 0.0])
    res = simulate_homing(np.zeros(6), rel, blind_range_m=1e6, step_s=7e-3)
    assert res.miss_distance_m[0] == pytest.approx(math.hypot(5.0, 2.0), abs=1e-9)
    assert res.time_of_closest_approach_s[0] == pytest.approx(1.0 / 3.0, abs=1e-9)
    assert res.divert_used_m_s[0] == 0.0


def test_opening_geometry_and_time_limit():
    res = simulate_homing(np.zeros(6), [100.0, 0, 0, 10.0, 0, 0])
    assert res.miss_distance_m[0] == 100.0 and res.time_of_closest_approach_s[0] == 0.0
    m, t = collision_course_states(R0, VM, VT)
    late = simulate_homing(m, t, max_time_s=1.0)
    assert np.isnan(late.miss_distance_m[0]) and np.isnan(late.time_of_closest_approach_s[0])


def test_acceleration_limit_and_divert_budget():
    m, t = collision_course_states(20e3, VM, VT, math.radians(5.0))
    free = simulate_homing(m, t, time_constant_s=0.1)
    limited = simulate_homing(m, t, time_constant_s=0.1, accel_limit_m_s2=60.0, record_history=True)
    achieved = np.linalg.norm(limited.history.achieved_accel_m_s2[0], axis=1)
    assert np.nanmax(achieved) <= 60.0 + 1e-9
    assert limited.miss_distance_m[0] > free.miss_distance_m[0]
    budget = 0.5 * free.divert_used_m_s[0]
    short = simulate_homing(m, t, time_constant_s=0.1, divert_budget_m_s=budget)
    assert short.divert_exhausted[0] and not free.divert_exhausted[0]
    assert short.divert_used_m_s[0] == pytest.approx(budget, rel=1e-12)
    assert short.miss_distance_m[0] > 10.0, "half the needed divert cannot hit"


def test_empty_divert_budget_flies_straight():
    rel = np.array([1000.0, 5.0, -2.0, -3000.0, 0.0, 0.0])
    res = simulate_homing(np.zeros(6), rel, divert_budget_m_s=0.0)
    assert res.miss_distance_m[0] == pytest.approx(math.hypot(5.0, 2.0), abs=1e-9)
    assert res.divert_used_m_s[0] == 0.0 and res.divert_exhausted[0]


def test_history_shapes_and_nan_after_closest_approach():
    m, t = collision_course_states([20e3, 30e3], VM, VT, HE)
    res = simulate_homing(m, t, record_history=True, step_s=1e-2)
    h = res.history
    assert h.commanded_accel_m_s2.shape == (2, h.time_s.size, 3)
    k_end = int(np.ceil(res.time_of_closest_approach_s[0] / 1e-2)) + 1
    assert np.all(np.isnan(h.relative_position_m[0, k_end:]))
    assert np.all(np.isfinite(h.relative_position_m[1, : k_end - 1]))
    assert simulate_homing(m, t).history is None


# ---------------------------------------------------------------- noise, Monte Carlo


def test_noise_generator_is_standard_normal_and_white():
    x = normal_samples(np.uint64(2024), 100_000)
    assert np.all(np.abs(x.mean(axis=0)) < 0.02)  # 5 sigma of the mean: 0.016
    assert np.all(np.abs(x.std(axis=0) - 1.0) < 0.02)
    assert abs(np.corrcoef(x[1:, 0], x[:-1, 0])[0, 1]) < 0.02
    assert abs(np.corrcoef(x[:, 0], x[:, 1])[0, 1]) < 0.02


MC = {
    "range_m": 20e3,
    "interceptor_speed_m_s": 4000.0,
    "target_speed_m_s": 3000.0,
    "heading_error_sigma_rad": math.radians(0.5),
    "seeker_noise_rad": 1e-4,
    "time_constant_s": 0.1,
    "accel_limit_m_s2": 300.0,
    "seeker_update_s": 0.01,
}


def test_monte_carlo_is_reproducible_and_runs_repeat_alone():
    a = homing_monte_carlo(40, 11, **MC)
    b = homing_monte_carlo(40, 11, **MC)
    c = homing_monte_carlo(40, 12, **MC)
    np.testing.assert_array_equal(a.result.miss_distance_m, b.result.miss_distance_m)
    assert not np.array_equal(a.result.miss_distance_m, c.result.miss_distance_m)
    i = 7
    m, t = collision_course_states(
        20e3, 4000.0, 3000.0, a.heading_error_rad[i],
        heading_error_plane_rad=a.heading_error_plane_rad[i],
    )  # fmt: skip
    alone = simulate_homing(
        m, t, seeker_noise_rad=1e-4, time_constant_s=0.1, accel_limit_m_s2=300.0,
        seeker_update_s=0.01, seed=a.noise_seeds[i : i + 1],
    )  # fmt: skip
    assert alone.miss_distance_m[0] == a.result.miss_distance_m[i]


def test_noise_raises_miss_and_zero_noise_is_deterministic():
    quiet = homing_monte_carlo(200, 3, **{**MC, "seeker_noise_rad": 0.0})
    noisy = homing_monte_carlo(200, 3, **MC)
    assert np.median(quiet.result.miss_distance_m) < 1e-3
    assert np.median(noisy.result.miss_distance_m) > 10 * np.median(quiet.result.miss_distance_m)


def test_miss_depends_on_noise_spectral_density_not_update_rate():
    # equal sigma^2 * T_update: the same continuous noise, so the same miss distribution
    rms = []
    for update in (0.01, 0.002):
        sigma = 2e-4 * math.sqrt(0.01 / update)
        mc = homing_monte_carlo(
            400, 5, **{**MC, "seeker_update_s": update, "seeker_noise_rad": sigma}
        )
        rms.append(np.sqrt(np.mean(mc.result.miss_distance_m**2)))
    assert rms[1] == pytest.approx(rms[0], rel=0.15), f"rms miss {rms}"


def test_kill_probability():
    assert kill_probability([0.1, 0.4, 2.0, float("nan")], 0.5, 0.9) == pytest.approx(0.45)
    assert kill_probability(0.3, 0.3) == 1.0
    mc = homing_monte_carlo(50, 1, **{**MC, "seeker_noise_rad": 0.0})
    assert mc.kill_probability(0.1, 0.8) == pytest.approx(0.8)


# ---------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    ("kwargs", "name"),
    [
        ({"nav_ratio": 0.0}, "nav_ratio"),
        ({"law": "pure"}, "law"),
        ({"time_constant_s": -0.1}, "time_constant_s"),
        ({"accel_limit_m_s2": 0.0}, "accel_limit_m_s2"),
        ({"divert_budget_m_s": -1.0}, "divert_budget_m_s"),
        ({"seeker_noise_rad": -1e-3}, "seeker_noise_rad"),
        ({"seed": -1}, "seed"),
        ({"seed": [1, 2]}, "seed"),
        ({"step_s": 0.0}, "step_s"),
        ({"seeker_update_s": 0.0015}, "seeker_update_s"),
        ({"target_accel_m_s2": (1.0, 2.0)}, "target_accel_m_s2"),
        ({"target_maneuver_start_s": -1.0}, "target_maneuver_start_s"),
        ({"max_time_s": float("nan")}, "max_time_s"),
        ({"nav_ratio": [3.0, 4.0]}, "nav_ratio"),
    ],
)
def test_simulate_homing_bad_input(kwargs, name):
    m, t = collision_course_states(R0, VM, VT)
    with pytest.raises(ParameterError, match=f"'{name}'"):
        simulate_homing(m, t, **kwargs)


@pytest.mark.parametrize(
    ("call", "name"),
    [
        (lambda: simulate_homing(np.zeros(5), np.zeros(6)), "interceptor_state"),
        (lambda: simulate_homing(np.zeros(6), [np.nan] * 6), "target_state"),
        (lambda: simulate_homing(np.zeros((2, 6)), np.ones((3, 6))), "target_state"),
        (
            lambda: simulate_homing(
                np.zeros((2, 6)), np.ones(6), target_accel_m_s2=np.ones((3, 3))
            ),
            "target_accel_m_s2",
        ),
        (lambda: collision_course_states(-1.0, VM, VT), "range_m"),
        (
            lambda: collision_course_states(R0, 100.0, 1000.0, target_aspect_rad=1.0),
            "target_speed_m_s",
        ),
        (lambda: linear_engagement(0.0), "flight_time_s"),
        (lambda: linear_engagement(1.0, law="x"), "law"),
        (lambda: kill_probability([1.0], 1.0, 1.5), "sspk"),
        (lambda: kill_probability([-1.0], 1.0), "miss_m"),
        (lambda: kill_probability([1.0], -1.0), "lethal_radius_m"),
        (lambda: homing_monte_carlo(0, 1, **MC), "n_runs"),
        (lambda: homing_monte_carlo(10, -2, **MC), "seed"),
    ],
)
def test_bad_input_names_the_parameter(call, name):
    with pytest.raises(ParameterError, match=name):
        call()


def test_registered_guidance_cases_pass():
    # registered on import (openbmd.validation.registry lists the module too)
    import openbmd.validation.cases_guidance  # noqa: F401
    from openbmd.validation.registry import all_cases, run_case

    cases = all_cases(["guidance"])
    assert len(cases) == 10
    for case in cases:
        result = run_case(case)
        assert result.error is None, f"{case.case_id} raised {result.error}"
        assert result.passed, (
            f"{case.quantity}: expected {case.expected} {case.unit} ± {case.tolerance} "
            f"({case.source}), got {result.got}"
        )
