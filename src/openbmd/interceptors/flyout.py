"""Interceptor fly-out: a fan of trajectories and the time-to-reach table built from it.

:func:`flyout_fan` launches one interceptor class at many pitch-over ("kick") angles, from
vertical to the lowest trajectory its pitch programme allows, with the batched
propagator (J2 gravity, drag), sampled densely. :func:`time_to_reach_table` turns the fan
into :class:`TimeToReach`: on a grid of ground range from the launch site and altitude,
the shortest time from launch to reach each point and the interceptor's velocity there.
The table depends only on the class, so it is built once and cached on disk
(``openbmd_home()/cache/flyout/``). :class:`TimeToReach` and the grid construction
(:func:`build_time_to_reach`) live in :mod:`openbmd.interceptors.time_to_reach` and are
re-exported here.

**Frame.** The launch site is on the equator and the fan flies east over a **non-rotating**
WGS 84 Earth: every trajectory stays in the equatorial plane, where the geodetic height
is ``|r| - a`` and the ground range is ``a`` times the central angle, exactly. The table
is therefore a function of (ground range, altitude) in the launch plane, the same for
every launch site and azimuth up to the Earth's flattening (local radius of curvature
within 0.7 % of ``a``: at most ~25 m of height at 200 km range) and the latitude
variation of gravity (0.5 %). Earth rotation is left out. Its largest in-plane effect
(Coriolis for launches due east or west on the equator) changes the time to reach a
point inside the class's intercept limits by a median 0.7 % (p95 1.7 %, at most ~4 %,
30 s on 900-s fly-outs) for the upper tier, at most 1.3 s for the terminal-high class and
0.4 s for the lower tier (measured; ``docs/interceptors.md``).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import math
import os
import tempfile
import zipfile
import zlib
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np

from openbmd import __version__
from openbmd._home import openbmd_home
from openbmd.errors import ParameterError, require_positive, require_range
from openbmd.flight.propagate import EarthModel, eci_state_to_ecef, propagate
from openbmd.interceptors.interceptor import Interceptor
from openbmd.interceptors.time_to_reach import TimeToReach, build_time_to_reach

__all__ = [
    "DEFAULT_N_KICKS",
    "DEFAULT_SAMPLE_STEP_S",
    "FlyoutFan",
    "TimeToReach",
    "build_time_to_reach",
    "flyout_fan",
    "table_cache_path",
    "time_to_reach_table",
]

#: Trajectories in a fan.
DEFAULT_N_KICKS = 241
#: Sample step of the fan's trajectories, s.
DEFAULT_SAMPLE_STEP_S = 0.5
#: Largest kick angle searched for the lowest trajectory, rad. Kicks above 90 deg tilt the
#: thrust below the horizontal at the end of the pitch-over; with a short pitch-over at
#: lift-off (a canister or rail launch) the velocity then leaves at ~90 deg - kick / 2.
MAX_KICK_RAD = math.radians(178.0)
#: Bumped whenever the table's content or layout changes (part of the cache key).
TABLE_FORMAT = 1


@dataclass(frozen=True)
class FlyoutFan:
    """A fan of fly-outs in the launch plane (K trajectories, S samples each).

    Arrays ``(K, S)`` are padded with NaN after each flight's end; the last valid
    sample of each row is the exact end (impact) state. Ground range is measured along
    the surface from the launch site, altitude above the Earth model, velocity relative
    to the Earth; the flight-path angle is above the local horizontal.

    Attributes
    ----------
    interceptor : str
    earth : EarthModel
    kick_angle_rad : ndarray, shape (K,)
        Pitch-over angle of each trajectory, rad (0: vertical).
    time_s, ground_range_m, altitude_m, speed_m_s, flight_path_angle_rad : ndarray, (K, S)
        Seconds since launch, m, m, m/s, rad.
    burnout_time_s : float
        End of the last stage, s since launch.
    burnout_ground_range_m, burnout_altitude_m, burnout_speed_m_s : ndarray, shape (K,)
        State at burnout (NaN for a flight that ended before it).
    burnout_flight_path_angle_rad : ndarray, shape (K,)
    apogee_time_s, apogee_ground_range_m, apogee_altitude_m, apogee_speed_m_s : ndarray, (K,)
        First apogee (exact event of the propagator), s since launch, m, m, m/s.
    """

    interceptor: str
    earth: EarthModel
    kick_angle_rad: np.ndarray
    time_s: np.ndarray
    ground_range_m: np.ndarray
    altitude_m: np.ndarray
    speed_m_s: np.ndarray
    flight_path_angle_rad: np.ndarray
    burnout_time_s: float
    burnout_ground_range_m: np.ndarray
    burnout_altitude_m: np.ndarray
    burnout_speed_m_s: np.ndarray
    burnout_flight_path_angle_rad: np.ndarray
    apogee_time_s: np.ndarray
    apogee_ground_range_m: np.ndarray
    apogee_altitude_m: np.ndarray
    apogee_speed_m_s: np.ndarray

    @property
    def impact_ground_range_m(self) -> np.ndarray:
        """(K,) ground range of each trajectory's end point, m."""
        last = np.sum(np.isfinite(self.time_s), axis=1) - 1
        return self.ground_range_m[np.arange(last.size), last]


def _plane_coordinates(
    r: np.ndarray, v: np.ndarray, radius_m: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Ground range, altitude, speed and flight-path angle of states in the equatorial
    plane (x toward the launch site, y downrange)."""
    rho = np.hypot(r[..., 0], r[..., 1])
    x = radius_m * np.arctan2(r[..., 1], r[..., 0])
    h = rho - radius_m
    v_up = (r[..., 0] * v[..., 0] + r[..., 1] * v[..., 1]) / rho
    v_down = (r[..., 0] * v[..., 1] - r[..., 1] * v[..., 0]) / rho
    return x, h, np.hypot(v_up, v_down), np.arctan2(v_up, v_down)


def _fly(
    interceptor: Interceptor,
    kicks: np.ndarray,
    earth: EarthModel,
    sample_step_s: float | None,
) -> Any:
    launch = np.array([earth.radius_m, 0.0, 0.0])
    plan = interceptor.rocket.flight_plan(
        launch, np.array([math.pi / 2.0]), kicks, omega_rad_s=earth.omega_rad_s
    )
    return propagate(plan, earth, sample_step_s=sample_step_s)


def _fan_kicks(interceptor: Interceptor, n_kicks: int, earth: EarthModel) -> np.ndarray:
    """Kick angles whose burnout flight-path angles are evenly spaced from 90 deg down
    to the lowest trajectory that still burns out at or above level flight."""
    probe = np.linspace(0.0, MAX_KICK_RAD, 90)
    run = _fly(interceptor, probe, earth, None)
    k_bo = len(interceptor.rocket.stages) - 1
    state = run.phase_end_state_eci[:, k_bo]
    _, _, _, gamma = _plane_coordinates(state[:, :3], state[:, 3:], earth.radius_m)
    gamma[0] = 0.5 * math.pi
    # burnout angle falls with the kick; keep the monotone part that burns out
    ok = np.isfinite(gamma)
    last = int(np.argmin(ok)) if not np.all(ok) else gamma.size
    g, k = gamma[:last], probe[:last]
    keep = np.concatenate([[True], np.diff(g) < 0.0])
    keep &= np.minimum.accumulate(g) == g
    g, k = g[keep], k[keep]
    low = max(float(g.min()), 0.0)
    if g.size < 2:
        return np.linspace(0.0, MAX_KICK_RAD, n_kicks)
    targets = np.linspace(0.5 * math.pi, low, n_kicks)
    # the trajectory just past the lowest probe closes the fan near the ground
    kicks = np.interp(targets, g[::-1], k[::-1])
    kicks[0] = 0.0
    return np.maximum.accumulate(kicks)


def flyout_fan(
    interceptor: Interceptor,
    n_kicks: int = DEFAULT_N_KICKS,
    earth: EarthModel | None = None,
    sample_step_s: float = DEFAULT_SAMPLE_STEP_S,
) -> FlyoutFan:
    """Fly ``n_kicks`` launches of ``interceptor``, from vertical to its lowest trajectory.

    The kicks are chosen so that the burnout flight-path angles are evenly spaced from
    90 deg (vertical) down to level flight (or the lowest the pitch programme reaches),
    so the fan covers the reachable region evenly. The launch site is at latitude 0,
    longitude 0 and the fan flies east (see the module docstring for the frame).

    Parameters
    ----------
    interceptor : Interceptor
    n_kicks : int
        Number of trajectories, >= 8.
    earth : EarthModel, optional
        Default: WGS 84, J2 and drag, **no rotation**. A rotating Earth gives the
        eastward fan at the equator (it stays in the equatorial plane).
    sample_step_s : float
        Sample step, s, in (0, 10].

    Returns
    -------
    FlyoutFan
    """
    if not isinstance(interceptor, Interceptor):
        raise ParameterError("interceptor", "an Interceptor", type(interceptor))
    n = int(require_range("n_kicks", n_kicks, 8, 10_000))
    step = float(require_range("sample_step_s", sample_step_s, 0.0, 10.0, low_open=True))
    earth = earth or EarthModel.wgs84(rotation=False)
    kicks = _fan_kicks(interceptor, n, earth)
    run = _fly(interceptor, kicks, earth, step)
    samples = run.samples
    assert samples is not None  # sample_step_s was given
    counts = np.diff(samples.offsets)
    width = int(counts.max()) + 1
    rows = np.repeat(np.arange(n), counts)
    cols = np.arange(samples.time_s.size) - np.repeat(samples.offsets[:-1], counts)
    t = np.full((n, width), np.nan)
    r = np.full((n, width, 3), np.nan)
    v = np.full((n, width, 3), np.nan)
    t[rows, cols] = samples.time_s - run.launch_time_s[rows]
    r[rows, cols] = samples.r_ecef_m
    v[rows, cols] = samples.v_ecef_m_s
    # the exact end state closes each trajectory (unless a sample fell on it)
    r_end, v_end = eci_state_to_ecef(run.end_state_eci, run.end_time_s, earth.omega_rad_s)
    t_end = run.flight_time_s
    add = t_end > t[np.arange(n), counts - 1]
    t[add, counts[add]] = t_end[add]
    r[add, counts[add]] = r_end[add]
    v[add, counts[add]] = v_end[add]

    k_bo = len(interceptor.rocket.stages) - 1
    bo_t = run.phase_end_time_s[:, k_bo]
    r_bo, v_bo = eci_state_to_ecef(run.phase_end_state_eci[:, k_bo], bo_t, earth.omega_rad_s)
    x, h, speed, gamma = _plane_coordinates(r, v, earth.radius_m)
    bx, bh, bs, bg = _plane_coordinates(r_bo, v_bo, earth.radius_m)
    r_ap, v_ap = eci_state_to_ecef(run.apogee_state_eci, run.apogee_time_s, earth.omega_rad_s)
    ax, ah, a_speed, _ = _plane_coordinates(r_ap, v_ap, earth.radius_m)
    return FlyoutFan(
        interceptor=interceptor.name,
        earth=earth,
        kick_angle_rad=kicks,
        time_s=t,
        ground_range_m=x,
        altitude_m=h,
        speed_m_s=speed,
        flight_path_angle_rad=gamma,
        burnout_time_s=interceptor.burn_time_s,
        burnout_ground_range_m=bx,
        burnout_altitude_m=bh,
        burnout_speed_m_s=bs,
        burnout_flight_path_angle_rad=bg,
        apogee_time_s=run.apogee_time_s - run.launch_time_s,
        apogee_ground_range_m=ax,
        apogee_altitude_m=ah,
        apogee_speed_m_s=a_speed,
    )


# --- cache -------------------------------------------------------------------------


def _table_key(
    interceptor: Interceptor, resolution_m: float | None, n_kicks: int, sample_step_s: float
) -> str:
    earth = EarthModel.wgs84(rotation=False)
    spec = {
        "format": TABLE_FORMAT,
        "openbmd": __version__,
        "rocket": asdict(interceptor.rocket),
        "resolution_m": None if resolution_m is None else float(resolution_m),
        "n_kicks": int(n_kicks),
        "sample_step_s": float(sample_step_s),
        "max_kick_rad": MAX_KICK_RAD,
        "earth": asdict(earth),
    }
    text = json.dumps(spec, sort_keys=True, default=repr)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def table_cache_path(interceptor: Interceptor, content_hash: str) -> Path:
    """File of a cached table: ``openbmd_home()/cache/flyout/<name>-<hash>.npz``."""
    safe = "".join(c if c.isalnum() or c in "-_" else "_" for c in interceptor.name)
    return openbmd_home() / "cache" / "flyout" / f"{safe}-{content_hash[:20]}.npz"


_ARRAYS = ("ground_range_m", "altitude_m", "time_s", "speed_m_s", "flight_path_angle_rad")


def _save(path: Path, table: TimeToReach) -> None:
    """Write atomically: a temporary file beside ``path``, then a rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            np.savez_compressed(
                fh,
                interceptor=np.array(table.interceptor),
                content_hash=np.array(table.content_hash),
                burnout=np.array([table.burnout_time_s, table.burnout_speed_m_s]),
                **{name: getattr(table, name) for name in _ARRAYS},
            )
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _load(path: Path, content_hash: str) -> TimeToReach | None:
    """The cached table, or None if the file is missing, unreadable or stale."""
    try:
        with np.load(path, allow_pickle=False) as data:
            if str(data["content_hash"]) != content_hash:
                return None
            arrays = {name: np.array(data[name], dtype=float) for name in _ARRAYS}
            name = str(data["interceptor"])
            burnout = np.array(data["burnout"], dtype=float)
    except (OSError, KeyError, ValueError, EOFError, zipfile.BadZipFile, zlib.error):
        return None
    nr, na = arrays["ground_range_m"].size, arrays["altitude_m"].size
    if nr < 2 or na < 2 or any(arrays[k].shape != (nr, na) for k in _ARRAYS[2:]):
        return None
    return TimeToReach(
        interceptor=name,
        content_hash=content_hash,
        burnout_time_s=float(burnout[0]),
        burnout_speed_m_s=float(burnout[1]),
        **arrays,
    )


def time_to_reach_table(
    interceptor: Interceptor,
    *,
    resolution_m: float | None = None,
    cache: bool = True,
    n_kicks: int = DEFAULT_N_KICKS,
    sample_step_s: float = DEFAULT_SAMPLE_STEP_S,
) -> TimeToReach:
    """The time-to-reach table of an interceptor class, from the disk cache if there.

    Parameters
    ----------
    interceptor : Interceptor
    resolution_m : float, optional
        Grid step, m (default: ~500 cells along the longer extent; a round number).
    cache : bool
        Read and write ``openbmd_home()/cache/flyout/<name>-<hash>.npz``. The key hashes
        the rocket, the fan and grid settings, the Earth model, the openbmd version and
        the table format; an unreadable or stale file is rebuilt and replaced.
    n_kicks, sample_step_s : int, float
        Fan settings (:func:`flyout_fan`).

    Returns
    -------
    TimeToReach
    """
    if not isinstance(interceptor, Interceptor):
        raise ParameterError("interceptor", "an Interceptor", type(interceptor))
    if resolution_m is not None:
        require_positive("resolution_m", resolution_m)
    key = _table_key(interceptor, resolution_m, n_kicks, sample_step_s)
    path = table_cache_path(interceptor, key)
    if cache:
        table = _load(path, key)
        if table is not None and table.interceptor == interceptor.name:
            return table
    fan = flyout_fan(interceptor, n_kicks=n_kicks, sample_step_s=sample_step_s)
    table = build_time_to_reach(fan, resolution_m, content_hash=key)
    if cache:
        # a read-only home only costs a rebuild next time
        with contextlib.suppress(OSError):
            _save(path, table)
    return table
