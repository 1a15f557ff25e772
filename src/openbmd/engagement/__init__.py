"""Engagements: intercept windows, doctrine, weapon-target assignment, effectiveness.

- :class:`ThreatTracks`, :class:`LaunchSites`, :func:`intercept_windows` ->
  :class:`InterceptWindows`: every feasible intercept of threats x sites x times.
- :func:`plan_salvo`, :func:`plan_shoot_look_shoot`, :func:`plan_layered`: doctrine.
- :func:`assign_weapons` -> :class:`Assignment` with a :class:`DecisionLog`.
- :func:`salvo_kill_probability`, :func:`sls_kill_probability`, :func:`raid_outcome`,
  :func:`shots_needed`: the analytic model of Wilkening (2000).
"""

from openbmd.engagement.battle import Assignment, DecisionLog, assign_weapons
from openbmd.engagement.doctrine import plan_layered, plan_salvo, plan_shoot_look_shoot
from openbmd.engagement.effectiveness import (
    raid_outcome,
    salvo_kill_probability,
    shots_needed,
    sls_kill_probability,
)
from openbmd.engagement.tracks import LaunchSites, ThreatTracks
from openbmd.engagement.windows import InterceptWindows, intercept_windows

__all__ = [
    "Assignment",
    "DecisionLog",
    "InterceptWindows",
    "LaunchSites",
    "ThreatTracks",
    "assign_weapons",
    "intercept_windows",
    "plan_layered",
    "plan_salvo",
    "plan_shoot_look_shoot",
    "raid_outcome",
    "salvo_kill_probability",
    "shots_needed",
    "sls_kill_probability",
]
