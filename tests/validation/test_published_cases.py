"""Every case registered in ``openbmd.validation`` (the rows of ``openbmd validate``).

Each case carries its published source; a failure message quotes it.
"""

import pytest

from openbmd.validation.registry import all_cases, run_case

CASES = all_cases()


def test_registry_is_not_empty():
    assert len(CASES) >= 10, "validation registry lost its cases"


@pytest.mark.parametrize("case", CASES, ids=[c.case_id for c in CASES])
def test_published_value(case):
    result = run_case(case)
    assert result.error is None, f"{case.case_id} raised {result.error}"
    assert result.passed, (
        f"{case.quantity}: expected {case.expected} {case.unit} ± {case.tolerance} "
        f"({case.source}), got {result.got}"
    )
