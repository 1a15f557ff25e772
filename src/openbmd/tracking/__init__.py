"""Tracking: batched filters, dynamics and measurement models, predictions and metrics.

Conventions (``docs/tracking.md``): states ``[r (m), v (m/s), (1/beta, m^2/kg),
(a_T, m/s^2)]`` in openbmd's ECI frame; measurements ``[range (m), azimuth (rad, from
north, clockwise), geometric elevation (rad), range rate (m/s)]`` from sites fixed on the
Earth (ECEF), as :class:`openbmd.sensors.Detections` gives them. Every function works on
N tracks at once (leading axis N).

- Models (:mod:`~openbmd.tracking.models`): :class:`FilterModel`, :func:`transition`,
  :func:`measure`, :func:`process_noise`, :func:`acceleration_and_jacobian`.
- Filters (:mod:`~openbmd.tracking.filters`): :class:`TrackState`, :func:`predict`,
  :func:`update` (-> :class:`UpdateResult`), :func:`predict_measurement`,
  :func:`innovation`, :func:`mahalanobis`, :func:`initial_state_from_measurement`;
  IMM: :class:`ImmModel`, :class:`ImmState`, :func:`imm_predict`, :func:`imm_update`.
- Predictions (module ``openbmd.tracking.predict``; import its names with ``from
  openbmd.tracking.predict import ...`` since ``openbmd.tracking.predict`` the attribute is
  the filter step): :func:`predict_impact`, :func:`estimate_launch` (->
  :class:`GroundPointPrediction`), :func:`predict_states`.
- Metrics (:mod:`~openbmd.tracking.metrics`): :func:`rmse`, :func:`nees`, :func:`nis`,
  :func:`chi2_band`, :func:`consistency`, :func:`ospa`, :func:`gospa`,
  :func:`track_quality`.
- Stone Soup interop (optional extra ``openbmd[stonesoup]``):
  :mod:`openbmd.tracking.stonesoup_interop`.
"""

from openbmd.tracking import filters as _filters
from openbmd.tracking.filters import (
    STATUS_DONE,
    STATUS_SKIPPED_INPUT,
    STATUS_SKIPPED_NUMERICS,
    ImmModel,
    ImmState,
    MeasurementPrediction,
    TrackState,
    UpdateResult,
    imm_predict,
    imm_update,
    initial_state_from_measurement,
    innovation,
    mahalanobis,
    predict_measurement,
    update,
)
from openbmd.tracking.imm import ImmUpdateResult
from openbmd.tracking.metrics import (
    Consistency,
    GospaResult,
    TrackQuality,
    chi2_band,
    consistency,
    gospa,
    nees,
    nis,
    ospa,
    rmse,
    track_quality,
)
from openbmd.tracking.models import (
    FilterModel,
    acceleration_and_jacobian,
    measure,
    process_noise,
    transition,
)
from openbmd.tracking.predict import (
    FutureStates,
    GroundPointPrediction,
    estimate_launch,
    predict_impact,
    predict_states,
)

# Importing the submodule ``openbmd.tracking.predict`` (impact, launch, future states) set
# the package attribute ``predict`` to that module; the name means the filter step.
predict = _filters.predict

__all__ = [
    "STATUS_DONE",
    "STATUS_SKIPPED_INPUT",
    "STATUS_SKIPPED_NUMERICS",
    "Consistency",
    "FilterModel",
    "FutureStates",
    "GospaResult",
    "GroundPointPrediction",
    "ImmModel",
    "ImmState",
    "ImmUpdateResult",
    "MeasurementPrediction",
    "TrackQuality",
    "TrackState",
    "UpdateResult",
    "acceleration_and_jacobian",
    "chi2_band",
    "consistency",
    "estimate_launch",
    "gospa",
    "imm_predict",
    "imm_update",
    "initial_state_from_measurement",
    "innovation",
    "mahalanobis",
    "measure",
    "nees",
    "nis",
    "ospa",
    "predict",
    "predict_impact",
    "predict_measurement",
    "predict_states",
    "process_noise",
    "rmse",
    "track_quality",
    "transition",
    "update",
]
