"""CZML (Cesium) output, written with czml3."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np

#: Calendar time of openbmd's scenario epoch (t = 0) in CZML files unless given.
DEFAULT_EPOCH = datetime(2018, 1, 1, tzinfo=UTC)


def _iso(t: datetime) -> str:
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def trajectory_czml(traj: Any, *, epoch: datetime = DEFAULT_EPOCH, step_s: float = 2.0) -> str:
    """A CZML document with the trajectory as a time-dynamic path (Earth-fixed frame).

    Parameters
    ----------
    traj : openbmd.threats.ThreatTrajectory
    epoch : datetime
        Calendar time of the scenario epoch (t = 0 s).
    step_s : float
        Sampling interval of the path, s.
    """
    from czml3 import CZML_VERSION, Document, Packet
    from czml3.enums import InterpolationAlgorithms
    from czml3.properties import (
        Clock,
        Color,
        Path,
        Point,
        PolylineMaterial,
        Position,
        SolidColorMaterial,
    )
    from czml3.types import TimeInterval

    samples = traj.sample(step_s)
    t, r, _ = samples.of(0)
    start, end = epoch + timedelta(seconds=float(t[0])), epoch + timedelta(seconds=float(t[-1]))
    cart = np.column_stack([t - t[0], r]).ravel().tolist()
    interval = TimeInterval(start=_iso(start), end=_iso(end))
    name = f"{traj.missile.name} ({traj.shape})"
    doc = Document(
        packets=[
            Packet(
                id="document",
                name="openbmd trajectory",
                version=CZML_VERSION,
                clock=Clock(interval=interval, currentTime=_iso(start), multiplier=10),
            ),
            Packet(
                id=f"threat-{traj.missile.name}",
                name=name,
                availability=interval,
                position=Position(
                    epoch=_iso(start),
                    cartesian=cart,
                    referenceFrame="FIXED",
                    interpolationAlgorithm=InterpolationAlgorithms.LAGRANGE,
                    interpolationDegree=5,
                ),
                point=Point(pixelSize=8, color=Color(rgba=[255, 80, 40, 255])),
                path=Path(
                    width=2,
                    leadTime=0,
                    trailTime=1e6,
                    resolution=step_s,
                    material=PolylineMaterial(
                        solidColor=SolidColorMaterial(color=Color(rgba=[255, 80, 40, 255]))
                    ),
                ),
            ),
        ]
    )
    return doc.dumps()
