"""Whether a file is open in Excel or LibreOffice, from the owner file (`~$name.xlsx`,
`.~lock.name.xlsx#`) left beside it, and who holds it."""

from __future__ import annotations

from pathlib import Path

from salesgoal_xl.core.problems import Problem, ProblemCode
from salesgoal_xl.workbook.gate.refusal import file_problem, file_warning


def owner_files(path: Path) -> list[Path]:
    """The lock files Excel or LibreOffice would create beside `path` while it is open."""
    name = path.name
    candidates = [f"~${name}", f".~lock.{name}#"]
    if len(name) > 2:
        candidates.append(f"~${name[2:]}")  # Word-style short form, seen on some setups
    return [path.with_name(c) for c in candidates]


def _printable(text: str) -> str:
    return "".join(ch for ch in text if ch.isprintable()).strip()[:64]


def _owner_name(owner_file: Path) -> str:
    """Who holds the lock, if the owner file says so; '' when unreadable."""
    try:
        with owner_file.open("rb") as fh:
            data = fh.read(512)
    except OSError:
        return ""
    if owner_file.name.startswith(".~lock."):
        fields = data.decode("utf-8", "replace").split(",")
        return next((_printable(f) for f in fields[:2] if _printable(f)), "")
    # Excel: a length byte and the name in the ANSI code page, then at 0x37 a 16-bit length
    # and the name in UTF-16LE.
    if len(data) >= 0x39:
        count = int.from_bytes(data[0x37:0x39], "little")
        raw = data[0x39 : 0x39 + 2 * count]
        if 0 < count <= 64 and len(raw) == 2 * count:
            name = _printable(raw.decode("utf-16-le", "replace"))
            if name:
                return name
    if data:
        return _printable(data[1 : 1 + data[0]].decode("cp1252", "replace"))
    return ""


def lock_problem(path: str | Path, *, writing: bool) -> Problem | None:
    """FILE_LOCKED when the file is open in Excel or LibreOffice (an error when `writing`)."""
    target = Path(path)
    for owner_file in owner_files(target):
        if owner_file.exists():
            owner = _owner_name(owner_file)
            who = f"open in Excel by {owner}" if owner else "open in Excel"
            hint = (
                "close it in Excel (or ask its owner to), then run the command again"
                if writing
                else "what you read may miss edits not yet saved in Excel"
            )
            make = file_problem if writing else file_warning
            return make(
                ProblemCode.FILE_LOCKED,
                f"{target.name} is {who} (found {owner_file.name})",
                hint,
            )
    return None
