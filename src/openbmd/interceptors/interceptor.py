"""Interceptor classes: a rocket with a kill vehicle and its engagement limits.

An :class:`Interceptor` is a point-mass rocket (:class:`openbmd.flight.rocket.Rocket`:
stages, then a kill vehicle, KV, that flies on alone after the last burnout) plus the
numbers an engagement analysis needs: the altitude band in which it may intercept, a
ground-range cap, the KV's divert budget and lateral-acceleration limit, the seeker's
acquisition range, the fire-control timings and the kill figures (SSPK, reliability,
lethal radius). :meth:`Interceptor.from_burnout` builds the rocket from a burnout speed
and a burn time, the figures public analyses quote for interceptor classes.

Units are SI; angles in degrees carry ``_deg``. See ``docs/interceptors.md``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from openbmd.constants import G0_M_S2
from openbmd.errors import (
    ParameterError,
    require_choice,
    require_non_negative,
    require_positive,
    require_range,
)
from openbmd.flight.rocket import Rocket, Stage

__all__ = ["KINDS", "Interceptor"]

#: Interceptor kinds: ``exo`` (the kill vehicle works only above the sensible atmosphere)
#: and ``endo`` (it can intercept inside the atmosphere).
KINDS: tuple[str, ...] = ("exo", "endo")


@dataclass(frozen=True, kw_only=True)
class Interceptor:
    """A generic interceptor class.

    Attributes
    ----------
    name : str
        Class name (``upper-tier``, ``terminal-high``, ``lower-tier``, or any).
    rocket : Rocket
        The vehicle: stages (propellant and dry mass, Isp, burn time) and the payload,
        which here is the kill vehicle (``payload_mass_kg``, KV mass, kg;
        ``payload_ballistic_coefficient_kg_m2``, its ballistic coefficient, kg/m^2).
    kind : {"exo", "endo"}
        ``exo``: exo-atmospheric kill vehicle; ``endo``: can intercept inside the
        atmosphere.
    min_intercept_alt_m, max_intercept_alt_m : float
        Altitude band in which it may intercept, m above the ellipsoid,
        ``0 <= min < max``.
    max_ground_range_m : float
        Cap on the ground range from the launch site to the intercept point, m
        (fire-control or guidance limit; ``inf``: only the kinematics limit it).
    divert_delta_v_m_s : float
        Kill-vehicle divert velocity budget, m/s (>= 0).
    lateral_accel_limit_m_s2 : float
        Largest lateral acceleration of the kill vehicle in the endgame, m/s^2 (> 0).
    seeker_acquisition_range_m : float
        Range at which the seeker acquires the target, m (> 0).
    reaction_time_s : float
        Time from the decision to engage to launch, s (>= 0).
    min_launch_interval_s : float
        Shortest time between two launches from one site, s (>= 0).
    sspk : float
        Single-shot kill probability of an interceptor that works, in [0, 1].
    reliability : float
        Probability that an interceptor works (launch, fly-out, divert), in [0, 1].
    lethal_radius_m : float
        Miss distance below which the target is killed, m (> 0).
    min_closing_speed_m_s, max_closing_speed_m_s : float
        Allowed closing speed at intercept, m/s. Optional: 0 and ``inf`` (no limit).
    max_crossing_angle_deg : float
        Largest angle between the interceptor's and the target's velocities at
        intercept, deg, in (0, 180]. Optional: 180 (no limit).
    required_track_sigma_m : float
        Track quality needed to launch: largest 1-sigma position error of the target
        track, m (> 0). Optional: ``inf`` (no requirement).
    published_burnout_speed_m_s : float
        Publicly quoted burnout speed of the class, m/s (documentation and validation
        only; NaN if none).
    description : str
    sources : mapping of str to str
        Public source of each parameter, keyed by parameter name (not compared, not
        hashed).
    """

    name: str
    rocket: Rocket
    kind: str
    min_intercept_alt_m: float
    max_intercept_alt_m: float
    max_ground_range_m: float = math.inf
    divert_delta_v_m_s: float
    lateral_accel_limit_m_s2: float
    seeker_acquisition_range_m: float
    reaction_time_s: float
    min_launch_interval_s: float
    sspk: float
    reliability: float
    lethal_radius_m: float
    min_closing_speed_m_s: float = 0.0
    max_closing_speed_m_s: float = math.inf
    max_crossing_angle_deg: float = 180.0
    required_track_sigma_m: float = math.inf
    published_burnout_speed_m_s: float = math.nan
    description: str = ""
    sources: Mapping[str, str] = field(default_factory=dict, compare=False)

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name.strip():
            raise ParameterError("name", "a non-empty string", self.name)
        if not isinstance(self.rocket, Rocket):
            raise ParameterError("rocket", "an openbmd.flight.rocket.Rocket", type(self.rocket))
        require_choice("kind", self.kind, KINDS)
        require_non_negative("min_intercept_alt_m", self.min_intercept_alt_m)
        require_range(
            "max_intercept_alt_m",
            self.max_intercept_alt_m,
            float(self.min_intercept_alt_m),
            low_open=True,
        )
        _require_positive_or_inf("max_ground_range_m", self.max_ground_range_m)
        require_non_negative("divert_delta_v_m_s", self.divert_delta_v_m_s)
        require_positive("lateral_accel_limit_m_s2", self.lateral_accel_limit_m_s2)
        require_positive("seeker_acquisition_range_m", self.seeker_acquisition_range_m)
        require_non_negative("reaction_time_s", self.reaction_time_s)
        require_non_negative("min_launch_interval_s", self.min_launch_interval_s)
        require_range("sspk", self.sspk, 0.0, 1.0)
        require_range("reliability", self.reliability, 0.0, 1.0)
        require_positive("lethal_radius_m", self.lethal_radius_m)
        require_non_negative("min_closing_speed_m_s", self.min_closing_speed_m_s)
        if math.isnan(self.max_closing_speed_m_s) or not (
            self.max_closing_speed_m_s > self.min_closing_speed_m_s
        ):
            raise ParameterError(
                "max_closing_speed_m_s",
                f"> min_closing_speed_m_s ({self.min_closing_speed_m_s:g}; inf: no limit)",
                self.max_closing_speed_m_s,
            )
        require_range(
            "max_crossing_angle_deg", self.max_crossing_angle_deg, 0.0, 180.0, low_open=True
        )
        _require_positive_or_inf("required_track_sigma_m", self.required_track_sigma_m)
        if not math.isnan(self.published_burnout_speed_m_s):
            require_positive("published_burnout_speed_m_s", self.published_burnout_speed_m_s)
        for key in (
            "min_intercept_alt_m",
            "max_intercept_alt_m",
            "max_ground_range_m",
            "divert_delta_v_m_s",
            "lateral_accel_limit_m_s2",
            "seeker_acquisition_range_m",
            "reaction_time_s",
            "min_launch_interval_s",
            "sspk",
            "reliability",
            "lethal_radius_m",
            "min_closing_speed_m_s",
            "max_closing_speed_m_s",
            "max_crossing_angle_deg",
            "required_track_sigma_m",
            "published_burnout_speed_m_s",
        ):
            object.__setattr__(self, key, float(getattr(self, key)))
        object.__setattr__(self, "sources", dict(self.sources))

    # --- derived figures -------------------------------------------------------------

    @property
    def burn_time_s(self) -> float:
        """Total burn time of all stages, s."""
        return self.rocket.total_burn_time_s

    @property
    def launch_mass_kg(self) -> float:
        """Mass at launch, kg."""
        return self.rocket.launch_mass_kg

    @property
    def kv_mass_kg(self) -> float:
        """Kill-vehicle mass (the rocket's payload), kg."""
        return self.rocket.payload_mass_kg

    @property
    def design_burnout_speed_m_s(self) -> float:
        """Burnout speed of a vertical launch in vacuum without drag in a uniform field
        g0, m/s: the staged rocket equation minus the gravity loss ``g0 * burn_time_s``.

        This is the figure :meth:`from_burnout` inverts; a real fly-out differs (lower
        Isp near the ground, drag, gravity falling off with height, a non-vertical path).
        """
        return self.rocket.ideal_delta_v_m_s() - G0_M_S2 * self.burn_time_s

    def within_intercept_limits(self, ground_range_m: ArrayLike, altitude_m: ArrayLike) -> Any:
        """Whether points lie in the altitude band and inside the ground-range cap.

        Parameters
        ----------
        ground_range_m, altitude_m : array_like
            Ground range from the launch site and altitude, m (broadcast together).

        Returns
        -------
        ndarray of bool (or a bool for scalar input)
            Only the class's limits; whether the interceptor can get there in time is
            :func:`openbmd.interceptors.flyout.time_to_reach_table`'s job.
        """
        x = np.asarray(ground_range_m, dtype=float)
        h = np.asarray(altitude_m, dtype=float)
        ok = (
            (h >= self.min_intercept_alt_m)
            & (h <= self.max_intercept_alt_m)
            & (x >= 0.0)
            & (x <= self.max_ground_range_m)
        )
        return ok if ok.ndim else bool(ok)

    # --- construction ----------------------------------------------------------------

    @classmethod
    def from_burnout(
        cls,
        name: str,
        burnout_speed_m_s: float,
        burn_time_s: float,
        kv_mass_kg: float,
        *,
        kv_ballistic_coefficient_kg_m2: float = 2000.0,
        isp_sea_level_s: float = 250.0,
        isp_vacuum_s: float = 280.0,
        structural_fraction: float = 0.12,
        body_diameter_m: float = 0.5,
        body_drag_coefficient: float = 0.25,
        vertical_rise_s: float = 1.0,
        pitch_over_s: float = 4.0,
        **fields: Any,
    ) -> Interceptor:
        """An interceptor with a single-stage rocket that reaches a given burnout speed.

        The stage is sized so that a **vertical launch in vacuum, without drag, in a
        uniform field g0** burns out at ``burnout_speed_m_s`` after ``burn_time_s``. With
        constant mass flow and vacuum Isp the speed at burnout is exactly (Tsiolkovsky
        minus the gravity loss; e.g. Sutton & Biblarz, *Rocket Propulsion Elements*,
        ch. 4)::

            v = g0 Isp_vac ln(m0 / mf) - g0 t_b

        With ``m0 = m_kv + m_p + m_d``, ``mf = m_kv + m_d`` and a structural fraction
        ``eps = m_d / (m_p + m_d)``, the mass ratio ``R = exp((v + g0 t_b) / (g0 Isp))``
        gives the propellant ``m_p = m_kv (R - 1)(1 - eps) / (1 - R eps)`` (it needs
        ``R eps < 1``: a single stage cannot go faster than ``g0 Isp ln(1/eps) - g0 t_b``).
        Over WGS 84 gravity differs from g0 (stronger at the equator's surface, weaker
        aloft): a propagated vertical vacuum shot of the catalog classes burns out within
        0.05 % of the design value. Drag, the lower sea-level Isp and a tilted path change
        it much more (see ``docs/interceptors.md``).

        Parameters
        ----------
        name : str
        burnout_speed_m_s : float
            Burnout speed of the definition above, m/s (> 0).
        burn_time_s : float
            Burn time, s (> vertical_rise_s + pitch_over_s).
        kv_mass_kg : float
            Kill-vehicle mass, what flies on after burnout, kg.
        kv_ballistic_coefficient_kg_m2 : float
            Kill-vehicle ballistic coefficient m / (Cd A), kg/m^2.
        isp_sea_level_s, isp_vacuum_s : float
            Specific impulse, s (sea-level value used only in the atmosphere).
        structural_fraction : float
            Stage dry mass over stage mass (propellant plus dry), in (0, 1).
        body_diameter_m, body_drag_coefficient : float
            Drag reference of the body in powered flight.
        vertical_rise_s, pitch_over_s : float
            Pitch programme: vertical rise, then a linear pitch-over to the kick angle, s.
        **fields
            The other :class:`Interceptor` attributes (``kind``, ``min_intercept_alt_m``,
            ``sspk``, ...).

        Raises
        ------
        ParameterError
            A parameter out of range, or a burnout speed a single stage cannot reach.
        """
        v = float(require_positive("burnout_speed_m_s", burnout_speed_m_s))
        t_b = float(require_positive("burn_time_s", burn_time_s))
        m_kv = float(require_positive("kv_mass_kg", kv_mass_kg))
        isp = float(require_positive("isp_vacuum_s", isp_vacuum_s))
        eps = float(
            require_range(
                "structural_fraction", structural_fraction, 0.0, 1.0, low_open=True, high_open=True
            )
        )
        ratio = math.exp((v + G0_M_S2 * t_b) / (G0_M_S2 * isp))
        if ratio * eps >= 1.0:
            v_max = G0_M_S2 * isp * math.log(1.0 / eps) - G0_M_S2 * t_b
            raise ParameterError(
                "burnout_speed_m_s",
                f"below {v_max:.0f} m/s for one stage with structural_fraction {eps:g}, "
                f"isp_vacuum_s {isp:g} and burn_time_s {t_b:g}",
                v,
            )
        propellant = m_kv * (ratio - 1.0) * (1.0 - eps) / (1.0 - ratio * eps)
        stage = Stage(
            propellant_mass_kg=propellant,
            dry_mass_kg=propellant * eps / (1.0 - eps),
            isp_sea_level_s=isp_sea_level_s,
            isp_vacuum_s=isp,
            burn_time_s=t_b,
        )
        rocket = Rocket(
            stages=(stage,),
            payload_mass_kg=m_kv,
            payload_ballistic_coefficient_kg_m2=kv_ballistic_coefficient_kg_m2,
            body_diameter_m=body_diameter_m,
            body_drag_coefficient=body_drag_coefficient,
            vertical_rise_s=vertical_rise_s,
            pitch_over_s=pitch_over_s,
        )
        return cls(name=name, rocket=rocket, **fields)


def _require_positive_or_inf(name: str, value: Any) -> None:
    try:
        ok = float(value) > 0.0  # False for NaN
    except (TypeError, ValueError):
        ok = False
    if not ok:
        raise ParameterError(name, "> 0 (inf: no limit)", value)
