"""Tracking filters against the consistency tests of Bar-Shalom, Li & Kirubarajan (2001)
and against Stone Soup.

Scenario (:func:`monte_carlo`): the catalog MRBM from (39.0 N, 125.7 E) to (36.0 N,
133.0 E), its re-entry vehicle (beta 5000 kg/m^2) sampled every 1 s
(:func:`openbmd.threats.threat_objects`), tracked at 1 Hz by the catalog S-band array at
(37.5 N, 130.0 E, 20 m) (:func:`openbmd.sensors.simulate_detections`, range, angles and
range rate with SNR-dependent noise, Pd draws), 50 seeded runs, from 70 s (after burnout
at 63 s) to 400 s (about 100 km altitude on the way down). Each run starts from its first
detection with a 3 km/s velocity prior. The truth has no process noise and the filter's
model is the truth's (J2, drag, rotation, known beta), so the process noise is 0.

Sources and tolerances:

- **NEES and NIS** (Bar-Shalom, Li & Kirubarajan, *Estimation with Applications to
  Tracking and Navigation* (2001), sec. 5.4.2 and 5.4.3): for a consistent filter the
  NEES is chi-square with n = 6 degrees of freedom (mean 6) and the NIS with m = 4 (mean
  4). The 50-run average at one time lies in the two-sided 95 % band
  ``[chi2_{0.025}(300) / 50, chi2_{0.975}(300) / 50] = [5.08, 7.00]`` with probability
  0.95; the cases check the time average against 6 (4) within that band's half-width,
  and the fraction of times inside the band against 0.95 within 0.07.
- **Impact prediction**: the error of the predicted impact point (unscented transform
  through the flight propagator) must fall as the track lengthens; the case is the ratio
  of the median error after 240 s of track to that after 10 s (expected 0, < 0.1).
- **EKF / UKF**: on a near-linear problem (constant velocity, a distant radar) both
  filters must give the same estimate: largest difference of the final means, in units of
  the EKF's standard deviations (expected 0, < 0.05).
- **Stone Soup** (Dstl, https://github.com/dstl/Stone-Soup, v1.4+): the same detections
  and models through Stone Soup's ``ExtendedKalmanPredictor`` / ``ExtendedKalmanUpdater``
  (native ``ConstantVelocity`` and ``CartesianToElevationBearingRangeRate``) and
  openbmd's first-order EKF: largest relative difference of the final state (expected 0,
  < 1e-6). Registered only where Stone Soup is installed (``openbmd[stonesoup]``).
"""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass
from functools import lru_cache, partial
from typing import Literal

import numpy as np

from openbmd.flight.propagate import ecef_state_to_eci
from openbmd.geodesy import ecef_to_geodetic, geodesic_inverse
from openbmd.sensors import Radar, simulate_detections
from openbmd.threats import get_missile, solve_trajectory, threat_objects
from openbmd.tracking import (
    FilterModel,
    TrackState,
    consistency,
    initial_state_from_measurement,
    measure,
    nees,
    predict,
    update,
)
from openbmd.tracking.metrics import chi2_band
from openbmd.tracking.predict import predict_impact
from openbmd.validation.registry import register

_BLK = (
    "Bar-Shalom, Li & Kirubarajan, Estimation with Applications to Tracking and Navigation "
    "(2001), sec. 5.4.2-5.4.3: NEES ~ chi2(n), NIS ~ chi2(m) for a consistent filter"
)
_STONESOUP = "Stone Soup (Dstl), ExtendedKalmanPredictor/Updater, an independent EKF"
RUNS = 50
START_S, END_S = 70.0, 400.0
OMEGA_RAD_S = 7.292115e-5


@dataclass(frozen=True)
class MonteCarlo:
    """Detections of the validation scenario, time-major.

    ``z`` (K, M, 4), ``R`` (K, M, 4, 4), ``seen`` (K, M) bool at the times ``time_s``
    (K,); ``truth_eci`` (K, 6); ``site_ecef_m`` (3,); ``impact`` (lat_deg, lon_deg).
    """

    time_s: np.ndarray
    z: np.ndarray
    R: np.ndarray
    seen: np.ndarray
    truth_eci: np.ndarray
    site_ecef_m: np.ndarray
    impact: tuple[float, float]


@lru_cache(maxsize=1)
def monte_carlo(runs: int = RUNS) -> MonteCarlo:
    """The seeded Monte Carlo detections of the module's scenario (cached)."""
    traj = solve_trajectory(get_missile("mrbm"), 39.0, 125.7, 36.0, 133.0)
    objects = threat_objects(traj, step_s=1.0)
    radar = Radar.from_catalog("s-band-array", 37.5, 130.0, 20.0)
    t_all, r, v = objects.samples.of(0)
    times = np.arange(START_S, END_S + 0.5)
    pick = np.searchsorted(t_all, times)
    truth = ecef_state_to_eci(r[pick], v[pick], times, OMEGA_RAD_S)
    k, m = times.size, runs
    z, cov, seen = np.full((k, m, 4), np.nan), np.full((k, m, 4, 4), np.nan), np.zeros((k, m), bool)
    for s in range(runs):
        det = simulate_detections([radar], objects.samples, seed=s, tracked=[0])
        det = det.take((det.object_id == 0) & (det.time_s >= START_S) & (det.time_s <= END_S))
        row = np.searchsorted(times, det.time_s)
        z[row, s], cov[row, s], seen[row, s] = det.measurement(), det.covariance, True
    end_ecef, _ = traj.flight.propagation.end_state_ecef()
    lat, lon, _ = ecef_to_geodetic(end_ecef[0])
    return MonteCarlo(times, z, cov, seen, truth, radar.site_ecef_m, (float(lat), float(lon)))


def run_filter(
    mc: MonteCarlo, model: FilterModel, *, impact_after: tuple[int, ...] = ()
) -> tuple[np.ndarray, np.ndarray, dict[int, TrackState], TrackState]:
    """All runs as one batch of M tracks: (NEES (M, K), NIS (M, K), states after the
    requested numbers of updates, final state). A run starts at its first detection."""
    k, m = mc.seen.shape
    nees_v, nis_v = np.full((m, k), np.nan), np.full((m, k), np.nan)
    state: TrackState | None = None
    saved: dict[int, TrackState] = {}
    for j in range(k):
        t = mc.time_s[j]
        if state is None:
            if not np.all(mc.seen[j]):
                continue
            state = initial_state_from_measurement(mc.z[j], mc.R[j], mc.site_ecef_m, t, model)
            first = j
        else:
            res = update(predict(state, model, t), model, mc.z[j], mc.R[j], mc.site_ecef_m,
                         valid=mc.seen[j])  # fmt: skip
            state = res.state
            nis_v[:, j] = np.where(res.status == 0, res.nis, np.nan)
        nees_v[:, j] = nees(state.x[:, :6], state.P[:, :6, :6], mc.truth_eci[j])
        if j - first in impact_after:
            saved[j - first] = state
    if state is None:  # pragma: no cover - the scenario always has detections
        raise RuntimeError("no detection in the validation scenario")
    return nees_v, nis_v, saved, state


@lru_cache(maxsize=2)
def _consistency(kind: str) -> tuple[float, float, float, float]:
    mc = monte_carlo()
    model = FilterModel(kind=kind, ballistic_coefficient_kg_m2=5000.0, process_noise_m2_s3=0.0)  # type: ignore[arg-type]
    e, n, _, _ = run_filter(mc, model)
    ce, cn = consistency(e[:, 1:], 6), consistency(n[:, 1:], 4)
    return ce.time_average, ce.fraction_inside, cn.time_average, cn.fraction_inside


def _statistic(kind: str, which: int) -> float:
    return _consistency(kind)[which]


_LOW6, _HIGH6 = chi2_band(6, RUNS)
_LOW4, _HIGH4 = chi2_band(4, RUNS)

for _kind in ("ekf", "ukf"):
    register(
        f"tracking.mc_nees_{_kind}",
        quantity=f"{RUNS}-run NEES of the {_kind.upper()} (6 dof), time average over 330 s",
        source=_BLK + f"; 95 % band of a {RUNS}-run average: [{_LOW6:.2f}, {_HIGH6:.2f}]",
        expected=6.0,
        tolerance=0.5 * (_HIGH6 - _LOW6),
        unit="1",
    )(partial(_statistic, _kind, 0))
    register(
        f"tracking.mc_nees_{_kind}_inside_band",
        quantity=f"fraction of times whose {RUNS}-run NEES ({_kind.upper()}) is in the band",
        source=_BLK + " (two-sided 95 % band: about 95 % of the times inside)",
        expected=0.95,
        tolerance=0.07,
        unit="1",
    )(partial(_statistic, _kind, 1))
    register(
        f"tracking.mc_nis_{_kind}",
        quantity=f"{RUNS}-run NIS of the {_kind.upper()} (4 dof), time average",
        source=_BLK + f"; 95 % band of a {RUNS}-run average: [{_LOW4:.2f}, {_HIGH4:.2f}]",
        expected=4.0,
        tolerance=0.5 * (_HIGH4 - _LOW4),
        unit="1",
    )(partial(_statistic, _kind, 2))


@register(
    "tracking.impact_error_shrinks",
    quantity="median impact-point error after 240 s of track / after 10 s (10 runs)",
    source="the predicted impact point must converge as the track lengthens (any estimator)",
    expected=0.0,
    tolerance=0.1,
    unit="1",
)
def impact_error_ratio() -> float:
    mc = monte_carlo()
    small = MonteCarlo(mc.time_s, mc.z[:, :10], mc.R[:, :10], mc.seen[:, :10], mc.truth_eci,
                       mc.site_ecef_m, mc.impact)  # fmt: skip
    model = FilterModel(ballistic_coefficient_kg_m2=5000.0, process_noise_m2_s3=0.0)
    _, _, saved, _ = run_filter(small, model, impact_after=(10, 240))
    errors = []
    for k in (10, 240):
        pred = predict_impact(saved[k], model)
        dist, _, _ = geodesic_inverse(pred.lat_deg, pred.lon_deg, *mc.impact)
        errors.append(float(np.median(dist)))
    return errors[1] / errors[0]


def near_linear_difference() -> float:
    """Largest |x_EKF - x_UKF| / sigma_EKF after 60 updates of a constant-velocity target
    seen by a distant radar with small noise (both filters exact on linear problems)."""
    site = np.array([6378137.0, 0.0, 0.0])
    r0 = site + np.array([300e3, 400e3, 200e3])
    v0 = np.array([-1000.0, 500.0, 300.0])
    cov = np.diag([5.0**2, 1e-4**2, 1e-4**2, 0.5**2])
    out: list[TrackState] = []
    kinds: tuple[Literal["ekf", "ukf"], ...] = ("ekf", "ukf")
    for kind in kinds:
        model = FilterModel(kind=kind, gravity="none", drag=False, omega_rad_s=0.0,
                            process_noise_m2_s3=0.1, second_order=False)  # fmt: skip
        gen = np.random.default_rng(7)  # the same noise for both filters
        state: TrackState | None = None
        for k in range(60):
            truth = np.concatenate([r0 + v0 * k, v0])[None]
            z = measure(truth, float(k), site, model)[0] + gen.normal(size=4) * np.sqrt(
                np.diag(cov)
            )
            if state is None:
                state = initial_state_from_measurement(z, cov, site, 0.0, model,
                                                       velocity_sigma_m_s=100.0)  # fmt: skip
            else:
                state = update(predict(state, model, float(k)), model, z, cov, site).state
        if state is not None:
            out.append(state)
    sigma = np.sqrt(np.diag(out[0].P[0]))
    return float(np.max(np.abs(out[0].x[0] - out[1].x[0]) / sigma))


register(
    "tracking.ekf_ukf_near_linear",
    quantity="EKF vs UKF final mean on a near-linear problem [EKF sigmas]",
    source="Julier & Uhlmann (2004); both filters are exact for linear-Gaussian models",
    expected=0.0,
    tolerance=0.05,
    unit="sigma",
)(near_linear_difference)


def stonesoup_difference() -> float:
    """Largest relative difference of the final state, openbmd EKF vs Stone Soup EKF on
    60 detections of the scenario (constant-velocity model in ECI, native Stone Soup)."""
    from stonesoup.models.transition.linear import (
        CombinedLinearGaussianTransitionModel,
        ConstantVelocity,
    )
    from stonesoup.predictor.kalman import ExtendedKalmanPredictor
    from stonesoup.types.angle import Bearing, Elevation
    from stonesoup.types.array import StateVector
    from stonesoup.types.detection import Detection
    from stonesoup.types.hypothesis import SingleHypothesis
    from stonesoup.updater.kalman import ExtendedKalmanUpdater

    from openbmd.tracking import stonesoup_interop as ssi

    mc = monte_carlo()
    rows = np.flatnonzero(mc.seen[:60, 0])
    model = FilterModel(gravity="none", drag=False, process_noise_m2_s3=5.0, second_order=False)
    j0 = rows[0]
    state = initial_state_from_measurement(
        mc.z[j0, :1], mc.R[j0, :1], mc.site_ecef_m, mc.time_s[j0], model, velocity_sigma_m_s=300.0
    )
    ss_state = ssi.to_stonesoup_states(state, order=ssi.CV_ORDER)[0]
    predictor = ExtendedKalmanPredictor(
        CombinedLinearGaussianTransitionModel([ConstantVelocity(5.0)] * 3)
    )
    updater = ExtendedKalmanUpdater(measurement_model=None)
    for j in rows[1:]:
        t = float(mc.time_s[j])
        mm = ssi.measurement_model(mc.site_ecef_m, t, mc.R[j, 0], use_range_rate=True,
                                   mapping=(0, 2, 4), velocity_mapping=(1, 3, 5))  # fmt: skip
        zj = mc.z[j, 0]
        det = Detection(
            StateVector([Elevation(zj[2]), Bearing(ssi.bearing_from_azimuth(zj[1])), zj[0], zj[3]]),
            timestamp=ssi.to_datetime(t), measurement_model=mm,
        )  # fmt: skip
        ss_state = updater.update(
            SingleHypothesis(predictor.predict(ss_state, timestamp=det.timestamp), det)
        )
        state = update(predict(state, model, t), model, mc.z[j, :1], mc.R[j, :1],
                       mc.site_ecef_m).state  # fmt: skip
    back = ssi.from_stonesoup_states([ss_state], order=ssi.CV_ORDER)
    return float(np.max(np.abs(back.x[0] - state.x[0]) / np.abs(state.x[0])))


if importlib.util.find_spec("stonesoup") is not None:
    register(
        "tracking.stonesoup_ekf_agreement",
        quantity="openbmd EKF vs Stone Soup EKF, same detections and models: relative difference",
        source=_STONESOUP,
        expected=0.0,
        tolerance=1e-6,
        unit="1",
    )(stonesoup_difference)
