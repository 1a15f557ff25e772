"""Published values that openbmd.analysis reproduces: the 95 % Wilson score interval
that the Monte Carlo study gives for the probability of no leaker.

Source: R. G. Newcombe, "Two-sided confidence intervals for the single proportion:
comparison of seven methods", *Statistics in Medicine* 17 (1998) 857-872, Table II,
method 3 (score interval without continuity correction, Wilson 1927), for his four worked
examples; printed to four decimals, so the tolerance is half a unit of the last digit.
"""

from __future__ import annotations

from collections.abc import Callable

from openbmd.analysis.stats import wilson_interval
from openbmd.validation.registry import register

_SRC = (
    "Newcombe, 'Two-sided confidence intervals for the single proportion', "
    "Statistics in Medicine 17 (1998) 857-872, Table II, score method, "
)
_HALF_DIGIT = 5e-5

#: (successes, trials, published lower bound, published upper bound)
_EXAMPLES = ((81, 263, 0.2553, 0.3662), (15, 148, 0.0624, 0.1605), (0, 20, 0.0, 0.1611),
             (1, 29, 0.0061, 0.1718))  # fmt: skip


def _bound(k: int, n: int, which: int) -> Callable[[], float]:
    def compute() -> float:
        return float(wilson_interval(k, n)[which])

    return compute


for _k, _n, _low, _high in _EXAMPLES:
    for _which, _name, _value in ((0, "lower", _low), (1, "upper", _high)):
        register(
            f"analysis.wilson_{_k}_of_{_n}_{_name}",
            quantity=f"95 % Wilson interval of {_k}/{_n}: {_name} bound [-]",
            source=_SRC + f"{_k}/{_n}: {_low:.4f} to {_high:.4f}",
            expected=_value,
            tolerance=_HALF_DIGIT,
            unit="-",
        )(_bound(_k, _n, _which))
