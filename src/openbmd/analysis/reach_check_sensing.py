"""When a radar at an interceptor site first detects, and firmly tracks, one threat.

Used by :func:`openbmd.analysis.reach_check.reach_check`. The model is deterministic and
nominal (no random draws), so that a reach check is a clean yes/no:

* **Detectable sample.** The re-entry vehicle (the missile until burnout, then its RV:
  object 0 of :func:`openbmd.threats.threat_objects`) is *detectable* at a sample when
  the radar sees it (:func:`openbmd.sensors.los.look_angles`: 4/3-Earth horizon, the
  class's elevation mask, field of regard and instrumented range) and its slant range is
  at most the range at which the radar equation gives a per-dwell detection probability
  :data:`DETECTION_PD` for the RCS at that sample. The RCS is the generic conical RV of
  :meth:`openbmd.sensors.rcs.RcsModel.reentry_vehicle` at its aspect angle (or a
  constant given by the user); the detection range scales as ``RCS ** (1/4)`` from the
  class's 1-m^2 range, less the scan loss off the boresight for planar arrays.
* **First detection**: the first detectable sample. The phase of the search frame is
  not modelled (on average a real first look comes half a revisit later).
* **Firm track**: the main job's tracker confirms a track after ``M`` hits of its
  ``M``-of-``N`` rule (:class:`openbmd.tracking.manager.TrackerConfig`, default 3 of 5;
  :func:`confirmation_hits`), and the main job's radars look at every object every
  ``search_revisit_s``. So the firm track is the end of the first run of ``M`` looks,
  ``search_revisit_s`` apart, that all fall on detectable samples: ``first detection +
  (M - 1) * search_revisit_s`` when the RV stays in cover (10 s for the catalog's
  S-band array). With a space-based early-warning cue the radar searches only the cued
  corridor and revisits it about every ``track_update_s``
  (:func:`openbmd.tracking.fusion.handover_from_cues`), so a run that starts at or after
  the cue's report time needs looks only ``track_update_s`` apart; the earlier of the two
  runs is the firm track.
* **Early-warning cue**: the first sight of the boosting missile by the catalog
  constellation (:func:`openbmd.sensors.early_warning.first_sight_time_s`) plus its
  reporting latency (no report errors: they do not change the time).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from openbmd.errors import ParameterError
from openbmd.flight.propagate import Samples
from openbmd.sensors.early_warning import first_sight_time_s, get_early_warning
from openbmd.sensors.los import look_angles
from openbmd.sensors.radar import Radar
from openbmd.sensors.rcs import RcsModel

__all__ = [
    "DETECTION_PD",
    "SiteSensing",
    "confirmation_hits",
    "cue_report_time_s",
    "detectable_samples",
    "firm_track_time_s",
    "sense_from_site",
]

#: Per-dwell detection probability that defines the detection range (the same figure the
#: run outputs use for radar coverage outlines).
DETECTION_PD = 0.9


@dataclass(frozen=True)
class SiteSensing:
    """Detection and track of one threat by one radar.

    Attributes
    ----------
    radar : Radar
        The radar as placed (its boresight azimuth set toward the threat).
    detectable : ndarray of bool, shape (T,)
        Whether the RV is detectable at each sample (see the module notes).
    first_detection_s : float
        Time of the first detectable sample, s after the threat's launch (NaN: never).
    firm_track_s : float
        Time of the firm track, s after the threat's launch (NaN: never).
    cued : bool
        Whether the firm track came from a cued (early-warning) run of looks.
    """

    radar: Radar
    detectable: np.ndarray
    first_detection_s: float
    firm_track_s: float
    cued: bool


def confirmation_hits() -> int:
    """Hits ``M`` that confirm a track in the main job's tracker (its ``M``-of-``N``)."""
    from openbmd.tracking.manager import TrackerConfig

    return int(TrackerConfig().m_of_n[0])


def cue_report_time_s(samples: Samples, burnout_time_s: float, system: str = "ir-geo") -> float:
    """Report time of the first early-warning cue, s after launch (NaN: never seen).

    ``samples`` holds one vehicle starting at its launch at time 0.
    """
    ew = get_early_warning(system)
    first = first_sight_time_s(ew, samples, 0.0, float(burnout_time_s))
    seen = first[np.isfinite(first)]
    return float(seen.min()) + ew.reporting_latency_s if seen.size else math.nan


def detectable_samples(
    radar: Radar,
    r_ecef_m: np.ndarray,
    v_ecef_m_s: np.ndarray,
    rcs: RcsModel,
    pd: float = DETECTION_PD,
) -> tuple[np.ndarray, float]:
    """Which samples the radar detects, and its 1-m^2 detection range (m).

    Parameters
    ----------
    radar : Radar
    r_ecef_m, v_ecef_m_s : ndarray, shape (T, 3)
        RV positions and Earth-relative velocities, ECEF, m and m/s (NaN: absent).
    rcs : RcsModel
        RCS against aspect angle.
    pd : float
        Per-dwell detection probability that defines the detection range.

    Returns
    -------
    detectable : ndarray of bool, shape (T,)
    range_1m2_m : float
    """
    la = look_angles([radar], r_ecef_m)
    rng = la.range_m[0]
    los = radar.site_ecef_m[None, :] - r_ecef_m
    speed = np.linalg.norm(v_ecef_m_s, axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        cos_aspect = np.sum(v_ecef_m_s * los, axis=1) / (speed * rng)
    # at rest on the pad the aspect is undefined: broadside
    cos_aspect = np.where(np.isfinite(cos_aspect) & (speed > 1.0), cos_aspect, 0.0)
    aspect = np.arccos(np.clip(cos_aspect, -1.0, 1.0))
    rcs_m2 = np.asarray(rcs.rcs_m2_at(aspect), dtype=float)
    range_1m2 = float(radar.detection_range_m(1.0, pd))
    factor = rcs_m2**0.25
    if radar.scan_loss_exponent > 0.0:
        scan = _scan_angle_rad(radar, la.azimuth_rad[0], la.elevation_rad[0])
        loss_db = np.asarray(radar.scan_loss_db(np.nan_to_num(scan, nan=0.0)), dtype=float)
        factor = factor * 10.0 ** (loss_db / 40.0)
    with np.errstate(invalid="ignore"):
        inside = rng <= range_1m2 * factor
    return la.visible[0] & inside, range_1m2


def _scan_angle_rad(radar: Radar, az: np.ndarray, el: np.ndarray) -> np.ndarray:
    """Angle between the line of sight and the boresight, rad, clipped to [0, pi/2]."""
    az_b, el_b = math.radians(radar.boresight_az_deg), math.radians(radar.boresight_el_deg)
    bore = np.array(
        [math.cos(el_b) * math.sin(az_b), math.cos(el_b) * math.cos(az_b), math.sin(el_b)]
    )
    los = np.stack([np.cos(el) * np.sin(az), np.cos(el) * np.cos(az), np.sin(el)], axis=-1)
    cos_scan = np.clip(los @ bore, 0.0, 1.0)
    return np.asarray(np.arccos(cos_scan))


def firm_track_time_s(
    time_s: np.ndarray,
    detectable: np.ndarray,
    *,
    hits: int,
    search_revisit_s: float,
    cued_revisit_s: float,
    cue_s: float = math.nan,
) -> tuple[float, bool]:
    """Firm-track time from the detectable samples (see the module notes).

    Parameters
    ----------
    time_s : ndarray, shape (T,)
        Uniform sample times, s.
    detectable : ndarray of bool, shape (T,)
    hits : int
        Looks that must all detect (``M``), >= 1.
    search_revisit_s, cued_revisit_s : float
        Time between looks in search and after a cue, s (> 0).
    cue_s : float
        Cue report time, s (NaN: no cue).

    Returns
    -------
    firm_track_s : float
        NaN if no run of looks completes.
    cued : bool
        Whether the earliest run is the cued one.

    Examples
    --------
    Detectable from 20 s on; three looks 5 s apart in search, 1 s apart after a cue:

    >>> import numpy as np
    >>> t = np.arange(0.0, 60.0)
    >>> firm_track_time_s(t, t >= 20.0, hits=3, search_revisit_s=5.0, cued_revisit_s=1.0)
    (30.0, False)
    >>> firm_track_time_s(
    ...     t, t >= 20.0, hits=3, search_revisit_s=5.0, cued_revisit_s=1.0, cue_s=10.0
    ... )
    (22.0, True)
    """
    if hits < 1:
        raise ParameterError("hits", ">= 1", hits)
    t = np.asarray(time_s, dtype=float)
    det = np.asarray(detectable, dtype=bool)
    step = float(t[1] - t[0]) if t.size > 1 else 1.0
    best, cued = math.inf, False
    for interval, start_ok, is_cued in (
        (search_revisit_s, np.ones(t.size, dtype=bool), False),
        (cued_revisit_s, t >= cue_s, True),  # all False when there is no cue (NaN)
    ):
        k = max(1, round(interval / step))
        span = (hits - 1) * k
        if span >= t.size:
            continue
        run = det[: t.size - span] & start_ok[: t.size - span]
        for j in range(1, hits):
            run &= det[j * k : t.size - span + j * k]
        idx = np.flatnonzero(run)
        if idx.size and t[idx[0] + span] < best:
            best, cued = float(t[idx[0] + span]), is_cued
    return (best, cued) if math.isfinite(best) else (math.nan, False)


def sense_from_site(
    radar_class: str,
    lat_deg: float,
    lon_deg: float,
    boresight_az_deg: float,
    time_s: np.ndarray,
    r_ecef_m: np.ndarray,
    v_ecef_m_s: np.ndarray,
    *,
    rcs: RcsModel,
    cue_s: float,
    hits: int,
) -> SiteSensing:
    """First detection and firm track of the RV by a catalog radar placed at a site.

    The radar stands at the site (height 0) with its boresight at ``boresight_az_deg``
    (it matters only for classes with a limited field of regard). Times are s after the
    threat's launch; ``time_s`` (T,) and the states (T, 3) as in
    :func:`detectable_samples`.
    """
    radar = Radar.from_catalog(
        radar_class, lat_deg, lon_deg, 0.0, boresight_az_deg=float(boresight_az_deg) % 360.0
    )
    det, _ = detectable_samples(radar, r_ecef_m, v_ecef_m_s, rcs)
    first = float(time_s[np.argmax(det)]) if det.any() else math.nan
    firm, cued = firm_track_time_s(
        time_s,
        det,
        hits=hits,
        search_revisit_s=radar.search_revisit_s,
        cued_revisit_s=radar.track_update_s,
        cue_s=cue_s,
    )
    return SiteSensing(radar, det, first, firm, cued)
