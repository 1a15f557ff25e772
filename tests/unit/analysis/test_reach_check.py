"""Strategic reach check: sensing rule, scaled interceptor, margins that flip the answer
exactly where they say, and the worked cases of docs/reach-check.md.

Solved trajectories and bisections take seconds, so each scenario is computed once per
module (fixtures) and every test reads it.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from openbmd.analysis.reach_check import ReachCheck, reach_check
from openbmd.analysis.reach_check_margins import (
    scaled_interceptor,
    scaled_overrides,
    speed_margin,
)
from openbmd.analysis.reach_check_sensing import (
    DETECTION_PD,
    confirmation_hits,
    cue_report_time_s,
    detectable_samples,
    firm_track_time_s,
)
from openbmd.errors import ParameterError, UnreachableError
from openbmd.geodesy import geodesic_inverse, geodetic_to_ecef
from openbmd.interceptors.catalog import get_interceptor
from openbmd.interceptors.flyout import time_to_reach_table
from openbmd.sensors.detection import required_snr_db
from openbmd.sensors.early_warning import early_warning_cues, get_early_warning
from openbmd.sensors.radar import Radar
from openbmd.sensors.rcs import RcsModel
from openbmd.threats import get_missile, solve_trajectory
from openbmd.tracking.manager import TrackerConfig

AKITA = (39.7, 140.1)
# regional: a Nodong-class MRBM from the Korean peninsula aimed at the site itself
MRBM = dict(missile="mrbm", launch=(39.0, 125.7), aim=AKITA)
# 2018 candidate Aegis Ashore sites in Japan (Araya, Akita; Mutsumi, Hagi)
JAPAN = [(39.70, 140.07), (34.46, 131.57)]
JAPAN_NAMES = ["Araya", "Mutsumi"]
FAR_EAST = (51.0, 128.0)  # generic launch point in the Russian Far East
US_AIM = (45.0, -100.0)  # generic aim point in the northern Great Plains
URALS = (56.0, 60.0)  # generic launch point in central Russia
OREGON = (44.0, -120.0)  # generic aim point in the north-western US
FIRM_S = 130.0  # burnout (~70 s) + 60 s, the engage command's default
TOL = 40.0  # bisection tolerance on the design speed in these tests, m/s


@pytest.fixture(scope="module")
def regional() -> ReachCheck:
    return reach_check("upper-tier", [AKITA], **MRBM, firm_track_s=FIRM_S, speed_tolerance_m_s=TOL)


@pytest.fixture(scope="module")
def far_icbm() -> ReachCheck:
    return reach_check(
        "upper-tier", JAPAN, "icbm", URALS, OREGON, site_names=JAPAN_NAMES,
        speed_tolerance_m_s=TOL,
    )  # fmt: skip


@pytest.fixture(scope="module")
def japan() -> ReachCheck:
    return reach_check("upper-tier", JAPAN, "icbm", FAR_EAST, US_AIM, site_names=JAPAN_NAMES)


# --- sensing rule --------------------------------------------------------------------


def test_confirmation_follows_the_main_trackers_m_of_n():
    assert confirmation_hits() == TrackerConfig().m_of_n[0] == 3


def test_firm_track_needs_m_looks_on_detectable_samples():
    t = np.arange(0.0, 100.0)
    det = (t >= 10.0) & (t <= 14.0)  # in cover for 5 s only
    kw = dict(hits=3, search_revisit_s=5.0, cued_revisit_s=1.0)
    # search looks 5 s apart never see it three times; no cue, no firm track
    firm, cued = firm_track_time_s(t, det, **kw)
    assert math.isnan(firm) and not cued
    # a cue before it enters cover: looks 1 s apart from 10 s, firm at the third
    assert firm_track_time_s(t, det, **kw, cue_s=5.0) == (12.0, True)
    # a cue after it left cover does not help
    assert math.isnan(firm_track_time_s(t, det, **kw, cue_s=20.0)[0])
    with pytest.raises(ParameterError, match="hits"):
        firm_track_time_s(t, det, hits=0, search_revisit_s=5.0, cued_revisit_s=1.0)


def test_detection_range_scales_as_the_fourth_root_of_rcs():
    radar = Radar.from_catalog("s-band-array", 0.0, 0.0)
    rcs = 0.5
    _, r1 = detectable_samples(
        radar, np.zeros((1, 3)) * np.nan, np.zeros((1, 3)), RcsModel.constant(1.0)
    )
    r_half = r1 * rcs**0.25
    # independent check: the radar equation at that range gives the SNR that Pd 0.9 needs
    need = required_snr_db(DETECTION_PD, radar.pfa, radar.detector_pulses, radar.swerling)
    assert radar.snr_db(r_half, rcs) == pytest.approx(float(need), abs=1e-6)
    # points straight above the radar, 1 km inside and outside that range
    alt = np.array([r_half - 1e3, r_half + 1e3])
    r = np.asarray(geodetic_to_ecef(np.zeros(2), np.zeros(2), alt)).reshape(-1, 3)
    v = np.tile([0.0, 1000.0, 0.0], (2, 1))
    det, _ = detectable_samples(radar, r, v, RcsModel.constant(rcs))
    assert det.tolist() == [True, False]


def test_rv_aspect_sets_the_detection_range():
    """500 km above the radar the generic RV is seen broadside (0 dBsm: ~840 km range) but
    not nose-on (-20 dBsm: ~270 km)."""
    radar = Radar.from_catalog("s-band-array", 0.0, 0.0)
    r = np.asarray(geodetic_to_ecef([0.0, 0.0], [0.0, 0.0], [500e3, 500e3])).reshape(-1, 3)
    down = -r[0] / np.linalg.norm(r[0]) * 3000.0  # falling straight at the radar
    level = np.array([0.0, 3000.0, 0.0])
    det, _ = detectable_samples(radar, r, np.stack([down, level]), RcsModel.reentry_vehicle())
    assert det.tolist() == [False, True]


def test_cue_time_matches_the_early_warning_model():
    traj = solve_trajectory(get_missile("mrbm"), *MRBM["launch"], *MRBM["aim"])
    samples = traj.sample(1.0)
    burnout = float(traj.flight.burnout_time_s[0])
    cues = early_warning_cues(get_early_warning("ir-geo"), samples, 0.0, burnout, seed=1)
    assert cue_report_time_s(samples, burnout) == pytest.approx(float(cues.report_time_s.min()))


# --- the scaled interceptor and the bisection ------------------------------------------


def test_scaled_class_keeps_masses_and_sets_the_design_speed():
    base = get_interceptor("upper-tier")
    faster = scaled_interceptor("upper-tier", 6500.0)
    assert faster.design_burnout_speed_m_s == pytest.approx(6500.0, rel=1e-12)
    assert faster.launch_mass_kg == pytest.approx(base.launch_mass_kg, rel=1e-12)
    assert faster.rocket.stages[0].propellant_mass_kg == pytest.approx(
        base.rocket.stages[0].propellant_mass_kg, rel=1e-12
    )
    # the catalog design speed gives back the catalog rocket (to rounding)
    same = scaled_interceptor("upper-tier", 5500.0).rocket.stages[0]
    for key in ("propellant_mass_kg", "dry_mass_kg", "isp_vacuum_s", "isp_sea_level_s"):
        assert getattr(same, key) == pytest.approx(getattr(base.rocket.stages[0], key), rel=1e-12)
    # the published figure does not change the fly-out: only the design speed does
    assert get_interceptor("upper-tier", published_burnout_speed_m_s=9000.0).rocket == base.rocket
    with pytest.raises(ParameterError, match="design_burnout_speed_m_s"):
        scaled_overrides("upper-tier", -1.0)


def test_bisection_finds_a_known_boundary():
    """A predicate that reaches exactly when the fly-out burns out at >= 3,500 m/s."""
    tol = 150.0
    sm = speed_margin(
        "upper-tier", lambda it, tab: tab.burnout_speed_m_s >= 3500.0, tolerance_m_s=tol
    )
    assert sm.bound == ""
    assert sm.burnout_speed_m_s == pytest.approx(4489.0, abs=5.0)
    # one design-speed step moves the fly-out burnout speed by less than the step
    assert 3500.0 <= sm.required_burnout_speed_m_s <= 3500.0 + tol
    assert sm.speed_margin_m_s == pytest.approx(
        sm.burnout_speed_m_s - sm.required_burnout_speed_m_s
    )
    lo, hi = sm.design_bracket_m_s
    assert 0.0 < hi - lo <= tol
    below = time_to_reach_table(scaled_interceptor("upper-tier", lo), cache=False)
    assert below.burnout_speed_m_s < 3500.0, "the bracket straddles the boundary"


def test_bisection_reports_bounds_at_its_ends():
    always = speed_margin("upper-tier", lambda it, tab: True)
    assert always.bound == "at least" and always.speed_margin_m_s > 3000.0
    never = speed_margin("upper-tier", lambda it, tab: False)
    assert never.bound == "at most" and never.speed_margin_m_s < -2500.0
    # the ceiling is about the first cosmic velocity (7.9 km/s)
    assert 7000.0 < never.required_burnout_speed_m_s < 8500.0
    assert always.evaluations == never.evaluations == 2


# --- regional threat over the site -----------------------------------------------------


def test_regional_threat_over_the_site_is_reachable_with_positive_margins(regional):
    assert regional.reachable
    (site,) = regional.sites
    assert site.reachable and site.reason == ""
    assert site.closest_ground_range_m < 1e3, "aimed at the site"
    assert site.earliest_launch_s >= FIRM_S + regional.reaction_time_s - 1e-9
    assert site.earliest_launch_s <= site.latest_launch_s < site.latest_intercept_s
    assert 80e3 <= site.min_intercept_alt_m <= site.max_intercept_alt_m <= 1000e3
    assert site.shot_opportunities >= 2
    assert regional.speed_margin_m_s > 0.0 and regional.speed_margin_bound == ""
    assert regional.track_margin_s > 0.0
    # an interceptor climbing to the class's 80 km floor above the site needs a burnout
    # speed of order 1-2 km/s (a vertical coast of ~50 km alone needs ~1 km/s)
    assert 1000.0 < regional.required_burnout_speed_m_s < 2500.0
    # the margin is stated in published-speed terms: the class's fly-out matches 4.5 km/s
    assert regional.burnout_speed_m_s == pytest.approx(
        regional.published_burnout_speed_m_s, rel=0.01
    )


def _again(result: ReachCheck, **changes) -> ReachCheck:
    args = dict(
        interceptor="upper-tier",
        sites=[(s.lat_deg, s.lon_deg) for s in result.sites],
        missile=result.missile,
        launch=(result.launch_lat_deg, result.launch_lon_deg),
        aim=(result.aim_lat_deg, result.aim_lon_deg),
        margins=False,
    )
    return reach_check(**{**args, **changes})


def test_speed_margin_flips_the_answer_at_the_boundary(regional):
    lo, hi = regional.design_bracket_m_s
    assert 0.0 < hi - lo <= TOL
    slow = _again(
        regional, firm_track_s=FIRM_S, interceptor_overrides=scaled_overrides("upper-tier", lo)
    )
    just = _again(
        regional, firm_track_s=FIRM_S, interceptor_overrides=scaled_overrides("upper-tier", hi)
    )
    assert not slow.reachable and just.reachable
    # the class slowed by the margin is the one at the boundary (published-speed terms)
    bo_hi = time_to_reach_table(scaled_interceptor("upper-tier", hi)).burnout_speed_m_s
    assert bo_hi == pytest.approx(regional.burnout_speed_m_s - regional.speed_margin_m_s)


def test_track_margin_flips_the_answer_at_the_boundary(regional):
    margin = regional.track_margin_s
    assert margin == pytest.approx(regional.sites[0].latest_firm_track_s - FIRM_S)
    assert _again(regional, firm_track_s=FIRM_S + margin - 0.01).reachable
    assert not _again(regional, firm_track_s=FIRM_S + margin + 0.5).reachable


def test_own_radar_confirmation_delay_is_the_documented_rule():
    """Generic RV (-20 dBsm nose-on) against the site's S-band array: first seen late;
    firm 2 looks later: 1 s apart when cued, 5 s apart in search."""
    cued = reach_check("upper-tier", [AKITA], **MRBM, margins=False)
    plain = reach_check("upper-tier", [AKITA], **MRBM, margins=False, early_warning=False)
    (a,), (b,) = cued.sites, plain.sites
    assert a.first_detection_s == b.first_detection_s
    assert cued.cue_report_s < a.first_detection_s
    assert a.firm_track_s - a.first_detection_s == pytest.approx(2 * 1.0)
    assert b.firm_track_s - b.first_detection_s == pytest.approx(2 * 5.0)
    # the radar picks it up inside its nose-on detection range (~270 km)
    radar = Radar.from_catalog("s-band-array", *AKITA)
    assert 250e3 < radar.detection_range_m(0.01) < 300e3
    # too late with the site's own radar: a negative track margin, which flips exactly
    assert not cued.reachable and a.reason == "too late" and cued.track_margin_s < 0.0
    earlier = a.firm_track_s + cued.track_margin_s - 0.01
    assert reach_check("upper-tier", [AKITA], **MRBM, margins=False, firm_track_s=earlier).reachable


# --- strategic cases ---------------------------------------------------------------------


def test_far_icbm_needs_a_large_negative_speed_margin(far_icbm):
    assert not far_icbm.reachable
    for site in far_icbm.sites:
        assert site.closest_ground_range_m > 5000e3, "passes thousands of km away"
        assert site.reason == "out of reach" and math.isnan(site.firm_track_s)
    assert far_icbm.speed_margin_basis == "track at launch"
    assert far_icbm.speed_margin_bound == "" and far_icbm.speed_margin_m_s < -2000.0
    lo, hi = far_icbm.design_bracket_m_s
    slow = _again(
        far_icbm, firm_track_s=0.0, interceptor_overrides=scaled_overrides("upper-tier", lo)
    )
    fast = _again(
        far_icbm, firm_track_s=0.0, interceptor_overrides=scaled_overrides("upper-tier", hi)
    )
    assert not slow.reachable and fast.reachable


def test_japan_sites_cannot_reach_an_icbm_from_the_far_east_to_the_us(japan):
    """The worked case of docs/reach-check.md: the trajectory is nearest the sites at
    launch and flies away from them."""
    assert not japan.reachable
    for site, name in zip(japan.sites, JAPAN_NAMES, strict=True):
        assert site.name == name
        # nearest at launch: the closest distance is the site-to-launch-point geodesic
        d, _, _ = geodesic_inverse(site.lat_deg, site.lon_deg, *FAR_EAST)
        assert site.closest_ground_range_m == pytest.approx(float(d), abs=1e3)
        assert 1500e3 < site.closest_ground_range_m < 2000e3
        assert math.isnan(site.first_detection_s), "far beyond the site radar's reach"
        assert site.reason == "too late" and site.latest_firm_track_s < -400.0
    assert japan.speed_margin_bound == "at most" and japan.speed_margin_m_s < -3000.0
    assert japan.to_dict()["sites"][0]["name"] == "Araya"


def test_bad_input_fails_before_any_work():
    with pytest.raises(ParameterError, match="interceptor"):
        reach_check("no-such", [AKITA], **MRBM)
    with pytest.raises(ParameterError, match="missile"):
        reach_check("upper-tier", [AKITA], "no-such", MRBM["launch"], MRBM["aim"])
    with pytest.raises(ParameterError, match="radar"):
        reach_check("upper-tier", [AKITA], **MRBM, radar="no-such")
    with pytest.raises(ParameterError, match="sites"):
        reach_check("upper-tier", [], **MRBM)
    with pytest.raises(ParameterError, match="site latitude"):
        reach_check("upper-tier", [(95.0, 0.0)], **MRBM)
    with pytest.raises(ParameterError, match="firm_track_s"):
        reach_check("upper-tier", [AKITA], **MRBM, firm_track_s=-1.0)
    with pytest.raises(UnreachableError, match="beyond the reach"):
        reach_check("upper-tier", [AKITA], "srbm", MRBM["launch"], MRBM["aim"])


def test_shared_track_gives_every_site_the_earliest_firm_track():
    sites, names = [AKITA, (34.46, 131.57)], ["Akita", "Mutsumi"]
    own = reach_check("upper-tier", sites, **MRBM, site_names=names, rcs_m2=1.0, margins=False)
    shared = reach_check(
        "upper-tier", sites, **MRBM, site_names=names, rcs_m2=1.0, margins=False,
        shared_track=True,
    )  # fmt: skip
    firm = [s.firm_track_s for s in own.sites]
    best = float(np.nanmin(firm))
    assert [s.firm_track_s for s in shared.sites] == [best, best]
    assert all(s.firm_track_source.startswith("shared (") for s in shared.sites)
    # a later track can only shrink a window: own-radar windows lie inside shared ones
    for a, b in zip(own.sites, shared.sites, strict=True):
        assert not np.any(a.window & ~b.window)
