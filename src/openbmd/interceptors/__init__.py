"""Interceptors: generic classes with sources, fly-out and reach, homing endgame.

- :class:`Interceptor`, :func:`get_interceptor`, :func:`interceptor_names`: the
  ``upper-tier``, ``terminal-high`` and ``lower-tier`` classes.
- :func:`flyout_fan`, :func:`time_to_reach_table` -> :class:`TimeToReach`: where and how
  fast an interceptor reaches (cached on disk under ``$OPENBMD_HOME/cache/flyout``).
- :func:`simulate_homing`, :func:`homing_monte_carlo`, :func:`linear_engagement`: the
  proportional-navigation endgame and its miss distance; :func:`kill_probability`.
"""

from openbmd.interceptors.catalog import get_interceptor, interceptor_names
from openbmd.interceptors.flyout import FlyoutFan, flyout_fan, time_to_reach_table
from openbmd.interceptors.homing import (
    HomingResult,
    collision_course_states,
    homing_monte_carlo,
    kill_probability,
    linear_engagement,
    simulate_homing,
)
from openbmd.interceptors.interceptor import Interceptor
from openbmd.interceptors.time_to_reach import TimeToReach

__all__ = [
    "FlyoutFan",
    "HomingResult",
    "Interceptor",
    "TimeToReach",
    "collision_course_states",
    "flyout_fan",
    "get_interceptor",
    "homing_monte_carlo",
    "interceptor_names",
    "kill_probability",
    "linear_engagement",
    "simulate_homing",
    "time_to_reach_table",
]
