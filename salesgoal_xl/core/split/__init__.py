"""The plan split: one company target to exact leaf targets per period, rep, channel and
product. `plan` runs the steps in order; `org`, `months`, `mix` and `weeks` are the steps,
`locks` reads and checks locked overrides, `inputs` reads history and activity once, and
`request` holds the plain-data types. The names below are the package's whole public face.
"""

from salesgoal_xl.core.split.plan import split_plan
from salesgoal_xl.core.split.request import (
    DEFAULT_RULES,
    MIX_METHODS,
    ORG_LEVELS,
    ORG_METHODS,
    TIME_METHODS,
    LevelRule,
    Lock,
    Progress,
    SplitInfeasible,
    SplitRequest,
    SplitResult,
    infeasible,
    rule_for,
)

__all__ = [
    "DEFAULT_RULES",
    "MIX_METHODS",
    "ORG_LEVELS",
    "ORG_METHODS",
    "TIME_METHODS",
    "LevelRule",
    "Lock",
    "Progress",
    "SplitInfeasible",
    "SplitRequest",
    "SplitResult",
    "infeasible",
    "rule_for",
    "split_plan",
]
