"""Checks across the fields of a scenario: ids, catalog classes, overrides, references.

Each issue is ``(location, message)`` with the location of the offending key from the
root of the scenario, so that the loader can point at its line.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from openbmd.scenario.base import Loc, did_you_mean, format_value
from openbmd.scenario.catalogs import (
    class_names,
    missile_parameters,
    parameters,
    stage_override,
)

if TYPE_CHECKING:
    from openbmd.scenario.model import Scenario

__all__ = ["reference_issues"]

_KIND_WORDS = {
    "missile": "missile class",
    "radar": "radar class",
    "early_warning": "early-warning class",
    "interceptor": "interceptor class",
}


def reference_issues(s: Scenario) -> list[tuple[Loc, str]]:
    """Every cross-field problem of ``s`` (empty if none)."""
    issues: list[tuple[Loc, str]] = []
    issues += _unique_ids(("threats",), [t.id for t in s.threats], "threat")
    issues += _unique_ids(("sensors", "radars"), [r.id for r in s.sensors.radars], "radar")
    issues += _unique_ids(("defence", "sites"), [d.id for d in s.defence.sites], "defence site")
    seen_outputs: set[str] = set()
    for i, name in enumerate(s.outputs):
        if name in seen_outputs:
            issues.append((("outputs", i), f"must name each output once — got {name!r} again"))
        seen_outputs.add(name)

    for i, t in enumerate(s.threats):
        loc: Loc = ("threats", i)
        if isinstance(t.missile, str):
            problem = _class_issue("missile", t.missile)
            if problem:
                issues.append(((*loc, "missile"), problem))
                continue
            names = parameters("missile", t.missile)
        else:
            names = missile_parameters(len(t.missile.stages))
        issues += _override_issues(loc, t.overrides, names, "missile", t.missile_class)
        issues += _type_issues(loc, t.overrides, names)

    for i, r in enumerate(s.sensors.radars):
        loc = ("sensors", "radars", i)
        problem = _class_issue("radar", r.class_name)
        if problem:
            issues.append(((*loc, "class"), problem))
            continue
        issues += _override_issues(
            loc, r.overrides, parameters("radar", r.class_name), "radar", r.class_name
        )
        if r.boresight_az_deg is not None and "boresight_az_deg" in r.overrides:
            issues.append(
                (
                    (*loc, "overrides", "boresight_az_deg"),
                    "must not repeat the radar's own boresight_az_deg — got it in both places",
                )
            )

    ew = s.sensors.early_warning
    if ew is not None:
        loc = ("sensors", "early_warning")
        problem = _class_issue("early_warning", ew.class_name)
        if problem:
            issues.append(((*loc, "class"), problem))
        else:
            issues += _override_issues(
                loc,
                ew.overrides,
                parameters("early_warning", ew.class_name),
                "early_warning",
                ew.class_name,
            )

    radar_ids = [r.id for r in s.sensors.radars]
    for i, d in enumerate(s.defence.sites):
        loc = ("defence", "sites", i)
        problem = _class_issue("interceptor", d.interceptor)
        if problem:
            issues.append(((*loc, "interceptor"), problem))
        else:
            issues += _override_issues(
                loc,
                d.overrides,
                parameters("interceptor", d.interceptor),
                "interceptor",
                d.interceptor,
            )
        if d.fire_control is not None and d.fire_control not in radar_ids:
            known = ", ".join(radar_ids) if radar_ids else "none defined"
            issues.append(
                (
                    (*loc, "fire_control"),
                    f"must be the id of a radar in sensors.radars ({known})"
                    f"{did_you_mean(d.fire_control, radar_ids)} — got {d.fire_control!r}",
                )
            )

    issues += _doctrine_issues(s)
    return issues


def _unique_ids(loc: Loc, ids: list[str], what: str) -> list[tuple[Loc, str]]:
    first: dict[str, int] = {}
    out: list[tuple[Loc, str]] = []
    for i, ident in enumerate(ids):
        if ident in first:
            where = f"{'.'.join(str(p) for p in loc)}[{first[ident]}]"
            out.append(
                (
                    (*loc, i, "id"),
                    f"must be unique among {what} ids — got {ident!r} again (first at {where})",
                )
            )
        else:
            first[ident] = i
    return out


def _class_issue(kind: str, name: str) -> str | None:
    names = class_names(kind)
    if name in names:
        return None
    words = _KIND_WORDS[kind]
    article = "an" if words[0] in "aeiou" else "a"
    listed = ", ".join(names)
    return f"must be {article} {words}: {listed}{did_you_mean(name, names)} — got {name!r}"


def _override_issues(
    loc: Loc, overrides: Mapping[str, Any], names: Iterable[str], kind: str, class_name: str
) -> list[tuple[Loc, str]]:
    allowed = list(names)
    out: list[tuple[Loc, str]] = []
    for key in overrides:
        if key in allowed:
            continue
        hint = did_you_mean(key, allowed)
        if not hint and stage_override(key) is not None:
            hint = (
                f" (the class has {sum(1 for n in allowed if n.endswith('.burn_time_s'))} stages)"
            )
        if not hint:
            hint = f" (parameters: {', '.join(allowed)})"
        out.append(
            (
                (*loc, "overrides", key),
                f"unknown parameter {key!r} of {_KIND_WORDS[kind]} '{class_name}'{hint}",
            )
        )
    return out


def _type_issues(
    loc: Loc, overrides: Mapping[str, Any], names: Iterable[str]
) -> list[tuple[Loc, str]]:
    """Missile parameters are all numbers."""
    allowed = set(names)
    out: list[tuple[Loc, str]] = []
    for key, value in overrides.items():
        if key in allowed and (isinstance(value, bool | str | list)):
            out.append(((*loc, "overrides", key), f"must be a number — got {format_value(value)}"))
    return out


def _doctrine_issues(s: Scenario) -> list[tuple[Loc, str]]:
    doctrine = s.defence.doctrine
    used: list[str] = []
    for d in s.defence.sites:
        if d.interceptor not in used:
            used.append(d.interceptor)
    out: list[tuple[Loc, str]] = []
    loc: Loc = ("defence", "doctrine")
    if doctrine.tier_order is not None:
        for i, name in enumerate(doctrine.tier_order):
            if name not in used:
                out.append(
                    (
                        (*loc, "tier_order", i),
                        f"must be an interceptor class of the "
                        f"defence sites ({', '.join(used) or 'none'}) — got {name!r}",
                    )
                )
        missing = [u for u in used if u not in doctrine.tier_order]
        if missing or len(set(doctrine.tier_order)) != len(doctrine.tier_order):
            out.append(
                (
                    (*loc, "tier_order"),
                    f"must list each interceptor class of the sites "
                    f"once ({', '.join(used)}) — got {format_value(doctrine.tier_order)}",
                )
            )
    if doctrine.layered and len(used) < 2:
        out.append(
            (
                (*loc, "layered"),
                "needs defence sites of at least two interceptor classes "
                f"— got {len(used)} ({', '.join(used) or 'none'})",
            )
        )
    return out
