"""Catalog references resolved into domain objects, with sources and overrides."""

import pytest

from openbmd.interceptors.catalog import get_interceptor
from openbmd.scenario import (
    OVERRIDE_SOURCE,
    ScenarioError,
    builtin_names,
    load_scenario,
    parse_scenario,
    resolve_scenario,
)
from openbmd.sensors.early_warning import get_early_warning
from openbmd.threats import get_missile

TEXT = """
name: resolve-test
threats:
  - id: T1
    missile: mrbm
    launch: {lat_deg: 39.5, lon_deg: 126.0}
    aim: {lat_deg: 35.7, lon_deg: 139.7}
    overrides:
      payload_mass_kg: {uniform: [800, 1000]}
      stages[0].burn_time_s: 65
sensors:
  radars:
    - id: r1
      class: x-band-transportable
      site: {lat_deg: 39.70, lon_deg: 140.07, alt_m: 70, source: "survey X"}
      boresight_az_deg: 250
      overrides: {peak_power_w: 5.0e+5, el_limits_deg: [1, 70]}
  early_warning:
    class: ir-geo
    overrides: {cloud_top_alt_km: 10, satellite_longitudes_deg: [0, 120, 240]}
defence:
  sites:
    - id: s1
      interceptor: upper-tier
      site: {lat_deg: 39.70, lon_deg: 140.07}
      inventory: 24
      overrides: {sspk: {normal: {mean: 0.7, sd: 0.05, low: 0.5, high: 0.9}}}
"""


@pytest.fixture(scope="module")
def resolved():
    return resolve_scenario(parse_scenario(TEXT))


def test_missile_overrides_and_sources(resolved):
    m = resolved.missiles["T1"]
    catalog = get_missile("mrbm")
    assert m.payload_mass_kg == 900.0  # nominal of the uniform
    assert m.stages[0].burn_time_s == 65.0
    assert m.stages[0].propellant_mass_kg == catalog.stages[0].propellant_mass_kg
    assert m.sources["payload_mass_kg"] == OVERRIDE_SOURCE
    assert m.sources["stages[0].burn_time_s"] == OVERRIDE_SOURCE
    assert m.sources["body_diameter_m"] == catalog.sources["body_diameter_m"]


def test_radar_placed_with_overrides(resolved):
    r = resolved.radars["r1"]
    assert r.name == "r1"
    assert (r.lat_deg, r.lon_deg, r.alt_m) == (39.70, 140.07, 70.0)
    assert r.boresight_az_deg == 250.0
    assert r.peak_power_w == 5.0e5
    assert r.el_limits_deg == (1.0, 70.0)
    assert r.sources["peak_power_w"] == OVERRIDE_SOURCE
    assert r.sources["lat_deg"] == "survey X"
    assert r.sources["boresight_az_deg"] == "scenario"
    assert "Lewis & Postol" in r.sources["pulse_width_s"]


def test_early_warning_overrides_in_catalog_units(resolved):
    ew = resolved.early_warning
    assert ew.cloud_top_alt_m == 10_000.0
    assert ew.size == 3
    assert ew.sources["cloud_top_alt_km"] == OVERRIDE_SOURCE
    assert ew.sources["satellite_longitudes_deg"] == OVERRIDE_SOURCE
    assert ew.grazing_alt_m == get_early_warning("ir-geo").grazing_alt_m


def test_interceptor_nominal_override(resolved):
    i = resolved.interceptors["s1"]
    assert i.sspk == pytest.approx(0.7)
    assert i.sources["sspk"] == OVERRIDE_SOURCE
    assert i.sources["reliability"] == get_interceptor("upper-tier").sources["reliability"]


def test_flat_sources(resolved):
    src = resolved.sources()
    assert src["threats.T1.payload_mass_kg"] == OVERRIDE_SOURCE
    assert "Wright & Kadyshev" in src["threats.T1.stages[0].isp_sea_level_s"]
    assert src["threats.T1.stages[0].burn_time_s"] == OVERRIDE_SOURCE
    assert src["sensors.radars.r1.lat_deg"] == "survey X"
    assert src["sensors.early_warning.cloud_top_alt_km"] == OVERRIDE_SOURCE
    assert src["defence.sites.s1.sspk"] == OVERRIDE_SOURCE
    assert src["defence.sites.s1.inventory"] == "scenario"
    assert all(isinstance(v, str) and v for v in src.values())


def test_resolved_scenario_is_nominal(resolved):
    assert resolved.scenario.uncertain_parameters() == {}
    assert len(resolved.launches) == 1


def test_sampled_scenario_resolves_to_the_draw():
    s = parse_scenario(TEXT)
    drawn = s.sample(4)
    r = resolve_scenario(drawn)
    assert r.missiles["T1"].payload_mass_kg == drawn.threats[0].overrides["payload_mass_kg"]
    assert 0.5 <= r.interceptors["s1"].sspk <= 0.9


@pytest.mark.parametrize(
    ("old", "new", "fragment"),
    [
        (
            "peak_power_w: 5.0e+5",
            "peak_power_w: -1",
            "sensors.radars[0].overrides.peak_power_w: must be > 0 — got -1",
        ),
        (
            "peak_power_w: 5.0e+5",
            "peak_power_w: high",
            "sensors.radars[0].overrides.peak_power_w: must be a number — got 'high'",
        ),
        (
            "el_limits_deg: [1, 70]",
            "el_limits_deg: 5",
            "overrides.el_limits_deg: must be a list of numbers — got 5",
        ),
        (
            "stages[0].burn_time_s: 65",
            "stages[0].burn_time_s: -65",
            "threats[0].overrides.stages[0].burn_time_s: must be > 0 — got -65.0",
        ),
        (
            "cloud_top_alt_km: 10",
            "cloud_top_alt_km: -1",
            "sensors.early_warning.overrides.cloud_top_alt_km: must be >= 0",
        ),
        (
            "cloud_top_alt_km: 10",
            "cloud_top_alt_km: [1]",
            "cloud_top_alt_km: must be a number — got [1.0]",
        ),
    ],
)
def test_refused_override_values_point_at_their_key(old, new, fragment):
    with pytest.raises(ScenarioError) as info:
        parse_scenario(TEXT.replace(old, new), "r.yaml")
    assert fragment in str(info.value)
    assert str(info.value).startswith("r.yaml:")


@pytest.mark.parametrize("name", builtin_names())
def test_every_builtin_resolves_every_reference(name):
    s = load_scenario(name)
    r = resolve_scenario(s)
    assert set(r.missiles) == {t.id for t in s.threats}
    assert set(r.radars) == {x.id for x in s.sensors.radars}
    assert set(r.interceptors) == {d.id for d in s.defence.sites}
    assert (r.early_warning is None) == (s.sensors.early_warning is None)
    assert len(r.launches) == s.missile_count
    src = r.sources()
    for d in s.defence.sites:
        assert f"defence.sites.{d.id}.sspk" in src
    assert all(isinstance(v, str) and v.strip() for v in src.values())
