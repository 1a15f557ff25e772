"""A fly-out table given as arrays: a user's own time-to-reach table, or an analytic one.

:class:`ReachGrid` has the attributes and methods that
:func:`openbmd.engagement.windows.intercept_windows` reads from
:class:`openbmd.interceptors.flyout.TimeToReach`: time to reach, speed and flight-path
angle at arrival on a (ground range, altitude) grid, NaN out of reach, interpolated
bilinearly (a cell with a NaN node is out of reach; the velocity by its downrange and
vertical components). Use it for a published
time-to-reach curve, or for analytic fly-outs in tests and validation
(:meth:`ReachGrid.straight_line`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from openbmd.engagement import windows_kernels as wk
from openbmd.errors import ParameterError, require_non_negative, require_positive

__all__ = ["ReachGrid"]


@dataclass(frozen=True)
class ReachGrid:
    """Fly-out table on a grid.

    Attributes
    ----------
    ground_range_m : ndarray, shape (R,)
        Ground range from the launch site, m, increasing (>= 2 points).
    altitude_m : ndarray, shape (A,)
        Intercept altitude above the ellipsoid, m, increasing (>= 2 points).
    time_s : ndarray, shape (R, A)
        Time from launch to reach the point, s; NaN where it cannot.
    speed_m_s : ndarray, shape (R, A)
        Speed at arrival, m/s (Earth-relative).
    flight_path_angle_rad : ndarray, shape (R, A)
        Flight-path angle at arrival above the local horizontal, rad.
    """

    ground_range_m: np.ndarray
    altitude_m: np.ndarray
    time_s: np.ndarray
    speed_m_s: np.ndarray
    flight_path_angle_rad: np.ndarray

    def __post_init__(self) -> None:
        rng = np.ascontiguousarray(self.ground_range_m, dtype=float).reshape(-1)
        alt = np.ascontiguousarray(self.altitude_m, dtype=float).reshape(-1)
        for name, axis in (("ground_range_m", rng), ("altitude_m", alt)):
            if axis.size < 2 or not np.all(np.isfinite(axis)) or np.any(np.diff(axis) <= 0):
                raise ParameterError(name, "a finite, increasing axis of >= 2 points", axis[:3])
        object.__setattr__(self, "ground_range_m", rng)
        object.__setattr__(self, "altitude_m", alt)
        for name in ("time_s", "speed_m_s", "flight_path_angle_rad"):
            grid = np.asarray(getattr(self, name), dtype=float)
            if grid.shape != (rng.size, alt.size):
                raise ParameterError(name, f"of shape ({rng.size}, {alt.size})", grid.shape)
            object.__setattr__(self, name, np.ascontiguousarray(grid))

    def _lookup(self, ground_range_m: ArrayLike, altitude_m: ArrayLike) -> tuple[Any, ...]:
        x, h = np.broadcast_arrays(
            np.asarray(ground_range_m, dtype=float), np.asarray(altitude_m, dtype=float)
        )
        vals = wk.table_batch(
            self.ground_range_m,
            self.altitude_m,
            self.time_s,
            self.speed_m_s * np.cos(self.flight_path_angle_rad),
            self.speed_m_s * np.sin(self.flight_path_angle_rad),
            np.ascontiguousarray(x.reshape(-1)),
            np.ascontiguousarray(h.reshape(-1)),
        )
        cols = tuple(vals[:, k].reshape(x.shape) for k in range(3))
        return tuple(float(c) if c.ndim == 0 else c for c in cols)

    def time_at(self, ground_range_m: ArrayLike, altitude_m: ArrayLike) -> Any:
        """Time to reach (s) at the points (broadcast); NaN out of reach."""
        return self._lookup(ground_range_m, altitude_m)[0]

    def velocity_at(self, ground_range_m: ArrayLike, altitude_m: ArrayLike) -> tuple[Any, Any]:
        """Speed (m/s) and flight-path angle (rad) at arrival (interpolated by the
        downrange and vertical components); NaN out of reach."""
        _, down, up = self._lookup(ground_range_m, altitude_m)
        return np.hypot(down, up), np.arctan2(up, down)

    @property
    def max_ground_range_m(self) -> float:
        """Largest ground range with a reachable point, m."""
        ok = np.isfinite(self.time_s).any(axis=1)
        return float(self.ground_range_m[ok].max()) if ok.any() else float("nan")

    @property
    def max_altitude_m(self) -> float:
        """Largest altitude with a reachable point, m."""
        ok = np.isfinite(self.time_s).any(axis=0)
        return float(self.altitude_m[ok].max()) if ok.any() else float("nan")

    @classmethod
    def straight_line(
        cls,
        speed_m_s: float,
        *,
        delay_s: float = 0.0,
        max_slant_range_m: float,
        max_ground_range_m: float | None = None,
        max_altitude_m: float | None = None,
        step_m: float = 2000.0,
    ) -> ReachGrid:
        """Kinematic toy: after ``delay_s`` the interceptor flies a straight line from the
        site at a constant ``speed_m_s`` (flat geometry), out to ``max_slant_range_m``.

        ``time = delay_s + sqrt(x^2 + h^2) / speed``, flight-path angle ``atan2(h, x)``.
        """
        v = float(require_positive("speed_m_s", speed_m_s))
        d = float(require_non_negative("delay_s", delay_s))
        reach = float(require_positive("max_slant_range_m", max_slant_range_m))
        step = float(require_positive("step_m", step_m))
        x_max = float(max_ground_range_m if max_ground_range_m is not None else reach)
        h_max = float(max_altitude_m if max_altitude_m is not None else reach)
        x = np.arange(0.0, x_max + step, step)
        h = np.arange(0.0, h_max + step, step)
        xx, hh = np.meshgrid(x, h, indexing="ij")
        slant = np.hypot(xx, hh)
        time = np.where(slant <= reach, d + slant / v, np.nan)
        return cls(x, h, time, np.full_like(time, v), np.arctan2(hh, xx))
