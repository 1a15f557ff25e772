"""The time-to-reach table: shortest fly-out time to points of the launch plane.

:class:`TimeToReach` holds, on a uniform grid of ground range from the launch site and
altitude, the shortest time from launch for an interceptor to reach each point over its
fly-out fan, and its velocity there; :func:`build_time_to_reach` builds it from a
:class:`~openbmd.interceptors.flyout.FlyoutFan`. Cached tables come from
:func:`openbmd.interceptors.flyout.time_to_reach_table`; frame and approximations are in
that module's docstring and ``docs/interceptors.md``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import ArrayLike

from openbmd.errors import ParameterError, require_positive

if TYPE_CHECKING:
    from openbmd.interceptors.flyout import FlyoutFan

__all__ = ["AUTO_CELLS", "TimeToReach", "build_time_to_reach"]

#: Grid cells along the longer axis of an automatically sized table.
AUTO_CELLS = 500


@dataclass(frozen=True)
class TimeToReach:
    """Shortest fly-out time to points of the launch plane, on a uniform grid.

    ``time_s[i, j]`` is the shortest time from launch (s) for the interceptor to reach
    ground range ``ground_range_m[i]`` and altitude ``altitude_m[j]`` on any trajectory
    of its fan, NaN where no trajectory gets there. ``speed_m_s`` and
    ``flight_path_angle_rad`` are its velocity on arrival (relative to the Earth; the
    angle above the local horizontal, positive climbing), pointing away from the launch
    site: ``v = speed (cos(gamma) * downrange + sin(gamma) * up)``. Both axes start at 0
    with the same spacing. Frame and approximations: see the module docstring.

    Attributes
    ----------
    interceptor : str
        Class name.
    ground_range_m : ndarray, shape (R,)
    altitude_m : ndarray, shape (A,)
    time_s, speed_m_s, flight_path_angle_rad : ndarray, shape (R, A)
    content_hash : str
        SHA-256 of everything the table depends on (rocket, fan and grid settings, Earth
        model, openbmd version, table format): the cache key.
    burnout_time_s : float
        Burn time, s.
    burnout_speed_m_s : float
        Burnout speed on the fan's longest-range trajectory (drag included), m/s.
    """

    interceptor: str
    ground_range_m: np.ndarray
    altitude_m: np.ndarray
    time_s: np.ndarray
    speed_m_s: np.ndarray
    flight_path_angle_rad: np.ndarray
    content_hash: str
    burnout_time_s: float = math.nan
    burnout_speed_m_s: float = math.nan

    @property
    def resolution_m(self) -> float:
        """Grid spacing of both axes, m."""
        return float(self.altitude_m[1] - self.altitude_m[0])

    @property
    def max_ground_range_m(self) -> float:
        """Largest ground range of a reachable grid point, m."""
        cols = np.any(np.isfinite(self.time_s), axis=1)
        return float(self.ground_range_m[cols].max()) if np.any(cols) else math.nan

    @property
    def max_altitude_m(self) -> float:
        """Largest altitude of a reachable grid point, m."""
        rows = np.any(np.isfinite(self.time_s), axis=0)
        return float(self.altitude_m[rows].max()) if np.any(rows) else math.nan

    def _bilinear(self, values: tuple[np.ndarray, ...], x: ArrayLike, h: ArrayLike) -> list[Any]:
        xa, ha = np.broadcast_arrays(np.asarray(x, dtype=float), np.asarray(h, dtype=float))
        res = self.resolution_m
        nr, na = self.time_s.shape
        u, w = xa / res, ha / res
        inside = (u >= 0.0) & (u <= nr - 1) & (w >= 0.0) & (w <= na - 1)
        i = np.clip(np.floor(np.where(inside, u, 0.0)), 0, nr - 2).astype(np.intp)
        j = np.clip(np.floor(np.where(inside, w, 0.0)), 0, na - 2).astype(np.intp)
        fu, fw = np.where(inside, u - i, 0.0), np.where(inside, w - j, 0.0)
        corners = (
            (i, j, (1.0 - fu) * (1.0 - fw)),
            (i + 1, j, fu * (1.0 - fw)),
            (i, j + 1, (1.0 - fu) * fw),
            (i + 1, j + 1, fu * fw),
        )
        out = []
        for arr in values:
            # an unreachable corner with weight makes the point unreachable (conservative
            # at the boundary); grid nodes and cell edges need only the nodes they touch
            val = sum(np.where(wt > 0.0, arr[a, b] * wt, 0.0) for a, b, wt in corners)
            val = np.where(inside, val, np.nan)
            out.append(val if val.ndim else float(val))
        return out

    def time_at(self, ground_range_m: ArrayLike, altitude_m: ArrayLike) -> Any:
        """Shortest fly-out time to points, s (bilinear; NaN where unreachable).

        A point is unreachable when a corner of its grid cell that carries weight is
        unreachable (the table errs on the side of "cannot get there" along the reach
        boundary); a point on a grid node or cell edge needs only the nodes it touches.

        Parameters
        ----------
        ground_range_m, altitude_m : array_like
            Ground range from the launch site and altitude, m (broadcast together).
        """
        return self._bilinear((self.time_s,), ground_range_m, altitude_m)[0]

    def reachable(self, ground_range_m: ArrayLike, altitude_m: ArrayLike) -> Any:
        """Whether the interceptor can reach the points (``time_at`` is finite)."""
        t = np.isfinite(self.time_at(ground_range_m, altitude_m))
        return t if t.ndim else bool(t)

    def velocity_at(self, ground_range_m: ArrayLike, altitude_m: ArrayLike) -> tuple[Any, Any]:
        """Speed (m/s) and flight-path angle (rad) on arrival at the points.

        Interpolated bilinearly in the velocity's downrange and vertical components;
        NaN where unreachable. Within a cell of a switch between trajectory branches
        (rising and falling) the result is a blend of the two.
        """
        vd = self.speed_m_s * np.cos(self.flight_path_angle_rad)
        vu = self.speed_m_s * np.sin(self.flight_path_angle_rad)
        a, b = self._bilinear((vd, vu), ground_range_m, altitude_m)
        return np.hypot(a, b), np.arctan2(b, a)

    def envelope(self) -> tuple[np.ndarray, np.ndarray]:
        """The reach boundary as a polyline ``(ground_range_m, altitude_m)``.

        From the launch site along the farthest reachable grid point of each altitude
        row up to the highest row, then back to above the launch site.
        """
        ok = np.isfinite(self.time_s)
        rows = np.flatnonzero(np.any(ok, axis=0))
        if rows.size == 0:
            return np.zeros(0), np.zeros(0)
        far = np.array([self.ground_range_m[np.flatnonzero(ok[:, j]).max()] for j in rows])
        x = np.concatenate([[0.0], far, [0.0]])
        h = np.concatenate([[0.0], self.altitude_m[rows], [self.altitude_m[rows[-1]]]])
        return x, h

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready summary and table (km, s; ``None`` where unreachable).

        ``time_s[i][j]`` is the time to ``ground_range_km[i]``, ``altitude_km[j]``.
        """
        t = np.round(self.time_s, 2)
        return {
            "interceptor": self.interceptor,
            "content_hash": self.content_hash,
            "resolution_km": self.resolution_m / 1e3,
            "max_ground_range_km": self.max_ground_range_m / 1e3,
            "max_altitude_km": self.max_altitude_m / 1e3,
            "burnout_time_s": self.burnout_time_s,
            "burnout_speed_km_s": self.burnout_speed_m_s / 1e3,
            "ground_range_km": (self.ground_range_m / 1e3).tolist(),
            "altitude_km": (self.altitude_m / 1e3).tolist(),
            "time_s": [[None if math.isnan(v) else v for v in row] for row in t.tolist()],
        }


def _nice_resolution(extent_m: float) -> float:
    """A round grid step (1, 2 or 5 times a power of ten, >= 10 m) giving about
    ``AUTO_CELLS`` cells over ``extent_m``."""
    raw = max(extent_m / AUTO_CELLS, 10.0)
    p = 10.0 ** math.floor(math.log10(raw))
    return next(m * p for m in (5.0, 2.0, 1.0) if m * p <= raw)


def build_time_to_reach(
    fan: FlyoutFan, resolution_m: float | None = None, *, content_hash: str = ""
) -> TimeToReach:
    """Build the table from a fan (no cache; :func:`time_to_reach_table` caches).

    For each altitude row, the time (and velocity) at which each trajectory crosses it,
    rising and falling, is interpolated linearly between samples; along the row the
    crossings of neighbouring kicks on the same branch are joined by straight segments
    (linear in time and velocity), and so are the rising and falling crossings of the
    last trajectory that reaches the row (its neighbour's apogee lies below: the gap is
    reached by the kicks in between). A grid point takes the smallest time of the
    segments that cover it; points no segment covers are NaN.

    Parameters
    ----------
    fan : FlyoutFan
    resolution_m : float, optional
        Grid step of both axes, m (default: a round step giving ~500 cells along the
        longer extent).
    content_hash : str
        Stored in the result.
    """
    x_all, h_all = fan.ground_range_m, fan.altitude_m
    x_max = float(np.nanmax(x_all))
    h_max = float(np.nanmax(h_all))
    res = (
        _nice_resolution(max(x_max, h_max))
        if resolution_m is None
        else float(require_positive("resolution_m", resolution_m))
    )
    nr, na = int(x_max // res) + 1, int(h_max // res) + 1
    if nr < 2 or na < 2 or nr * na > 20_000_000:
        raise ParameterError(
            "resolution_m", f"giving 2 to 20 million grid points over {x_max:.0f} m", res
        )
    n_kicks = x_all.shape[0]
    vd_all = fan.speed_m_s * np.cos(fan.flight_path_angle_rad)
    vu_all = fan.speed_m_s * np.sin(fan.flight_path_angle_rad)

    # 1. crossings of every altitude row by every sample-to-sample segment
    h0, h1 = h_all[:, :-1], h_all[:, 1:]
    seg_ok = np.isfinite(h0) & np.isfinite(h1) & (h0 != h1)
    rising = h1 > h0
    lo = np.where(rising, h0, h1)
    hi = np.where(rising, h1, h0)
    with np.errstate(invalid="ignore"):
        j_lo = np.where(seg_ok, np.ceil(lo / res), 0).astype(np.int64)
        j_hi = np.where(seg_ok, np.ceil(hi / res) - 1, -1).astype(np.int64)
    j_lo = np.maximum(j_lo, 0)
    j_hi = np.minimum(j_hi, na - 1)
    count = np.maximum(j_hi - j_lo + 1, 0).ravel()
    seg = np.repeat(np.arange(count.size), count)
    j = j_lo.ravel()[seg] + (np.arange(seg.size) - np.repeat(np.cumsum(count) - count, count))
    k, s = np.divmod(seg, h0.shape[1])
    f = (j * res - h_all[k, s]) / (h_all[k, s + 1] - h_all[k, s])

    def along(a: np.ndarray) -> np.ndarray:
        return a[k, s] + f * (a[k, s + 1] - a[k, s])

    d = (~rising.ravel()[seg]).astype(np.int64)  # 0 rising, 1 falling
    cx, ct, cvd, cvu = along(x_all), along(fan.time_s), along(vd_all), along(vu_all)
    # first crossing of each (branch, kick, row)
    key = (d * n_kicks + k) * na + j
    order = np.lexsort((ct, key))
    first = order[np.concatenate([[True], np.diff(key[order]) != 0])] if order.size else order
    grid = np.full((4, 2 * n_kicks * na), np.nan)
    grid[:, key[first]] = np.stack([cx[first], ct[first], cvd[first], cvu[first]])
    xc, tc, vdc, vuc = (g.reshape(2, n_kicks, na) for g in grid)

    # 2. segments along each row: neighbouring kicks on one branch, and the apex joins
    cols4 = (xc, tc, vdc, vuc)
    first_a = [np.stack([a[b, :-1] for a in cols4]) for b in (0, 1)]
    first_b = [np.stack([a[b, 1:] for a in cols4]) for b in (0, 1)]
    apex_a, apex_b = _apex_joins(fan, xc, tc, vdc, vuc, res)
    seg_a = np.concatenate([p.reshape(4, -1) for p in [*first_a, *apex_a]], axis=1)
    seg_b = np.concatenate([p.reshape(4, -1) for p in [*first_b, *apex_b]], axis=1)
    row = np.concatenate(
        [np.broadcast_to(np.arange(na), p.shape[1:]).ravel() for p in [*first_a, *apex_a]]
    )
    ok = np.isfinite(seg_a[0]) & np.isfinite(seg_b[0])
    seg_a, seg_b, row = seg_a[:, ok], seg_b[:, ok], row[ok]
    # order each segment so that a zero-width one gives its earlier end
    swap = seg_a[1] > seg_b[1]
    seg_a[:, swap], seg_b[:, swap] = seg_b[:, swap], seg_a[:, swap].copy()

    # 3. grid columns strictly inside each segment
    xl = np.minimum(seg_a[0], seg_b[0])
    xr = np.maximum(seg_a[0], seg_b[0])
    i_lo = np.maximum(np.ceil(xl / res), 0).astype(np.int64)
    i_hi = np.minimum(np.floor(xr / res), nr - 1).astype(np.int64)
    n_cols = np.maximum(i_hi - i_lo + 1, 0)
    which = np.repeat(np.arange(n_cols.size), n_cols)
    col = i_lo[which] + (np.arange(which.size) - np.repeat(np.cumsum(n_cols) - n_cols, n_cols))
    width = seg_b[0, which] - seg_a[0, which]
    with np.errstate(invalid="ignore", divide="ignore"):
        g = np.where(width != 0.0, (col * res - seg_a[0, which]) / width, 0.0)
    vals = seg_a[1:, which] + g * (seg_b[1:, which] - seg_a[1:, which])
    cell = col * na + row[which]
    order = np.lexsort((vals[0], cell))
    first = order[np.concatenate([[True], np.diff(cell[order]) != 0])] if order.size else order
    out = np.full((3, nr * na), np.nan)
    out[:, cell[first]] = vals[:, first]
    t_grid, vd_grid, vu_grid = (o.reshape(nr, na) for o in out)

    longest = int(np.nanargmax(fan.impact_ground_range_m))
    return TimeToReach(
        interceptor=fan.interceptor,
        ground_range_m=np.arange(nr) * res,
        altitude_m=np.arange(na) * res,
        time_s=t_grid,
        speed_m_s=np.hypot(vd_grid, vu_grid),
        flight_path_angle_rad=np.arctan2(vu_grid, vd_grid),
        content_hash=content_hash,
        burnout_time_s=float(fan.burnout_time_s),
        burnout_speed_m_s=float(fan.burnout_speed_m_s[longest]),
    )


def _apex_joins(
    fan: FlyoutFan,
    xc: np.ndarray,
    tc: np.ndarray,
    vdc: np.ndarray,
    vuc: np.ndarray,
    res: float,
) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Segments over the apex of each row: rising crossing -> apex -> falling crossing.

    Where kick k crosses row j and a neighbouring kick n (k +- 1) does not (its apogee
    lies below), the kicks between them reach the row near their apogees, between k's
    two crossings. The apex point (where the row touches the fan's apogee locus) is
    interpolated between the apogees of k and n in apogee altitude: ground range, time
    and speed linearly, the velocity level. Beyond the first and last kicks nothing is
    known, so they get no join.
    """
    n_kicks, na = xc.shape[1], xc.shape[2]
    h_row = np.arange(na) * res
    both = np.isfinite(xc[0]) & np.isfinite(xc[1])
    crosses = np.isfinite(xc[0]) | np.isfinite(xc[1])
    apo = np.stack(
        [fan.apogee_ground_range_m, fan.apogee_time_s, fan.apogee_speed_m_s, fan.apogee_altitude_m]
    )
    joins_a, joins_b = [], []
    for step in (1, -1):
        k = np.arange(n_kicks)
        nb = k + step
        exists = (nb >= 0) & (nb < n_kicks)
        nb = np.clip(nb, 0, n_kicks - 1)
        lone = both & exists[:, None] & ~crosses[nb]
        if step == -1:
            # a kick lonely on both sides is joined once
            lone &= ~(both & (k + 1 < n_kicks)[:, None] & ~crosses[np.minimum(k + 1, n_kicks - 1)])
        h_k, h_n = apo[3][:, None], apo[3][nb][:, None]
        with np.errstate(invalid="ignore", divide="ignore"):
            w = (h_row[None, :] - h_n) / (h_k - h_n)
        w = np.where(lone & np.isfinite(w), np.clip(w, 0.0, 1.0), np.nan)
        x_ap, t_ap, v_ap = (a[nb][:, None] + w * (a[:, None] - a[nb][:, None]) for a in apo[:3])
        apex = np.stack([x_ap, t_ap, v_ap, np.zeros_like(x_ap)])
        rise = np.where(lone, np.stack([xc[0], tc[0], vdc[0], vuc[0]]), np.nan)
        fall = np.where(lone, np.stack([xc[1], tc[1], vdc[1], vuc[1]]), np.nan)
        joins_a += [rise, apex]
        joins_b += [apex, fall]
    return joins_a, joins_b
