"""`keys new` and `keys add`: an approver's Ed25519 key pair, and its public half in tblApprovers.

The private key is written once, to a file only its owner may read (mode 0600), and never
enters a workbook; the public key is one line of text ('ed25519:' and base64) that goes into
the plan's tblApprovers, where `verify` finds it.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from salesgoal_xl.core.errors import SalesgoalError
from salesgoal_xl.core.fingerprint import KeyProblem, new_key_pair, public_key_bytes
from salesgoal_xl.core.problems import ProblemCode, ProblemsFound, error
from salesgoal_xl.workbook.cells import is_blank
from salesgoal_xl.workbook.port import WorkbookPort

APPROVERS = "tblApprovers"


class KeyFileError(SalesgoalError):
    """A key file that cannot be written or read."""


@dataclass(frozen=True)
class KeyPair:
    """Where `keys new` wrote the pair, and the public key text."""

    private_path: Path
    public_path: Path
    public_key: str


def key_file_stem(name: str) -> str:
    """A file name from a person's name: letters, digits and dashes ('Ann Lee' -> 'ann-lee')."""
    stem = re.sub(r"[^\w]+", "-", name.strip().casefold(), flags=re.UNICODE).strip("-")
    if not stem:
        raise KeyFileError(f"{name!r} gives no usable file name; pass a name with letters")
    return stem


def new_keys(name: str, folder: str | Path = ".", *, force: bool = False) -> KeyPair:
    """Write NAME.key (private, PEM, mode 0600) and NAME.pub (the public key line) in `folder`,
    made when it does not exist yet."""
    directory = Path(folder)
    if directory.exists() and not directory.is_dir():
        raise KeyFileError(f"{directory} is a file, not a folder: pass a folder for the keys")
    directory.mkdir(parents=True, exist_ok=True)
    stem = key_file_stem(name)
    private_path, public_path = directory / f"{stem}.key", directory / f"{stem}.pub"
    if not force:
        for path in (private_path, public_path):
            if path.exists():
                raise KeyFileError(
                    f"{path} already exists; pass --force to replace it (the old key's "
                    "signatures then no longer verify against the new public key)"
                )
    pem, public = new_key_pair()
    flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC
    fd = os.open(private_path, flags, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(pem)
    os.chmod(private_path, 0o600)
    public_path.write_text(public + "\n", encoding="ascii")
    return KeyPair(private_path, public_path, public)


def read_public_key(text_or_path: str) -> str:
    """A public key given as its text or as the path of a .pub file."""
    candidate = Path(text_or_path)
    text = text_or_path
    if not text_or_path.strip().startswith("ed25519:") and candidate.is_file():
        text = candidate.read_text(encoding="ascii", errors="replace")
    text = text.strip()
    try:
        public_key_bytes(text)
    except KeyProblem as exc:
        raise KeyFileError(f"{text_or_path}: {exc}") from exc
    return text


def read_private_key(path: str | Path) -> bytes:
    """The bytes of a private key file (checked when it is used to sign)."""
    file = Path(path)
    if not file.is_file():
        raise KeyFileError(f"{file} is not a key file")
    return file.read_bytes()


def add_approver(
    port: WorkbookPort, name: str, public_key: str, *, role: str = "", replace: bool = False
) -> bool:
    """Add (or with `replace`, update) `name`'s public key in tblApprovers; True if written.

    Listing another key under a name that has one is refused without `replace`: approvals
    that person signed with the old key would stop verifying.
    """
    data = port.read_table(APPROVERS)
    frame = data.frame.copy()
    who = name.strip()
    names = [("" if is_blank(v) else str(v).strip().casefold()) for v in frame["approver"]]
    if who.casefold() in names:
        row = names.index(who.casefold())
        if str(frame.at[row, "public_key"]).strip() == public_key:
            return False
        if not replace:
            raise ProblemsFound(
                [
                    error(
                        ProblemCode.UNKNOWN_APPROVER,
                        f"{who} already has another public key in tblApprovers",
                        source=data.source(row, "public_key"),
                        hint="pass --replace to list the new key; approvals signed with the "
                        "old key will then show as invalid signatures",
                    )
                ],
                port.label,
            )
        frame.at[row, "public_key"] = public_key
        if role:
            frame.at[row, "role"] = role
    else:
        added = {"approver": who, "role": role or None, "public_key": public_key}
        frame = pd.concat([frame, pd.DataFrame([added], dtype=object)], ignore_index=True)
    port.write_table(APPROVERS, frame)
    port.commit()
    return True
