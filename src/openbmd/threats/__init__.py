"""Ballistic threats, modelled only as far as a defence analysis needs.

- :class:`Missile`, :class:`Stage`: generic point-mass missiles with a gravity-turn pitch
  programme; :func:`get_missile` loads a catalog class (``srbm``, ``mrbm``, ``irbm``,
  ``icbm``) with the public source of every parameter.
- :func:`solve_trajectory`: the trajectory from a launch point to an aim point for a
  shape (``min-energy``, ``burnout-angle``, ``apogee``, ``time-of-flight``).
- :func:`fly`: batches of launches for given controls.
- :func:`range_tables`, :func:`max_range`: reach of a class.
- :func:`threat_objects`: the re-entry vehicle and the spent rocket body as sensor truth.
"""

from openbmd.threats.catalog import get_missile, missile_names
from openbmd.threats.flights import Flights, fly
from openbmd.threats.missile import Missile, Stage
from openbmd.threats.objects import ThreatObjects, threat_objects
from openbmd.threats.range_table import range_tables
from openbmd.threats.targeting import SHAPES, ThreatTrajectory, max_range, solve_trajectory

__all__ = [
    "SHAPES",
    "Flights",
    "Missile",
    "Stage",
    "ThreatObjects",
    "ThreatTrajectory",
    "fly",
    "get_missile",
    "max_range",
    "missile_names",
    "range_tables",
    "solve_trajectory",
    "threat_objects",
]
