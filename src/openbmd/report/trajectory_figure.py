"""Figure of one threat trajectory: altitude against ground range, and ground track."""

from __future__ import annotations

import io
from typing import Any

import numpy as np


def trajectory_png(traj: Any, *, step_s: float = 2.0, dpi: int = 120) -> bytes:
    """PNG bytes of a two-panel figure of a :class:`~openbmd.threats.ThreatTrajectory`."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from openbmd.geodesy import ecef_to_geodetic, geodesic_inverse

    samples = traj.sample(step_s)
    t, r, _ = samples.of(0)
    lat, lon, alt = (np.atleast_1d(a) for a in ecef_to_geodetic(r))
    f = traj.flight
    lat0, lon0 = float(f.launch_lat_deg[0]), float(f.launch_lon_deg[0])
    down, _, _ = geodesic_inverse(np.full(lat.size, lat0), np.full(lat.size, lon0), lat, lon)
    s = traj.summary()

    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(11, 4.2))
    ax1.plot(np.asarray(down) / 1e3, alt / 1e3, color="tab:red")
    bo = float(f.burnout_time_s[0])
    j = int(np.searchsorted(t - t[0], bo))
    if j < lat.size:
        ax1.plot(np.asarray(down)[j] / 1e3, alt[j] / 1e3, "ko", ms=4, label="burnout")
        ax1.legend(loc="upper right")
    ax1.set_xlabel("ground range, km")
    ax1.set_ylabel("altitude, km")
    ax1.set_title(
        f"{traj.missile.name}, {traj.shape}: apogee {s['apogee_alt_km']:.0f} km, "
        f"{s['time_of_flight_s']:.0f} s"
    )
    ax1.grid(alpha=0.3)
    ax2.plot(lon, lat, color="tab:red")
    ax2.plot(lon0, lat0, "k^", label="launch")
    ax2.plot(traj.aim_lon_deg, traj.aim_lat_deg, "kx", label="aim")
    ax2.set_xlabel("longitude, deg")
    ax2.set_ylabel("latitude, deg")
    ax2.set_aspect(1.0 / max(np.cos(np.radians(np.mean(lat))), 0.2))
    ax2.set_title(f"ground track, {s['ground_range_km']:.0f} km")
    ax2.legend(loc="best")
    ax2.grid(alpha=0.3)
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi)
    plt.close(fig)
    return buf.getvalue()
