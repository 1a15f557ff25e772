"""Hypothesis properties of the batched flight propagator (openbmd.flight.propagate).

Conservation laws of the equations of motion, checked along the sampled trajectory:

- no rotation, no drag: the field is conservative, E = v^2/2 - U_J2(r) is constant;
- the J2 field is symmetric about z: the z component of the angular momentum is constant;
- with drag and rotation, the Jacobi integral in the rotating frame,
  C = |v_ecef|^2/2 - U_J2(r) - omega^2 (x^2 + y^2)/2, can only decrease (drag acts
  against the velocity relative to the co-rotating air, and J2 is fixed in ECEF).

Conservation is checked at rtol 1e-10, atol 0.1 mm / 1e-7 m/s, where the integration
drift is below 3e-10 (relative); at the default rtol 1e-8 it reaches ~3e-8.
"""

import math
from typing import Any

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from openbmd.constants import WGS84_A_M, WGS84_GM_M3_S2, WGS84_J2, WGS84_OMEGA_RAD_S
from openbmd.flight.propagate import (
    EarthModel,
    FlightPlan,
    Propagation,
    Samples,
    ecef_state_to_eci,
    propagate,
)
from openbmd.geodesy import ecef_to_geodetic, enu_vector_to_ecef, geodetic_to_ecef

SETTINGS = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
TIGHT: dict[str, Any] = {"rtol": 1e-10, "atol_m": 1e-4, "atol_m_s": 1e-7}
OMEGA = WGS84_OMEGA_RAD_S

lat_deg = st.floats(-85.0, 85.0)
lon_deg = st.floats(-180.0, 180.0)
start_alt_m = st.floats(20e3, 300e3)
speed_m_s = st.floats(500.0, 7600.0)
path_angle_deg = st.floats(-70.0, 80.0)
azimuth_deg = st.floats(0.0, 360.0)
beta_kg_m2 = st.floats(100.0, 50000.0)


def _plan(**fields: Any) -> FlightPlan:
    """FlightPlan from scalars and nested lists (it broadcasts them to arrays)."""
    return FlightPlan(**fields)


def _samples(run: Propagation) -> Samples:
    assert run.samples is not None, "the propagation was asked for samples"
    return run.samples


def _potential(r):
    """J2 potential, m^2/s^2 (acceleration = +grad U)."""
    rn = np.linalg.norm(r, axis=-1)
    sin2 = (r[..., 2] / rn) ** 2
    return WGS84_GM_M3_S2 / rn * (1.0 - WGS84_J2 * (WGS84_A_M / rn) ** 2 * (1.5 * sin2 - 0.5))


def _ecef_state(lat, lon, alt, speed, gamma_deg, az_deg):
    g, a = math.radians(gamma_deg), math.radians(az_deg)
    r = np.asarray(geodetic_to_ecef(lat, lon, alt), dtype=float)
    v_enu = speed * np.array([math.cos(g) * math.sin(a), math.cos(g) * math.cos(a), math.sin(g)])
    return r, np.asarray(enu_vector_to_ecef(v_enu, lat, lon), dtype=float)


@SETTINGS
@given(lat_deg, lon_deg, start_alt_m, speed_m_s, path_angle_deg, azimuth_deg)
def test_energy_and_polar_angular_momentum_are_conserved_in_vacuum(lat, lon, alt, v, gam, az):
    """No rotation (ECEF = ECI, inertial), no drag: relative drift of E and of h_z below
    1e-9 over the whole flight (up to an hour, or to impact)."""
    r, vel = _ecef_state(lat, lon, alt, v, gam, az)
    earth = EarthModel.wgs84(rotation=False, drag=False)
    run = propagate(FlightPlan.coast(r, vel, max_time_s=3600.0), earth, sample_step_s=20.0, **TIGHT)
    _, rs, vs = _samples(run).of(0)
    rs = np.vstack([rs, run.end_state_eci[:, :3]])
    vs = np.vstack([vs, run.end_state_eci[:, 3:]])
    energy = 0.5 * np.sum(vs * vs, axis=1) - _potential(rs)
    drift = np.abs(energy - energy[0]).max() / abs(energy[0])
    assert drift < 1e-9, f"energy drift {drift:.2e} (relative) in a conservative field"
    h = np.cross(rs, vs)
    hz_drift = np.abs(h[:, 2] - h[0, 2]).max() / np.linalg.norm(h[0])
    assert hz_drift < 1e-9, f"h_z drift {hz_drift:.2e} of |h| in an axisymmetric field"


@SETTINGS
@given(lat_deg, lon_deg, start_alt_m, speed_m_s, path_angle_deg, azimuth_deg, beta_kg_m2)
def test_drag_never_increases_the_jacobi_integral(lat, lon, alt, v, gam, az, beta):
    """With drag and rotation, C in the Earth-fixed frame is non-increasing from one
    sample to the next (to 1e-9 of |C|; integration noise measured below 1e-10), and a
    flight through the atmosphere loses some of it."""
    r, vel = _ecef_state(lat, lon, alt, v, gam, az)
    state = ecef_state_to_eci(r, vel, 0.0, OMEGA)
    plan = FlightPlan.coast(
        state[:3], state[3:], ballistic_coefficient_kg_m2=beta, max_time_s=3600.0
    )
    run = propagate(plan, EarthModel.wgs84(), sample_step_s=2.0, **TIGHT)
    _, rs, vs = _samples(run).of(0)
    jacobi = (
        0.5 * np.sum(vs * vs, axis=1)
        - _potential(rs)
        - 0.5 * OMEGA**2 * (rs[:, 0] ** 2 + rs[:, 1] ** 2)
    )
    rise = np.diff(jacobi).max(initial=-np.inf) / abs(jacobi[0])
    assert rise < 1e-9, f"Jacobi integral rose by {rise:.2e} of |C| between samples"
    if run.status[0] == 0 and jacobi.size > 1:
        assert jacobi[-1] < jacobi[0], "a flight to the ground loses energy to drag"


@SETTINGS
@given(
    lat_deg,
    lon_deg,
    start_alt_m,
    speed_m_s,
    path_angle_deg,
    azimuth_deg,
    beta_kg_m2,
    st.floats(0.0, 15e3),
)
def test_impact_is_on_the_stop_altitude(lat, lon, alt, v, gam, az, beta, stop_alt):
    """Whenever a flight ends by impact (default tolerances), its end state lies within
    1 mm of the stop altitude (exact geodetic height)."""
    r, vel = _ecef_state(lat, lon, alt, v, gam, az)
    state = ecef_state_to_eci(r, vel, 0.0, OMEGA)
    plan = FlightPlan.coast(
        state[:3], state[3:], ballistic_coefficient_kg_m2=beta, stop_alt_m=stop_alt
    )
    run = propagate(plan)
    if run.status[0] == 0:
        r_end, _ = run.end_state_ecef()
        h = float(ecef_to_geodetic(r_end[0])[2])
        assert abs(h - stop_alt) < 1e-3, f"impact {h - stop_alt:.2e} m off the stop altitude"
    else:
        assert run.status[0] == 1, "a valid flight never ends in a step failure"


@SETTINGS
@given(
    st.floats(-60.0, 60.0),
    lon_deg,
    st.floats(5000.0, 60000.0),  # launch mass, kg
    st.floats(0.5, 0.85),  # propellant fraction
    st.floats(40.0, 150.0),  # burn time, s
    st.floats(200.0, 320.0),  # vacuum Isp, s
    st.floats(0.0, math.radians(30.0)),  # kick angle
    azimuth_deg,
    beta_kg_m2,
)
def test_random_powered_flights_have_no_nan(lat, lon, mass, fraction, burn, isp, kick, az, beta):
    """A one-stage vehicle with any valid parameters (some too weak to reach burnout
    before falling back): finite end state and samples; event times and states are NaN
    together, and only for events that did not happen."""
    propellant = fraction * mass
    payload = 0.1 * (mass - propellant) + 100.0
    r0 = np.asarray(geodetic_to_ecef(lat, lon, 0.0), dtype=float)
    state = ecef_state_to_eci(r0, np.zeros(3), 0.0, OMEGA)
    plan = _plan(
        launch_time_s=0.0,
        r0_eci_m=state[:3],
        v0_eci_m_s=state[3:],
        mass_kg=mass,
        phase_end_s=[[burn, np.inf]],
        mass_flow_kg_s=[[propellant / burn, 0.0]],
        isp_sea_level_s=[[0.88 * isp, 0.0]],
        isp_vacuum_s=[[isp, 0.0]],
        mass_drop_kg=[[mass - propellant - payload, 0.0]],
        drag_area_m2=[[0.5e-4 * mass, payload / beta]],
        cd_table_index=0,
        vertical_end_s=6.0,
        kick_end_s=18.0,
        kick_angle_rad=kick,
        azimuth_rad=math.radians(az),
        stop_alt_m=0.0,
        max_time_s=4000.0,
    )
    run = propagate(plan, altitude_levels_m=(100e3,), sample_step_s=5.0)
    assert run.status[0] in (0, 1)
    assert np.all(np.isfinite(run.end_state_eci)) and np.isfinite(run.end_time_s[0])
    reached_burnout = run.flight_time_s[0] >= burn
    assert np.isfinite(run.phase_end_time_s[0, 0]) == reached_burnout
    assert np.all(np.isfinite(run.phase_end_state_eci[0, 0])) == reached_burnout
    assert np.all(np.isfinite(_samples(run).r_ecef_m)) and np.all(
        np.isfinite(_samples(run).v_ecef_m_s)
    )
    for t, s in (
        (run.apogee_time_s[0], run.apogee_state_eci[0]),
        *((run.crossing_time_s[0, 0, d], run.crossing_state_eci[0, 0, d]) for d in (0, 1)),
    ):
        assert np.isnan(t) == bool(np.all(np.isnan(s))), "event time and state agree"
        assert np.isnan(t) or np.all(np.isfinite(s))
