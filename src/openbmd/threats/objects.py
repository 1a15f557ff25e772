"""The objects a sensor sees in one threat flight: the missile / re-entry vehicle and,
after burnout, the spent final stage (rocket body) flying its own ballistic path.

Modelled only as far as tracking and discrimination of a defence analysis need: each
object is a point mass from the public nominal parameters of the class.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from openbmd.flight.propagate import FlightPlan, Samples, propagate
from openbmd.threats.targeting import ThreatTrajectory

#: Object kinds, in the order of :attr:`ThreatObjects.kinds`.
REENTRY_VEHICLE = "reentry-vehicle"
ROCKET_BODY = "rocket-body"


#: Generic bulk density of a stage's propellant load, kg/m^3 (storable liquids ~1,200,
#: composite solids ~1,800; Sutton & Biblarz, Rocket Propulsion Elements): sets the
#: tank length, hence the tumbling body's drag area.
PROPELLANT_BULK_DENSITY_KG_M3 = 1200.0
#: Drag coefficient of a tumbling body on its mean projected area (order of one for
#: blunt tumbling bodies at hypersonic speed; generic).
TUMBLING_DRAG_COEFFICIENT = 1.0


def tumbling_body_ballistic_coefficient(
    dry_mass_kg: float, propellant_mass_kg: float, diameter_m: float
) -> float:
    """Ballistic coefficient (kg/m^2) of a spent stage tumbling end over end.

    The stage is a cylinder of diameter ``diameter_m`` and length ``propellant volume /
    cross-section + diameter`` (tanks plus domes). Averaged over random orientations its
    projected area is a quarter of its surface area (Cauchy's formula for convex
    bodies): ``pi D (L + D / 2) / 4``; the drag coefficient on that area is
    :data:`TUMBLING_DRAG_COEFFICIENT`.
    """
    area_end = math.pi * 0.25 * diameter_m**2
    length = propellant_mass_kg / PROPELLANT_BULK_DENSITY_KG_M3 / area_end + diameter_m
    mean_area = math.pi * diameter_m * (length + 0.5 * diameter_m) / 4.0
    return dry_mass_kg / (TUMBLING_DRAG_COEFFICIENT * mean_area)


@dataclass(frozen=True)
class ThreatObjects:
    """Samples of the objects of one threat flight on a common time grid.

    Object 0 is the missile until burnout and then its re-entry vehicle; object 1 is the
    spent final stage, from burnout to impact. ``samples`` is ragged (see
    :class:`openbmd.flight.Samples`); all objects are sampled on one grid of ``step_s``.
    """

    kinds: tuple[str, ...]
    samples: Samples
    step_s: float
    launch_time_s: float
    burnout_time_s: float
    body_ballistic_coefficient_kg_m2: float


def threat_objects(
    traj: ThreatTrajectory, *, step_s: float = 1.0, start_s: float | None = None
) -> ThreatObjects:
    """Sample the re-entry vehicle and the rocket body of a solved trajectory.

    Both are sampled on ``start_s + k * step_s`` (default: the launch time), so that
    objects of several threats can share one time grid.

    The rocket body tumbles: see :func:`tumbling_body_ballistic_coefficient`.
    """
    missile = traj.missile
    rv = traj.sample(step_s, start_s=start_s)
    f = traj.flight
    prop = f.propagation
    k_bo = len(missile.stages) - 1
    t_bo = float(prop.phase_end_time_s[0, k_bo])
    state_bo = prop.phase_end_state_eci[0, k_bo]
    beta = tumbling_body_ballistic_coefficient(
        missile.stages[-1].dry_mass_kg,
        missile.stages[-1].propellant_mass_kg,
        missile.body_diameter_m,
    )
    t0 = float(f.plan.launch_time_s[0])
    body_plan = FlightPlan.coast(
        state_bo[:3], state_bo[3:], ballistic_coefficient_kg_m2=beta, launch_time_s=t_bo
    )
    grid0 = t0 if start_s is None else float(start_s)
    body = propagate(body_plan, prop.earth, sample_step_s=step_s, sample_start_s=grid0).samples
    if body is None:  # pragma: no cover - propagate always samples when asked
        raise RuntimeError("propagate returned no samples")
    n_rv = int(rv.offsets[1])
    offsets = np.array([0, n_rv, n_rv + int(body.offsets[1])], dtype=np.int64)
    samples = Samples(
        offsets=offsets,
        time_s=np.concatenate([rv.time_s[:n_rv], body.time_s]),
        r_ecef_m=np.concatenate([rv.r_ecef_m[:n_rv], body.r_ecef_m]),
        v_ecef_m_s=np.concatenate([rv.v_ecef_m_s[:n_rv], body.v_ecef_m_s]),
    )
    return ThreatObjects(
        kinds=(REENTRY_VEHICLE, ROCKET_BODY),
        samples=samples,
        step_s=float(step_s),
        launch_time_s=t0,
        burnout_time_s=t_bo,
        body_ballistic_coefficient_kg_m2=beta,
    )
