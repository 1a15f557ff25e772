"""Inputs of a propagation: the Earth model, Mach drag tables and the flight plan of N
vehicles (initial ECI states and tables of sequential flight phases).

See :func:`openbmd.flight.propagate.propagate` and ``docs/flight.md``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import numpy as np

from openbmd.constants import (
    MEAN_EARTH_RADIUS_M,
    WGS84_A_M,
    WGS84_GM_M3_S2,
    WGS84_J2,
    WGS84_OMEGA_RAD_S,
)
from openbmd.errors import ParameterError, require_finite, require_non_negative, require_positive


@dataclass(frozen=True)
class EarthModel:
    """Earth shape, gravity, rotation and atmosphere switches for a propagation.

    Attributes
    ----------
    kind : {"wgs84", "sphere"}
        Surface on which altitude (and so impact and drag) is measured.
    radius_m : float
        Sphere radius (``kind="sphere"``) or equatorial radius of the J2 expansion, m.
    mu_m3_s2 : float
        Gravitational parameter, m^3/s^2.
    j2 : float
        Second zonal harmonic (0 for a point-mass field).
    omega_rad_s : float
        Earth rotation rate, rad/s (0: no rotation; ECI and ECEF then coincide).
    drag : bool
        Whether aerodynamic drag acts.
    """

    kind: Literal["wgs84", "sphere"] = "wgs84"
    radius_m: float = WGS84_A_M
    mu_m3_s2: float = WGS84_GM_M3_S2
    j2: float = WGS84_J2
    omega_rad_s: float = WGS84_OMEGA_RAD_S
    drag: bool = True

    @classmethod
    def wgs84(cls, *, rotation: bool = True, drag: bool = True, j2: bool = True) -> EarthModel:
        """WGS 84 ellipsoid, J2 gravity, rotation and drag (each can be switched off)."""
        return cls(
            "wgs84",
            WGS84_A_M,
            WGS84_GM_M3_S2,
            WGS84_J2 if j2 else 0.0,
            WGS84_OMEGA_RAD_S if rotation else 0.0,
            drag,
        )

    @classmethod
    def spherical(
        cls,
        radius_m: float = MEAN_EARTH_RADIUS_M,
        *,
        rotation: bool = False,
        drag: bool = False,
    ) -> EarthModel:
        """Sphere of ``radius_m`` with a point-mass field (no J2)."""
        require_positive("earth_radius_m", radius_m)
        return cls(
            "sphere",
            float(radius_m),
            WGS84_GM_M3_S2,
            0.0,
            WGS84_OMEGA_RAD_S if rotation else 0.0,
            drag,
        )


@dataclass(frozen=True)
class DragTables:
    """Drag-coefficient ratios against Mach number on a uniform Mach grid.

    ``ratios[t, j]`` multiplies a phase's drag area at Mach ``mach_start + j * mach_step``
    (linear interpolation, held constant beyond the ends). Table 0 is conventionally
    all ones (no Mach dependence).
    """

    mach_start: float = 0.0
    mach_step: float = 1.0
    ratios: np.ndarray = field(default_factory=lambda: np.ones((1, 2)))

    def __post_init__(self) -> None:
        r = require_positive("cd_ratio", self.ratios)
        if r.ndim != 2 or r.shape[1] < 2:
            raise ParameterError("cd_ratio", "a (tables, >= 2 Mach points) array", r.shape)
        require_positive("mach_step", self.mach_step)
        object.__setattr__(self, "ratios", np.ascontiguousarray(r, dtype=float))


@dataclass(frozen=True)
class FlightPlan:
    """Initial states and phase tables of N vehicles (leading axis N everywhere).

    Times are seconds since each vehicle's launch (``launch_time_s`` is seconds since
    the scenario epoch). Phase ``k`` runs from the end of phase ``k - 1`` (or launch) to
    ``phase_end_s[:, k]``; the last phase of each vehicle must end at ``inf``. At the end
    of phase ``k`` the mass ``mass_drop_kg[:, k]`` is released (spent stage, or all but
    the re-entry vehicle). Thrust acts while ``mass_flow_kg_s > 0``.

    Attributes
    ----------
    launch_time_s : (N,) float
    r0_eci_m, v0_eci_m_s : (N, 3) float
        State at launch in openbmd's ECI frame, m and m/s.
    mass_kg : (N,) float
        Mass at launch, kg.
    phase_end_s, mass_flow_kg_s, isp_sea_level_s, isp_vacuum_s, mass_drop_kg,
    drag_area_m2 : (N, P) float
        Phase table. ``drag_area_m2`` is the reference drag coefficient times area,
        m^2 (for a re-entry vehicle of ballistic coefficient beta = m / (Cd A):
        ``mass / beta``).
    cd_table_index : (N, P) int
        Row of :class:`DragTables` used in each phase.
    vertical_end_s, kick_end_s, kick_angle_rad, azimuth_rad : (N,) float
        Pitch programme: thrust vertical until ``vertical_end_s``; tilted linearly to
        ``kick_angle_rad`` from the vertical toward ``azimuth_rad`` (from north,
        clockwise) by ``kick_end_s``; then along the Earth-relative velocity.
    stop_alt_m : (N,) float
        Altitude whose downward crossing ends the flight ("impact"), m.
    max_time_s : (N,) float
        Flight-time limit, s.
    """

    launch_time_s: np.ndarray
    r0_eci_m: np.ndarray
    v0_eci_m_s: np.ndarray
    mass_kg: np.ndarray
    phase_end_s: np.ndarray
    mass_flow_kg_s: np.ndarray
    isp_sea_level_s: np.ndarray
    isp_vacuum_s: np.ndarray
    mass_drop_kg: np.ndarray
    drag_area_m2: np.ndarray
    cd_table_index: np.ndarray
    vertical_end_s: np.ndarray
    kick_end_s: np.ndarray
    kick_angle_rad: np.ndarray
    azimuth_rad: np.ndarray
    stop_alt_m: np.ndarray
    max_time_s: np.ndarray

    def __post_init__(self) -> None:
        n = np.asarray(self.r0_eci_m).reshape(-1, 3).shape[0]
        vec = {"r0_eci_m": (n, 3), "v0_eci_m_s": (n, 3)}
        for name, shape in vec.items():
            arr = _fit(name, require_finite(name, getattr(self, name)), shape, reshape=True)
            object.__setattr__(self, name, np.ascontiguousarray(arr))
        if np.any(np.sum(self.r0_eci_m * self.r0_eci_m, axis=1) == 0.0):
            raise ParameterError("r0_eci_m", "a non-zero position vector", "the origin")
        per_vehicle = (
            "launch_time_s",
            "mass_kg",
            "vertical_end_s",
            "kick_end_s",
            "kick_angle_rad",
            "azimuth_rad",
            "stop_alt_m",
            "max_time_s",
        )
        for name in per_vehicle:
            arr = _fit(name, require_finite(name, getattr(self, name)), (n,))
            object.__setattr__(self, name, np.ascontiguousarray(arr, dtype=float))
        p = np.atleast_2d(np.asarray(self.phase_end_s, dtype=float)).shape[-1]
        for name in (
            "phase_end_s",
            "mass_flow_kg_s",
            "isp_sea_level_s",
            "isp_vacuum_s",
            "mass_drop_kg",
            "drag_area_m2",
        ):
            arr = np.asarray(getattr(self, name), dtype=float)
            if name != "phase_end_s":
                require_finite(name, arr)
            arr = _fit(name, arr, (n, p))
            object.__setattr__(self, name, np.ascontiguousarray(arr))
        idx = _fit("cd_table_index", np.asarray(self.cd_table_index, dtype=np.int64), (n, p))
        object.__setattr__(self, "cd_table_index", np.ascontiguousarray(idx))
        require_positive("mass_kg", self.mass_kg)
        require_positive("max_time_s", self.max_time_s)
        for name in ("mass_flow_kg_s", "mass_drop_kg", "drag_area_m2"):
            require_non_negative(name, getattr(self, name))
        burning = self.mass_flow_kg_s > 0
        if np.any(burning & ~(self.isp_vacuum_s > 0)):
            raise ParameterError(
                "isp_vacuum_s", "> 0 in powered phases", float(self.isp_vacuum_s[burning].min())
            )
        if np.any(burning & ~(self.isp_sea_level_s > 0)):
            raise ParameterError(
                "isp_sea_level_s",
                "> 0 in powered phases",
                float(self.isp_sea_level_s[burning].min()),
            )
        if not np.all(np.isposinf(self.phase_end_s[:, -1])):
            raise ParameterError(
                "phase_end_s", "inf for the last phase of every vehicle", self.phase_end_s[:, -1]
            )
        require_non_negative("phase_end_s", self.phase_end_s[:, :-1])
        if np.any(np.diff(self.phase_end_s, axis=1) < 0):
            raise ParameterError(
                "phase_end_s", "non-decreasing along the phases", "decreasing phase ends"
            )
        self._check_mass_stays_positive()

    def _check_mass_stays_positive(self) -> None:
        """Raise unless every vehicle keeps a positive mass until its time limit."""
        ends = np.minimum(self.phase_end_s, self.max_time_s[:, None])
        starts = np.concatenate([np.zeros((self.size, 1)), ends[:, :-1]], axis=1)
        mass = self.mass_kg.copy()
        for k in range(ends.shape[1]):
            mass -= self.mass_flow_kg_s[:, k] * (ends[:, k] - starts[:, k])
            if np.any(mass <= 0.0):
                raise ParameterError(
                    "mass_flow_kg_s",
                    "small enough that the mass stays > 0 until each powered phase ends "
                    "(or max_time_s)",
                    self.mass_flow_kg_s[mass <= 0.0, k][0].item(),
                )
            ended = self.phase_end_s[:, k] < self.max_time_s
            mass -= np.where(ended, self.mass_drop_kg[:, k], 0.0)
            if np.any(mass <= 0.0):
                raise ParameterError(
                    "mass_drop_kg",
                    "less than the vehicle's mass at the end of its phase",
                    self.mass_drop_kg[mass <= 0.0, k][0].item(),
                )

    @property
    def size(self) -> int:
        """Number of vehicles N."""
        return int(self.mass_kg.shape[0])

    @classmethod
    def coast(
        cls,
        r0_eci_m: np.ndarray,
        v0_eci_m_s: np.ndarray,
        *,
        ballistic_coefficient_kg_m2: float | np.ndarray = np.inf,
        launch_time_s: float | np.ndarray = 0.0,
        stop_alt_m: float | np.ndarray = 0.0,
        max_time_s: float | np.ndarray = 7200.0,
    ) -> FlightPlan:
        """Unpowered vehicles (re-entry vehicles, debris) of given ballistic coefficient.

        ``ballistic_coefficient_kg_m2`` is beta = m / (Cd A); ``inf`` means no drag.
        """
        beta = np.asarray(ballistic_coefficient_kg_m2, dtype=float)
        if np.any(np.isnan(beta) | (beta <= 0)):
            raise ParameterError(
                "ballistic_coefficient_kg_m2",
                "> 0 (inf: no drag)",
                beta[np.isnan(beta) | (beta <= 0)].ravel()[0].item(),
            )
        r0 = np.asarray(r0_eci_m, dtype=float).reshape(-1, 3)
        n = r0.shape[0]
        cda = np.ascontiguousarray(np.broadcast_to(1.0 / beta, (n,))[:, None])
        zeros = np.zeros((n, 1))
        return cls(
            launch_time_s=np.asarray(launch_time_s, dtype=float),
            r0_eci_m=r0,
            v0_eci_m_s=np.asarray(v0_eci_m_s, dtype=float),
            mass_kg=np.ones(n),
            phase_end_s=np.full((n, 1), np.inf),
            mass_flow_kg_s=zeros,
            isp_sea_level_s=zeros,
            isp_vacuum_s=zeros,
            mass_drop_kg=zeros,
            drag_area_m2=cda,
            cd_table_index=np.zeros((n, 1), dtype=np.int64),
            vertical_end_s=np.zeros(n),
            kick_end_s=np.zeros(n),
            kick_angle_rad=np.zeros(n),
            azimuth_rad=np.zeros(n),
            stop_alt_m=np.asarray(stop_alt_m, dtype=float),
            max_time_s=np.asarray(max_time_s, dtype=float),
        )


def _fit(
    name: str, arr: np.ndarray, shape: tuple[int, ...], *, reshape: bool = False
) -> np.ndarray:
    """Broadcast (or reshape) ``arr`` to ``shape``; ParameterError naming ``name`` if it
    cannot be."""
    try:
        return arr.reshape(shape) if reshape else np.broadcast_to(arr, shape)
    except ValueError:
        raise ParameterError(
            name, f"an array of shape {shape} or one that broadcasts to it", f"shape {arr.shape}"
        ) from None
