"""Parameter uncertainty of a scenario: design, per-sample outputs, bands, ranking."""

import json
import math

import numpy as np
import pytest
from scipy import stats

from openbmd.analysis.parallel import Backend, task_seeds
from openbmd.analysis.uncertainty import (
    OUTPUTS,
    sample_design,
    scenario_with_values,
    uncertain_parameters,
    uncertainty_study,
)
from openbmd.errors import OpenBMDError, ParameterError
from openbmd.pipeline.run import run_scenario
from openbmd.scenario import builtin_text, load_scenario, parse_scenario, resolve_scenario

#: The teaching scenario with an uncertain SSPK and reliability at its site and an
#: uncertain radar loss (which no closed-form output depends on).
TEXT = (
    builtin_text("teaching")
    .replace("name: teaching ", "name: teaching-uncertain ")
    .replace(
        "      inventory: 4 ",
        "      overrides:\n"
        "        sspk: {uniform: [0.5, 0.9]}\n"
        "        reliability: {triangular: {low: 0.8, mode: 0.9, high: 0.95}}\n"
        "      inventory: 4 ",
    )
    .replace(
        "      boresight_az_deg: 270.0 ",
        "      overrides: {loss_db: {uniform: [4.0, 8.0]}}\n      boresight_az_deg: 270.0 ",
    )
)
SSPK = "defence.sites[0].overrides.sspk"
RELIABILITY = "defence.sites[0].overrides.reliability"
LOSS = "sensors.radars[0].overrides.loss_db"


@pytest.fixture(scope="module")
def scenario():
    return parse_scenario(TEXT, "teaching-uncertain.yaml")


@pytest.fixture(scope="module")
def analytic(scenario):
    return uncertainty_study(scenario, samples=200, seed=4, run=False)


@pytest.fixture(scope="module")
def runs(scenario):
    return uncertainty_study(scenario, samples=4, seed=9)


def test_parameters_one_per_missile_for_launch_times():
    s = load_scenario("japan-2018-uncertain")
    names = [p.name for p in uncertain_parameters(s)]
    assert names[:4] == [f"threats[1].launch_time_s[{k}]" for k in range(4)]
    assert {
        "defence.sites[0].overrides.burnout_speed_m_s",
        "defence.sites[1].overrides.sspk",
        "sensors.radars[1].overrides.loss_db",
    } <= set(names)
    assert len(names) == 10


def test_scenario_with_values_sets_each_path(scenario):
    s = scenario_with_values(scenario, {SSPK: 0.55, LOSS: 7.5})
    assert s.uncertain_parameters() == {}
    r = resolve_scenario(s)
    assert r.interceptors["site-1"].sspk == 0.55
    assert r.interceptors["site-1"].reliability == 0.9  # not given: the nominal value (mode)
    assert r.radars["radar-1"].loss_db == 7.5
    assert scenario.uncertain_parameters()[SSPK].uniform == (0.5, 0.9)  # original untouched
    j = load_scenario("japan-2018-uncertain")
    times = [10.0, 20.0, 30.0, 40.0]
    launches = scenario_with_values(j, {"threats[1].launch_time_s": times}).launches()
    assert [la.launch_time_s for la in launches[4:]] == times


def test_design_is_a_latin_hypercube_of_each_law():
    s = load_scenario("japan-2018-uncertain")
    params = uncertain_parameters(s)
    x = sample_design(params, 100, seed=1)
    np.testing.assert_array_equal(x, sample_design(params, 100, seed=1))
    assert not np.array_equal(x, sample_design(params, 100, seed=2))
    by = {p.name: x[:, j] for j, p in enumerate(params)}
    checks = {
        "defence.sites[0].overrides.burnout_speed_m_s": stats.uniform(5210.0, 295.0),
        "defence.sites[1].overrides.sspk": stats.uniform(0.7, 0.2),
        "sensors.radars[0].overrides.loss_db": stats.triang(0.4, loc=4.0, scale=5.0),
        "threats[1].launch_time_s[3]": stats.uniform(0.0, 240.0),
    }
    for name, law in checks.items():
        assert stats.kstest(by[name], law.cdf).statistic <= 1.0 / 100 + 1e-9, name
    # the columns are (nearly) uncorrelated, as a Latin hypercube's random pairing gives
    rho = stats.spearmanr(x).statistic
    assert np.max(np.abs(rho - np.eye(x.shape[1]))) < 0.4


def test_closed_form_outputs_per_sample(analytic):
    """Shoot-look-shoot with salvos of 1 and a perfect look: P_kill = 1 - (1 - R SSPK)^2
    (Wilkening 2000), one missile: P(no leaker) = P_kill."""
    names = analytic.parameter_names
    s = analytic.inputs[:, names.index(SSPK)]
    r = analytic.inputs[:, names.index(RELIABILITY)]
    expected = 1.0 - (1.0 - r * s) ** 2
    np.testing.assert_allclose(analytic.outputs["analytic_p_kill"], expected, rtol=1e-12)
    np.testing.assert_allclose(analytic.outputs["analytic_p_no_leaker"], expected, rtol=1e-12)
    assert analytic.nominal["analytic_p_kill"] == pytest.approx(1 - (1 - 0.9 * 0.7) ** 2)
    assert set(analytic.outputs) == {"analytic_p_kill", "analytic_p_no_leaker"}


def test_ranking_puts_sspk_first_and_the_radar_loss_nowhere(analytic):
    entries = analytic.sensitivity.for_output("analytic_p_no_leaker")
    assert [e.parameter for e in entries] == [SSPK, RELIABILITY, LOSS]
    assert entries[0].spearman > 0.95 and entries[0].significant
    assert entries[1].spearman > 0.2 and entries[1].significant
    # the radar loss enters no closed form: only chance correlation
    assert abs(entries[2].spearman) < analytic.sensitivity.threshold
    assert abs(entries[2].srrc) < 0.05
    assert analytic.sensitivity.rank_r2["analytic_p_no_leaker"] > 0.95


def test_bands_are_quantiles_and_contain_the_nominal(analytic):
    v = analytic.outputs["analytic_p_no_leaker"]
    b = analytic.bands["analytic_p_no_leaker"]
    np.testing.assert_allclose([b.q05, b.q50, b.q95], np.quantile(v, [0.05, 0.5, 0.95]))
    assert b.low == v.min() and b.high == v.max() and b.samples == 200
    assert b.q05 < b.nominal < b.q95
    assert b.mean == pytest.approx(v.mean())


def test_runs_match_a_direct_run_with_the_sample_seed(scenario, runs):
    assert set(runs.outputs) == set(OUTPUTS) - {"defended_area_km2"}
    i = 2
    values = {p.path: float(runs.inputs[i, j]) for j, p in enumerate(runs.parameters)}
    direct = run_scenario(scenario_with_values(scenario, values), seed=task_seeds(9, 4)[i])
    s = direct.summary
    assert runs.outputs["leakers"][i] == s["leakers"]
    assert runs.outputs["interceptors_fired"][i] == s["interceptors_fired"]
    assert runs.outputs["kill_fraction"][i] == s["kills"] / s["missiles"]
    assert runs.outputs["mean_time_to_firm_track_s"][i] == s["mean_time_to_firm_track_s"]
    # the nominal run is the scenario's own run (nominal values, its seed)
    nominal = run_scenario(scenario.nominal()).summary
    assert runs.nominal["interceptors_fired"] == nominal["interceptors_fired"]
    assert runs.nominal["engageable_threats"] == nominal["engageable_rv"]
    # one missile, always engaged: the engagement counts are 1 in every sample
    assert runs.bands["threats_engaged"].low == runs.bands["threats_engaged"].high == 1.0
    assert "threats_engaged" in runs.sensitivity.constant_outputs
    leaked = runs.outputs["leakers"]
    np.testing.assert_array_equal(runs.outputs["no_leaker"], (leaked == 0).astype(float))
    np.testing.assert_array_equal(runs.outputs["kills"] + leaked, np.ones(4))


def test_json_and_dataset(runs):
    d = json.loads(json.dumps(runs.to_dict()))
    assert d["samples"] == 4 and d["seed"] == 9
    assert [p["parameter"] for p in d["parameters"]] == [LOSS, SSPK, RELIABILITY]
    assert d["parameters"][1]["distribution"] == {"uniform": [0.5, 0.9]}
    assert d["parameters"][2]["nominal"] == 0.9 and d["parameters"][2]["support"] == [0.8, 0.95]
    assert set(d["bands"]) == set(runs.outputs)
    ranking = d["sensitivity"]["ranking"]
    assert {r["output"] for r in ranking} <= set(runs.outputs)
    ds = runs.to_dataset()
    assert ds["inputs"].shape == (4, 3) and ds["spearman"].shape == (len(runs.outputs), 3)
    assert ds.attrs["samples"] == 4


def test_serial_and_two_workers_agree_bit_for_bit(scenario):
    """Also the determinism check: the same seed gives the same design and outputs."""
    serial = uncertainty_study(scenario, samples=3, seed=21)
    dask = uncertainty_study(scenario, samples=3, seed=21, backend=Backend(workers=2))
    np.testing.assert_array_equal(dask.inputs, serial.inputs)
    for k in serial.outputs:
        np.testing.assert_array_equal(dask.outputs[k], serial.outputs[k])
    assert dask.nominal == serial.nominal


def test_bad_input():
    teaching = load_scenario("teaching")
    with pytest.raises(OpenBMDError, match="has no distributions: give at least one"):
        uncertainty_study(teaching, samples=5)
    s = parse_scenario(TEXT)
    for bad in (0, 2, -1, 1.5, True):
        with pytest.raises(ParameterError, match="'samples' parameter must be an integer"):
            uncertainty_study(s, samples=bad)
    with pytest.raises(ParameterError, match="'seed'"):
        uncertainty_study(s, samples=3, seed=-1)


def test_a_range_the_model_refuses_at_one_end_fails_first():
    """The loader checks the nominal values only (0.85 here); the study resolves both
    ends of each override range before any run."""
    s = parse_scenario(TEXT.replace("[0.5, 0.9]", "[0.5, 1.2]"))
    with pytest.raises(OpenBMDError, match=r"overrides.sspk: the range \[0.5, 1.2\] reaches 1.2"):
        uncertainty_study(s, samples=5, run=False)


def test_a_refused_combination_names_its_sample():
    """Each end of each range is fine with the others nominal, but some draws put the
    lowest intercept altitude above the highest: that sample is named, with its values."""
    text = TEXT.replace(
        "        sspk: {uniform: [0.5, 0.9]}\n",
        "        min_intercept_alt_m: {uniform: [40000, 110000]}\n"
        "        max_intercept_alt_m: {uniform: [90000, 150000]}\n",
    )
    s = parse_scenario(text)
    with pytest.raises(OpenBMDError, match=r"uncertainty sample \d+ \(.*min_intercept_alt_m = "):
        uncertainty_study(s, samples=100, run=False)


def test_nan_free_outputs_where_defined(runs):
    for k, v in runs.outputs.items():
        assert np.all(np.isfinite(v)), k
    assert all(math.isfinite(b.q50) for b in runs.bands.values())


def test_footprint_probability_map():
    """The range cap of the interceptor drives the defended area (monotone: rho = 1), the
    SSPK does not enter it; the map is the mean of the samples' engageable cells."""
    text = builtin_text("teaching").replace(
        "      inventory: 4 ",
        "      overrides:\n"
        "        sspk: {uniform: [0.5, 0.9]}\n"
        "        max_ground_range_m: {uniform: [60000, 200000]}\n"
        "      inventory: 4 ",
    )
    s = parse_scenario(text)
    r = uncertainty_study(s, samples=4, seed=2, run=False, footprint=True, resolution_km=50.0)
    area = r.outputs["defended_area_km2"]
    cap = r.inputs[:, r.parameter_names.index("defence.sites[0].overrides.max_ground_range_m")]
    assert np.all(np.diff(area[np.argsort(cap)]) > 0)  # a longer reach covers more
    ranking = r.sensitivity.for_output("defended_area_km2")
    assert ranking[0].parameter.endswith("max_ground_range_m") and ranking[0].spearman == 1.0
    assert abs(ranking[-1].srrc) < 1e-9  # SSPK: no part in the footprint
    pm = r.probability_map
    p = pm["p_engageable"].values
    np.testing.assert_allclose(p * 4, np.round(p * 4), atol=1e-12)  # k of 4 samples
    cell = pm["cell_area_km2"].values
    # the mean area of the map is the mean of the samples' areas
    assert float((p * cell).sum()) == pytest.approx(area.mean(), rel=1e-12)
    nominal = pm["engageable_nominal"].values
    # the nominal cap lies between the smallest and the largest drawn one
    assert np.all(nominal[p >= 1.0]) and np.all(p[nominal] > 0.0)
    a = pm.attrs
    assert a["area_all_km2"] <= r.nominal["defended_area_km2"] <= a["area_any_km2"]
    assert a["area_all_km2"] == pytest.approx(area.min()) and a["area_any_km2"] == area.max()
    assert r.bands["defended_area_km2"].q05 <= r.bands["defended_area_km2"].q95
    d = r.to_dict()["probability_map"]
    assert d["grid_shape"] == list(p.shape) and d["threat"] == "T1"
    assert "p_engageable" in r.to_dataset()


def test_figure_shows_bands_tornado_and_heat_map(analytic):
    import matplotlib.pyplot as plt

    from openbmd.report.uncertainty_figure import headline_output, uncertainty_figure

    assert headline_output(analytic) == "analytic_p_no_leaker"
    fig = uncertainty_figure(analytic)
    titles = [ax.get_title() for ax in fig.axes]
    assert "what moves analytic_p_no_leaker most" in titles
    tornado = next(ax for ax in fig.axes if ax.get_title().startswith("what moves"))
    labels = [t.get_text() for t in tornado.get_yticklabels()]
    assert labels[-1] == "sites[0].sspk"  # the longest bar on top
    bars = sorted(abs(p.get_width()) for p in tornado.patches)
    assert bars[-1] == pytest.approx(
        analytic.sensitivity.for_output("analytic_p_no_leaker")[0].spearman
    )
    plt.close(fig)
