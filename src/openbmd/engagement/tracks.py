"""Predicted threat tracks and interceptor launch sites: the inputs of the windows.

:class:`ThreatTracks` holds O predicted trajectories on one time grid (ECEF, NaN where a
threat is absent) with the time at which the defence holds a firm track of each, and
optionally the track's position sigma; :class:`LaunchSites` holds S launch sites.
Both validate their input once. Conventions: ``docs/conventions.md``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from openbmd.errors import ParameterError, require_finite
from openbmd.flight.propagate import Samples
from openbmd.geodesy import geodetic_to_ecef

__all__ = ["LaunchSites", "ThreatTracks", "position_sigma_m"]


@dataclass(frozen=True)
class ThreatTracks:
    """Predicted trajectories of O threats on a common time grid.

    Attributes
    ----------
    time_s : ndarray, shape (T,)
        Sample times, s since the scenario epoch, strictly increasing.
    r_ecef_m, v_ecef_m_s : ndarray, shape (O, T, 3)
        Predicted (truth) ECEF positions (m) and Earth-relative velocities (m/s); NaN
        where a threat is absent (before its first or after its last sample).
    decision_time_s : ndarray, shape (O,)
        When the defence holds a firm track of each threat, s since the epoch.
    track_sigma_m : ndarray, shape (O, T), optional
        1-sigma position error of the defence's track at each sample, m (NaN: no track).
        See :func:`position_sigma_m` for a covariance.
    """

    time_s: np.ndarray
    r_ecef_m: np.ndarray
    v_ecef_m_s: np.ndarray
    decision_time_s: np.ndarray
    track_sigma_m: np.ndarray | None = None

    def __post_init__(self) -> None:
        t = require_finite("time_s", self.time_s).reshape(-1)
        if t.size == 0 or np.any(np.diff(t) <= 0.0):
            raise ParameterError("time_s", "a non-empty, strictly increasing array", t[:3])
        r = np.asarray(self.r_ecef_m, dtype=float)
        v = np.asarray(self.v_ecef_m_s, dtype=float)
        if r.ndim == 2:
            r, v = r[None], v[None]
        for name, a in (("r_ecef_m", r), ("v_ecef_m_s", v)):
            if a.shape != (a.shape[0], t.size, 3):
                raise ParameterError(name, f"of shape (O, {t.size}, 3)", f"shape {a.shape}")
        if v.shape != r.shape:
            raise ParameterError("v_ecef_m_s", f"of shape {r.shape}", f"shape {v.shape}")
        n = r.shape[0]
        d = require_finite("decision_time_s", self.decision_time_s)
        try:
            d = np.broadcast_to(d, (n,)).copy()
        except ValueError:
            raise ParameterError("decision_time_s", f"a scalar or ({n},)", d.shape) from None
        object.__setattr__(self, "time_s", np.ascontiguousarray(t))
        object.__setattr__(self, "r_ecef_m", np.ascontiguousarray(r))
        object.__setattr__(self, "v_ecef_m_s", np.ascontiguousarray(v))
        object.__setattr__(self, "decision_time_s", d)
        if self.track_sigma_m is not None:
            sig = np.asarray(self.track_sigma_m, dtype=float)
            try:
                sig = np.ascontiguousarray(np.broadcast_to(sig, (n, t.size)))
            except ValueError:
                raise ParameterError(
                    "track_sigma_m", f"of shape ({n}, {t.size})", sig.shape
                ) from None
            if np.any(sig < 0.0) or np.any(np.isinf(sig)):
                raise ParameterError("track_sigma_m", ">= 0 and finite (NaN: no track)", sig.min())
            object.__setattr__(self, "track_sigma_m", sig)

    @property
    def size(self) -> int:
        """Number of threats O."""
        return int(self.r_ecef_m.shape[0])

    @property
    def impact_time_s(self) -> np.ndarray:
        """(O,) time of each threat's last sample (its impact for a full trajectory), s."""
        present = np.all(np.isfinite(self.r_ecef_m), axis=2)
        last = self.time_s.size - 1 - np.argmax(present[:, ::-1], axis=1)
        return np.where(present.any(axis=1), self.time_s[last], np.nan)

    @classmethod
    def from_samples(
        cls,
        samples: Samples,
        decision_time_s: ArrayLike,
        track_sigma_m: ArrayLike | None = None,
    ) -> ThreatTracks:
        """Tracks from propagated :class:`~openbmd.flight.propagate.Samples`.

        Every vehicle's samples must lie on one uniform grid (same step; launch times
        that differ by whole steps), as :func:`openbmd.flight.propagate.propagate`
        writes them for a common ``sample_start_s`` or equal launch times.
        """
        t = np.asarray(samples.time_s, dtype=float)
        if t.size == 0:
            raise ParameterError("samples", "at least one sample", "none")
        counts = np.diff(samples.offsets)
        inside = np.ones(t.size - 1, dtype=bool)  # differences within one vehicle
        ends = np.asarray(samples.offsets[1:-1], dtype=np.int64) - 1
        inside[ends[(ends >= 0) & (ends < inside.size)]] = False
        steps = np.diff(t)[inside]
        steps = steps[steps > 0]
        step = float(np.min(steps)) if steps.size else 1.0
        t0 = float(t.min())
        idx = np.rint((t - t0) / step).astype(np.int64)
        if np.any(np.abs(t - (t0 + idx * step)) > 1e-6 * max(step, 1.0)):
            raise ParameterError("samples", "on one uniform time grid for all vehicles", "not")
        n_t = int(idx.max()) + 1
        owner = np.repeat(np.arange(counts.size), counts)
        r = np.full((counts.size, n_t, 3), np.nan)
        v = np.full_like(r, np.nan)
        r[owner, idx] = samples.r_ecef_m
        v[owner, idx] = samples.v_ecef_m_s
        sigma = None if track_sigma_m is None else np.asarray(track_sigma_m, dtype=float)
        return cls(t0 + step * np.arange(n_t), r, v, np.asarray(decision_time_s, float), sigma)

    @classmethod
    def from_trajectories(
        cls,
        trajectories: Sequence[Any],
        decision_time_s: ArrayLike,
        *,
        step_s: float = 1.0,
    ) -> ThreatTracks:
        """Tracks from solved :class:`~openbmd.threats.ThreatTrajectory` objects, sampled
        every ``step_s`` from each launch (launch times must differ by whole steps)."""
        if len(trajectories) == 0:
            raise ParameterError("trajectories", "at least one trajectory", 0)
        parts = [tr.sample(step_s) for tr in trajectories]
        offsets = np.concatenate([[0], np.cumsum([p.time_s.size for p in parts])])
        merged = Samples(
            offsets,
            np.concatenate([p.time_s for p in parts]),
            np.concatenate([p.r_ecef_m for p in parts]),
            np.concatenate([p.v_ecef_m_s for p in parts]),
        )
        return cls.from_samples(merged, decision_time_s)


@dataclass(frozen=True)
class LaunchSites:
    """S interceptor launch sites (geodetic WGS 84).

    Attributes
    ----------
    lat_deg, lon_deg : ndarray, shape (S,)
        Latitude and longitude, deg.
    alt_m : ndarray, shape (S,)
        Height above the ellipsoid, m.
    names : tuple of str
        One name per site (default ``site 0``, ``site 1``, ...).
    """

    lat_deg: np.ndarray
    lon_deg: np.ndarray
    alt_m: np.ndarray | float = 0.0
    names: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        lat = require_finite("site_lat_deg", self.lat_deg).reshape(-1)
        lon = require_finite("site_lon_deg", self.lon_deg).reshape(-1)
        if np.any(np.abs(lat) > 90.0):
            raise ParameterError("site_lat_deg", "in [-90, 90]", lat[np.abs(lat) > 90][0])
        if lon.shape != lat.shape or lat.size == 0:
            raise ParameterError("site_lon_deg", f"{lat.size} values (one per site)", lon.size)
        alt = np.broadcast_to(require_finite("site_alt_m", self.alt_m), lat.shape).copy()
        names = tuple(self.names) or tuple(f"site {i}" for i in range(lat.size))
        if len(names) != lat.size:
            raise ParameterError("site names", f"{lat.size} names", len(names))
        object.__setattr__(self, "lat_deg", lat)
        object.__setattr__(self, "lon_deg", lon)
        object.__setattr__(self, "alt_m", alt)
        object.__setattr__(self, "names", names)

    @property
    def size(self) -> int:
        """Number of sites S."""
        return int(self.lat_deg.size)

    def ecef_m(self) -> np.ndarray:
        """(S, 3) ECEF positions, m."""
        return np.asarray(geodetic_to_ecef(self.lat_deg, self.lon_deg, self.alt_m)).reshape(-1, 3)


def position_sigma_m(covariance_m2: ArrayLike) -> np.ndarray:
    """1-sigma position error along the worst axis of (..., 3, 3) covariances, m.

    The square root of the largest eigenvalue (NaN rows stay NaN).
    """
    c = np.asarray(covariance_m2, dtype=float)
    if c.shape[-2:] != (3, 3):
        raise ParameterError("covariance_m2", "of shape (..., 3, 3)", f"shape {c.shape}")
    flat = c.reshape(-1, 3, 3)
    out = np.full(flat.shape[0], np.nan)
    ok = np.all(np.isfinite(flat), axis=(1, 2))
    if np.any(ok):
        sym = 0.5 * (flat[ok] + np.swapaxes(flat[ok], 1, 2))
        out[ok] = np.sqrt(np.maximum(np.linalg.eigvalsh(sym)[:, -1], 0.0))
    return out.reshape(c.shape[:-2])
