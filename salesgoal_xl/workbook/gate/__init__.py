"""The one gate every workbook file is read through: look at the package before any parser does.

`inspect_package` names what is wrong with a file (not a workbook, encrypted, truncated, a zip
bomb, macros, links, XML entities, a stray value far from the tables) from its bytes alone, in
bounded memory. `open_workbook` runs it, then loads with openpyxl (which must be using
defusedxml) and turns every library exception into a `Problem` with a stable code.

Modules, by concern: `sniff` (files that are not zip packages), `limits` (bounds and the zip
directory), `xmlscan` (entity scans, structural parts, relationships), `stream` (streamed
sheet, style and string scans), `features` (macros, links, embedded objects), `locks` (owner
files), `inspection` (the gate's order of looks), `load` (openpyxl behind the gate), `refusal`
(how the gate reports: in the user's terms, never with a library's exception text).

Severity policy (why each is an error or a warning):
- errors (the file is refused): FILE_NOT_FOUND, EMPTY_FILE, FILE_TOO_LARGE, NOT_XLSX, LEGACY_XLS,
  CSV_NOT_XLSX, ENCRYPTED, TRUNCATED, ZIP_BOMB, TOO_MANY_PARTS, XML_ENTITIES, UNREADABLE,
  STRICT_OOXML (openpyxl would read no sheet of it),
  TOO_MANY_MERGES, TOO_MANY_STYLES, TOO_MANY_STRINGS (openpyxl's load would take minutes and
  gigabytes; the gate counts them while streaming, in seconds; the limits are in `Limits`),
  DDE_LINK (a DDE formula runs a program when Excel opens the file; we will not carry it on),
  FAR_AWAY_CELL on a sheet that holds the program's tables.
- warnings (the file is read; nothing in it is run or followed): MACRO_ENABLED (macros are never
  run, and never written by this program; the door refuses to drop them silently),
  EXTERNAL_LINK (values linked from other files may be stale), OLE_OBJECT (embedded objects are
  never opened), FILE_LOCKED (someone has it open in Excel: reading works, saving will not),
  FAR_AWAY_CELL on a user's own sheet (the program never reads it).
"""

from __future__ import annotations

from salesgoal_xl.workbook.gate.features import is_dde_formula
from salesgoal_xl.workbook.gate.inspection import inspect_package
from salesgoal_xl.workbook.gate.limits import Limits
from salesgoal_xl.workbook.gate.load import (
    assert_defusedxml,
    load_workbook_safely,
    open_workbook,
    problem_from_exception,
)
from salesgoal_xl.workbook.gate.locks import lock_problem
from salesgoal_xl.workbook.gate.stream import whole_tags as _whole_tags
from salesgoal_xl.workbook.gate.xmlscan import relationships, sheet_parts, workbook_part

# Exactly the names the rest of the code base imports from the gate.
__all__ = [
    "Limits",
    "_whole_tags",
    "assert_defusedxml",
    "inspect_package",
    "is_dde_formula",
    "load_workbook_safely",
    "lock_problem",
    "open_workbook",
    "problem_from_exception",
    "relationships",
    "sheet_parts",
    "workbook_part",
]
