"""Figure of a reach check: the threat's altitude against time with each site's reach.

One column per site. Top: the threat's altitude against time since its launch; the part
of the trajectory the interceptor could reach with an early enough track (kinematic
window) and the part it can reach with the site's firm track (intercept window) are
marked, with the first detection, firm track and early-warning cue times. Bottom: for
each point of the kinematic window, the latest time the interceptor could launch to
reach it, against the earliest time it may launch (firm track + reaction time): the
window is where the curve lies above the line, and the vertical gap at the curve's
maximum is the track margin.
"""

from __future__ import annotations

import io
import math
from typing import Any

import numpy as np


def reach_check_png(result: Any, *, dpi: int = 120) -> bytes:
    """PNG bytes of the figure of a :class:`openbmd.analysis.reach_check.ReachCheck`."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    sites = result.sites
    n = len(sites)
    fig, axes = plt.subplots(
        2, n, figsize=(max(9.0, 5.2 * n + 0.6), 7.8), squeeze=False, sharex=True, sharey="row"
    )
    t = np.asarray(result.time_s, dtype=float)
    alt_km = np.asarray(result.threat_alt_m, dtype=float) / 1e3
    for s, site in enumerate(sites):
        _altitude_panel(axes[0, s], t, alt_km, site, result)
        _launch_panel(axes[1, s], t, site, result)
    axes[0, 0].set_ylabel("threat altitude, km")
    axes[1, 0].set_ylabel("interceptor launch time, s after threat launch")
    for ax in axes[1]:
        ax.set_xlabel("intercept time, s after threat launch")
    fig.suptitle(_title(result), fontsize=10)
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi)
    plt.close(fig)
    return buf.getvalue()


def _spans(mask: np.ndarray) -> list[tuple[int, int]]:
    """(first, last) index of each run of True."""
    m = np.concatenate([[False], np.asarray(mask, dtype=bool), [False]])
    edges = np.flatnonzero(np.diff(m.astype(np.int8)))
    return [(int(a), int(b) - 1) for a, b in zip(edges[::2], edges[1::2], strict=True)]


def _altitude_panel(ax: Any, t: np.ndarray, alt_km: np.ndarray, site: Any, result: Any) -> None:
    ax.plot(t, alt_km, color="0.3", lw=1.2, label="threat (RV) altitude")
    kin = np.isfinite(site.kinematic_launch_s)
    for k, (a, b) in enumerate(_spans(kin)):
        ax.plot(
            t[a : b + 1],
            alt_km[a : b + 1],
            color="tab:orange",
            lw=5,
            alpha=0.45,
            label="reachable with an early enough track" if k == 0 else None,
        )
    for k, (a, b) in enumerate(_spans(site.window)):
        ax.plot(
            t[a : b + 1],
            alt_km[a : b + 1],
            color="tab:green",
            lw=3,
            label="intercept window (with this track)" if k == 0 else None,
        )
    for k, (a, b) in enumerate(_spans(site.detectable)):
        ax.axvspan(
            t[a],
            t[b],
            color="tab:blue",
            alpha=0.08,
            label="detectable by the site's radar" if k == 0 else None,
        )
    _vline(ax, site.first_detection_s, "tab:blue", ":", "first detection")
    _vline(ax, site.firm_track_s, "tab:blue", "--", "firm track")
    _vline(ax, result.cue_report_s, "tab:purple", "-.", "early-warning cue")
    ax.set_title(
        f"{site.name}: {'REACHABLE' if site.reachable else 'not reachable'}"
        + ("" if site.reachable else f" ({site.reason})")
        + f"\nclosest ground range {site.closest_ground_range_m / 1e3:,.0f} km",
        fontsize=9,
    )
    ax.set_ylim(bottom=0.0)
    ax.grid(alpha=0.3)
    ax.legend(loc="upper right", fontsize=7)


def _launch_panel(ax: Any, t: np.ndarray, site: Any, result: Any) -> None:
    launch = np.asarray(site.kinematic_launch_s, dtype=float)
    if np.any(np.isfinite(launch)):
        ax.plot(t, launch, color="tab:orange", lw=1.5, label="latest launch to reach the point")
        ax.axhline(0.0, color="0.5", lw=0.8, label="threat launch")
        if not math.isfinite(site.firm_track_s):
            ax.axhline(
                result.reaction_time_s,
                color="tab:blue",
                ls=":",
                lw=1.2,
                label="best case: track at threat launch + reaction",
            )
        else:
            earliest = site.firm_track_s + result.reaction_time_s
            ax.axhline(
                earliest, color="tab:blue", ls="--", lw=1.2, label="firm track + reaction time"
            )
            ok = np.isfinite(launch) & (launch >= earliest)
            ax.fill_between(t, earliest, launch, where=ok, color="tab:green", alpha=0.3)
        best = int(np.nanargmax(launch))
        ax.plot(t[best], launch[best], "o", color="tab:red", ms=4)
        ax.annotate(
            f"track needed by {site.latest_firm_track_s:.0f} s",
            (t[best], launch[best]),
            textcoords="offset points",
            xytext=(6, 6) if best < 0.5 * t.size else (-6, 6),
            ha="left" if best < 0.5 * t.size else "right",
            fontsize=7,
        )
        ax.legend(loc="lower right", fontsize=7)
    else:
        ax.text(
            0.5,
            0.5,
            "no point of the trajectory\nis within the interceptor's reach",
            transform=ax.transAxes,
            ha="center",
            va="center",
            fontsize=9,
        )
    ax.grid(alpha=0.3)


def _vline(ax: Any, x: float, color: str, style: str, label: str) -> None:
    if x is not None and math.isfinite(x):
        ax.axvline(x, color=color, ls=style, lw=1.0, label=f"{label} ({x:.0f} s)")


def _title(result: Any) -> str:
    sm = result.speed_margin_m_s
    if math.isfinite(sm):
        bound = {"at least": "above ", "at most": "below "}.get(result.speed_margin_bound, "")
        speed = (
            f"speed margin {bound}{sm:+,.0f} m/s (burnout {result.burnout_speed_m_s:,.0f} m/s; "
            f"{result.speed_margin_basis})"
        )
    else:
        speed = "speed margin not computed"
    tm = result.track_margin_s
    track = f"track margin {tm:+.0f} s" if math.isfinite(tm) else "track margin: no track"
    return (
        f"{result.interceptor} vs {result.missile} ({result.shape}) from "
        f"{result.launch_lat_deg:g},{result.launch_lon_deg:g} to "
        f"{result.aim_lat_deg:g},{result.aim_lon_deg:g}\n"
        f"{'REACHABLE' if result.reachable else 'NOT reachable'}: {speed}; {track}\n"
        "generic nominal analysis (openbmd reach-check, docs/reach-check.md)"
    )
