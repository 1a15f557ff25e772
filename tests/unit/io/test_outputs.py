"""Outputs of a run: Parquet tables, CZML and KML scenes, the atomic run folder."""

from __future__ import annotations

import json
import os
import xml.etree.ElementTree as ET
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest

from fixtures_runresult import SUMMARY, make_run_result
from openbmd.errors import OpenBMDError
from openbmd.io.kml import scene_kml
from openbmd.io.parquet import read_table, write_table
from openbmd.io.runstore import scenario_sha256
from openbmd.io.scene_czml import scene_czml
from openbmd.pipeline.result import EVENT_COLUMNS, SITE_COLUMNS, TRAJECTORY_COLUMNS
from openbmd.report.run_folder import RUN_FILES, write_run_folder

KML = "{http://www.opengis.net/kml/2.2}"
GX = "{http://www.google.com/kml/ext/2.2}"

UNITS = {
    "time_s": "s",
    "lat_deg": "deg",
    "lon_deg": "deg",
    "alt_m": "m",
    "x_ecef_m": "m",
    "y_ecef_m": "m",
    "z_ecef_m": "m",
    "max_range_m": "m",
}


# -- Parquet ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "columns"),
    [("events", EVENT_COLUMNS), ("trajectories", TRAJECTORY_COLUMNS), ("sites", SITE_COLUMNS)],
)
def test_parquet_round_trip_types_and_units(tmp_path: Path, name, columns):
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = getattr(make_run_result(), name)
    path = write_table(table, tmp_path / f"{name}.parquet", name=name, metadata={"run_id": "r1"})
    back, units = read_table(path)
    assert list(back) == list(columns)
    for col in columns:
        expected = np.asarray(table[col])
        if expected.dtype == object:
            assert back[col].dtype == object
            assert back[col].tolist() == expected.tolist()
            assert units[col] == ""
        else:
            assert back[col].dtype == np.float64
            np.testing.assert_array_equal(back[col], expected)  # NaN == NaN here
            assert units[col] == UNITS[col], col
    schema = pq.read_schema(path)
    assert schema.metadata[b"openbmd.table"] == name.encode()
    assert schema.metadata[b"openbmd.run_id"] == b"r1"
    for fld in schema:
        assert fld.type in (pa.float64(), pa.string()), fld
        assert fld.metadata[b"description"], fld.name
        assert not fld.nullable


def test_parquet_extra_and_empty_columns(tmp_path: Path):
    table = {
        "time_s": np.array([]),
        "kind": np.array([], dtype=object),
        "count": np.array([], dtype=np.int64),
    }
    back, units = read_table(write_table(table, tmp_path / "e.parquet", name="x"))
    assert [len(v) for v in back.values()] == [0, 0, 0]
    assert units == {"time_s": "s", "kind": "", "count": ""}


# -- CZML ------------------------------------------------------------------------------


def test_czml_scene_packets_clock_and_times():
    import czml3

    result = make_run_result()
    text = scene_czml(result, run_id="abc")
    packets = json.loads(text)
    ids = [p["id"] for p in packets]
    assert ids[0] == "document"
    assert {"object/T1-RV", "object/T1-RB", "object/T2-RV", "object/I1"} <= set(ids)
    assert {"site/R1", "site/S1", "coverage/R1"} <= set(ids)
    events = [p for p in packets if p["id"].startswith("event/")]
    assert sorted(p["name"] for p in events) == ["intercept T1 (I1)", "leaker T2"]
    doc = packets[0]
    assert doc["clock"]["currentTime"] == "2020-06-01T12:00:00.000Z"  # epoch from the run
    assert doc["clock"]["interval"].startswith("2020-06-01T12:00:00.000Z/")
    assert "abc" in doc["name"]

    rv = packets[ids.index("object/T1-RV")]
    cart = rv["position"]["cartesian"]
    assert rv["position"]["referenceFrame"] == "FIXED"
    assert len(cart) == 4 * 25 and cart[0] == 0.0
    r = np.linalg.norm(np.asarray(cart).reshape(-1, 4)[:, 1:], axis=1)
    assert np.all((r > 6.3e6) & (r < 6.7e6))  # ECEF metres
    assert rv["availability"] == "2020-06-01T12:00:00.000Z/2020-06-01T12:07:00.000Z"
    i1 = packets[ids.index("object/I1")]
    assert i1["position"]["epoch"] == "2020-06-01T12:05:00.000Z"  # launched at t = 300 s

    hit = next(p for p in events if p["name"].startswith("intercept"))
    assert hit["availability"].startswith("2020-06-01T12:06:00.000Z/")  # t = 360 s
    assert hit["position"]["cartographicDegrees"] == [128.1, 36.4, 2.0e5]
    site = packets[ids.index("site/R1")]
    assert site["label"]["text"] == "R1"
    assert site["position"]["cartographicDegrees"] == [127.0, 37.0, 100.0]
    cov = packets[ids.index("coverage/R1")]["polyline"]["positions"]["cartographicDegrees"]
    assert len(cov) == 3 * 73

    # czml3 reads every packet back unchanged
    doc3 = czml3.Document(packets=[czml3.Packet(**p) for p in packets])
    assert json.loads(doc3.dumps()) == packets


def test_czml_thins_long_paths_and_skips_repeated_times():
    result = make_run_result()
    packets = json.loads(scene_czml(result, max_points_per_object=5))
    rv = next(p for p in packets if p["id"] == "object/T1-RV")
    t = np.asarray(rv["position"]["cartesian"]).reshape(-1, 4)[:, 0]
    assert len(t) == 5 and t[0] == 0.0 and t[-1] == pytest.approx(420.0)
    assert np.all(np.diff(t) > 0)


# -- KML -------------------------------------------------------------------------------


def test_kml_is_well_formed_with_placemarks_and_tracks():
    root = ET.fromstring(scene_kml(make_run_result(), run_id="abc"))
    doc = root.find(f"{KML}Document")
    assert doc is not None and "abc" in doc.findtext(f"{KML}name", "")
    folders = {f.findtext(f"{KML}name"): f for f in doc.findall(f"{KML}Folder")}
    assert list(folders) == ["Sites", "Radar coverage", "Trajectories", "Moving objects", "Events"]

    names = [p.findtext(f"{KML}name") for p in folders["Sites"].iter(f"{KML}Placemark")]
    assert names == ["R1", "S1"]
    paths = list(folders["Trajectories"].iter(f"{KML}Placemark"))
    assert [p.findtext(f"{KML}name") for p in paths] == ["T1-RV", "T1-RB", "T2-RV", "I1"]
    line = paths[0].find(f"{KML}LineString")
    assert line is not None and line.findtext(f"{KML}altitudeMode") == "absolute"
    coords = [c.split(",") for c in line.findtext(f"{KML}coordinates", "").split()]
    assert len(coords) == 25 and all(len(c) == 3 for c in coords)
    assert max(float(c[2]) for c in coords) == pytest.approx(2.5e5, rel=0.01)  # apogee, m
    assert paths[0].findtext(f"{KML}TimeSpan/{KML}begin") == "2020-06-01T12:00:00.000Z"

    tracks = list(folders["Moving objects"].iter(f"{GX}Track"))
    assert len(tracks) == 4
    assert len(tracks[0].findall(f"{KML}when")) == len(tracks[0].findall(f"{GX}coord")) == 25

    events = {p.findtext(f"{KML}name"): p for p in folders["Events"].iter(f"{KML}Placemark")}
    assert set(events) == {"intercept T1 (I1)", "leaker T2"}
    begin = events["intercept T1 (I1)"].findtext(f"{KML}TimeSpan/{KML}begin")
    assert begin == "2020-06-01T12:06:00.000Z"
    cov = next(folders["Radar coverage"].iter(f"{KML}LineString"))
    assert cov.findtext(f"{KML}altitudeMode") == "clampToGround"


def test_kml_escapes_names():
    sites = dict(make_run_result().sites)
    sites["site_id"] = np.array(["R<1>&", "S1"], dtype=object)
    root = ET.fromstring(scene_kml(make_run_result(sites=sites)))
    assert "R<1>&" in [p.findtext(f"{KML}name") for p in root.iter(f"{KML}Placemark")]


# -- the run folder --------------------------------------------------------------------


def test_write_run_folder_writes_everything(tmp_path: Path):
    result = make_run_result()
    created = datetime(2024, 5, 6, 7, 8, 9, tzinfo=UTC)
    out = tmp_path / "runs" / "first"
    paths = write_run_folder(result, out, run_id="240506-070809-abcd", created=created)
    assert set(paths) == set(RUN_FILES)
    assert sorted(p.name for p in out.iterdir()) == sorted(RUN_FILES.values())
    assert os.listdir(out.parent) == ["first"]  # no temporary folder left beside it
    for key, path in paths.items():
        assert path == out / RUN_FILES[key] and path.stat().st_size > 0, key

    summary = json.loads(paths["summary"].read_text())
    run_info = json.loads(paths["run"].read_text())
    assert run_info["run_id"] == "240506-070809-abcd"
    assert "run_id" not in summary and "created_utc" not in summary  # deterministic file
    assert summary["seed"] == 1234 and summary["software_version"] == "0.1.0"
    assert summary["scenario_sha256"] == scenario_sha256(result.scenario_yaml)
    timing = {k: v for k, v in SUMMARY.items() if k == "stage_seconds"}
    assert summary["summary"] == {k: v for k, v in SUMMARY.items() if k not in timing}
    assert run_info["created_utc"] == "2024-05-06T07:08:09.000Z"
    assert {k: run_info[k] for k in timing} == timing
    assert summary["epoch_utc"] == "2020-06-01T12:00:00.000Z"
    assert summary["sources"] == result.sources
    assert paths["scenario"].read_text() == result.scenario_yaml
    for key in ("map", "altitude", "timeline"):
        assert paths[key].read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    events, units = read_table(paths["events"])
    assert events["kind"].tolist() == list(result.events["kind"])
    assert units["time_s"] == "s"
    json.loads(paths["czml"].read_text())
    ET.parse(paths["kml"])
    assert "240506-070809-abcd" in paths["report"].read_text()


def test_failure_midway_leaves_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    import openbmd.report.run_folder as rf

    def broken(*args, **kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(rf, "write_scene_kml", broken)  # the last file written
    with pytest.raises(RuntimeError, match="disk on fire"):
        write_run_folder(make_run_result(), tmp_path / "run")
    assert os.listdir(tmp_path) == []

    # an existing folder being replaced survives a failed rewrite untouched
    old = tmp_path / "old"
    old.mkdir()
    (old / "keep.txt").write_text("old run")
    with pytest.raises(RuntimeError):
        write_run_folder(make_run_result(), old, overwrite=True)
    assert os.listdir(tmp_path) == ["old"]
    assert os.listdir(old) == ["keep.txt"]


def test_existing_folder_rules(tmp_path: Path):
    result = make_run_result()
    empty = tmp_path / "empty"
    empty.mkdir()
    write_run_folder(result, empty)  # an empty folder is simply filled
    assert (empty / "report.html").is_file()

    with pytest.raises(OpenBMDError, match="already exists and is not empty"):
        write_run_folder(result, empty)
    (empty / "stale.txt").write_text("x")
    write_run_folder(result, empty, overwrite=True)
    assert not (empty / "stale.txt").exists()
    assert sorted(os.listdir(tmp_path)) == ["empty"]


def test_unwritable_target_fails_first_with_one_line(tmp_path: Path, monkeypatch):
    import openbmd.report.run_folder as rf

    def never(*args, **kwargs):
        raise AssertionError("work started before the target was checked")

    monkeypatch.setattr(rf, "write_table", never)
    blocker = tmp_path / "file"
    blocker.write_text("x")
    for target, message in (
        (blocker, "a file is in the way"),
        (blocker / "run", "is a file"),
        (blocker / "deeper" / "run", "cannot create the folder"),
    ):
        with pytest.raises(OpenBMDError, match=message) as err:
            write_run_folder(make_run_result(), target)
        assert "\n" not in str(err.value)


def test_read_only_parent(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    import openbmd.report.run_folder as rf

    # simulated: the tests may run as root, who writes anywhere
    monkeypatch.setattr(rf.os, "access", lambda path, mode: False)
    with pytest.raises(OpenBMDError, match=r"cannot write run folder .*: .* is not writable"):
        write_run_folder(make_run_result(), tmp_path / "run")
    assert os.listdir(tmp_path) == []
