"""Find and replace the distributions of a scenario (nominal values or one draw).

The walk visits the fields in declaration order, lists in order and mappings in key
order, so the draws from a seeded generator are reproducible. Replaced models are
copied without re-validation: nominal values and draws lie inside the supports that
the fields already checked.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from pydantic import BaseModel

from openbmd.scenario.base import Loc, format_loc
from openbmd.scenario.distributions import DistributionBase

__all__ = ["find_distributions", "replace_distributions"]


def find_distributions(model: BaseModel) -> dict[str, DistributionBase]:
    """Every distribution in ``model``, keyed by its path."""
    found: dict[str, DistributionBase] = {}

    def visit(value: Any, loc: Loc) -> None:
        if isinstance(value, DistributionBase):
            found[format_loc(loc)] = value
        elif isinstance(value, BaseModel):
            for name, info in type(value).model_fields.items():
                visit(getattr(value, name), (*loc, info.alias or name))
        elif isinstance(value, list | tuple):
            for i, item in enumerate(value):
                visit(item, (*loc, i))
        elif isinstance(value, dict):
            for key in value:
                visit(value[key], (*loc, key))

    visit(model, ())
    return found


def replace_distributions(model: Any, rng: np.random.Generator | None) -> Any:
    """A copy of ``model`` with nominal values (``rng`` None) or draws from ``rng``.

    A launch-time distribution of a threat with ``count`` > 1 becomes a list of
    ``count`` independent draws when sampling.
    """
    from openbmd.scenario.model import Threat

    def draw(dist: DistributionBase, owner: Any, field: str) -> Any:
        if rng is None:
            return dist.nominal()
        if isinstance(owner, Threat) and field == "launch_time_s" and owner.count > 1:
            return [float(x) for x in dist.sample(rng, owner.count)]
        return dist.sample(rng)

    def walk(value: Any, owner: Any, field: str) -> Any:
        if isinstance(value, DistributionBase):
            return draw(value, owner, field)
        if isinstance(value, BaseModel):
            updates = {}
            for name in type(value).model_fields:
                old = getattr(value, name)
                new = walk(old, value, name)
                if new is not old:
                    updates[name] = new
            return value.model_copy(update=updates) if updates else value
        if isinstance(value, list | tuple):
            items = [walk(item, owner, field) for item in value]
            changed = any(a is not b for a, b in zip(items, value, strict=True))
            return type(value)(items) if changed else value
        if isinstance(value, dict):
            mapped = {k: walk(v, owner, field) for k, v in value.items()}
            return mapped if any(mapped[k] is not value[k] for k in value) else value
        return value

    return walk(model, None, "")
