"""Multi-stage rockets as point masses: stages, payload, pitch programme.

A :class:`Rocket` turns into :class:`openbmd.flight.FlightPlan` rows for given launch
points, azimuths, pitch-over angles and thrust cut-off times. Threat missiles
(:mod:`openbmd.threats`) and interceptors (:mod:`openbmd.interceptors`) are both rockets.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from openbmd.constants import G0_M_S2
from openbmd.errors import ParameterError, require_positive, require_range
from openbmd.flight.propagate import FlightPlan, ecef_state_to_eci
from openbmd.geodesy import geodetic_to_ecef


@dataclass(frozen=True)
class Stage:
    """One rocket stage.

    Attributes
    ----------
    propellant_mass_kg : float
        Propellant burned, kg.
    dry_mass_kg : float
        Mass dropped at burnout (structure, engine), kg.
    isp_sea_level_s, isp_vacuum_s : float
        Specific impulse at sea level and in vacuum, s; interpolated linearly in ambient
        pressure.
    burn_time_s : float
        Burn duration at constant mass flow, s.
    """

    propellant_mass_kg: float
    dry_mass_kg: float
    isp_sea_level_s: float
    isp_vacuum_s: float
    burn_time_s: float

    def __post_init__(self) -> None:
        require_positive("propellant_mass_kg", self.propellant_mass_kg)
        require_positive("dry_mass_kg", self.dry_mass_kg)
        require_positive("isp_sea_level_s", self.isp_sea_level_s)
        require_positive("isp_vacuum_s", self.isp_vacuum_s)
        require_positive("burn_time_s", self.burn_time_s)
        if self.isp_sea_level_s > self.isp_vacuum_s:
            raise ParameterError(
                "isp_sea_level_s", f"<= isp_vacuum_s ({self.isp_vacuum_s})", self.isp_sea_level_s
            )

    @property
    def mass_flow_kg_s(self) -> float:
        """Propellant mass flow, kg/s."""
        return self.propellant_mass_kg / self.burn_time_s

    @property
    def vacuum_thrust_n(self) -> float:
        """Thrust in vacuum, N."""
        return self.mass_flow_kg_s * G0_M_S2 * self.isp_vacuum_s


@dataclass(frozen=True, kw_only=True)
class Rocket:
    """A multi-stage rocket with a payload that flies on after the last burnout.

    Attributes
    ----------
    stages : tuple of Stage
        Burned in order, without coast between stages.
    payload_mass_kg : float
        Payload mass, kg (re-entry vehicle or kill vehicle).
    payload_ballistic_coefficient_kg_m2 : float
        Payload ballistic coefficient beta = m / (Cd A), kg/m^2.
    body_diameter_m : float
        Body diameter during powered flight, m (drag reference area).
    body_drag_coefficient : float
        Body drag coefficient during powered flight (on the reference area).
    vertical_rise_s : float
        Vertical rise after lift-off, s.
    pitch_over_s : float
        Duration of the linear pitch-over to the kick angle, s.
    """

    stages: tuple[Stage, ...]
    payload_mass_kg: float
    payload_ballistic_coefficient_kg_m2: float
    body_diameter_m: float
    body_drag_coefficient: float = 0.25
    vertical_rise_s: float = 6.0
    pitch_over_s: float = 10.0

    def __post_init__(self) -> None:
        if not self.stages:
            raise ParameterError("stages", "at least one stage", "none")
        require_positive("payload_mass_kg", self.payload_mass_kg)
        require_positive(
            "payload_ballistic_coefficient_kg_m2", self.payload_ballistic_coefficient_kg_m2
        )
        require_positive("body_diameter_m", self.body_diameter_m)
        require_positive("body_drag_coefficient", self.body_drag_coefficient)
        require_range("vertical_rise_s", self.vertical_rise_s, 0.0, 120.0)
        require_range("pitch_over_s", self.pitch_over_s, 0.0, 120.0, low_open=True)
        if self.vertical_rise_s + self.pitch_over_s >= self.total_burn_time_s:
            raise ParameterError(
                "pitch_over_s",
                f"short enough that the pitch-over ends before burnout "
                f"({self.total_burn_time_s:g} s)",
                self.pitch_over_s,
            )
        if self.launch_thrust_to_weight() <= 1.0:
            raise ParameterError(
                "stages[0]",
                "a first stage with thrust above the launch weight",
                f"thrust/weight {self.launch_thrust_to_weight():.2f}",
            )

    @property
    def launch_mass_kg(self) -> float:
        """Total mass at lift-off, kg."""
        return self.payload_mass_kg + sum(s.propellant_mass_kg + s.dry_mass_kg for s in self.stages)

    @property
    def total_burn_time_s(self) -> float:
        """Sum of the stage burn times, s."""
        return sum(s.burn_time_s for s in self.stages)

    def launch_thrust_to_weight(self) -> float:
        """First-stage sea-level thrust over launch weight."""
        s0 = self.stages[0]
        return s0.mass_flow_kg_s * s0.isp_sea_level_s / self.launch_mass_kg

    def ideal_delta_v_m_s(self) -> float:
        """Vacuum rocket-equation delta-v of all stages, m/s (an upper bound)."""
        total = 0.0
        mass = self.launch_mass_kg
        for s in self.stages:
            total += G0_M_S2 * s.isp_vacuum_s * math.log(mass / (mass - s.propellant_mass_kg))
            mass -= s.propellant_mass_kg + s.dry_mass_kg
        return total

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
        """Flight plans for N launches of this rocket (arrays broadcast to (N,)).

        ``cutoff_s`` (seconds since launch, default: full burn) ends thrust early; at
        cut-off everything but the payload is released. The phase table has one phase per
        stage plus a final coast of the payload.
        """
        launch = np.asarray(launch_ecef_m, dtype=float).reshape(-1, 3)
        az, kick, t0 = np.broadcast_arrays(
            np.asarray(azimuth_rad, dtype=float),
            np.asarray(kick_angle_rad, dtype=float),
            np.asarray(launch_time_s, dtype=float),
        )
        n = max(launch.shape[0], az.size)
        az, kick, t0 = (np.broadcast_to(a, (n,)).astype(float) for a in (az, kick, t0))
        launch = np.broadcast_to(launch, (n, 3))
        total = self.total_burn_time_s
        cut = (
            np.full(n, total)
            if cutoff_s is None
            else np.broadcast_to(np.asarray(cutoff_s, dtype=float), (n,))
        )
        require_range("cutoff_s", cut, 0.0, total, low_open=True)

        p = len(self.stages) + 1
        ends = np.cumsum([s.burn_time_s for s in self.stages])
        starts = ends - np.array([s.burn_time_s for s in self.stages])
        phase_end = np.full((n, p), np.inf)
        mdot = np.zeros((n, p))
        isp_sl = np.zeros((n, p))
        isp_vac = np.zeros((n, p))
        drop = np.zeros((n, p))
        area = math.pi * 0.25 * self.body_diameter_m**2
        cda = np.full((n, p), self.body_drag_coefficient * area)
        cda[:, -1] = self.payload_mass_kg / self.payload_ballistic_coefficient_kg_m2
        mass_after = self.launch_mass_kg
        for k, s in enumerate(self.stages):
            phase_end[:, k] = np.minimum(cut, ends[k])
            mdot[:, k] = s.mass_flow_kg_s
            isp_sl[:, k] = s.isp_sea_level_s
            isp_vac[:, k] = s.isp_vacuum_s
            mass_after -= s.propellant_mass_kg + s.dry_mass_kg
            drop[:, k] = s.dry_mass_kg
        # at cut-off inside stage k: drop its unburned propellant and all later stages
        for k, s in enumerate(self.stages):
            inside = (cut > starts[k]) & (cut <= ends[k])
            burned = (cut[inside] - starts[k]) * s.mass_flow_kg_s
            later = sum(q.propellant_mass_kg + q.dry_mass_kg for q in self.stages[k + 1 :])
            drop[inside, k] = s.dry_mass_kg + s.propellant_mass_kg - burned + later
            for q in range(k + 1, len(self.stages)):
                drop[inside, q] = 0.0

        v_ecef = np.zeros_like(launch)
        state = ecef_state_to_eci(launch, v_ecef, t0, omega_rad_s)
        return FlightPlan(
            launch_time_s=t0,
            r0_eci_m=state[:, :3],
            v0_eci_m_s=state[:, 3:],
            mass_kg=np.full(n, self.launch_mass_kg),
            phase_end_s=phase_end,
            mass_flow_kg_s=mdot,
            isp_sea_level_s=isp_sl,
            isp_vacuum_s=isp_vac,
            mass_drop_kg=drop,
            drag_area_m2=cda,
            cd_table_index=np.zeros((n, p), dtype=np.int64),
            vertical_end_s=np.full(n, self.vertical_rise_s),
            kick_end_s=np.full(n, self.vertical_rise_s + self.pitch_over_s),
            kick_angle_rad=kick,
            azimuth_rad=az,
            stop_alt_m=np.zeros(n),
            max_time_s=np.full(n, max_time_s),
        )


def launch_point_ecef(lat_deg: float, lon_deg: float, alt_m: float = 0.0) -> np.ndarray:
    """ECEF position (m) of a launch point given in geodetic degrees."""
    return np.asarray(geodetic_to_ecef(lat_deg, lon_deg, alt_m), dtype=float).reshape(3)
