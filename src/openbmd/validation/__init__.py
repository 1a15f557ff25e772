"""Published reference values that openbmd reproduces.

Each :class:`Case` names its published source, the expected value, a tolerance in
physical units and a function that computes the value with openbmd. ``openbmd validate``
runs every registered case and prints a table; ``tests/validation`` runs the same cases
under pytest. Later capabilities add their own ``cases_*.py`` modules to ``CASE_MODULES``.
"""

from openbmd.validation.registry import Case, CaseResult, all_cases, run_cases

__all__ = ["Case", "CaseResult", "all_cases", "run_cases"]
