"""The scenario model: defaults, cross-field checks, nominal/sample, launch records."""

import numpy as np
import pytest
from pydantic import ValidationError

from openbmd.scenario import (
    ApogeeShape,
    Doctrine,
    InlineMissile,
    Normal,
    Scenario,
    ScenarioError,
    Uniform,
    validate_scenario,
)


def scenario_data(**changes):
    data = {
        "name": "model-test",
        "threats": [
            {
                "id": "T1",
                "missile": "mrbm",
                "launch": {
                    "circle": {"center": {"lat_deg": 39.5, "lon_deg": 126.0}, "radius_km": 30}
                },
                "aim": {"polygon": [[35.0, 139.0], [36.0, 139.0], [36.0, 140.0], [35.0, 140.0]]},
                "launch_time_s": {"uniform": [0, 120]},
                "count": 3,
                "overrides": {
                    "payload_mass_kg": {"triangular": {"low": 800, "mode": 1000, "high": 1100}}
                },
            }
        ],
        "sensors": {
            "radars": [
                {
                    "id": "r1",
                    "class": "x-band-transportable",
                    "boresight_az_deg": 270,
                    "site": {"lat_deg": 36.0, "lon_deg": 136.0},
                }
            ],
            "early_warning": {"class": "ir-geo"},
        },
        "defence": {
            "sites": [
                {
                    "id": "s1",
                    "interceptor": "upper-tier",
                    "inventory": 8,
                    "fire_control": "r1",
                    "site": {"lat_deg": 36.0, "lon_deg": 136.0},
                },
                {
                    "id": "s2",
                    "interceptor": "lower-tier",
                    "inventory": 8,
                    "site": {"lat_deg": 35.5, "lon_deg": 139.5},
                },
            ],
        },
    }
    data.update(changes)
    return data


def messages(data):
    with pytest.raises(ScenarioError) as info:
        validate_scenario(data, check=False)
    return str(info.value)


def test_defaults():
    s = Scenario.model_validate(scenario_data())
    assert s.epoch.isoformat() == "2018-01-01T00:00:00+00:00"
    assert s.seed == 0
    assert s.simulation.time_step_s == 1.0
    assert s.simulation.track_filter == "ekf"
    assert s.outputs == ["summary", "events", "report"]
    assert s.defence.doctrine.salvo_sizes == (1,)
    assert s.defence.battle_management.assignment == "greedy"
    assert s.threats[0].shape == "min-energy"
    assert s.threats[0].shape_name == "min-energy"
    assert s.missile_count == 3
    assert s.radar("r1").class_name == "x-band-transportable"
    assert s.defence_site("s2").interceptor == "lower-tier"


def test_models_are_frozen():
    s = Scenario.model_validate(scenario_data())
    with pytest.raises(ValidationError):
        s.seed = 3
    with pytest.raises(ValidationError):
        s.threats[0].count = 1


def test_doctrine_stages():
    assert Doctrine(mode="shoot-look-shoot").salvo_sizes == (1, 1)
    assert Doctrine(mode="shoot-look-shoot", salvo_size=2, stages=3).salvo_sizes == (2, 2, 2)
    assert Doctrine(mode="salvo", salvo_size=3).salvo_sizes == (3,)
    with pytest.raises(ValidationError, match="must be 1 for mode 'salvo'"):
        Doctrine(mode="salvo", stages=2)


def test_layered_needs_two_classes_and_a_valid_tier_order():
    ok = scenario_data()
    ok["defence"]["doctrine"] = {"layered": True, "tier_order": ["upper-tier", "lower-tier"]}
    assert Scenario.model_validate(ok).defence.doctrine.layered
    bad = scenario_data()
    bad["defence"]["sites"] = bad["defence"]["sites"][:1]
    bad["defence"]["doctrine"] = {"layered": True}
    assert "defence.doctrine.layered: needs defence sites of at least two" in messages(bad)
    bad = scenario_data()
    bad["defence"]["doctrine"] = {"tier_order": ["upper-tier", "terminal-high"]}
    text = messages(bad)
    assert (
        "defence.doctrine.tier_order[1]: must be an interceptor class of the defence sites" in text
    )
    assert "defence.doctrine.tier_order: must list each interceptor class" in text


def test_every_catalog_kind_is_checked():
    data = scenario_data()
    data["sensors"]["radars"][0]["class"] = "x-band"
    data["sensors"]["early_warning"]["class"] = "ir-leo"
    data["defence"]["sites"][1]["interceptor"] = "lower-teir"
    text = messages(data)
    assert (
        "sensors.radars[0].class: must be a radar class: s-band-array, x-band-transportable" in text
    )
    assert "sensors.early_warning.class: must be an early-warning class: ir-geo" in text
    assert "(did you mean 'lower-tier'?) — got 'lower-teir'" in text


def test_override_names_per_class():
    data = scenario_data()
    data["threats"][0]["overrides"] = {"stages[1].burn_time_s": 60, "payload_mass": 900}
    data["sensors"]["radars"][0]["overrides"] = {"peak_power": 1e6, "boresight_az_deg": 10}
    data["sensors"]["early_warning"]["overrides"] = {"reporting_latency": 10}
    text = messages(data)
    assert "threats[0].overrides.stages[1].burn_time_s: unknown parameter" in text
    assert "(did you mean 'payload_mass_kg'?)" in text
    assert "(did you mean 'peak_power_w'?)" in text
    assert "overrides.boresight_az_deg: must not repeat" in text
    assert "(did you mean 'reporting_latency_s'?)" in text


def test_missile_overrides_must_be_numbers():
    data = scenario_data()
    data["threats"][0]["overrides"] = {"payload_mass_kg": "heavy"}
    assert "threats[0].overrides.payload_mass_kg: must be a number — got 'heavy'" in messages(data)


def test_launch_time_list_must_match_count():
    data = scenario_data()
    data["threats"][0]["launch_time_s"] = [0, 10]
    assert (
        "threats[0].launch_time_s: must list one time per missile (count = 3) — got 2"
        in messages(data)
    )


def test_duplicate_outputs_refused():
    assert "outputs[1]: must name each output once" in messages(
        scenario_data(outputs=["czml", "czml"])
    )
    assert "outputs[0]: must be one of" in messages(scenario_data(outputs=["pdf"]))


def test_epoch_needs_a_time_zone():
    assert "epoch: must have a time zone" in messages(scenario_data(epoch="2018-01-01T00:00:00"))


def test_inline_missile():
    data = scenario_data()
    data["threats"][0]["missile"] = {
        "name": "my-srbm",
        "stages": [
            {
                "propellant_mass_kg": 3700,
                "dry_mass_kg": 1350,
                "isp_sea_level_s": 226,
                "isp_vacuum_s": 255,
                "burn_time_s": 62,
            }
        ],
        "payload_mass_kg": 1000,
        "rv_ballistic_coefficient_kg_m2": 3000,
        "body_diameter_m": 0.88,
    }
    data["threats"][0]["overrides"] = {"stages[0].burn_time_s": 60}
    s = Scenario.model_validate(data)
    assert isinstance(s.threats[0].missile, InlineMissile)
    assert s.threats[0].missile_class == "my-srbm"


def test_shapes():
    data = scenario_data()
    data["threats"][0]["shape"] = {"apogee_km": {"uniform": [150, 250]}}
    t = Scenario.model_validate(data).threats[0]
    assert isinstance(t.shape, ApogeeShape)
    assert t.shape_name == "apogee"
    data["threats"][0]["shape"] = {"burnout_angle_deg": 95}
    assert "threats[0].shape.burnout_angle_deg: must be in (0, 90) — got 95" in messages(data)
    data["threats"][0]["shape"] = {"time_of_flight_s": 600, "apogee_km": 100}
    assert "unknown key 'time_of_flight_s'" in messages(data)


def test_uncertain_parameters_nominal_and_sample():
    s = Scenario.model_validate(scenario_data(seed=5))
    unc = s.uncertain_parameters()
    assert set(unc) == {"threats[0].overrides.payload_mass_kg", "threats[0].launch_time_s"}
    assert isinstance(unc["threats[0].launch_time_s"], Uniform)
    nominal = s.nominal()
    assert nominal.uncertain_parameters() == {}
    assert nominal.threats[0].launch_time_s == 60.0
    assert nominal.threats[0].overrides["payload_mass_kg"] == 1000.0
    assert s.threats[0].launch_time_s == Uniform(uniform=(0, 120))  # the original is untouched
    a = s.sample(np.random.default_rng(3))
    b = s.sample(np.random.default_rng(3))
    assert a == b
    times = a.threats[0].launch_time_s
    assert isinstance(times, list) and len(times) == 3  # one draw per missile
    assert all(0 <= t <= 120 for t in times)
    assert 800 <= a.threats[0].overrides["payload_mass_kg"] <= 1100
    assert s.sample() == s.sample(5)  # default: the scenario's seed
    assert s.sample(1) != s.sample(2)


def test_sampled_scenario_is_valid_again():
    s = Scenario.model_validate(scenario_data())
    drawn = s.sample(11)
    assert Scenario.model_validate(drawn.model_dump(by_alias=True)) == drawn


def test_launch_records():
    s = Scenario.model_validate(scenario_data())
    launches = s.launches()
    assert [x.object_id for x in launches] == ["T1-1", "T1-2", "T1-3"]
    assert all(x.launch_time_s == 60.0 for x in launches)
    assert launches == s.launches()  # same seed, same points
    assert launches != s.launches(seed=99)
    poly = s.threats[0].aim
    assert all(bool(poly.contains(x.aim_lat_deg, x.aim_lon_deg)) for x in launches)
    from openbmd.geodesy import geodesic_inverse

    for x in launches:
        d, _, _ = geodesic_inverse(39.5, 126.0, x.launch_lat_deg, x.launch_lon_deg)
        assert float(d) <= 30e3 + 1e-6


def test_python_construction_with_model_objects():
    s = Scenario.model_validate(scenario_data())
    t = s.threats[0].model_copy(
        update={"launch_time_s": Normal(normal={"mean": 5, "sd": 1, "low": 0, "high": 10})}
    )
    s2 = Scenario(name="py", threats=[t])
    assert "threats[0].launch_time_s" in s2.uncertain_parameters()
