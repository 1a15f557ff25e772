"""Full threat trajectories from a launch point, an aim point and a trajectory shape.

The controls of a launch are the launch azimuth, the pitch-over ("kick") angle of the
gravity turn and the thrust cut-off time. For a given aim point openbmd solves for them,
with drag, J2 and Earth rotation, so that the re-entry vehicle lands within
``tolerance_m`` of the aim point:

- ``min-energy``: the trajectory that reaches the aim with the least propellant burned
  (for each cut-off time the kick angle giving the longest range; the cut-off time is
  then chosen so that this range equals the aim distance);
- ``burnout-angle``, ``apogee``, ``time-of-flight``: lofted or depressed trajectories with
  the given burnout flight-path angle, apogee altitude or time of flight.

An aim beyond reach raises :class:`~openbmd.errors.UnreachableError` stating the
reachable range in that direction.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

import numpy as np

from openbmd.errors import OpenBMDError, ParameterError, UnreachableError, require_range
from openbmd.flight.propagate import EarthModel, Samples
from openbmd.geodesy import geodesic_inverse
from openbmd.threats.flights import Flights, fly
from openbmd.threats.missile import Missile

Shape = Literal["min-energy", "burnout-angle", "apogee", "time-of-flight"]
SHAPES: tuple[str, ...] = ("min-energy", "burnout-angle", "apogee", "time-of-flight")

KICK_MIN_RAD = math.radians(0.05)
# Depressed trajectories need kicks well past the longest-range one (an MRBM's is ~56 deg,
# an ICBM's launched east from the equator ~62 deg); 80 deg still burns out above ground.
KICK_MAX_RAD = math.radians(80.0)


@dataclass(frozen=True)
class ThreatTrajectory:
    """A solved trajectory: its controls and the resulting flight (one vehicle)."""

    missile: Missile
    shape: str
    aim_lat_deg: float
    aim_lon_deg: float
    azimuth_rad: float
    kick_angle_rad: float
    cutoff_s: float
    impact_miss_m: float
    flight: Flights

    def sample(self, step_s: float = 1.0, *, start_s: float | None = None) -> Samples:
        """States every ``step_s`` seconds from launch to impact (ECEF, m and m/s), on the
        grid ``start_s + k * step_s`` (default: the launch time)."""
        f = self.flight
        again = fly(
            self.missile,
            float(f.launch_lat_deg[0]),
            float(f.launch_lon_deg[0]),
            np.array([self.azimuth_rad]),
            np.array([self.kick_angle_rad]),
            np.array([self.cutoff_s]),
            earth=f.propagation.earth,
            launch_time_s=float(f.plan.launch_time_s[0]),
            sample_step_s=step_s,
            sample_start_s=start_s,
        )
        if again.propagation.samples is None:  # pragma: no cover - sampling was requested
            raise RuntimeError("propagate returned no samples")
        return again.propagation.samples

    def summary(self) -> dict[str, float]:
        """Key numbers with unit-suffixed names (for ``--json`` and reports)."""
        f = self.flight
        return {
            "ground_range_km": float(f.ground_range_m[0]) / 1e3,
            "apogee_alt_km": float(f.apogee_alt_m[0]) / 1e3,
            "time_of_flight_s": float(f.time_of_flight_s[0]),
            "burnout_speed_m_s": float(f.burnout_speed_m_s[0]),
            "burnout_angle_deg": math.degrees(float(f.burnout_angle_rad[0])),
            "burnout_time_s": float(f.burnout_time_s[0]),
            "burnout_alt_km": float(f.burnout_alt_m[0]) / 1e3,
            "impact_miss_m": float(self.impact_miss_m),
            "reentry_speed_m_s": float(f.reentry_speed_m_s[0]),
            "launch_azimuth_deg": math.degrees(self.azimuth_rad) % 360.0,
        }


class _Shooter:
    """Evaluates batches of launches from one point toward one aim."""

    def __init__(
        self, missile: Missile, lat: float, lon: float, earth: EarthModel, launch_time_s: float
    ) -> None:
        self.missile, self.lat, self.lon = missile, lat, lon
        self.earth, self.launch_time_s = earth, launch_time_s

    def __call__(self, az: np.ndarray, kick: np.ndarray, cut: np.ndarray | None) -> Flights:
        return fly(
            self.missile,
            self.lat,
            self.lon,
            az,
            kick,
            cut,
            earth=self.earth,
            launch_time_s=self.launch_time_s,
        )


def _best_kick(shoot: _Shooter, az: float, cut: float, lo: float, hi: float) -> tuple[float, float]:
    """Kick angle of longest range for a cut-off time (grid, then two refinements)."""
    best_k, best_r = lo, -1.0
    for _ in range(3):
        kicks = np.geomspace(lo, hi, 17)
        f = shoot(np.full(kicks.size, az), kicks, np.full(kicks.size, cut))
        rng = np.where(f.impacted, f.ground_range_m, -1.0)
        j = int(np.argmax(rng))
        best_k, best_r = float(kicks[j]), float(rng[j])
        lo, hi = float(kicks[max(j - 1, 0)]), float(kicks[min(j + 1, kicks.size - 1)])
    return best_k, best_r


def _wrap(a: float) -> float:
    return (a + math.pi) % (2.0 * math.pi) - math.pi


def _reach(shoot: _Shooter, az_goal: float, total: float) -> tuple[float, float, float]:
    """Launch azimuth (rad) whose longest full-burn flight lands on the bearing ``az_goal``,
    its kick angle (rad) and that longest range (m): fixed-point on the impact bearing."""
    az = az_goal
    for _ in range(4):
        kick, reach = _best_kick(shoot, az, total, KICK_MIN_RAD, KICK_MAX_RAD)
        f = shoot(np.array([az]), np.array([kick]), None)
        err_az = _wrap(math.radians(float(f.impact_azimuth_deg[0])) - az_goal)
        if not math.isfinite(err_az) or abs(err_az) * reach < 100.0:
            break
        az -= err_az
    return az, kick, reach


def max_range(
    missile: Missile,
    launch_lat_deg: float,
    launch_lon_deg: float,
    azimuth_deg: float,
    *,
    earth: EarthModel | None = None,
) -> tuple[float, float]:
    """Longest ground range (m) at full burn for a launch azimuth, and its kick angle (rad).

    The azimuth is the launch azimuth; with Earth rotation the impact point's bearing
    from the launch point differs slightly from it.
    """
    shoot = _Shooter(missile, launch_lat_deg, launch_lon_deg, earth or EarthModel.wgs84(), 0.0)
    kick, rng = _best_kick(
        shoot, math.radians(azimuth_deg), missile.total_burn_time_s, KICK_MIN_RAD, KICK_MAX_RAD
    )
    return rng, kick


def solve_trajectory(
    missile: Missile,
    launch_lat_deg: float,
    launch_lon_deg: float,
    aim_lat_deg: float,
    aim_lon_deg: float,
    shape: str = "min-energy",
    *,
    apogee_km: float | None = None,
    burnout_angle_deg: float | None = None,
    time_of_flight_s: float | None = None,
    earth: EarthModel | None = None,
    launch_time_s: float = 0.0,
    tolerance_m: float = 20.0,
) -> ThreatTrajectory:
    """Solve the launch controls that put ``missile``'s re-entry vehicle on the aim point.

    Parameters
    ----------
    missile : Missile
    launch_lat_deg, launch_lon_deg, aim_lat_deg, aim_lon_deg : float
        Geodetic WGS 84 coordinates, degrees.
    shape : {"min-energy", "burnout-angle", "apogee", "time-of-flight"}
    apogee_km, burnout_angle_deg, time_of_flight_s : float, optional
        The shape's parameter (required for the matching shape).
    earth : EarthModel, optional
        Default WGS 84 with J2, rotation and drag.
    launch_time_s : float
        Launch time, s since the scenario epoch.
    tolerance_m : float
        Required distance between impact and aim point, m.

    Raises
    ------
    ParameterError
        Coordinates out of range, a missing or out-of-range shape parameter.
    UnreachableError
        The aim is out of reach (the message gives the reachable range in that direction)
        or the shape needs more energy than the missile has.
    """
    require_range("launch_lat_deg", launch_lat_deg, -90.0, 90.0)
    require_range("aim_lat_deg", aim_lat_deg, -90.0, 90.0)
    require_range("launch_lon_deg", launch_lon_deg, -180.0, 360.0)
    require_range("aim_lon_deg", aim_lon_deg, -180.0, 360.0)
    if shape not in SHAPES:
        raise ParameterError("shape", "one of " + ", ".join(SHAPES), shape)
    target = shape_target(shape, apogee_km, burnout_angle_deg, time_of_flight_s)
    earth = earth or EarthModel.wgs84()
    dist_m, az_deg, _ = geodesic_inverse(launch_lat_deg, launch_lon_deg, aim_lat_deg, aim_lon_deg)
    dist = float(dist_m)
    if dist < 1000.0:
        raise ParameterError("aim", "at least 1 km from the launch point", f"{dist:.0f} m")
    az_goal = math.radians(float(az_deg))
    shoot = _Shooter(missile, launch_lat_deg, launch_lon_deg, earth, launch_time_s)
    total = missile.total_burn_time_s
    t_min = missile.vertical_rise_s + missile.pitch_over_s + 1.0

    # reach in this direction: the Earth turns under the flight, so the launch azimuth
    # whose impact lies on the bearing to the aim differs from that bearing (by degrees
    # for long flights at high latitude), and so does the reach
    az, kick_max, reach = _reach(shoot, az_goal, total)
    if dist > reach:
        raise UnreachableError(
            f"The aim point is {dist / 1e3:,.0f} km from the launch point, beyond the reach "
            f"of '{missile.name}' in that direction (azimuth {math.degrees(az_goal) % 360:.1f} "
            f"deg): at most {reach / 1e3:,.0f} km."
        )

    # min-energy: cut-off time whose best-kick range equals the distance (secant on t)
    kick = kick_max
    cut_lo, r_lo = t_min, _best_kick(shoot, az, t_min, KICK_MIN_RAD, KICK_MAX_RAD)[1]
    if dist < r_lo:
        raise UnreachableError(
            f"The aim point is {dist / 1e3:,.1f} km from the launch point, shorter than the "
            f"shortest range of '{missile.name}' in this model ({r_lo / 1e3:,.1f} km)."
        )
    cut_hi, r_hi = total, reach
    cut = total
    for _ in range(30):
        cut = cut_lo + (dist - r_lo) * (cut_hi - cut_lo) / (r_hi - r_lo)
        cut = min(max(cut, cut_lo + 1e-3 * (cut_hi - cut_lo)), cut_hi - 1e-3 * (cut_hi - cut_lo))
        kick, rng = _best_kick(
            shoot, az, cut, max(KICK_MIN_RAD, kick / 3), min(KICK_MAX_RAD, kick * 3)
        )
        if abs(rng - dist) < 0.002 * dist or cut_hi - cut_lo < 1e-3:
            break
        if rng < dist:
            cut_lo, r_lo = cut, rng
        else:
            cut_hi, r_hi = cut, rng

    if shape == "min-energy":
        cut, az, flights = _hit_fixed_kick(shoot, az, az_goal, kick, cut, dist, total, tolerance_m)
    else:
        kick, cut, az, flights = _hit_with_shape(
            shoot, shape, target, az, az_goal, kick, cut, dist, t_min, total, tolerance_m
        )
    miss = _miss(flights, aim_lat_deg, aim_lon_deg)
    if miss > max(tolerance_m, 100.0):
        raise OpenBMDError(
            f"Could not steer '{missile.name}' to the aim point (closest impact {miss:.0f} m away)."
        )
    return ThreatTrajectory(missile, shape, aim_lat_deg, aim_lon_deg, az, kick, cut, miss, flights)


def shape_target(
    shape: str,
    apogee_km: float | None,
    burnout_angle_deg: float | None,
    time_of_flight_s: float | None,
) -> float:
    """The target value of a trajectory shape in SI units (apogee m, burnout angle rad,
    time of flight s; NaN for min-energy), checked against its allowed range."""
    if shape == "apogee":
        if apogee_km is None:
            raise ParameterError("apogee_km", "given for shape 'apogee'", None)
        return float(require_range("apogee_km", apogee_km, 1.0, 5000.0)) * 1e3
    if shape == "burnout-angle":
        if burnout_angle_deg is None:
            raise ParameterError("burnout_angle_deg", "given for shape 'burnout-angle'", None)
        return math.radians(
            float(
                require_range(
                    "burnout_angle_deg", burnout_angle_deg, 0.0, 90.0, low_open=True, high_open=True
                )
            )
        )
    if shape == "time-of-flight":
        if time_of_flight_s is None:
            raise ParameterError("time_of_flight_s", "given for shape 'time-of-flight'", None)
        return float(require_range("time_of_flight_s", time_of_flight_s, 10.0, 20000.0))
    return math.nan


def _miss(f: Flights, aim_lat: float, aim_lon: float) -> float:
    d, _, _ = geodesic_inverse(f.impact_lat_deg[0], f.impact_lon_deg[0], aim_lat, aim_lon)
    return float(d)


def _hit_fixed_kick(
    shoot: _Shooter,
    az: float,
    az_goal: float,
    kick: float,
    cut: float,
    dist: float,
    total: float,
    tol: float,
) -> tuple[float, float, Flights]:
    """Secant on the cut-off time (range) and fixed-point on the azimuth (bearing)."""
    dc = 1e-3 * total
    for _ in range(25):
        cuts = np.array([cut, min(cut + dc, total)])
        if cuts[1] == cuts[0]:
            cuts[1] = cut - dc
        f = shoot(np.full(2, az), np.full(2, kick), cuts)
        err_r = f.ground_range_m[0] - dist
        err_az = _wrap(math.radians(float(f.impact_azimuth_deg[0])) - az_goal)
        if abs(err_r) < 0.5 * tol and abs(err_az) * dist < 0.5 * tol:
            break
        slope = (f.ground_range_m[1] - f.ground_range_m[0]) / (cuts[1] - cuts[0])
        if slope <= 0:
            break
        cut = float(np.clip(cut - err_r / slope, 1e-3, total))
        az = az - err_az
    f = shoot(np.array([az]), np.array([kick]), np.array([cut]))
    return cut, az, f


def shape_value(shape: str, f: Flights) -> np.ndarray:
    """The value of ``shape`` for each flight of ``f``, in the units of :func:`shape_target`."""
    if shape == "apogee":
        return f.apogee_alt_m
    if shape == "burnout-angle":
        return f.burnout_angle_rad
    return f.time_of_flight_s


def _hit_with_shape(
    shoot: _Shooter,
    shape: str,
    target: float,
    az: float,
    az_goal: float,
    kick: float,
    cut: float,
    dist: float,
    t_min: float,
    total: float,
    tol: float,
) -> tuple[float, float, float, Flights]:
    """Damped Newton on (log kick, cut-off) for range and shape value; azimuth fixed-point."""
    scale = {"apogee": 1e4, "burnout-angle": math.radians(0.5), "time-of-flight": 10.0}[shape]
    x = np.array([math.log(kick), cut])
    dx = np.array([0.01, 1e-3 * total])
    lo = np.array([math.log(KICK_MIN_RAD), t_min])
    hi = np.array([math.log(KICK_MAX_RAD), total])
    shape_tol = {"apogee": 100.0, "burnout-angle": math.radians(0.01), "time-of-flight": 0.5}[shape]
    pinned = 0
    for _ in range(40):
        step_cut = -dx[1] if x[1] + dx[1] > total else dx[1]
        xs = np.stack([x, x + np.array([dx[0], 0.0]), x + np.array([0.0, step_cut])])
        f = shoot(np.full(3, az), np.exp(xs[:, 0]), xs[:, 1])
        res = np.stack(
            [(f.ground_range_m - dist) / dist * 1e3, (shape_value(shape, f) - target) / scale],
            axis=1,
        )
        err_az = _wrap(math.radians(float(f.impact_azimuth_deg[0])) - az_goal)
        az -= err_az
        r0 = res[0]
        ok_range = abs(f.ground_range_m[0] - dist) < 0.5 * tol and abs(err_az) * dist < 0.5 * tol
        if ok_range and abs(shape_value(shape, f)[0] - target) < shape_tol:
            break
        jac = np.column_stack(
            [(res[1] - r0) / (xs[1] - xs[0])[0], (res[2] - r0) / (xs[2] - xs[0])[1]]
        )
        try:
            step = np.linalg.solve(jac, -r0)
        except np.linalg.LinAlgError as exc:
            raise UnreachableError(f"No {shape} trajectory reaches this aim point.") from exc
        step *= min(1.0, 0.5 / max(abs(step[0]), 1e-12), 0.25 * total / max(abs(step[1]), 1e-12))
        x_new = np.clip(x + step, lo, hi)
        # Newton asking for a cut-off beyond full burn (or before the pitch-over ends) on
        # several iterations in a row, even while the kick still moves: out of reach.
        at_limit = x_new[1] >= total or x_new[1] <= t_min
        pinned = pinned + 1 if at_limit else 0
        if at_limit and (np.allclose(x_new, x) or pinned >= 6):
            raise UnreachableError(
                f"No {shape} trajectory of '{shoot.missile.name}' reaches this aim point: "
                f"it needs {'more' if x_new[1] >= total else 'less'} energy than the missile "
                f"can give with this shape."
            )
        x = x_new
    else:
        raise UnreachableError(f"No {shape} trajectory reaches this aim point (no convergence).")
    f = shoot(np.array([az]), np.array([math.exp(x[0])]), np.array([x[1]]))
    return math.exp(x[0]), float(x[1]), az, f
