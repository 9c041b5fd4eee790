"""What a cell's value means before any column type is applied: blank or not."""

from __future__ import annotations

import math


def is_blank(value: object) -> bool:
    """True for None, NaN and whitespace-only text: what an empty cell reads as."""
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    return isinstance(value, str) and not value.strip()
