"""Conversions between openbmd tracking data and Stone Soup (optional: ``openbmd[stonesoup]``).

Stone Soup is imported only inside these functions. Conventions, and how they map:

- **Angles.** Stone Soup's ``CartesianToElevationBearingRange(Rate)`` measures, in its
  sensor frame (``x, y, z``), the bearing ``atan2(y, x)`` (from ``x`` toward ``y``,
  counter-clockwise) and the elevation ``asin(z / r)``. With that frame taken as the site's
  ENU (``x`` east, ``y`` north, ``z`` up), the bearing is counted from **east,
  counter-clockwise**: ``bearing = pi/2 - azimuth`` (openbmd's azimuth is from north,
  clockwise), wrapped into [-pi, pi). Measurement order is Stone Soup's
  ``(elevation, bearing, range[, range rate])``; the noise covariance is mapped with the
  Jacobian of that change (bearing variance = azimuth variance, signs of its cross terms
  flipped).
- **Frames.** States stay in openbmd ECI. Each detection gets its own measurement model:
  ``translation_offset`` = the site in ECI at the detection time and
  ``rotation_offset`` = the angles ``[roll, pitch, yaw] = [pi/2 - lat, 0, lon + omega t +
  pi/2]``, for which Stone Soup's ``build_rotation_matrix`` (``Rx(-roll) Ry(pitch)
  Rz(-yaw)``) is exactly the ECI -> ENU rotation. The range-rate model's sensor
  ``velocity`` is the site's inertial velocity ``omega x r_site``, which reproduces
  openbmd's range rate (relative to the rotating Earth) and its Jacobian.
- **Time.** Stone Soup timestamps are naive UTC ``datetime``: ``epoch + time_s``
  (default epoch 2018-01-01T00:00:00, that of openbmd's CZML export), microsecond
  resolution.
- **State order.** openbmd's is ``[x, y, z, vx, vy, vz, ...]``. Stone Soup's stacked
  ``ConstantVelocity`` models use ``[x, vx, y, vy, z, vz]``: pass ``order=CV_ORDER``
  (``ss_vector = x[order]``) and the matching ``mapping``/``velocity_mapping``.
- **Dynamics.** :func:`transition_model` wraps openbmd's ballistic dynamics (RK4, exact
  Jacobian, closed-form process noise) as a Stone Soup transition model, so that Stone
  Soup's predictors can run openbmd's models.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import datetime, timedelta
from functools import cache
from typing import Any

import numpy as np
import numpy.typing as npt

from openbmd.constants import WGS84_OMEGA_RAD_S
from openbmd.errors import ParameterError
from openbmd.tracking.filters import TrackState
from openbmd.tracking.models import FilterModel, transition

__all__ = [
    "CV_ORDER",
    "DEFAULT_EPOCH",
    "azimuth_from_bearing",
    "bearing_from_azimuth",
    "detections_to_stonesoup",
    "from_stonesoup_states",
    "from_stonesoup_track",
    "measurement_model",
    "to_datetime",
    "to_seconds",
    "to_stonesoup_states",
    "to_stonesoup_track",
    "transition_model",
]

FloatArray = npt.NDArray[np.float64]

#: Epoch of Stone Soup timestamps (naive UTC), as openbmd's CZML export.
DEFAULT_EPOCH = datetime(2018, 1, 1)
#: openbmd -> Stone Soup constant-velocity order: ``ss = x[CV_ORDER]``.
CV_ORDER = (0, 3, 1, 4, 2, 5)


def to_datetime(time_s: float, epoch: datetime = DEFAULT_EPOCH) -> datetime:
    """Stone Soup timestamp of a time in s since the epoch."""
    return epoch + timedelta(seconds=float(time_s))


def to_seconds(timestamp: datetime, epoch: datetime = DEFAULT_EPOCH) -> float:
    """Seconds since the epoch of a Stone Soup timestamp."""
    return (timestamp - epoch).total_seconds()


def bearing_from_azimuth(azimuth_rad: Any) -> Any:
    """Stone Soup bearing (from east, counter-clockwise, [-pi, pi)) of an azimuth.

    Examples
    --------
    >>> import math
    >>> round(float(bearing_from_azimuth(0.0)), 6) == round(math.pi / 2, 6)  # north
    True
    """
    return (0.5 * np.pi - np.asarray(azimuth_rad, dtype=float) + np.pi) % (2 * np.pi) - np.pi


def azimuth_from_bearing(bearing_rad: Any) -> Any:
    """openbmd azimuth (from north, clockwise, [0, 2 pi)) of a Stone Soup bearing."""
    return (0.5 * np.pi - np.asarray(bearing_rad, dtype=float)) % (2 * np.pi)


def _site_eci(site_ecef_m: Any, time_s: float, omega: float) -> FloatArray:
    s = np.asarray(site_ecef_m, dtype=float).reshape(3)
    th = omega * time_s
    c, sn = math.cos(th), math.sin(th)
    return np.array([c * s[0] - sn * s[1], sn * s[0] + c * s[1], s[2]])


def measurement_model(
    site_ecef_m: Any,
    time_s: float,
    covariance: Any,
    *,
    omega_rad_s: float = WGS84_OMEGA_RAD_S,
    use_range_rate: bool = False,
    ndim_state: int = 6,
    mapping: Sequence[int] = (0, 1, 2),
    velocity_mapping: Sequence[int] = (3, 4, 5),
) -> Any:
    """Stone Soup measurement model of one radar look at ``time_s`` (state in ECI).

    Parameters
    ----------
    site_ecef_m : array_like, shape (3,)
        Radar site, ECEF, m.
    time_s : float
        Look time, s since the epoch.
    covariance : array_like, shape (3, 3) or (4, 4)
        Noise covariance in openbmd's order (range, azimuth, elevation, range rate).
    use_range_rate : bool
        ``CartesianToElevationBearingRangeRate`` (needs a 4 x 4 covariance) instead of
        ``CartesianToElevationBearingRange``.
    """
    from stonesoup.models.measurement.nonlinear import (
        CartesianToElevationBearingRange,
        CartesianToElevationBearingRangeRate,
    )
    from stonesoup.types.array import CovarianceMatrix, StateVector

    from openbmd.geodesy.kernels import ecef_to_geodetic_point

    site = np.asarray(site_ecef_m, dtype=float).reshape(3)
    cov = np.asarray(covariance, dtype=float)
    m = 4 if use_range_rate else 3
    if cov.shape[0] < m or cov.shape != (cov.shape[0], cov.shape[0]):
        raise ParameterError("covariance", f"a ({m}, {m}) or larger square matrix", cov.shape)
    # (range, az, el[, rr]) -> (el, bearing, range[, rr]); d bearing / d az = -1
    jac = np.zeros((m, m))
    jac[0, 2], jac[1, 1], jac[2, 0] = 1.0, -1.0, 1.0
    if m == 4:
        jac[3, 3] = 1.0
    noise = jac @ cov[:m, :m] @ jac.T
    lat, lon, _ = ecef_to_geodetic_point(site[0], site[1], site[2])
    site_i = _site_eci(site, time_s, omega_rad_s)
    angles = StateVector(
        [0.5 * math.pi - lat, 0.0, lon + omega_rad_s * float(time_s) + 0.5 * math.pi]
    )
    common = {
        "ndim_state": ndim_state,
        "mapping": tuple(mapping),
        "noise_covar": CovarianceMatrix(noise),
        "translation_offset": StateVector(site_i),
        "rotation_offset": angles,
    }
    if not use_range_rate:
        return CartesianToElevationBearingRange(**common)
    velocity = StateVector([-omega_rad_s * site_i[1], omega_rad_s * site_i[0], 0.0])
    return CartesianToElevationBearingRangeRate(
        **common, velocity_mapping=tuple(velocity_mapping), velocity=velocity
    )


def detections_to_stonesoup(
    detections: Any,
    *,
    omega_rad_s: float = WGS84_OMEGA_RAD_S,
    epoch: datetime = DEFAULT_EPOCH,
    use_range_rate: bool | None = None,
    ndim_state: int = 6,
    mapping: Sequence[int] = (0, 1, 2),
    velocity_mapping: Sequence[int] = (3, 4, 5),
) -> list[Any]:
    """Stone Soup ``Detection`` objects of openbmd :class:`~openbmd.sensors.Detections`.

    Each carries its own measurement model (:func:`measurement_model`) and the metadata
    ``time_s``, ``sensor_id``, ``object_id``. ``use_range_rate``: default where measured.
    """
    from stonesoup.types.angle import Bearing, Elevation
    from stonesoup.types.array import StateVector
    from stonesoup.types.detection import Detection

    from openbmd.geodesy import geodetic_to_ecef

    sites = np.asarray(
        geodetic_to_ecef(detections.site_lat_deg, detections.site_lon_deg, detections.site_alt_m)
    ).reshape(-1, 3)
    z = detections.measurement()
    cov = detections.covariance
    out = []
    for i in range(detections.size):
        rr = bool(np.isfinite(z[i, 3]) and np.isfinite(cov[i, 3, 3]))
        if use_range_rate is not None:
            rr = rr and use_range_rate
        t = float(detections.time_s[i])
        model = measurement_model(
            sites[detections.sensor_id[i]], t, cov[i], omega_rad_s=omega_rad_s,
            use_range_rate=rr, ndim_state=ndim_state, mapping=mapping,
            velocity_mapping=velocity_mapping,
        )  # fmt: skip
        values = [Elevation(z[i, 2]), Bearing(bearing_from_azimuth(z[i, 1])), z[i, 0]]
        if rr:
            values.append(z[i, 3])
        out.append(
            Detection(
                StateVector(values),
                timestamp=to_datetime(t, epoch),
                measurement_model=model,
                metadata={
                    "time_s": t,
                    "sensor_id": int(detections.sensor_id[i]),
                    "object_id": int(detections.object_id[i]),
                },
            )
        )
    return out


def _order(order: Sequence[int] | None, n: int) -> npt.NDArray[np.int64]:
    if order is None:
        return np.arange(n)
    idx = np.asarray(order, dtype=np.int64)
    if sorted(idx.tolist()) != list(range(n)):
        raise ParameterError("order", f"a permutation of range({n})", list(order))
    return idx


def to_stonesoup_states(
    state: TrackState, *, epoch: datetime = DEFAULT_EPOCH, order: Sequence[int] | None = None
) -> list[Any]:
    """One Stone Soup ``GaussianState`` per track (``ss_vector = x[order]``)."""
    from stonesoup.types.array import CovarianceMatrix, StateVector
    from stonesoup.types.state import GaussianState

    idx = _order(order, state.state_size)
    return [
        GaussianState(
            StateVector(state.x[i, idx]),
            CovarianceMatrix(state.P[i][np.ix_(idx, idx)]),
            timestamp=to_datetime(state.time_s[i], epoch),
        )
        for i in range(state.size)
    ]


def from_stonesoup_states(
    states: Sequence[Any], *, epoch: datetime = DEFAULT_EPOCH, order: Sequence[int] | None = None
) -> TrackState:
    """A :class:`TrackState` from Stone Soup Gaussian states (inverse of the above)."""
    if len(states) == 0:
        raise ParameterError("states", "at least one Stone Soup GaussianState", "none")
    n = len(np.asarray(states[0].state_vector).reshape(-1))
    inv = np.argsort(_order(order, n))
    x = np.array([np.asarray(s.state_vector, dtype=float).reshape(-1)[inv] for s in states])
    p = np.array([np.asarray(s.covar, dtype=float)[np.ix_(inv, inv)] for s in states])
    t = np.array([to_seconds(s.timestamp, epoch) for s in states])
    return TrackState(x, p, t)


def to_stonesoup_track(
    history: TrackState,
    *,
    track_id: str | None = None,
    epoch: datetime = DEFAULT_EPOCH,
    order: Sequence[int] | None = None,
) -> Any:
    """A Stone Soup ``Track`` from the K successive states of one track (rows of
    ``history``, in time order)."""
    from stonesoup.types.track import Track

    kwargs = {} if track_id is None else {"id": track_id}
    return Track(to_stonesoup_states(history, epoch=epoch, order=order), **kwargs)


def from_stonesoup_track(
    track: Any, *, epoch: datetime = DEFAULT_EPOCH, order: Sequence[int] | None = None
) -> TrackState:
    """The states of a Stone Soup ``Track`` as a :class:`TrackState` (K rows)."""
    return from_stonesoup_states(list(track.states), epoch=epoch, order=order)


@cache
def _transition_class() -> type:
    from stonesoup.base import Property
    from stonesoup.models.base import GaussianModel, TimeVariantModel
    from stonesoup.models.transition.base import TransitionModel
    from stonesoup.types.array import CovarianceMatrix, StateVectors

    class OpenbmdTransitionModel(TransitionModel, GaussianModel, TimeVariantModel):
        """openbmd's ballistic dynamics as a Stone Soup transition model (ECI states)."""

        filter_model: FilterModel = Property(doc="openbmd model (not powered).")

        @property
        def ndim_state(self) -> int:
            return self.filter_model.state_size

        def _dt(self, kwargs: dict[str, Any]) -> float:
            return float(kwargs["time_interval"].total_seconds())

        def function(self, state: Any, noise: Any = False, **kwargs: Any) -> Any:
            cols = np.asarray(state.state_vector, dtype=float).T
            out = transition(cols, self._dt(kwargs), self.filter_model)[0].T
            if isinstance(noise, bool) or noise is None:
                noise = self.rvs(num_samples=out.shape[1], **kwargs) if noise else 0
            return StateVectors(out) + noise

        def jacobian(self, state: Any, **kwargs: Any) -> Any:
            x = np.asarray(state.state_vector, dtype=float).reshape(1, -1)
            return transition(x, self._dt(kwargs), self.filter_model)[1][0]

        def covar(self, **kwargs: Any) -> Any:
            x = np.zeros((1, self.ndim_state))
            x[0, 0] = 7.0e6  # Q does not depend on the state for a ballistic model
            return CovarianceMatrix(transition(x, self._dt(kwargs), self.filter_model)[2][0])

    return OpenbmdTransitionModel


def transition_model(model: FilterModel) -> Any:
    """Stone Soup transition model running openbmd's dynamics (ballistic modes only: the
    powered mode's process noise depends on the state, which Stone Soup's ``covar`` is not
    given)."""
    if model.powered:
        raise ParameterError("model.powered", "False for the Stone Soup wrapper", True)
    return _transition_class()(filter_model=model)
