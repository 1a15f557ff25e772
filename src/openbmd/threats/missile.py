"""Generic ballistic missiles: a rocket with a re-entry vehicle, a name and sources.

Threats are modelled only as far as a defence analysis needs: a trajectory from public,
nominal parameters. A :class:`Missile` wraps an :class:`openbmd.flight.rocket.Rocket`
and turns into :class:`openbmd.flight.FlightPlan` rows for given launch points, azimuths,
pitch-over angles and thrust cut-off times.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np

from openbmd.errors import require_positive
from openbmd.flight.propagate import FlightPlan
from openbmd.flight.rocket import Rocket, Stage, launch_point_ecef

__all__ = ["Missile", "Stage", "launch_point_ecef"]


@dataclass(frozen=True)
class Missile:
    """A generic ballistic missile.

    Attributes
    ----------
    name : str
        Catalog name (``srbm``, ``mrbm``, ...).
    stages : tuple of Stage
        Burned in order, without coast between stages.
    payload_mass_kg : float
        Re-entry vehicle mass, kg (what flies on after the last burnout or a cut-off).
    rv_ballistic_coefficient_kg_m2 : float
        Re-entry vehicle ballistic coefficient beta = m / (Cd A), kg/m^2.
    body_diameter_m : float
        Body diameter during powered flight, m (drag reference area).
    body_drag_coefficient : float
        Body drag coefficient during powered flight (on the reference area).
    vertical_rise_s : float
        Vertical rise after lift-off, s.
    pitch_over_s : float
        Duration of the linear pitch-over to the kick angle, s.
    nominal_range_km : float
        Publicly quoted nominal range of the class, km (documentation only).
    description : str
    sources : mapping of str to str
        Public source of each parameter, keyed by parameter name.
    rocket : Rocket
        The vehicle itself (derived; flies the trajectories).
    """

    name: str
    stages: tuple[Stage, ...]
    payload_mass_kg: float
    rv_ballistic_coefficient_kg_m2: float
    body_diameter_m: float
    body_drag_coefficient: float = 0.25
    vertical_rise_s: float = 6.0
    pitch_over_s: float = 10.0
    nominal_range_km: float = math.nan
    description: str = ""
    sources: Mapping[str, str] = field(default_factory=dict)
    rocket: Rocket = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        require_positive("rv_ballistic_coefficient_kg_m2", self.rv_ballistic_coefficient_kg_m2)
        rocket = Rocket(
            stages=self.stages,
            payload_mass_kg=self.payload_mass_kg,
            payload_ballistic_coefficient_kg_m2=self.rv_ballistic_coefficient_kg_m2,
            body_diameter_m=self.body_diameter_m,
            body_drag_coefficient=self.body_drag_coefficient,
            vertical_rise_s=self.vertical_rise_s,
            pitch_over_s=self.pitch_over_s,
        )
        object.__setattr__(self, "rocket", rocket)

    @property
    def launch_mass_kg(self) -> float:
        """Total mass at lift-off, kg."""
        return self.rocket.launch_mass_kg

    @property
    def total_burn_time_s(self) -> float:
        """Sum of the stage burn times, s."""
        return self.rocket.total_burn_time_s

    def launch_thrust_to_weight(self) -> float:
        """First-stage sea-level thrust over launch weight."""
        return self.rocket.launch_thrust_to_weight()

    def ideal_delta_v_m_s(self) -> float:
        """Vacuum rocket-equation delta-v of all stages, m/s (an upper bound)."""
        return self.rocket.ideal_delta_v_m_s()

    def flight_plan(
        self,
        launch_ecef_m: np.ndarray,
        azimuth_rad: np.ndarray,
        kick_angle_rad: np.ndarray,
        cutoff_s: np.ndarray | None = None,
        *,
        launch_time_s: np.ndarray | float = 0.0,
        omega_rad_s: float,
        max_time_s: float = 10800.0,
    ) -> FlightPlan:
        """Flight plans for N launches (see :meth:`openbmd.flight.rocket.Rocket.flight_plan`)."""
        return self.rocket.flight_plan(
            launch_ecef_m,
            azimuth_rad,
            kick_angle_rad,
            cutoff_s,
            launch_time_s=launch_time_s,
            omega_rad_s=omega_rad_s,
            max_time_s=max_time_s,
        )
