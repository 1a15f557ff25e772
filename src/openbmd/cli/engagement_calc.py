"""``openbmd calc salvo``: defence effectiveness of a salvo or shoot-look-shoot doctrine."""

from __future__ import annotations

import typer

from openbmd.cli.common import print_json, print_mapping


def salvo_cmd(
    sspk: float = typer.Option(
        ..., help="Single-shot kill probability of a working interceptor, in [0, 1]."
    ),
    shots: float = typer.Option(
        ..., metavar="N", help="Interceptors per threat (salvo) or per stage (sls), integer >= 0."
    ),
    threats: float = typer.Option(1, metavar="M", help="Threats in the raid, integer >= 0."),
    reliability: float = typer.Option(
        1.0, help="Probability that an interceptor works, in [0, 1]."
    ),
    p_track: float = typer.Option(
        1.0, help="Probability that the defence detects, tracks and assigns a threat, in [0, 1]."
    ),
    doctrine: str = typer.Option(
        "salvo", metavar="salvo|sls", help="One salvo per threat, or shoot-look-shoot."
    ),
    stages: float = typer.Option(
        2, metavar="K", help="Stages of shoot-look-shoot (--doctrine sls), integer >= 1."
    ),
    p_assess: float = typer.Option(
        1.0, help="Probability of a correct kill assessment between sls stages, in [0, 1]."
    ),
    json_out: bool = typer.Option(False, "--json", help="Print one JSON object."),
) -> None:
    """Kill probability, leakers and interceptors used for a raid (Wilkening 2000).

    P_kill = P_track (1 - (1 - R SSPK)^n) per threat for a salvo; no leaker with
    probability P_kill^M for M independent threats.
    """
    from openbmd.engagement.effectiveness import raid_outcome, require_count

    require_count("threats", threats)
    out = raid_outcome(
        threats,
        sspk,
        shots,
        reliability=reliability,
        p_track=p_track,
        doctrine=doctrine,
        stages=stages,
        p_assess=p_assess,
    )
    values = {
        "p_kill_per_threat": float(out.p_kill_per_threat),
        "p_no_leaker": float(out.p_no_leaker),
        "expected_leakers": float(out.expected_leakers),
        "interceptors_used": float(out.interceptors_used),
    }
    if json_out:
        print_json(values)
    else:
        print_mapping(f"Defence effectiveness ({doctrine})", values)
