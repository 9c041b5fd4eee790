"""See docs.md in this folder for what belongs here."""

from salesgoal_xl.core.allocation import allocate, allocate_groups

__all__ = ["allocate", "allocate_groups"]
