"""Figure of an interceptor's reach: fly-out fan, time-to-reach contours, limits."""

from __future__ import annotations

import io
import math
from typing import Any

import numpy as np


def flyout_png(interceptor: Any, table: Any, fan: Any, *, dpi: int = 120) -> bytes:
    """PNG bytes: altitude against ground range with the fan, time contours and limits.

    Parameters
    ----------
    interceptor : openbmd.interceptors.interceptor.Interceptor
    table : openbmd.interceptors.flyout.TimeToReach
    fan : openbmd.interceptors.flyout.FlyoutFan
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(9.0, 6.0))
    step = max(1, fan.kick_angle_rad.size // 30)
    for k in range(0, fan.kick_angle_rad.size, step):
        ax.plot(
            fan.ground_range_m[k] / 1e3,
            fan.altitude_m[k] / 1e3,
            color="0.75",
            lw=0.6,
            zorder=1,
        )
    # the ground row holds only impacts (long, falling arrivals): leave it out
    t = table.time_s[:, 1:]
    finite = t[np.isfinite(t)]
    if finite.size:
        levels = _nice_levels(float(np.percentile(finite, 98)))
        cs = ax.contour(
            table.ground_range_m / 1e3,
            table.altitude_m[1:] / 1e3,
            t.T,
            levels=levels,
            cmap="viridis",
            linewidths=1.0,
            zorder=2,
        )
        ax.clabel(cs, fmt="%g s", fontsize=7)
    ex, eh = table.envelope()
    ax.plot(ex / 1e3, eh / 1e3, color="k", lw=1.5, label="reach (time-to-reach table)", zorder=3)
    x_top = float(np.max(ex)) / 1e3 if ex.size else 1.0
    for alt, name in (
        (interceptor.min_intercept_alt_m, "min intercept altitude"),
        (interceptor.max_intercept_alt_m, "max intercept altitude"),
    ):
        if alt <= table.max_altitude_m:
            ax.axhline(alt / 1e3, color="tab:red", ls="--", lw=1.0, label=name, zorder=3)
    if math.isfinite(interceptor.max_ground_range_m):
        ax.axvline(
            interceptor.max_ground_range_m / 1e3,
            color="tab:orange",
            ls=":",
            lw=1.2,
            label="ground-range cap",
            zorder=3,
        )
    ax.set_xlim(0.0, 1.02 * x_top)
    ax.set_ylim(0.0, 1.05 * float(table.max_altitude_m) / 1e3)
    ax.set_aspect("equal", adjustable="box")
    ax.set_xlabel("ground range from the launch site, km")
    ax.set_ylabel("altitude, km")
    ax.set_title(
        f"{interceptor.name}: fly-out fan and time to reach (s); burnout "
        f"{table.burnout_speed_m_s / 1e3:.2f} km/s at {table.burnout_time_s:g} s\n"
        "no Earth rotation, J2 gravity and drag, zero-lift pitch programme",
        fontsize=10,
    )
    ax.legend(loc="upper right", fontsize=8)
    ax.grid(alpha=0.3)
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi)
    plt.close(fig)
    return buf.getvalue()


def _nice_levels(t_max: float) -> np.ndarray:
    """About a dozen round contour levels below ``t_max`` (s)."""
    raw = t_max / 12.0
    p = 10.0 ** math.floor(math.log10(raw))
    step = next(m * p for m in (1.0, 2.0, 5.0, 10.0) if m * p >= raw)
    return np.arange(step, t_max, step)
