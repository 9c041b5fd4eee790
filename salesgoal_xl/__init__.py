"""salesgoal_xl: set, split, track, evaluate and adjust sales targets in Excel workbooks."""

__version__ = "0.1.0"
