"""Loading areas, tracks and initiatives from CSV or XLSX (CONTRACT.md).

:func:`read_rows` turns a file into numbered rows, :func:`plan_import` checks
every row and raises :class:`ImportRejected` listing all bad rows (nothing is
written), :func:`apply_import` writes a checked plan. :func:`import_file` does all three.
"""

from bot.importing.loader import ImportResult, apply_import, import_file
from bot.importing.plan import ImportPlan, ImportRejected, Problem, plan_import
from bot.importing.reader import COLUMNS, read_rows

__all__ = [
    "COLUMNS",
    "ImportPlan",
    "ImportRejected",
    "ImportResult",
    "Problem",
    "apply_import",
    "import_file",
    "plan_import",
    "read_rows",
]
