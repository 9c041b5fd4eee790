"""What a file that is not a zip package is: an old .xls or encrypted workbook (an OLE
compound file), a Word document, CSV, HTML, 2003 XML, other text, or binary junk."""

from __future__ import annotations

from typing import IO, Final

from salesgoal_xl.core.problems import Problem, ProblemCode
from salesgoal_xl.workbook.gate.limits import CHUNK
from salesgoal_xl.workbook.gate.refusal import file_problem

ZIP_MAGIC: Final = b"PK\x03\x04"
EMPTY_ZIP_MAGIC: Final = b"PK\x05\x06"
CFB_MAGIC: Final = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def _cfb_entry_names(fh: IO[bytes], wanted: tuple[str, ...]) -> set[str]:
    """Which of `wanted` are names of directory entries in an OLE compound file.

    Directory entries are 128 bytes, aligned to 128 bytes in the file, with the name in
    UTF-16LE, its byte length (with the terminator) at +64 and the entry type at +66.
    Reading in chunks that are a multiple of 128 keeps every entry inside one chunk.
    """
    encoded = {name: name.encode("utf-16-le") for name in wanted}
    found: set[str] = set()
    fh.seek(0)
    base = 0
    while True:
        chunk = fh.read(CHUNK)
        if not chunk:
            return found
        for name, raw in encoded.items():
            start = 0
            while (hit := chunk.find(raw, start)) >= 0:
                start = hit + 1
                if (base + hit) % 128 or hit + 67 > len(chunk):
                    continue
                length = int.from_bytes(chunk[hit + 64 : hit + 66], "little")
                if length == len(raw) + 2 and chunk[hit + 66] in (1, 2):
                    found.add(name)
        base += len(chunk)


def sniff_compound_file(fh: IO[bytes], name: str) -> Problem:
    names = _cfb_entry_names(
        fh, ("EncryptedPackage", "EncryptionInfo", "Workbook", "Book", "WordDocument")
    )
    if names & {"EncryptedPackage", "EncryptionInfo"}:
        return file_problem(
            ProblemCode.ENCRYPTED,
            f"{name} is protected with a password (an encrypted Excel file)",
            "open it in Excel, remove the password (File > Info > Protect Workbook), save, "
            "and try again",
        )
    if names & {"Workbook", "Book"}:
        return file_problem(
            ProblemCode.LEGACY_XLS,
            f"{name} is an old Excel 97-2003 workbook (.xls), not .xlsx",
            "open it in Excel and use File > Save As > Excel Workbook (.xlsx)",
        )
    kind = "a Word document" if "WordDocument" in names else "an Office 97-2003 file"
    return file_problem(
        ProblemCode.NOT_XLSX,
        f"{name} is {kind}, not an Excel workbook (.xlsx)",
        "check you picked the right file",
    )


def sniff_text(head: bytes, name: str) -> Problem:
    """A non-zip, non-OLE file: CSV, HTML, 2003 XML, other text, or binary junk."""
    text: str | None = None
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = head[2:].decode("utf-16", "replace")
    elif b"\x00" not in head:
        raw = head[3:] if head.startswith(b"\xef\xbb\xbf") else head
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            # A cut-off multi-byte character at the end of the sample is still text.
            text = raw[: exc.start].decode("utf-8") if exc.start > len(raw) - 4 else None
            if text is None:
                text = raw.decode("cp1252", "replace")
    if text is not None and text:
        printable = sum(ch.isprintable() or ch in "\r\n\t" for ch in text)
        if printable / len(text) < 0.95:
            text = None
    if text is None:
        return file_problem(
            ProblemCode.NOT_XLSX,
            f"{name} is not an Excel workbook (.xlsx): its content is not a workbook package",
            "check you picked the right file, or that the download finished",
        )
    start = text.lstrip().lower()[:2048]
    if start.startswith(("<html", "<!doctype html", "<table", "<head", "<body")) or (
        "<html" in start
    ):
        return file_problem(
            ProblemCode.NOT_XLSX,
            f"{name} is a web page (HTML) saved with an Excel name, not a real .xlsx",
            "open it in Excel and use File > Save As > Excel Workbook (.xlsx)",
        )
    if start.startswith("<?xml") or start.startswith("<"):
        detail = (
            "an Excel 2003 XML spreadsheet"
            if "urn:schemas-microsoft-com:office:spreadsheet" in text
            else "an XML file"
        )
        return file_problem(
            ProblemCode.NOT_XLSX,
            f"{name} is {detail}, not an Excel workbook (.xlsx)",
            "open it in Excel and use File > Save As > Excel Workbook (.xlsx)",
        )
    lines = [line for line in text.splitlines()[:20] if line.strip()]
    if lines and any(sep in lines[0] for sep in (",", ";", "\t", "|")):
        return file_problem(
            ProblemCode.CSV_NOT_XLSX,
            f"{name} is a CSV/text file renamed to .xlsx, not a workbook",
            "open it in Excel, check the columns, and use File > Save As > Excel Workbook (.xlsx)",
        )
    return file_problem(
        ProblemCode.NOT_XLSX,
        f"{name} is a plain text file, not an Excel workbook (.xlsx)",
        "check you picked the right file",
    )
