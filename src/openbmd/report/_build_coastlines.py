"""Regenerate ``openbmd/data/coastlines_50m.npz`` from Natural Earth (run once, at build time).

Where the data come from
------------------------
Natural Earth "Land" polygons at 1:50m (Natural Earth v4.1.0, public domain:
https://www.naturalearthdata.com/about/terms-of-use/), as redistributed in TopoJSON form
by the npm package ``world-atlas`` 2.0.2 (file ``land-50m.json``; packaging by M. Bostock,
ISC licence; the geometry is Natural Earth's). Get it with::

    mkdir -p /tmp/wa && cd /tmp/wa && npm install world-atlas@2.0.2

then run::

    python -m openbmd.report._build_coastlines /tmp/wa/node_modules/world-atlas/land-50m.json

What this script does
---------------------
TopoJSON stores each arc as quantized, delta-encoded integer positions: the first
position is absolute, each later one the difference from the previous, and a point is
``(x * scale_x + translate_x, y * scale_y + translate_y)`` in degrees (longitude,
latitude). Polygon rings list arc indices; ``~i`` (i.e. ``-i - 1``) means arc ``i``
reversed, and consecutive arcs of a ring share their joining point. The script decodes
the arcs, stitches each ring, and cuts out the edges that are not coastline (the
polygons' cuts along the antimeridian and Antarctica's closure along the south pole).
The result is one float32 array of longitudes and one of latitudes, with ``offsets`` so
that segment ``k`` is ``[offsets[k]:offsets[k + 1]]``. At run time nothing is downloaded.
"""

from __future__ import annotations

import argparse
import hashlib
import json
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

#: Where the shipped file lives inside the package.
COASTLINE_RESOURCE = ("data", "coastlines_50m.npz")
SOURCE = (
    "Natural Earth 1:50m land polygons, v4.1.0 (public domain, naturalearthdata.com), "
    "via the npm package world-atlas 2.0.2, file land-50m.json (TopoJSON; packaging "
    "(c) M. Bostock, ISC licence); decoded and stitched by openbmd.report._build_coastlines"
)
LICENCE = "public domain (Natural Earth terms of use)"
#: Edges within this many degrees of the antimeridian or the south pole are polygon cuts.
_CUT_TOL_DEG = 1e-6


def decode_arcs(topology: dict[str, Any]) -> list[npt.NDArray[np.float64]]:
    """Arcs of a quantized TopoJSON topology as ``(n, 2)`` arrays of lon, lat degrees."""
    transform = topology.get("transform")
    arcs = []
    for arc in topology["arcs"]:
        pos = np.asarray(arc, dtype=np.float64)
        if transform is not None:
            pos = np.cumsum(pos, axis=0)
            pos = pos * np.asarray(transform["scale"]) + np.asarray(transform["translate"])
        arcs.append(pos)
    return arcs


def stitch_rings(
    geometry: dict[str, Any], arcs: list[npt.NDArray[np.float64]]
) -> list[npt.NDArray[np.float64]]:
    """Closed rings of a Polygon or MultiPolygon geometry, each ``(n, 2)`` lon, lat."""
    if geometry["type"] == "Polygon":
        polygons = [geometry["arcs"]]
    elif geometry["type"] == "MultiPolygon":
        polygons = geometry["arcs"]
    else:
        raise ValueError(f"unexpected geometry type {geometry['type']!r}")
    rings = []
    for polygon in polygons:
        for ring in polygon:
            parts = []
            for k, index in enumerate(ring):
                arc = arcs[index] if index >= 0 else arcs[~index][::-1]
                parts.append(arc if k == 0 else arc[1:])
            rings.append(np.concatenate(parts, axis=0))
    return rings


def coastline_pieces(ring: npt.NDArray[np.float64]) -> list[npt.NDArray[np.float64]]:
    """Split a ring where it runs along the antimeridian or the south pole (not coast).

    A closed ring is first rotated to start just after a cut, so that the coast on both
    sides of its first vertex stays one polyline.
    """
    cut_edge = _cut_edges(ring)
    if cut_edge.any() and np.array_equal(ring[0], ring[-1]):
        n = ring.shape[0] - 1
        first = int(np.flatnonzero(cut_edge)[0]) + 1
        ring = ring[(first + np.arange(n + 1)) % n]
        cut_edge = _cut_edges(ring)
    pieces = []
    start = 0
    for edge in np.flatnonzero(cut_edge).tolist():
        if edge + 1 - start >= 2:
            pieces.append(ring[start : edge + 1])
        start = edge + 1
    if ring.shape[0] - start >= 2:
        pieces.append(ring[start:])
    return pieces


def _cut_edges(ring: npt.NDArray[np.float64]) -> npt.NDArray[np.bool_]:
    """Edges (between consecutive points) that lie on the antimeridian or the pole."""
    lon, lat = ring[:, 0], ring[:, 1]
    on_cut_meridian = np.abs(np.abs(lon) - 180.0) < _CUT_TOL_DEG
    near_pole = lat < -89.99 + _CUT_TOL_DEG
    return (on_cut_meridian[:-1] & on_cut_meridian[1:]) | (near_pole[:-1] & near_pole[1:])


def build_coastlines(topojson_path: Path) -> dict[str, npt.NDArray[Any]]:
    """Arrays of the shipped coastline file, from a world-atlas ``land-*.json``.

    Returns
    -------
    dict
        ``lon_deg``, ``lat_deg`` (float32, all segments concatenated), ``offsets`` (int64,
        segments + 1), ``source``, ``licence``, ``input_sha256``.
    """
    raw = topojson_path.read_bytes()
    topology = json.loads(raw)
    arcs = decode_arcs(topology)
    pieces: list[npt.NDArray[np.float64]] = []
    for geometry in topology["objects"]["land"]["geometries"]:
        for ring in stitch_rings(geometry, arcs):
            pieces.extend(coastline_pieces(ring))
    lengths = np.array([p.shape[0] for p in pieces], dtype=np.int64)
    points = np.concatenate(pieces, axis=0)
    return {
        "lon_deg": np.ascontiguousarray(points[:, 0], dtype=np.float32),
        "lat_deg": np.ascontiguousarray(points[:, 1], dtype=np.float32),
        "offsets": np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64),
        "source": np.array(SOURCE),
        "licence": np.array(LICENCE),
        "input_sha256": np.array(hashlib.sha256(raw).hexdigest()),
    }


def default_output() -> Path:
    """Path of the shipped file in this source tree."""
    return Path(__file__).resolve().parent.parent.joinpath(*COASTLINE_RESOURCE)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("topojson", type=Path, help="world-atlas land-50m.json")
    parser.add_argument("--output", type=Path, default=default_output(), help="npz to write")
    args = parser.parse_args(argv)
    arrays = build_coastlines(args.topojson)
    np.savez_compressed(args.output, **arrays)  # type: ignore[arg-type]
    n_seg = arrays["offsets"].size - 1
    print(f"wrote {args.output}: {n_seg} segments, {arrays['lon_deg'].size} points")


if __name__ == "__main__":
    main()
