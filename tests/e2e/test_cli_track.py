"""``openbmd track`` as a user runs it: the MRBM seen by one S-band array, bad input."""

from __future__ import annotations

import json
import math

import pytest
from test_cli import assert_user_error, run

from openbmd.tracking.scenario_track import SCORE_KEYS

MRBM = ("--missile", "mrbm", "--launch", "39.0,125.7", "--aim", "35.7,139.7")


@pytest.fixture(scope="module")
def mrbm_run():
    proc = run("track", *MRBM, "--radar", "s-band-array@39.7,140.1", "--seed", "0", "--json")
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def test_track_json_has_one_entry_per_object_with_exactly_the_keys(mrbm_run):
    objects = mrbm_run["objects"]
    assert [o["object"] for o in objects] == ["reentry-vehicle", "rocket-body"]
    for o in objects:
        assert tuple(o) == SCORE_KEYS, f"keys {list(o)}"


def test_track_rv_gets_a_firm_track_with_finite_scores(mrbm_run):
    rv = mrbm_run["objects"][0]
    # the RV (nose-on RCS ~0.01 m^2) is first detected in its descent toward the radar;
    # the flight lasts ~620 s
    assert 0.0 < rv["time_to_firm_track_s"] < 600.0, rv
    for key in ("position_rmse_m", "velocity_rmse_m_s", "mean_nees",
                "impact_point_error_m_first_firm", "impact_point_error_m_end"):  # fmt: skip
        assert isinstance(rv[key], float) and math.isfinite(rv[key]), f"{key}: {rv[key]}"
    assert isinstance(rv["nees_within_95pct_band"], bool)
    # a ~1 mrad radar at ~1,000 km: a few hundred metres to about a kilometre RMS
    assert 10.0 < rv["position_rmse_m"] < 3000.0, rv
    assert 0.5 < rv["mean_nees"] < 30.0, rv
    assert rv["impact_point_error_m_end"] < rv["impact_point_error_m_first_firm"], (
        "the impact prediction must improve from the first firm track to the last update"
    )
    assert rv["impact_point_error_m_end"] < 2000.0, rv


def test_track_radar_that_never_sees_the_threat_gets_a_note():
    proc = run("track", *MRBM, "--radar", "s-band-array@-33.9,18.4", "--json",
               "--no-early-warning")  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    for o in json.loads(proc.stdout)["objects"]:
        assert o["time_to_firm_track_s"] is None
        assert o["nees_within_95pct_band"] is None
        assert "never detected" in o["note"]


@pytest.mark.parametrize(
    ("radar", "fragment"),
    [
        ("no-such-radar@39.7,140.1", "s-band-array"),
        ("s-band-array", "CLASS@LAT,LON"),
        ("s-band-array@39.7", "LAT,LON"),
        ("s-band-array@95,140", "latitude"),
        ("@39.7,140.1", "CLASS@LAT,LON"),
    ],
)
def test_track_bad_radar_is_one_line_exit_2(radar, fragment):
    proc = run("track", *MRBM, "--radar", radar)
    assert_user_error(proc, fragment)
    assert len(proc.stderr.strip().splitlines()) == 1, proc.stderr


def test_track_without_radar_is_a_user_error():
    proc = run("track", *MRBM)
    assert_user_error(proc, "radar")
    assert len(proc.stderr.strip().splitlines()) == 1, proc.stderr
