"""Flight physics: gravity, batched propagation with events, Kepler, Lambert, free flight.

- :func:`propagate` with :class:`FlightPlan` and :class:`EarthModel`: many point-mass
  vehicles at once (gravity with J2, drag from the U.S. Standard Atmosphere 1976, thrust
  phases, rotating Earth), events located to better than 1 mm / 1 ms.
- :func:`gravity_accel`: central term plus J2.
- :func:`propagate_kepler`, :func:`solve_lambert`: two-body tools (universal variables).
- :func:`free_flight`, :func:`free_flight_deg`, :func:`maximum_range`: closed-form
  ballistic free flight over a spherical, non-rotating Earth (Bate, Mueller & White ch. 6).
- :func:`ballistic_flight`: free flight from burnout, closed form or numerical.
"""

from openbmd.flight.ballistic import (
    BurnoutAngles,
    FreeFlight,
    MaximumRange,
    burnout_angles_for_range,
    burnout_speed_for_range,
    free_flight,
    free_flight_deg,
    maximum_range,
    q_parameter,
)
from openbmd.flight.free_flight import BallisticFlight, ballistic_flight
from openbmd.flight.gravity import gravity_accel
from openbmd.flight.kepler import (
    ConvergenceError,
    OrbitalElements,
    elements_to_state,
    propagate_kepler,
    state_to_elements,
)
from openbmd.flight.lambert import solve_lambert
from openbmd.flight.propagate import (
    DragTables,
    EarthModel,
    FlightPlan,
    Propagation,
    Samples,
    propagate,
)

__all__ = [
    "BallisticFlight",
    "BurnoutAngles",
    "ConvergenceError",
    "DragTables",
    "EarthModel",
    "FlightPlan",
    "FreeFlight",
    "MaximumRange",
    "OrbitalElements",
    "Propagation",
    "Samples",
    "ballistic_flight",
    "burnout_angles_for_range",
    "burnout_speed_for_range",
    "elements_to_state",
    "free_flight",
    "free_flight_deg",
    "gravity_accel",
    "maximum_range",
    "propagate",
    "propagate_kepler",
    "q_parameter",
    "solve_lambert",
    "state_to_elements",
]
