"""The objects of one threat flight: re-entry vehicle and rocket body."""

import numpy as np
import pytest

from openbmd.geodesy import ecef_to_geodetic
from openbmd.threats import get_missile, solve_trajectory, threat_objects


@pytest.fixture(scope="module")
def objects():
    traj = solve_trajectory(get_missile("mrbm"), 39.0, 125.7, 36.0, 133.0)
    return traj, threat_objects(traj, step_s=2.0)


def test_two_objects_on_a_common_grid(objects):
    _, obj = objects
    assert obj.kinds == ("reentry-vehicle", "rocket-body")
    t_rv, _, _ = obj.samples.of(0)
    t_body, _, _ = obj.samples.of(1)
    # both on launch_time + k * step
    for t in (t_rv, t_body):
        k = (t - obj.launch_time_s) / obj.step_s
        assert np.allclose(k, np.round(k), atol=1e-9)
    assert t_rv[0] == pytest.approx(obj.launch_time_s)
    assert t_body[0] >= obj.burnout_time_s
    assert t_body[0] - obj.burnout_time_s < obj.step_s


def test_body_starts_at_burnout_state_and_falls_short(objects):
    traj, obj = objects
    t_rv, r_rv, _ = obj.samples.of(0)
    t_body, r_body, _ = obj.samples.of(1)
    j = int(np.searchsorted(t_rv, t_body[0]))
    # at the first common sample, both are within metres of each other (separated at burnout)
    assert np.linalg.norm(r_rv[j] - r_body[0]) < 50.0
    # the lower-beta body decelerates more in the atmosphere and lands short of the RV
    _, _, alt_b = ecef_to_geodetic(r_body[-1])
    assert float(alt_b) < 5_000.0
    assert t_body[-1] >= t_rv[-1] - 60.0
    assert obj.body_ballistic_coefficient_kg_m2 < traj.missile.rv_ballistic_coefficient_kg_m2


def test_tumbling_body_beta_matches_cauchy_mean_area():
    from openbmd.threats.objects import tumbling_body_ballistic_coefficient

    # 1 m diameter, 1,200 kg propellant at 1,200 kg/m^3 -> 1 m^3 -> 1.273 m of tank + 1 m
    d, length = 1.0, 1.0 / (np.pi / 4) + 1.0
    mean_area = np.pi * d * (length + 0.5) / 4.0  # surface / 4 for a convex body
    assert tumbling_body_ballistic_coefficient(500.0, 1200.0, 1.0) == pytest.approx(
        500.0 / mean_area
    )
