"""Errors raised by the domain core; each message says what was expected and what arrived."""


class SalesgoalError(Exception):
    """Base class of every error the product raises on purpose."""


class AllocationError(SalesgoalError, ValueError):
    """A split cannot be made as asked (bad inputs or infeasible constraints)."""


class ProposalError(SalesgoalError, ValueError):
    """A forecast or target proposal cannot be made from the inputs given."""


class CalendarError(SalesgoalError, ValueError):
    """A date, month, fiscal year or holiday country is not one the calendar understands."""
