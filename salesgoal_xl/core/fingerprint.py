"""Fingerprints of the numbers an approval covers, and Ed25519 signatures over them.

A fingerprint is SHA-256 over one canonical text of exactly the leaf targets in a scope: each
leaf's period, region, team, rep, channel and product with its target in exact units (as
`core.adjustment.canonical_value` writes numbers: 1200000, 1200000.0 and '1200000' agree),
the rows sorted, plus the plan id, the plan version and the scope itself. Any reader of the
workbook computes the same text, so anyone can recompute it: a fingerprint shows accidental or
casual change, not a change by someone who rewrites the fingerprint too.

A signature is Ed25519 over the approval id, the approver and the fingerprint, made with the
approver's private key (`cryptography`). Only the key's holder can make it; anyone with the
public key (tblApprovers) can check it. docs/approvals.md says what each form proves.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

import numpy as np
import numpy.typing as npt
import pandas as pd

from salesgoal_xl.core.adjustment import canonical_value, scope_mask
from salesgoal_xl.core.calendar import period_text

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

FINGERPRINT_FORMAT: Final = "salesgoal-fingerprint-1"
SIGNATURE_FORMAT: Final = "salesgoal-approval-1"
SCOPE_LEVELS: Final = ("all", "region", "team", "rep")
EXPORT_LEVELS: Final = ("region", "team", "manager")
"""What `export --by` splits a plan by: a manager's scope is the reps whose Manager they are."""
LEAF_KEYS: Final = ("period", "region", "team", "rep_id", "channel", "product")
"""The tblTargets columns that name a leaf; with its target they are what a fingerprint covers."""
KEY_PREFIX: Final = "ed25519:"

LeafKey = tuple[str, ...]


@dataclass(frozen=True)
class Scope:
    """What an approval or an exported copy covers: the whole plan, a region, a team or a rep."""

    level: str  # one of SCOPE_LEVELS, or 'manager' for an exported copy
    code: str = ""
    reps: frozenset[str] = frozenset()  # a manager's reps (tblReps.manager), by rep ID

    @property
    def text(self) -> str:
        """'all', 'region:NORTH', 'team:N1', 'rep:R001': how the scope is written everywhere."""
        return "all" if self.level == "all" else f"{self.level}:{self.code}"

    def mask(self, leaves: pd.DataFrame) -> npt.NDArray[np.bool_]:
        """Which rows of tblTargets the scope holds."""
        if self.level == "all":
            return np.ones(len(leaves), dtype=bool)
        if self.level == "manager":
            ids = leaves["rep_id"].map(canonical_value).to_numpy()
            return np.asarray([i in self.reps for i in ids], dtype=bool)
        return scope_mask(leaves, self.level, self.code)


class ScopeError(ValueError):
    """A scope text that does not read as all, region:CODE, team:CODE or rep:ID."""


def parse_scope(text: object) -> Scope:
    """'all' or LEVEL:CODE (level in any case; spaces around the parts ignored)."""
    raw = "" if text is None else str(text).strip()
    if raw.casefold() == "all":
        return Scope("all")
    level, sep, code = raw.partition(":")
    level, code = level.strip().casefold(), code.strip()
    if not sep or level not in SCOPE_LEVELS[1:] or not code:
        raise ScopeError(
            f"scope {raw!r} is not 'all', 'region:CODE', 'team:CODE' or 'rep:ID'"
            if raw
            else "the scope is empty: write all, region:CODE, team:CODE or rep:ID"
        )
    return Scope(level, code)


def leaf_entries(leaves: pd.DataFrame, mask: npt.NDArray[np.bool_]) -> dict[LeafKey, str]:
    """Each leaf in `mask` by its key, with its target as exact text ('' when blank); a period
    reads as its label whether the cell holds '2026-07' or the date Excel made of it.

    A key that occurs twice (the same rep, period, channel and product on two rows) gets a
    '#2' suffix on its product so no figure is lost from the fingerprint.
    """
    columns = [
        leaves[k].map(period_text if k == "period" else canonical_value).tolist()
        if k in leaves
        else [""] * len(leaves)
        for k in LEAF_KEYS
    ]
    targets = leaves["target"].map(canonical_value).tolist()
    seen: Counter[LeafKey] = Counter()
    entries: dict[LeafKey, str] = {}
    for i in np.flatnonzero(mask):
        key = tuple(column[i] for column in columns)
        seen[key] += 1
        if seen[key] > 1:
            key = (*key[:-1], f"{key[-1]}#{seen[key]}")
        entries[key] = targets[i]
    return entries


def canonical_text(
    plan_id: str, version: int, scope: Scope, entries: Mapping[LeafKey, str]
) -> bytes:
    """The one text a fingerprint hashes: sorted keys and rows, compact, UTF-8."""
    rows = sorted([*key, amount] for key, amount in entries.items())
    body = {
        "format": FINGERPRINT_FORMAT,
        "plan_id": plan_id,
        "rows": rows,
        "scope": scope.text,
        "version": int(version),
    }
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def fingerprint(plan_id: str, version: int, scope: Scope, entries: Mapping[LeafKey, str]) -> str:
    """'sha256:' and the hex digest of `canonical_text`."""
    digest = hashlib.sha256(canonical_text(plan_id, version, scope, entries)).hexdigest()
    return f"sha256:{digest}"


@dataclass(frozen=True)
class LeafChange:
    """One leaf whose target is not what a snapshot holds: `old` None for a leaf added since,
    `new` None for one removed since."""

    key: LeafKey
    old: str | None
    new: str | None


def changes(before: Mapping[LeafKey, str], after: Mapping[LeafKey, str]) -> list[LeafChange]:
    """Leaves whose target differs between two snapshots, in key order."""
    return [
        LeafChange(key, before.get(key), after.get(key))
        for key in sorted({*before, *after})
        if before.get(key) != after.get(key)
    ]


def signed_message(approval_id: str, approver: str, fingerprint_text: str) -> bytes:
    """What an approval's signature covers: its id, who approved and the fingerprint."""
    return f"{SIGNATURE_FORMAT}\n{approval_id}\n{approver.strip()}\n{fingerprint_text}".encode()


class KeyProblem(ValueError):  # noqa: N818 -- reads as a sentence at raise sites
    """A key file or public key text that cannot be used."""


def new_key_pair() -> tuple[bytes, str]:
    """A fresh Ed25519 key pair: the private key as PEM (PKCS#8) and the public key text."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    return pem, public_text(pem)


def public_text(private_pem: bytes) -> str:
    """'ed25519:' and the raw public key in base64, for tblApprovers."""
    from cryptography.hazmat.primitives import serialization

    key = _private_key(private_pem)
    raw = key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return KEY_PREFIX + base64.b64encode(raw).decode()


def _private_key(private_pem: bytes) -> Ed25519PrivateKey:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    try:
        key = serialization.load_pem_private_key(private_pem, password=None)
    except (ValueError, TypeError) as exc:
        raise KeyProblem(f"not an unencrypted PEM private key ({exc})") from exc
    if not isinstance(key, Ed25519PrivateKey):
        raise KeyProblem("the private key is not an Ed25519 key")
    return key


def sign(private_pem: bytes, message: bytes) -> str:
    """The Ed25519 signature of `message`, in base64."""
    return base64.b64encode(_private_key(private_pem).sign(message)).decode()


def public_key_bytes(text: object) -> bytes:
    """The 32 raw bytes of a public key written as `public_text` writes it."""
    raw = "" if text is None else str(text).strip()
    if not raw.startswith(KEY_PREFIX):
        raise KeyProblem(f"a public key starts with {KEY_PREFIX!r} (got {raw[:20]!r})")
    try:
        data = base64.b64decode(raw[len(KEY_PREFIX) :], validate=True)
    except ValueError as exc:
        raise KeyProblem("the public key is not valid base64") from exc
    if len(data) != 32:
        raise KeyProblem(f"an Ed25519 public key is 32 bytes (this one is {len(data)})")
    return data


def signature_holds(public_key: object, message: bytes, signature: object) -> bool:
    """Whether `signature` (base64) is the public key's holder's signature of `message`."""
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    key = Ed25519PublicKey.from_public_bytes(public_key_bytes(public_key))
    try:
        raw = base64.b64decode(str(signature or "").strip(), validate=True)
        key.verify(raw, message)
    except (InvalidSignature, ValueError):
        return False
    return True
