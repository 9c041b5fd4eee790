"""Session settings: a formula the product's evaluator cannot compute fails the save loudly."""

from __future__ import annotations

import os

from salesgoal_xl.workbook.door import STRICT_FORMULAS_ENV

os.environ[STRICT_FORMULAS_ENV] = "1"
