"""openbmd.analysis.montecarlo: per-trial randomness, determinism on any backend,
confidence intervals against independent formulas, the analytic cross-check."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from scipy import stats as sps

from openbmd.analysis.montecarlo import monte_carlo
from openbmd.analysis.montecarlo_analytic import analytic_check
from openbmd.analysis.montecarlo_trials import draw_trial_scenario, run_trial
from openbmd.analysis.parallel import Backend, task_seeds
from openbmd.analysis.stats import mean_interval, running_mean_interval, wilson_interval
from openbmd.engagement.effectiveness import raid_outcome
from openbmd.errors import ParameterError
from openbmd.scenario import builtin_text, load_scenario, parse_scenario, resolve_scenario

#: The teaching scenario with a launch area and a launch-time distribution.
RANDOM_LAUNCH = (
    builtin_text("teaching")
    .replace(
        "launch: {lat_deg: 22.0, lon_deg: -162.2}",
        "launch: {circle: {center: {lat_deg: 22.0, lon_deg: -162.2}, radius_km: 25.0}}",
    )
    .replace("launch_time_s: 60.0", "launch_time_s: {uniform: [30.0, 90.0]}")
)

FIELDS = ("leakers", "interceptors_expended", "no_leaker", "kills", "engageable",
          "interceptors_failed", "trial_seeds")  # fmt: skip


@pytest.fixture(scope="module")
def scenario():
    model = parse_scenario(RANDOM_LAUNCH, "random-launch.yaml")
    assert "circle" in RANDOM_LAUNCH and "uniform" in RANDOM_LAUNCH
    return model


@pytest.fixture(scope="module")
def serial(scenario):
    return monte_carlo(scenario, trials=4, seed=11)


# --- randomness of a trial --------------------------------------------------------------


def test_each_trial_draws_its_own_launch_point_and_time(scenario):
    a, b = task_seeds(11, 2)
    la = resolve_scenario(draw_trial_scenario(scenario, a), seed=a).launches[0]
    lb = resolve_scenario(draw_trial_scenario(scenario, b), seed=b).launches[0]
    assert (la.launch_lat_deg, la.launch_lon_deg) != (lb.launch_lat_deg, lb.launch_lon_deg)
    assert la.launch_time_s != lb.launch_time_s
    for la_ in (la, lb):
        assert 30.0 <= la_.launch_time_s <= 90.0
        # inside the 25 km disc around the centre (1 deg of latitude ~ 110.6 km)
        dy = (la_.launch_lat_deg - 22.0) * 110.6
        dx = (la_.launch_lon_deg + 162.2) * 110.6 * math.cos(math.radians(22.0))
        assert math.hypot(dx, dy) < 25.5
    # the same seed draws the same trial
    again = resolve_scenario(draw_trial_scenario(scenario, a), seed=a).launches[0]
    assert again == la
    nominal = draw_trial_scenario(scenario, a, sample_distributions=False)
    assert resolve_scenario(nominal, seed=a).launches[0].launch_time_s == 60.0


def test_a_trial_is_the_pipeline_run_with_its_seed(scenario, serial):
    from openbmd.pipeline.run import run_scenario

    seed = int(serial.trial_seeds[2])
    summary = run_scenario(draw_trial_scenario(scenario, seed), seed=seed).summary
    assert serial.leakers[2] == summary["leakers"]
    assert serial.interceptors_expended[2] == summary["interceptors_fired"]
    assert serial.kills[2] == summary["kills"]


# --- determinism ------------------------------------------------------------------------


def test_chunking_and_a_two_worker_cluster_give_the_serial_trials_bit_for_bit(scenario, serial):
    chunked = monte_carlo(scenario, trials=4, seed=11, chunk_trials=3)
    cluster = monte_carlo(scenario, trials=4, seed=11, chunk_trials=1,
                          backend=Backend(workers=2))  # fmt: skip
    assert cluster.backend == "local cluster, 2 workers"
    for other in (chunked, cluster):
        for name in FIELDS:
            a, b = getattr(serial, name), getattr(other, name)
            assert a.dtype == b.dtype and np.array_equal(a, b), name
        assert other.to_dict()["p_no_leaker_ci95"] == serial.to_dict()["p_no_leaker_ci95"]


def test_a_shorter_study_is_a_prefix_of_a_longer_one(scenario, serial):
    short = monte_carlo(scenario, trials=2, seed=11, chunk_trials=1)
    for name in FIELDS:
        assert np.array_equal(getattr(short, name), getattr(serial, name)[:2]), name


def test_outcomes_obey_the_doctrine(serial):
    # one threat, shoot-look-shoot with salvos of 1 from a stock of 4
    assert np.all(serial.kills + serial.leakers == 1)
    assert np.all((serial.interceptors_expended >= 1) & (serial.interceptors_expended <= 2))
    # a second shot only after a first that did not kill
    assert np.all(serial.kills[serial.interceptors_expended == 1] == 1)
    assert np.all(serial.interceptors_failed <= serial.interceptors_expended)


# --- estimates ----------------------------------------------------------------------------


def test_estimates_and_convergence_are_consistent(serial):
    n = serial.trials
    assert serial.p_no_leaker.value == pytest.approx(serial.no_leaker.mean())
    assert serial.expected_leakers.value == pytest.approx(serial.leakers.mean())
    assert serial.expected_interceptors.value == pytest.approx(serial.interceptors_expended.mean())
    for est in (serial.p_no_leaker, serial.expected_leakers, serial.expected_interceptors):
        assert est.ci95[0] <= est.value <= est.ci95[1]
    conv = serial.convergence
    assert np.array_equal(conv.trials, np.arange(1, n + 1))
    assert conv.p_no_leaker[-1] == pytest.approx(serial.p_no_leaker.value)
    assert (conv.p_no_leaker_low[-1], conv.p_no_leaker_high[-1]) == pytest.approx(
        serial.p_no_leaker.ci95
    )
    assert (conv.interceptors_expended_low[-1], conv.interceptors_expended_high[-1]) == (
        pytest.approx(serial.expected_interceptors.ci95)
    )
    with pytest.raises(ValueError):
        serial.leakers[0] = 3  # read-only


def test_json_summary_has_the_agreed_keys(serial):
    data = json.loads(json.dumps(serial.to_dict()))
    for key in ("p_no_leaker", "expected_leakers", "interceptors_expended"):
        low, high = data[f"{key}_ci95"]
        assert low <= data[key] <= high
        assert isinstance(data["analytic"][f"{key}_in_mc_ci95"], bool)
    assert data["trials"] == 4 and data["seed"] == 11 and data["elapsed_s"] > 0
    assert data["analytic"]["p_track"] == pytest.approx(data["p_engageable"])


@pytest.mark.parametrize(
    "kwargs, name",
    [({"trials": 0}, "trials"), ({"trials": -3}, "trials"), ({"trials": 2.5}, "trials"),
     ({"trials": True}, "trials"), ({"trials": 2, "chunk_trials": 0}, "chunk_trials"),
     ({"trials": 2, "seed": -1}, "seed")],
)  # fmt: skip
def test_bad_input_is_refused_before_any_trial(scenario, kwargs, name):
    with pytest.raises(ParameterError, match=f"'{name}' parameter"):
        monte_carlo(scenario, **kwargs)


# --- intervals against independent formulas ------------------------------------------------


@pytest.mark.parametrize("k, n", [(0, 10), (3, 10), (10, 10), (1, 1), (97, 100), (512, 1000)])
def test_wilson_interval_matches_scipy(k, n):
    ref = sps.binomtest(k, n).proportion_ci(confidence_level=0.95, method="wilson")
    low, high = wilson_interval(k, n)
    assert float(low) == pytest.approx(ref.low, abs=1e-12)
    assert float(high) == pytest.approx(ref.high, abs=1e-12)


def test_student_t_interval_matches_scipy_and_is_clipped():
    rng = np.random.default_rng(5)
    values = rng.integers(2, 9, size=40)
    m, se = values.mean(), sps.sem(values)
    ref = sps.t.interval(0.95, values.size - 1, loc=m, scale=se)
    assert mean_interval(values, upper=20) == pytest.approx(ref, abs=1e-12)
    # clipped to the support [0, upper]
    low, high = mean_interval([0, 0, 0, 1], upper=1)
    assert low == 0.0 and 0.25 < high <= 1.0
    # running intervals end on the final one
    mean, lo, hi = running_mean_interval(values, upper=20)
    assert mean[-1] == pytest.approx(m) and (lo[-1], hi[-1]) == pytest.approx(ref, abs=1e-12)


def test_degenerate_samples_fall_back_to_the_bounded_variance_interval():
    # all zero out of at most 4: Wilson on 0/4 per trial scaled by 4, not a zero-width interval
    low, high = mean_interval(np.zeros(10), upper=4)
    ref = sps.binomtest(0, 10).proportion_ci(method="wilson")
    assert low == 0.0 and high == pytest.approx(4 * ref.high, abs=1e-12)
    # one trial: Wilson's closed form at p = 3/4, n = 1, scaled by 4
    z = sps.norm.ppf(0.975)
    centre = (0.75 + z * z / 2) / (1 + z * z)
    half = z / (1 + z * z) * math.sqrt(0.75 * 0.25 + z * z / 4)
    assert mean_interval([3], upper=4) == pytest.approx((4 * (centre - half), 4 * (centre + half)))
    assert mean_interval([0, 0], upper=0) == (0.0, 0.0)  # nothing to spend


# --- the analytic cross-check -------------------------------------------------------------


def test_analytic_check_of_teaching_is_the_shoot_look_shoot_closed_form():
    model = load_scenario("teaching")
    icp = resolve_scenario(model).interceptors["site-1"]
    check = analytic_check(model, p_track=0.9)
    rs = icp.reliability * icp.sspk
    p_kill = 0.9 * (1.0 - (1.0 - rs) ** 2)  # two stages of one shot, perfect look
    assert check.doctrine == "sls" and check.stages == 2 and check.salvo_size == 1
    assert check.p_kill_per_threat == pytest.approx(p_kill, rel=1e-12)
    assert check.p_no_leaker == pytest.approx(p_kill, rel=1e-12)  # one threat
    assert check.expected_leakers == pytest.approx(1.0 - p_kill, rel=1e-12)
    assert check.interceptors_expended == pytest.approx(0.9 * (1.0 + (1.0 - rs)), rel=1e-12)


def test_analytic_check_of_the_layered_raid_runs_tier_by_tier():
    model = load_scenario("layered")
    resolved = resolve_scenario(model)
    check = analytic_check(model)
    tiers = list(model.defence.doctrine.tier_order)
    assert check.stage_classes == tuple(tiers) and check.stages == 3
    by_class = {s.interceptor: resolved.interceptors[s.id] for s in model.defence.sites}
    miss = [1.0 - by_class[c].sspk * by_class[c].reliability for c in tiers]
    p_kill = 1.0 - miss[0] * miss[1] * miss[2]
    n = model.missile_count
    assert check.p_kill_per_threat == pytest.approx(p_kill, rel=1e-12)
    assert check.p_no_leaker == pytest.approx(p_kill**n, rel=1e-12)
    assert check.interceptors_expended == pytest.approx(
        n * (1.0 + miss[0] + miss[0] * miss[1]), rel=1e-12
    )
    # with one class throughout, the stage-by-stage form is raid_outcome itself
    same = raid_outcome(n, by_class[tiers[0]].sspk, 1, reliability=by_class[tiers[0]].reliability,
                        doctrine="sls", stages=3)  # fmt: skip
    q = miss[0]
    assert same.p_no_leaker == pytest.approx((1.0 - q**3) ** n, rel=1e-12)


def test_analytic_check_weights_site_overrides_of_one_class_by_inventory():
    text = builtin_text("japan-2018")
    text = text.replace("inventory: 24", "inventory: 30", 1)  # araya: 30, mutsumi: 24
    text = text.replace(
        "      fire_control: araya-radar",
        "      fire_control: araya-radar\n      overrides: {sspk: 0.6}",
    )
    model = parse_scenario(text, "two-sites.yaml")
    resolved = resolve_scenario(model)
    a, m = resolved.interceptors["araya"], resolved.interceptors["mutsumi"]
    assert a.sspk == 0.6 and m.sspk == 0.8
    check = analytic_check(model)
    rs = (30 * a.sspk * a.reliability + 24 * m.sspk * m.reliability) / 54
    p_kill = 1.0 - (1.0 - rs) ** 2  # two stages of one shot
    assert check.p_kill_per_threat == pytest.approx(p_kill, rel=1e-12)
    assert check.p_no_leaker == pytest.approx(p_kill**8, rel=1e-12)


def test_monte_carlo_keeps_the_analytic_values_beside_the_estimates(serial):
    a = serial.analytic
    p_track = serial.engageable.sum() / serial.trials
    assert a.p_track == pytest.approx(p_track)
    assert a.n_threats == serial.n_threats == 1
    assert 0.0 <= a.p_no_leaker <= 1.0


def test_run_trial_returns_integers(scenario):
    out = run_trial(scenario, task_seeds(3, 1)[0], sample_distributions=False)
    assert len(out) == 6 and all(isinstance(v, int) for v in out)


def test_convergence_figure_is_a_png(serial):
    from openbmd.report.montecarlo_figure import convergence_png

    png = convergence_png(serial, dpi=40)
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 2000
