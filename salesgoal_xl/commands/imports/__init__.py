"""The import commands: one importer, three targets (actuals, history, the org tables).

Each reads an export (`workbook.source`), matches its headers, settles its number
convention, judges every row against the plan and writes its target tables in one commit;
only the target and its rules differ (`facts` for tblActuals and tblHistory, `org` for the
org tables). See docs/import.md.
"""

from salesgoal_xl.commands.imports.common import ImportOptions, ImportSummary
from salesgoal_xl.commands.imports.facts import run_import_actuals, run_import_history
from salesgoal_xl.commands.imports.org import run_import_org

__all__ = [
    "ImportOptions",
    "ImportSummary",
    "run_import_actuals",
    "run_import_history",
    "run_import_org",
]
