"""Stage and Missile: parameter checks, derived figures and the flight-plan phase table."""

import math

import numpy as np
import pytest

from openbmd.constants import G0_M_S2
from openbmd.errors import ParameterError
from openbmd.flight.propagate import FlightPlan
from openbmd.threats import Missile, Stage
from openbmd.threats.missile import launch_point_ecef

OMEGA = 7.292115e-5

STAGE_1 = {
    "propellant_mass_kg": 16000.0,
    "dry_mass_kg": 1500.0,
    "isp_sea_level_s": 250.0,
    "isp_vacuum_s": 280.0,
    "burn_time_s": 100.0,
}
STAGE_2 = {
    "propellant_mass_kg": 600.0,
    "dry_mass_kg": 400.0,
    "isp_sea_level_s": 270.0,
    "isp_vacuum_s": 300.0,
    "burn_time_s": 30.0,
}
STAGE_3 = {
    "propellant_mass_kg": 300.0,
    "dry_mass_kg": 100.0,
    "isp_sea_level_s": 280.0,
    "isp_vacuum_s": 310.0,
    "burn_time_s": 20.0,
}
PAYLOAD_KG = 700.0


def _missile(stages=(STAGE_1, STAGE_2), **overrides):
    kwargs = {
        "name": "test",
        "stages": tuple(Stage(**s) for s in stages),
        "payload_mass_kg": PAYLOAD_KG,
        "rv_ballistic_coefficient_kg_m2": 10000.0,
        "body_diameter_m": 1.5,
    }
    kwargs.update(overrides)
    return Missile(**kwargs)


def _plan(missile, cutoff_s=None):
    return missile.flight_plan(
        launch_point_ecef(40.0, 10.0),
        np.radians(60.0),
        np.radians(30.0),
        cutoff_s,
        omega_rad_s=OMEGA,
    )


# --- Stage checks ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name", ["propellant_mass_kg", "dry_mass_kg", "isp_sea_level_s", "isp_vacuum_s", "burn_time_s"]
)
@pytest.mark.parametrize("bad", [-1.0, 0.0, math.nan])
def test_stage_rejects_non_positive_values(name, bad):
    with pytest.raises(ParameterError, match=f"'{name}'") as err:
        Stage(**{**STAGE_1, name: bad})
    assert err.value.name == name, "the error must name the offending stage parameter"


def test_stage_rejects_sea_level_isp_above_vacuum_isp():
    with pytest.raises(ParameterError, match=r"'isp_sea_level_s'.*<= isp_vacuum_s") as err:
        Stage(**{**STAGE_1, "isp_sea_level_s": 290.0, "isp_vacuum_s": 280.0})
    assert err.value.got == 290.0


def test_stage_accepts_equal_isps_and_derives_flow_and_thrust():
    stage = Stage(**{**STAGE_1, "isp_sea_level_s": 280.0})
    assert stage.mass_flow_kg_s == pytest.approx(160.0, rel=1e-15)
    assert stage.vacuum_thrust_n == pytest.approx(160.0 * G0_M_S2 * 280.0, rel=1e-15)


# --- Missile checks ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        "payload_mass_kg",
        "rv_ballistic_coefficient_kg_m2",
        "body_diameter_m",
        "body_drag_coefficient",
    ],
)
def test_missile_rejects_negative_values(name):
    with pytest.raises(ParameterError, match=f"'{name}'"):
        _missile(**{name: -5.0})


def test_missile_needs_a_stage():
    with pytest.raises(ParameterError, match="'stages'"):
        _missile(stages=())


def test_missile_rejects_thrust_below_launch_weight():
    # 160 kg/s at 250 s sea-level Isp lifts 40 t; 45 t of payload make T/W = 0.63
    with pytest.raises(ParameterError, match=r"'stages\[0\]'.*thrust above the launch weight"):
        _missile(payload_mass_kg=45_000.0)


def test_missile_rejects_thrust_equal_to_launch_weight():
    # T/W = 160 * 250 / m = 1 exactly for m = 40 000 kg: still cannot lift off
    payload = 40_000.0 - (16000 + 1500 + 600 + 400)
    with pytest.raises(ParameterError, match=r"'stages\[0\]'"):
        _missile(payload_mass_kg=payload)


def test_missile_rejects_pitch_over_longer_than_the_burn():
    # burn 130 s; vertical rise 6 s + pitch-over 119 s ends 5 s before burnout: accepted
    _missile(vertical_rise_s=6.0, pitch_over_s=119.0)
    with pytest.raises(ParameterError, match=r"'pitch_over_s'.*before burnout \(130 s\)"):
        _missile(stages=(STAGE_1, STAGE_2), vertical_rise_s=20.0, pitch_over_s=115.0)
    single = {**STAGE_1, "burn_time_s": 15.0, "propellant_mass_kg": 2400.0}
    with pytest.raises(ParameterError, match="'pitch_over_s'"):
        _missile(stages=(single,), payload_mass_kg=100.0, vertical_rise_s=6.0, pitch_over_s=10.0)


@pytest.mark.parametrize(
    ("name", "bad"), [("vertical_rise_s", -1.0), ("pitch_over_s", 0.0), ("pitch_over_s", 121.0)]
)
def test_missile_rejects_pitch_programme_out_of_range(name, bad):
    with pytest.raises(ParameterError, match=f"'{name}'"):
        _missile(**{name: bad})


# --- derived figures ---------------------------------------------------------------------


def test_launch_mass_and_burn_time_are_sums():
    m = _missile(stages=(STAGE_1, STAGE_2, STAGE_3))
    assert m.launch_mass_kg == 16000 + 1500 + 600 + 400 + 300 + 100 + PAYLOAD_KG
    assert m.total_burn_time_s == 150.0


def test_thrust_to_weight_by_hand():
    m = _missile()
    # T / (m g0) = mdot Isp_sl / m
    assert m.launch_thrust_to_weight() == pytest.approx(160.0 * 250.0 / 19200.0, rel=1e-14)


def test_ideal_delta_v_is_the_staged_rocket_equation():
    m = _missile(stages=(STAGE_1, STAGE_2, STAGE_3))
    m0 = 16000 + 1500 + 600 + 400 + 300 + 100 + PAYLOAD_KG  # 19600 kg
    # stage 1 burns 16 t out of 19.6 t; drops 1.5 t; stage 2 starts at 2.1 t, and so on
    dv = (
        G0_M_S2 * 280.0 * math.log(m0 / (m0 - 16000))
        + G0_M_S2 * 300.0 * math.log(2100.0 / 1500.0)
        + G0_M_S2 * 310.0 * math.log(1100.0 / 800.0)
    )
    assert m.ideal_delta_v_m_s() == pytest.approx(dv, abs=1e-9), (
        "ideal delta-v must be the sum of g0 Isp_vac ln(m_start / m_end) over the stages, "
        "with each stage's dry mass dropped before the next one starts"
    )


# --- flight plan -------------------------------------------------------------------------


def _released_total(plan):
    """Launch mass minus propellant burned in each phase minus all drops (kg)."""
    durations = np.diff(
        np.concatenate([np.zeros((plan.size, 1)), plan.phase_end_s], axis=1), axis=1
    )
    powered = np.isfinite(durations)
    burned = np.where(powered, durations, 0.0) * plan.mass_flow_kg_s
    return plan.mass_kg - burned.sum(axis=1) - plan.mass_drop_kg.sum(axis=1)


def test_full_burn_plan_has_one_phase_per_stage_and_a_coast():
    m = _missile(stages=(STAGE_1, STAGE_2, STAGE_3))
    plan = _plan(m)
    assert isinstance(plan, FlightPlan)
    assert plan.phase_end_s.shape == (1, 4)
    np.testing.assert_array_equal(plan.phase_end_s[0], [100.0, 130.0, 150.0, np.inf])
    np.testing.assert_array_equal(plan.mass_flow_kg_s[0], [160.0, 20.0, 15.0, 0.0])
    np.testing.assert_array_equal(plan.isp_sea_level_s[0, :3], [250.0, 270.0, 280.0])
    np.testing.assert_array_equal(plan.isp_vacuum_s[0, :3], [280.0, 300.0, 310.0])
    np.testing.assert_array_equal(plan.mass_drop_kg[0], [1500.0, 400.0, 100.0, 0.0])
    assert plan.mass_kg[0] == m.launch_mass_kg
    body_cda = 0.25 * math.pi * 0.25 * 1.5**2
    np.testing.assert_allclose(plan.drag_area_m2[0, :3], body_cda, rtol=1e-15)
    assert plan.drag_area_m2[0, 3] == pytest.approx(PAYLOAD_KG / 10000.0, rel=1e-15), (
        "the coasting re-entry vehicle's drag area must be m / beta"
    )
    assert _released_total(plan)[0] == pytest.approx(PAYLOAD_KG, abs=1e-9), (
        "launch mass - burned propellant - drops must leave the payload"
    )
    assert plan.vertical_end_s[0] == m.vertical_rise_s
    assert plan.kick_end_s[0] == m.vertical_rise_s + m.pitch_over_s
    assert plan.kick_angle_rad[0] == pytest.approx(math.radians(30.0))
    assert plan.azimuth_rad[0] == pytest.approx(math.radians(60.0))


@pytest.mark.parametrize(
    ("cutoff_s", "stage", "burned_in_stage_kg"),
    [
        (40.0, 0, 40.0 * 160.0),
        (100.0, 0, 16000.0),  # exactly at first-stage burnout
        (115.0, 1, 15.0 * 20.0),
        (142.0, 2, 12.0 * 15.0),
    ],
)
def test_cutoff_drops_unburned_propellant_and_later_stages(cutoff_s, stage, burned_in_stage_kg):
    stages = (STAGE_1, STAGE_2, STAGE_3)
    m = _missile(stages=stages)
    plan = _plan(m, cutoff_s)
    ends = np.array([100.0, 130.0, 150.0])
    np.testing.assert_array_equal(plan.phase_end_s[0, :3], np.minimum(ends, cutoff_s))
    assert np.isinf(plan.phase_end_s[0, 3])
    durations = np.diff(np.concatenate([[0.0], plan.phase_end_s[0, :3]]))
    assert np.all(durations[stage + 1 :] == 0.0), "phases after the cut-off must have no length"

    s = stages[stage]
    later = sum(q["propellant_mass_kg"] + q["dry_mass_kg"] for q in stages[stage + 1 :])
    expected_drop = s["propellant_mass_kg"] - burned_in_stage_kg + s["dry_mass_kg"] + later
    assert plan.mass_drop_kg[0, stage] == pytest.approx(expected_drop, abs=1e-9), (
        "at cut-off the unburned propellant, the stage's dry mass and all later stages go"
    )
    for k in range(stage):
        assert plan.mass_drop_kg[0, k] == stages[k]["dry_mass_kg"], "earlier stages drop dry"
    assert np.all(plan.mass_drop_kg[0, stage + 1 :] == 0.0), "nothing is left to drop later"
    assert _released_total(plan)[0] == pytest.approx(PAYLOAD_KG, abs=1e-9), (
        "mass conservation: launch - burned - drops must equal the payload"
    )


def test_plan_broadcasts_controls_over_n_vehicles():
    m = _missile()
    cut = np.array([50.0, 110.0, 130.0])
    plan = m.flight_plan(
        launch_point_ecef(0.0, 0.0),
        np.radians([0.0, 90.0, 180.0]),
        np.radians(20.0),
        cut,
        omega_rad_s=OMEGA,
        launch_time_s=100.0,
    )
    assert plan.size == 3
    np.testing.assert_array_equal(plan.phase_end_s[:, 0], [50.0, 100.0, 100.0])
    np.testing.assert_array_equal(plan.phase_end_s[:, 1], [50.0, 110.0, 130.0])
    np.testing.assert_allclose(_released_total(plan), PAYLOAD_KG, atol=1e-9)
    np.testing.assert_array_equal(plan.launch_time_s, 100.0)
    # at rest on the ground: the inertial velocity is omega x r, about 465 m/s eastward
    speed = np.linalg.norm(plan.v0_eci_m_s, axis=1)
    np.testing.assert_allclose(speed, OMEGA * 6378137.0, rtol=1e-12)


@pytest.mark.parametrize(
    ("cut", "allowed"),
    [
        (0.0, r"in \(0, 130\]"),
        (-1.0, r"in \(0, 130\]"),
        (130.5, r"in \(0, 130\]"),
        (math.nan, "a finite number"),
    ],
)
def test_plan_rejects_cutoff_outside_the_burn(cut, allowed):
    with pytest.raises(ParameterError, match=f"'cutoff_s' parameter must be {allowed}"):
        _plan(_missile(), cut)
