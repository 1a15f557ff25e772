"""Interceptor model, from_burnout and the catalog of generic classes."""

import math
from dataclasses import replace
from importlib import resources
from typing import Any

import numpy as np
import pytest
import yaml

from openbmd.constants import G0_M_S2
from openbmd.errors import ParameterError
from openbmd.flight.propagate import EarthModel, propagate
from openbmd.flight.rocket import Rocket, Stage
from openbmd.interceptors.catalog import (
    FIELD_PARAMETERS,
    OVERRIDE_SOURCE,
    PARAMETERS,
    get_interceptor,
    interceptor_names,
)
from openbmd.interceptors.interceptor import Interceptor

CLASSES = ("upper-tier", "terminal-high", "lower-tier")

FIELDS: dict[str, Any] = dict(
    kind="exo",
    min_intercept_alt_m=80e3,
    max_intercept_alt_m=1000e3,
    divert_delta_v_m_s=500.0,
    lateral_accel_limit_m_s2=100.0,
    seeker_acquisition_range_m=300e3,
    reaction_time_s=10.0,
    min_launch_interval_s=5.0,
    sspk=0.8,
    reliability=0.9,
    lethal_radius_m=0.5,
)


def _rocket():
    stage = Stage(
        propellant_mass_kg=500.0,
        dry_mass_kg=50.0,
        isp_sea_level_s=250.0,
        isp_vacuum_s=280.0,
        burn_time_s=40.0,
    )
    return Rocket(
        stages=(stage,),
        payload_mass_kg=30.0,
        payload_ballistic_coefficient_kg_m2=2000.0,
        body_diameter_m=0.5,
    )


def _make(**changes):
    return Interceptor(**{"name": "test", "rocket": _rocket(), **FIELDS, **changes})


def _raw():
    text = resources.files("openbmd").joinpath("data/interceptors.yaml").read_text("utf-8")
    return yaml.safe_load(text)


# --- the model ---------------------------------------------------------------------


def test_valid_interceptor_has_neutral_optional_limits():
    it = _make()
    assert it.max_ground_range_m == math.inf
    assert it.min_closing_speed_m_s == 0.0 and it.max_closing_speed_m_s == math.inf
    assert it.max_crossing_angle_deg == 180.0
    assert it.required_track_sigma_m == math.inf
    assert it.kv_mass_kg == 30.0 and it.burn_time_s == 40.0
    assert it.launch_mass_kg == pytest.approx(580.0)
    # frozen, hashable (sources excluded), and equal by value
    assert hash(it) == hash(_make(sources={"sspk": "x"}))
    with pytest.raises(AttributeError):
        it.sspk = 0.5


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("name", ""),
        ("rocket", "not a rocket"),
        ("kind", "space"),
        ("min_intercept_alt_m", -1.0),
        ("max_intercept_alt_m", 50e3),  # below min_intercept_alt_m
        ("max_ground_range_m", 0.0),
        ("max_ground_range_m", math.nan),
        ("divert_delta_v_m_s", -1.0),
        ("lateral_accel_limit_m_s2", 0.0),
        ("seeker_acquisition_range_m", math.inf),
        ("reaction_time_s", -0.1),
        ("min_launch_interval_s", math.nan),
        ("sspk", 1.2),
        ("reliability", -0.1),
        ("lethal_radius_m", 0.0),
        ("min_closing_speed_m_s", -5.0),
        ("max_closing_speed_m_s", 0.0),
        ("max_crossing_angle_deg", 0.0),
        ("max_crossing_angle_deg", 181.0),
        ("required_track_sigma_m", -1.0),
        ("published_burnout_speed_m_s", -3.0),
    ],
)
def test_bad_parameter_names_the_field(field, value):
    with pytest.raises(ParameterError) as err:
        _make(**{field: value})
    assert err.value.name == field, str(err.value)
    assert f"'{field}'" in str(err.value)


def test_closing_speed_band_must_be_ordered():
    with pytest.raises(ParameterError, match="max_closing_speed_m_s"):
        _make(min_closing_speed_m_s=3000.0, max_closing_speed_m_s=2000.0)
    it = _make(min_closing_speed_m_s=1000.0, max_closing_speed_m_s=12000.0)
    assert it.max_closing_speed_m_s == 12000.0


def test_within_intercept_limits():
    it = _make(max_ground_range_m=500e3)
    x = np.array([100e3, 100e3, 100e3, 600e3, -1.0])
    h = np.array([50e3, 200e3, 1100e3, 200e3, 200e3])
    np.testing.assert_array_equal(
        it.within_intercept_limits(x, h), [False, True, False, False, False]
    )
    assert it.within_intercept_limits(100e3, 80e3) is True


# --- from_burnout --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("speed", "burn", "kv", "isp", "eps"),
    [
        (1500.0, 10.0, 120.0, 265.0, 0.15),
        (2800.0, 20.0, 50.0, 275.0, 0.2),
        (4500.0, 45.0, 30.0, 285.0, 0.08),
    ],
)
def test_from_burnout_reproduces_the_burnout_speed(speed, burn, kv, isp, eps):
    it = Interceptor.from_burnout(
        "t", speed, burn, kv, isp_vacuum_s=isp, structural_fraction=eps, **FIELDS
    )
    stage = it.rocket.stages[0]
    # the algebra: Tsiolkovsky minus g0 t_b, and the structural fraction
    assert it.design_burnout_speed_m_s == pytest.approx(speed, rel=1e-12)
    assert stage.dry_mass_kg / (stage.dry_mass_kg + stage.propellant_mass_kg) == pytest.approx(eps)
    assert stage.burn_time_s == burn and it.kv_mass_kg == kv
    # the propagator: vertical launch, no drag, vacuum Isp, over WGS 84 (gravity is a
    # little stronger than g0 at the equator's surface and weaker aloft)
    vac = replace(it.rocket, stages=(replace(stage, isp_sea_level_s=stage.isp_vacuum_s),))
    plan = vac.flight_plan(
        np.array([6378137.0, 0.0, 0.0]), np.zeros(1), np.zeros(1), omega_rad_s=0.0
    )
    run = propagate(plan, EarthModel.wgs84(rotation=False, drag=False))
    v_bo = float(np.linalg.norm(run.phase_end_state_eci[0, 0, 3:]))
    assert v_bo == pytest.approx(speed, rel=0.01), f"burnout {v_bo:.1f} m/s, asked {speed}"


def test_from_burnout_rejects_a_speed_one_stage_cannot_reach():
    v_max = G0_M_S2 * 280.0 * math.log(1 / 0.1) - G0_M_S2 * 40.0
    with pytest.raises(ParameterError, match="burnout_speed_m_s") as err:
        Interceptor.from_burnout("t", v_max + 10.0, 40.0, 30.0, structural_fraction=0.1, **FIELDS)
    assert f"{v_max:.0f}" in str(err.value)
    with pytest.raises(ParameterError, match="structural_fraction"):
        Interceptor.from_burnout("t", 3000.0, 40.0, 30.0, structural_fraction=1.0, **FIELDS)
    with pytest.raises(ParameterError, match="kv_mass_kg"):
        Interceptor.from_burnout("t", 3000.0, 40.0, -1.0, **FIELDS)
    with pytest.raises(ParameterError, match="pitch_over_s"):
        Interceptor.from_burnout("t", 3000.0, 3.0, 30.0, **FIELDS)  # pitch-over after burnout


# --- catalog -------------------------------------------------------------------------


def test_catalog_names():
    assert interceptor_names() == list(CLASSES)


@pytest.mark.parametrize("name", CLASSES)
def test_every_class_loads_with_a_source_for_every_parameter(name):
    raw = _raw()[name]
    it = get_interceptor(name)
    assert isinstance(it, Interceptor) and it.name == name
    assert it.description.strip()
    keys = set(raw) - {"description"}
    assert keys <= set(PARAMETERS), f"unknown keys {keys - set(PARAMETERS)}"
    assert set(it.sources) == keys
    assert all(str(s).strip() for s in it.sources.values())
    for key in keys & set(FIELD_PARAMETERS) - {"kind"}:
        assert getattr(it, key) == float(raw[key]["value"]), key
        assert it.sources[key] == raw[key]["source"]
    assert it.kind == raw["kind"]["value"]
    assert it.burn_time_s == float(raw["burn_time_s"]["value"])
    assert it.kv_mass_kg == float(raw["kv_mass_kg"]["value"])
    assert it.design_burnout_speed_m_s == pytest.approx(float(raw["burnout_speed_m_s"]["value"]))


def test_catalog_classes_match_the_brief():
    up, th, lo = (get_interceptor(n) for n in CLASSES)
    assert up.kind == "exo" and 70e3 <= up.min_intercept_alt_m <= 100e3
    assert up.published_burnout_speed_m_s == pytest.approx(4500.0)
    assert th.published_burnout_speed_m_s == pytest.approx(2800.0)
    assert (th.min_intercept_alt_m, th.max_intercept_alt_m) == (40e3, 150e3)
    assert lo.kind == "endo" and 20e3 <= lo.max_intercept_alt_m <= 25e3
    assert lo.published_burnout_speed_m_s == pytest.approx(1500.0)
    assert 10e3 <= lo.max_ground_range_m < 100e3


def test_unknown_class_lists_the_names():
    with pytest.raises(ParameterError) as err:
        get_interceptor("sm-9")
    for name in CLASSES:
        assert name in str(err.value)


def test_overrides_change_value_and_source():
    it = get_interceptor("upper-tier", sspk=0.6, burnout_speed_m_s=5000.0)
    assert it.sspk == 0.6 and it.sources["sspk"] == OVERRIDE_SOURCE
    assert it.design_burnout_speed_m_s == pytest.approx(5000.0)
    assert it.rocket != get_interceptor("upper-tier").rocket
    assert get_interceptor("upper-tier").sspk == 0.8, "overrides must not leak into the cache"
    with pytest.raises(ParameterError, match="overrides"):
        get_interceptor("upper-tier", warp_speed=1.0)
    with pytest.raises(ParameterError, match="sspk"):
        get_interceptor("upper-tier", sspk=2.0)
