"""Fairness figures over a set of targets or attainments: how evenly they are spread.

The Gini coefficient is 0 when every value is the same and approaches 1 when one value holds
everything; (n - 1) / n is its largest value for n values.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from salesgoal_xl.core.errors import SalesgoalError


class FairnessError(SalesgoalError, ValueError):
    """A fairness figure cannot be computed from the values given."""


def gini(values: npt.ArrayLike) -> float:
    """The Gini coefficient of non-negative values: mean absolute difference / (2 x mean).

    Computed in O(n log n) from the sorted values as
    ``2 * sum(i * x_i) / (n * sum(x)) - (n + 1) / n`` (i = 1..n, ascending), which equals the
    direct ``sum_i sum_j |x_i - x_j| / (2 * n * sum(x))``. Values may be any shape (they are
    flattened); all zeros count as perfectly equal (0.0). Raises FairnessError for no values,
    NaN or infinite values, and negative values (the coefficient is not bounded for them).
    """
    try:
        flat = np.asarray(values, dtype=np.float64).ravel()
    except (TypeError, ValueError):
        raise FairnessError(f"values must be numbers (got {values!r}).") from None
    if flat.size == 0:
        raise FairnessError("values is empty; give at least one value.")
    if not np.isfinite(flat).all():
        bad = int(np.flatnonzero(~np.isfinite(flat))[0])
        raise FairnessError(f"values[{bad}] must be a finite number (got {flat[bad]!r}).")
    if (flat < 0).any():
        bad = int(np.flatnonzero(flat < 0)[0])
        raise FairnessError(f"values[{bad}] must be >= 0 (got {flat[bad]!r}).")
    total = float(flat.sum())
    if total == 0:
        return 0.0
    count = flat.size
    ranks = np.arange(1, count + 1, dtype=np.float64)
    weighted = float(np.dot(ranks, np.sort(flat)))
    # Rounding can leave a tiny negative for equal values; the coefficient is never below 0.
    return max(0.0, 2.0 * weighted / (count * total) - (count + 1) / count)
