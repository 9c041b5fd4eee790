"""The product's own formula engine: cached results for every formula the workbook carries.

`parse` reads formula text, `values` holds Excel's coercions, `book` reads a package's sheets,
tables and names, `evaluate` computes cells, and `cache` writes the results into sheet XML.
"""

from salesgoal_xl.workbook.calc.cache import (
    CacheReport,
    FormulaOutsideVocabulary,
    Uncached,
    cache_formula_values,
)

__all__ = ["CacheReport", "FormulaOutsideVocabulary", "Uncached", "cache_formula_values"]
