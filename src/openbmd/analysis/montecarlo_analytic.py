"""The analytic (Wilkening) prediction that a pipeline Monte Carlo is checked against.

The scenario's doctrine gives the stages and the salvo size exactly as the pipeline
reads them (:func:`openbmd.pipeline.run.run_scenario`): one stage for a salvo, the
doctrine's stages for shoot-look-shoot, at least one stage per tier when layered. The
interceptor class of each stage gives its SSPK and reliability (layered: the tier of that
stage, the last tier repeated; otherwise the single class, or, with several classes and
no layering, the inventory-weighted mean of ``R SSPK``). ``p_track`` is the fraction of
threats that the trials found engageable. Kill assessment is perfect, as in the pipeline.

With one class this is :func:`openbmd.engagement.effectiveness.raid_outcome`; with
stages of different classes the same shoot-look-shoot recursion runs stage by stage:
``p_j = 1 - (1 - R_j SSPK_j)^n``, ``A_1 = 1``, ``A_(j+1) = A_j (1 - p_j)``,
``P_kill = P_track sum_j A_j p_j``, ``E[shots] = P_track sum_j n A_j``; then
``P_0 = P_kill^N`` and ``E[leakers] = N (1 - P_kill)``.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from openbmd.engagement.effectiveness import raid_outcome, salvo_kill_probability
from openbmd.scenario import Scenario

__all__ = ["AnalyticCheck", "analytic_check"]


@dataclass(frozen=True)
class AnalyticCheck:
    """Wilkening's model for the scenario's raid and doctrine.

    Attributes
    ----------
    n_threats : int
        Re-entry vehicles in the raid, N.
    doctrine : str
        ``salvo`` (one stage) or ``sls`` (stages with a perfect look between them).
    salvo_size : int
        Interceptors per threat per stage.
    stages : int
    stage_classes : tuple of str
        Interceptor class of each stage.
    sspk, reliability : tuple of float
        Per stage.
    p_track : float
        Fraction of threats engageable (measured over the trials).
    p_kill_per_threat, p_no_leaker, expected_leakers, interceptors_expended : float
        The model's predictions (expected interceptors fired per raid).
    """

    n_threats: int
    doctrine: str
    salvo_size: int
    stages: int
    stage_classes: tuple[str, ...]
    sspk: tuple[float, ...]
    reliability: tuple[float, ...]
    p_track: float
    p_kill_per_threat: float
    p_no_leaker: float
    expected_leakers: float
    interceptors_expended: float

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready fields (tuples as lists)."""
        return {k: list(v) if isinstance(v, tuple) else v for k, v in asdict(self).items()}


def analytic_check(scenario: Scenario, *, p_track: float = 1.0) -> AnalyticCheck:
    """Wilkening's prediction for ``scenario`` (nominal values; see the module doc).

    Parameters
    ----------
    scenario : Scenario
    p_track : float
        Probability that a threat is engageable, in [0, 1].
    """
    from openbmd.scenario import resolve_scenario

    resolved = resolve_scenario(scenario)
    nominal = resolved.scenario
    doctrine = nominal.defence.doctrine
    n_threats = nominal.missile_count
    sites = nominal.defence.sites
    classes: list[str] = []
    for s in sites:
        if s.interceptor not in classes:
            classes.append(s.interceptor)
    order = list(doctrine.tier_order or [])
    if doctrine.layered and order:
        classes.sort(key=lambda c: order.index(c) if c in order else len(order))
    salvo = int(doctrine.salvo_size)
    stages = len(doctrine.salvo_sizes) if doctrine.mode == "shoot-look-shoot" else 1
    if doctrine.layered:
        stages = max(stages, len(classes))
    if not sites:
        return _undefended(n_threats, salvo, stages, p_track)

    # per class: inventory-weighted means over its sites (each site may override its own
    # SSPK and reliability), kept so that SSPK x R is the weighted mean of R SSPK
    sums: dict[str, list[float]] = {}
    stock: dict[str, int] = {}
    for s in sites:
        icp = resolved.interceptors[s.id]
        w = float(max(int(s.inventory), 0)) or 1e-9  # an empty site still defines its class
        acc = sums.setdefault(s.interceptor, [0.0, 0.0, 0.0])
        acc[0] += w * float(icp.sspk) * float(icp.reliability)
        acc[1] += w * float(icp.reliability)
        acc[2] += w
        stock[s.interceptor] = stock.get(s.interceptor, 0) + int(s.inventory)
    figures = {c: ((a[0] / a[1] if a[1] > 0 else 0.0), a[1] / a[2]) for c, a in sums.items()}
    if doctrine.layered:
        stage_classes = tuple(classes[min(k, len(classes) - 1)] for k in range(stages))
        sspk = tuple(figures[c][0] for c in stage_classes)
        rel = tuple(figures[c][1] for c in stage_classes)
    elif len(classes) == 1:
        stage_classes = (classes[0],) * stages
        sspk = (figures[classes[0]][0],) * stages
        rel = (figures[classes[0]][1],) * stages
    else:
        total = sum(stock.values()) or 1
        rs = sum(figures[c][0] * figures[c][1] * stock[c] for c in classes) / total
        stage_classes = ("+".join(classes),) * stages
        # the mean R SSPK carried as SSPK with R = 1: only the product enters the model
        sspk, rel = (rs,) * stages, (1.0,) * stages

    kind = "sls" if stages > 1 else "salvo"
    if len(set(zip(sspk, rel, strict=True))) == 1:
        out = raid_outcome(n_threats, sspk[0], salvo, reliability=rel[0], p_track=p_track,
                           doctrine=kind, stages=stages)  # fmt: skip
        p_kill, p0 = float(out.p_kill_per_threat), float(out.p_no_leaker)
        leak, used = float(out.expected_leakers), float(out.interceptors_used)
    else:
        p_kill, shots = _stagewise(sspk, rel, salvo, p_track)
        p0, leak, used = p_kill**n_threats, n_threats * (1.0 - p_kill), n_threats * shots
    return AnalyticCheck(
        n_threats=n_threats,
        doctrine=kind,
        salvo_size=salvo,
        stages=stages,
        stage_classes=stage_classes,
        sspk=sspk,
        reliability=rel,
        p_track=float(p_track),
        p_kill_per_threat=p_kill,
        p_no_leaker=p0,
        expected_leakers=leak,
        interceptors_expended=used,
    )


def _stagewise(
    sspk: tuple[float, ...], reliability: tuple[float, ...], salvo: int, p_track: float
) -> tuple[float, float]:
    """Kill probability and expected shots per threat, stages of different classes."""
    alive, p_kill, shots = 1.0, 0.0, 0.0
    for s, r in zip(sspk, reliability, strict=True):
        p_j = float(salvo_kill_probability(s, salvo, reliability=r))
        shots += salvo * alive
        p_kill += alive * p_j
        alive *= 1.0 - p_j
    return p_track * p_kill, p_track * shots


def _undefended(n_threats: int, salvo: int, stages: int, p_track: float) -> AnalyticCheck:
    return AnalyticCheck(
        n_threats=n_threats,
        doctrine="sls" if stages > 1 else "salvo",
        salvo_size=salvo,
        stages=stages,
        stage_classes=(),
        sspk=(),
        reliability=(),
        p_track=float(p_track),
        p_kill_per_threat=0.0,
        p_no_leaker=1.0 if n_threats == 0 else 0.0,
        expected_leakers=float(n_threats),
        interceptors_expended=0.0,
    )
