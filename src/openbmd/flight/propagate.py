"""Batched flight propagation: many point-mass vehicles in one compiled call.

:class:`~openbmd.flight.plan.FlightPlan` holds, for N vehicles, the initial ECI state and a
table of P sequential flight phases (each with mass flow, Isp, drag area and a mass
dropped at its end: staging, or the release of the re-entry vehicle). :func:`propagate`
integrates all of them until ground impact (or a time limit) and returns a
:class:`Propagation` with the events and optional samples. Conventions are in
``docs/conventions.md``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from openbmd.atmosphere import load_table
from openbmd.errors import ParameterError, require_finite, require_positive
from openbmd.flight.dynamics import EARTH_SPHERE, EARTH_WGS84
from openbmd.flight.integrator import STATUS_IMPACT, fly_all
from openbmd.flight.plan import DragTables, EarthModel, FlightPlan

__all__ = [
    "DragTables",
    "EarthModel",
    "FlightPlan",
    "Propagation",
    "Samples",
    "altitude_m",
    "ecef_state_to_eci",
    "eci_state_to_ecef",
    "propagate",
]


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
