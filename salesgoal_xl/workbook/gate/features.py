"""What a package carries that runs or links elsewhere: macros, DDE links, links to other
workbooks, embedded OLE objects and controls."""

from __future__ import annotations

import posixpath
import re
import zipfile

from salesgoal_xl.core.problems import Category, Problem, ProblemCode, error
from salesgoal_xl.workbook.gate.limits import MB, Limits, bounded
from salesgoal_xl.workbook.gate.refusal import file_warning
from salesgoal_xl.workbook.gate.xmlscan import WORKBOOK_TYPES, SheetPart, xml_text

_QUOTED = re.compile(r'"(?:[^"]|"")*"|\'(?:[^\']|\'\')*\'')


def is_dde_formula(formula: str) -> bool:
    """True for a DDE call such as `cmd|' /C calc'!A0`: a `|` outside any quoted text."""
    return "|" in _QUOTED.sub("", formula)


def dde_problem(detail: str, *, sheet: str = "", cell: str = "") -> Problem:
    return error(
        ProblemCode.DDE_LINK,
        f"a DDE link, which makes Excel start another program: {detail}",
        sheet=sheet,
        cell=cell,
        hint="delete it; salesgoal will not read or pass on a file that runs programs",
        category=Category.FILE,
    )


def feature_problems(
    zf: zipfile.ZipFile,
    infos: dict[str, zipfile.ZipInfo],
    content_types: dict[str, str],
    book_type: str,
    sheets: list[SheetPart],
    name: str,
    limits: Limits,
) -> list[Problem]:
    """Macros, links and embedded objects, named from the parts present."""
    problems: list[Problem] = []
    macro_parts = [p for p in infos if p.lower().endswith("vbaproject.bin")]
    macro_sheets = [s.name for s in sheets if s.kind == "macrosheet"]
    if macro_parts or macro_sheets or WORKBOOK_TYPES[book_type] in ("xlsm", "xltm", "xlam"):
        what = "VBA macros" if macro_parts else "a macro-enabled workbook type"
        if macro_sheets:
            what = f"Excel 4 macro sheets ({', '.join(macro_sheets)})"
        problems.append(
            file_warning(
                ProblemCode.MACRO_ENABLED,
                f"{name} contains {what}; salesgoal never runs them and never writes macros",
                "saving through salesgoal keeps them only when it rewrites single sheets; "
                "otherwise it refuses to save instead of dropping them",
            )
        )
    links = sorted(p for p in infos if p.startswith("xl/externalLinks/") and p.endswith(".xml"))
    for part in links:
        problems.extend(_external_link_problems(zf, infos[part], part, name))
    embedded = sorted(
        p
        for p in infos
        if p.startswith(("xl/embeddings/", "xl/activeX/"))
        and not p.endswith(".rels")
        and not content_types.get(p, "").startswith("image/")
    )
    if embedded:
        shown = ", ".join(posixpath.basename(p) for p in embedded[:5])
        problems.append(
            file_warning(
                ProblemCode.OLE_OBJECT,
                f"{name} holds {len(embedded)} embedded object(s) or control(s) ({shown}); "
                "salesgoal never opens them",
                "remove embedded objects you did not add on purpose",
            )
        )
    return problems


def _external_link_problems(
    zf: zipfile.ZipFile, info: zipfile.ZipInfo, part: str, name: str
) -> list[Problem]:
    head = b"".join(bounded(zf, info, 4 * MB))
    if re.search(rb"<(?:[\w.\-]+:)?ddeLink\b", head):
        topic = re.search(rb'ddeService="([^"]{0,80})"[^>]*ddeTopic="([^"]{0,120})"', head)
        detail = f"{xml_text(topic[1])}|{xml_text(topic[2])}" if topic else posixpath.basename(part)
        return [dde_problem(f"{detail} (in {part})")]
    if re.search(rb"<(?:[\w.\-]+:)?oleLink\b", head):
        return [
            file_warning(
                ProblemCode.OLE_OBJECT,
                f"{name} links to an OLE object through {part}",
                "remove links you did not add on purpose (Data > Edit Links)",
            )
        ]
    return [
        file_warning(
            ProblemCode.EXTERNAL_LINK,
            f"{name} links to another workbook ({posixpath.basename(part)}); values that come "
            "from it may be out of date and salesgoal does not follow the link",
            "in Excel use Data > Edit Links > Break Link if the link is not needed",
        )
    ]
