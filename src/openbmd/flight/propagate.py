"""Batched flight propagation: many point-mass vehicles in one compiled call.

:class:`FlightPlan` holds, for N vehicles, the initial ECI state and a table of P
sequential flight phases (each with mass flow, Isp, drag area and a mass dropped at its
end: staging, or the release of the re-entry vehicle). :func:`propagate` integrates all of
them until ground impact (or a time limit) and returns a :class:`Propagation` with the
events and optional samples. Conventions are in ``docs/conventions.md``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import numpy as np

from openbmd.atmosphere import load_table
from openbmd.constants import (
    MEAN_EARTH_RADIUS_M,
    WGS84_A_M,
    WGS84_GM_M3_S2,
    WGS84_J2,
    WGS84_OMEGA_RAD_S,
)
from openbmd.errors import ParameterError, require_finite, require_non_negative, require_positive
from openbmd.flight.dynamics import EARTH_SPHERE, EARTH_WGS84
from openbmd.flight.integrator import STATUS_IMPACT, fly_all


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


@dataclass(frozen=True)
class Samples:
    """States on a uniform time grid, ragged over vehicles.

    Vehicle ``i`` owns rows ``offsets[i]:offsets[i + 1]``. Positions and velocities are
    in ECEF (m, m/s); times are seconds since the scenario epoch.
    """

    offsets: np.ndarray
    time_s: np.ndarray
    r_ecef_m: np.ndarray
    v_ecef_m_s: np.ndarray

    def of(self, i: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """``(time_s, r_ecef_m, v_ecef_m_s)`` of vehicle ``i``."""
        sl = slice(int(self.offsets[i]), int(self.offsets[i + 1]))
        return self.time_s[sl], self.r_ecef_m[sl], self.v_ecef_m_s[sl]

    @property
    def nbytes(self) -> int:
        return int(
            self.offsets.nbytes + self.time_s.nbytes + self.r_ecef_m.nbytes + self.v_ecef_m_s.nbytes
        )


@dataclass(frozen=True)
class Propagation:
    """Result of :func:`propagate` (arrays with leading axis N; times since the epoch).

    ``crossing_time_s[i, q, d]`` is the first upward (``d = 0``) or downward (``d = 1``)
    crossing of ``altitude_levels_m[q]`` and ``crossing_state_eci`` the state there.
    ``status`` is 0 when the vehicle reached ``stop_alt_m`` (impact), 1 when it hit its
    time limit, 2 when the integrator failed. Event fields are NaN where the event did
    not happen. States are in openbmd's ECI frame unless the name says otherwise.
    """

    earth: EarthModel
    status: np.ndarray
    launch_time_s: np.ndarray
    end_time_s: np.ndarray
    end_state_eci: np.ndarray
    steps: np.ndarray
    apogee_time_s: np.ndarray
    apogee_state_eci: np.ndarray
    phase_end_time_s: np.ndarray
    phase_end_state_eci: np.ndarray
    altitude_levels_m: np.ndarray
    crossing_time_s: np.ndarray
    crossing_state_eci: np.ndarray
    samples: Samples | None

    @property
    def impacted(self) -> np.ndarray:
        """(N,) bool: the flight ended at ``stop_alt_m``."""
        return self.status == STATUS_IMPACT

    @property
    def flight_time_s(self) -> np.ndarray:
        """(N,) seconds from launch to the end of the flight."""
        return self.end_time_s - self.launch_time_s

    def end_state_ecef(self) -> tuple[np.ndarray, np.ndarray]:
        """Position (m) and velocity (m/s) in ECEF at the end of each flight."""
        return eci_state_to_ecef(self.end_state_eci, self.end_time_s, self.earth.omega_rad_s)

    def apogee_alt_m(self) -> np.ndarray:
        """(N,) altitude above the Earth model at apogee, m (NaN without apogee)."""
        return altitude_m(self.apogee_state_eci[:, :3], self.earth)


def eci_state_to_ecef(
    state_eci: np.ndarray, time_s: np.ndarray | float, omega_rad_s: float
) -> tuple[np.ndarray, np.ndarray]:
    """Rotate (N, 6) ECI states at ``time_s`` (s since the epoch) into ECEF."""
    s = np.asarray(state_eci, dtype=float)
    th = omega_rad_s * np.asarray(time_s, dtype=float)
    c, sn = np.cos(th), np.sin(th)
    r = np.stack([c * s[..., 0] + sn * s[..., 1], -sn * s[..., 0] + c * s[..., 1], s[..., 2]], -1)
    v_rot = np.stack(
        [c * s[..., 3] + sn * s[..., 4], -sn * s[..., 3] + c * s[..., 4], s[..., 5]], -1
    )
    v = v_rot - np.cross(np.array([0.0, 0.0, omega_rad_s]), r)
    return r, v


def ecef_state_to_eci(
    r_ecef_m: np.ndarray,
    v_ecef_m_s: np.ndarray,
    time_s: np.ndarray | float,
    omega_rad_s: float,
) -> np.ndarray:
    """Rotate ECEF position and velocity at ``time_s`` into an (N, 6) ECI state."""
    r = np.asarray(r_ecef_m, dtype=float)
    v = np.asarray(v_ecef_m_s, dtype=float) + np.cross(np.array([0.0, 0.0, omega_rad_s]), r)
    th = omega_rad_s * np.asarray(time_s, dtype=float)
    c, sn = np.cos(th), np.sin(th)
    r_i = np.stack([c * r[..., 0] - sn * r[..., 1], sn * r[..., 0] + c * r[..., 1], r[..., 2]], -1)
    v_i = np.stack([c * v[..., 0] - sn * v[..., 1], sn * v[..., 0] + c * v[..., 1], v[..., 2]], -1)
    return np.concatenate([r_i, v_i], axis=-1)


def _for_kernel(a: np.ndarray) -> np.ndarray:
    """``a`` as a writeable, C-contiguous array (a copy only where it is not)."""
    return np.require(a, requirements=("C", "W"))


def altitude_m(r_m: np.ndarray, earth: EarthModel) -> np.ndarray:
    """Altitude above the Earth model of positions in ECI or ECEF, m (NaN stays NaN)."""
    r = np.asarray(r_m, dtype=float)
    if earth.kind == "sphere":
        return np.linalg.norm(r, axis=-1) - earth.radius_m
    from openbmd.geodesy.kernels import ecef_to_geodetic_batch

    flat = r.reshape(-1, 3)
    out = np.full(flat.shape[0], np.nan)
    ok = np.all(np.isfinite(flat), axis=1)
    if np.any(ok):
        out[ok] = ecef_to_geodetic_batch(np.ascontiguousarray(flat[ok]))[:, 2]
    return out.reshape(r.shape[:-1])


def propagate(
    plan: FlightPlan,
    earth: EarthModel | None = None,
    *,
    rtol: float = 1e-8,
    atol_m: float = 1e-2,
    atol_m_s: float = 1e-5,
    max_step_s: float = 60.0,
    altitude_levels_m: np.ndarray | tuple[float, ...] = (),
    sample_step_s: float | None = None,
    sample_start_s: float | np.ndarray | None = None,
    sample_times_s: np.ndarray | None = None,
    drag_tables: DragTables | None = None,
) -> Propagation:
    """Integrate every vehicle of ``plan`` until it reaches its stop altitude.

    Parameters
    ----------
    plan : FlightPlan
        N vehicles.
    earth : EarthModel, optional
        Default: WGS 84 with J2, rotation and drag.
    rtol, atol_m, atol_m_s : float
        Local error tolerances of the adaptive step (relative; absolute in m and m/s).
    max_step_s : float
        Largest step, s.
    altitude_levels_m : sequence of float
        Altitudes whose first upward and downward crossings are recorded, m.
    sample_step_s : float, optional
        Record states every ``sample_step_s`` seconds (ECEF) on the grid
        ``sample_start_s + j * sample_step_s`` (default: each vehicle's launch time).
    sample_times_s : array_like, shape (S,), optional
        Record states at these times instead (s since the epoch, strictly increasing,
        shared by all vehicles; each vehicle gets those inside its flight).
    drag_tables : DragTables, optional
        Mach-dependent drag ratios referenced by ``plan.cd_table_index``.

    Returns
    -------
    Propagation
    """
    earth = earth or EarthModel()
    tables = drag_tables or DragTables()
    require_positive("rtol", rtol)
    require_positive("atol_m", atol_m)
    require_positive("atol_m_s", atol_m_s)
    require_positive("max_step_s", max_step_s)
    levels = np.ascontiguousarray(
        require_finite("altitude_levels_m", altitude_levels_m), dtype=float
    ).reshape(-1)
    outside = (plan.cd_table_index < 0) | (plan.cd_table_index >= tables.ratios.shape[0])
    if np.any(outside):
        raise ParameterError(
            "cd_table_index",
            f"in [0, {tables.ratios.shape[0] - 1}]",
            int(plan.cd_table_index[outside].ravel()[0]),
        )
    n, p = plan.size, plan.phase_end_s.shape[1]
    atm = load_table()
    # Writeable C arrays throughout: numba types read-only arrays (broadcast views) apart,
    # and every new mix of the two would compile the kernel again (~15 s).
    V = tuple(
        _for_kernel(a)
        for a in (
            plan.phase_end_s,
            plan.mass_flow_kg_s,
            plan.isp_sea_level_s,
            plan.isp_vacuum_s,
            plan.mass_drop_kg,
            plan.drag_area_m2,
            plan.cd_table_index,
            plan.vertical_end_s,
            plan.kick_end_s,
            plan.kick_angle_rad,
            plan.azimuth_rad,
            plan.launch_time_s,
            np.concatenate([plan.r0_eci_m, plan.v0_eci_m_s], axis=1),
            plan.mass_kg,
            plan.stop_alt_m,
            plan.max_time_s,
        )
    )
    shared = (
        _for_kernel(tables.ratios),
        float(tables.mach_start),
        float(tables.mach_step),
        EARTH_SPHERE if earth.kind == "sphere" else EARTH_WGS84,
        float(earth.radius_m),
        float(earth.mu_m3_s2),
        float(earth.j2),
        float(earth.omega_rad_s),
        bool(earth.drag),
        _for_kernel(atm.values),
        float(atm.start_m),
        float(atm.step_m),
    )
    tol = (float(rtol), float(atol_m), float(atol_m_s), float(max_step_s))

    sample_dt = 0.0
    sample_t0 = plan.launch_time_s.copy()
    times = np.empty(0)
    if sample_times_s is not None:
        if sample_step_s is not None:
            raise ParameterError("sample_times_s", "not given together with sample_step_s", "both")
        times = require_finite("sample_times_s", sample_times_s).reshape(-1)
        if times.size == 0 or np.any(np.diff(times) <= 0):
            raise ParameterError(
                "sample_times_s", "a non-empty, strictly increasing array", times[:3]
            )
        times = _for_kernel(times)
    if sample_step_s is not None:
        sample_dt = float(require_positive("sample_step_s", sample_step_s))
        if sample_start_s is not None:
            start = require_finite("sample_start_s", sample_start_s)
            sample_t0 = _for_kernel(np.broadcast_to(start, (n,)))

    def run(offsets: np.ndarray, buffer: np.ndarray, write: bool) -> tuple[np.ndarray, ...]:
        outputs = (
            np.zeros(n, dtype=np.int8),
            np.zeros(n),
            np.zeros((n, 6)),
            np.zeros(n, dtype=np.int64),
            np.full(n, np.nan),
            np.full((n, 6), np.nan),
            np.full((n, p), np.nan),
            np.full((n, p, 6), np.nan),
            np.full((n, levels.shape[0], 2), np.nan),
            np.full((n, levels.shape[0], 2, 6), np.nan),
            np.zeros(n, dtype=np.int64),
            buffer,
        )
        fly_all(
            V,
            shared,
            tol,
            _for_kernel(levels),
            (sample_t0, sample_dt, offsets, times),
            outputs,
            write,
        )
        return outputs

    out = run(np.zeros(n, dtype=np.int64), np.empty((0, 7)), False)
    samples = None
    if sample_dt > 0.0 or times.size:
        counts = out[10]
        offsets = np.zeros(n + 1, dtype=np.int64)
        np.cumsum(counts, out=offsets[1:])
        buffer = np.empty((int(offsets[-1]), 7))
        out = run(offsets[:-1].copy(), buffer, True)
        samples = Samples(offsets, buffer[:, 0], buffer[:, 1:4], buffer[:, 4:7])
    status, t_end, y_end, steps, apo_t, apo_y, ph_t, ph_y, cross_t, cross_y = out[:10]
    t0 = plan.launch_time_s
    return Propagation(
        earth=earth,
        status=status,
        launch_time_s=t0,
        end_time_s=t0 + t_end,
        end_state_eci=y_end,
        steps=steps,
        apogee_time_s=t0 + apo_t,
        apogee_state_eci=apo_y,
        phase_end_time_s=t0[:, None] + ph_t,
        phase_end_state_eci=ph_y,
        altitude_levels_m=levels,
        crossing_time_s=t0[:, None, None] + cross_t,
        crossing_state_eci=cross_y,
        samples=samples,
    )
