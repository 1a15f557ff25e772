"""Shipped Natural Earth coastlines, their TopoJSON decoder, and the map helpers."""

from __future__ import annotations

import json

import numpy as np
import pytest

from openbmd.errors import ParameterError
from openbmd.report._build_coastlines import (
    build_coastlines,
    coastline_pieces,
    decode_arcs,
    stitch_rings,
)
from openbmd.report.maps import (
    check_extent,
    draw_coastlines,
    figure_png,
    load_coastlines,
    map_axes,
)

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _near(coast, lat, lon, radius_deg):
    d2 = (coast.lat_deg - lat) ** 2 + ((coast.lon_deg - lon) * np.cos(np.radians(lat))) ** 2
    return bool(np.any(d2 < radius_deg**2))


def test_shipped_coastlines_load_with_provenance():
    coast = load_coastlines()
    assert load_coastlines() is coast  # cached
    assert coast.n_segments > 1000
    assert coast.lon_deg.dtype == np.float32 and coast.lon_deg.size == coast.offsets[-1]
    assert "Natural Earth" in coast.source and "public domain" in coast.licence
    assert coast.lon_deg.min() >= -180.0 and coast.lon_deg.max() <= 180.0
    # Natural Earth land reaches ~83.6 N (Greenland) and ~85.2 S (Antarctica, 50m)
    assert 83.0 < coast.lat_deg.max() < 84.0
    assert -86.0 < coast.lat_deg.min() < -84.0
    assert not coast.lon_deg.flags.writeable


def test_coastlines_are_where_coasts_are():
    coast = load_coastlines()
    assert _near(coast, 35.3, 139.7, 0.3)  # Tokyo Bay
    assert _near(coast, 39.0, 125.0, 0.8)  # west coast of the Korean peninsula
    assert _near(coast, 51.0, 1.5, 0.3)  # Strait of Dover
    assert not _near(coast, 10.0, -140.0, 5.0)  # open Pacific
    assert not _near(coast, 0.0, -25.0, 3.0)  # mid Atlantic
    # the polygons' cuts along the antimeridian were removed (Chukotka, Fiji, Antarctica)
    on_cut = np.abs(np.abs(coast.lon_deg) - 180.0) < 1e-4
    starts, ends = coast.offsets[:-1], coast.offsets[1:] - 1
    for a, b in zip(starts, ends, strict=True):
        seg = on_cut[a : b + 1]
        assert not np.any(seg[:-1] & seg[1:]), "a segment runs along the antimeridian"


def test_segments_in_an_extent_and_across_the_antimeridian():
    coast = load_coastlines()
    japan = coast.segments((128.0, 146.0, 30.0, 46.0))
    assert 10 < len(japan) < coast.n_segments
    for seg in japan:
        assert seg[:, 0].max() >= 128.0 and seg[:, 0].min() <= 146.0
    pacific = coast.segments((160.0, 200.0, -25.0, 70.0))
    lons = np.concatenate([s[:, 0] for s in pacific])
    assert lons.max() > 180.0  # Alaska and Polynesia shifted by +360
    assert lons.min() < 180.0


def test_check_extent():
    assert check_extent([120, 150, 20, 50]) == (120.0, 150.0, 20.0, 50.0)
    for bad in ([1, 2, 3], [150, 120, 20, 50], [0, 10, 50, 40], [0, 10, -95, 0], "x"):
        with pytest.raises(ParameterError, match="extent"):
            check_extent(bad)


def test_map_axes_aspect_and_coastline_figure():
    fig, ax = map_axes((125.0, 145.0, 30.0, 45.0))
    assert ax.get_aspect() == pytest.approx(1.0 / np.cos(np.radians(37.5)))
    assert ax.get_xlim() == (125.0, 145.0)
    lines = draw_coastlines(ax)
    assert len(lines.get_segments()) > 10
    png = figure_png(fig)
    assert png.startswith(PNG_SIGNATURE) and len(png) > 5_000


def _tiny_topology():
    """Two quantized arcs forming one square ring, one edge on the antimeridian."""
    # quantized grid: x in [0, 4] -> lon 176 + x, y in [0, 4] -> lat 10 + y
    return {
        "type": "Topology",
        "transform": {"scale": [1.0, 1.0], "translate": [176.0, 10.0]},
        "arcs": [
            [[0, 0], [4, 0], [0, 4]],  # (176,10) -> (180,10) -> (180,14): delta-encoded
            [[4, 4], [-4, 0], [0, -4]],  # (180,14) -> (176,14) -> (176,10)
        ],
        "objects": {
            "land": {
                "type": "GeometryCollection",
                "geometries": [{"type": "Polygon", "arcs": [[0, 1]]}],
            }
        },
    }


def test_topojson_decoding_and_cut_removal(tmp_path):
    topo = _tiny_topology()
    arcs = decode_arcs(topo)
    np.testing.assert_array_equal(arcs[0], [[176, 10], [180, 10], [180, 14]])
    np.testing.assert_array_equal(arcs[1], [[180, 14], [176, 14], [176, 10]])
    path = tmp_path / "land.json"
    path.write_text(json.dumps(topo))
    out = build_coastlines(path)
    # the ring minus its antimeridian edge: one open polyline of 4 points
    assert out["offsets"].tolist() == [0, 4]
    np.testing.assert_array_equal(out["lon_deg"], [180, 176, 176, 180])
    np.testing.assert_array_equal(out["lat_deg"], [14, 14, 10, 10])
    assert "Natural Earth" in str(out["source"])
    ring = np.array([[0, 0], [1, 0], [1, 1], [0, 1], [0, 0]], dtype=float)
    assert len(coastline_pieces(ring)) == 1  # no cut: the whole ring


def test_reversed_arcs_are_walked_backwards():
    arcs = [
        np.array([[0.0, 0.0], [1.0, 0.0], [1.0, 1.0]]),
        np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 1.0]]),
    ]
    (ring,) = stitch_rings({"type": "Polygon", "arcs": [[0, ~1]]}, arcs)
    np.testing.assert_array_equal(ring, [[0, 0], [1, 0], [1, 1], [0, 1], [0, 0]])
