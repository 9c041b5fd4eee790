"""Fingerprints and signatures: one canonical text whichever reader read the cells, any
changed figure changes the hash, and only the key's holder can sign."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from salesgoal_xl.core.fingerprint import (
    KeyProblem,
    Scope,
    ScopeError,
    changes,
    fingerprint,
    leaf_entries,
    new_key_pair,
    parse_scope,
    public_key_bytes,
    sign,
    signature_holds,
    signed_message,
)


def _leaves(targets: list[object], periods: list[object] | None = None) -> pd.DataFrame:
    n = len(targets)
    return pd.DataFrame(
        {
            "period": periods or [f"2026-{m:02d}" for m in range(1, n + 1)],
            "region": ["NORTH"] * n,
            "team": ["N1"] * n,
            "rep_id": ["R001"] * n,
            "channel": ["DIR"] * n,
            "product": ["PRN"] * n,
            "target": targets,
        },
        dtype=object,
    )


def _print(frame: pd.DataFrame, scope: Scope | None = None, version: int = 1) -> str:
    scope = scope or Scope("all")
    return fingerprint("plan1", version, scope, leaf_entries(frame, scope.mask(frame)))


def test_the_same_numbers_read_by_different_readers_give_one_fingerprint() -> None:
    """1200000 as int, float, Decimal or text, a month as text or Excel's date: one hash."""
    plain = _leaves([1_200_000, 5])
    other = _leaves(
        [1_200_000.0, Decimal("5.00")], periods=[dt.datetime(2026, 1, 1), dt.date(2026, 2, 1)]
    )
    text = _leaves(["1200000", " 5 "])
    assert _print(plain) == _print(other) == _print(text)


@given(st.lists(st.integers(min_value=0, max_value=10**12), min_size=1, max_size=12), st.data())
def test_any_changed_figure_changes_the_fingerprint(
    targets: list[int], data: st.DataObject
) -> None:
    """Moving one unit anywhere, or swapping two different months, gives another fingerprint."""
    base = _leaves(list(targets))
    row = data.draw(st.integers(min_value=0, max_value=len(targets) - 1))
    moved = base.copy()
    moved.at[row, "target"] = targets[row] + 1
    assert _print(moved) != _print(base)
    if len(set(targets)) > 1:
        shuffled = base.copy()
        shuffled["target"] = list(reversed(targets))
        assert (_print(shuffled) == _print(base)) == (list(reversed(targets)) == targets)


def test_row_order_does_not_matter_but_plan_version_and_scope_do() -> None:
    """Sorted rows: reordering the table keeps the hash; another version or scope text does not."""
    base = _leaves([10, 20, 30])
    reordered = base.iloc[::-1].reset_index(drop=True)
    assert _print(reordered) == _print(base)
    assert _print(base, version=2) != _print(base)
    assert _print(base, Scope("region", "NORTH")) != _print(base)


def test_a_scope_holds_only_its_leaves() -> None:
    """region:NORTH covers NORTH's rows, a manager's scope its reps', and nothing else."""
    frame = pd.concat([_leaves([1, 2]), _leaves([3]).assign(region="SOUTH", rep_id="R9")])
    frame = frame.reset_index(drop=True)
    assert list(Scope("region", "NORTH").mask(frame)) == [True, True, False]
    assert list(Scope("manager", "Kim", frozenset({"R9"})).mask(frame)) == [False, False, True]
    assert list(Scope("all").mask(frame)) == [True, True, True]


@pytest.mark.parametrize(
    ("text", "expected"),
    [("all", "all"), (" ALL ", "all"), ("region:NORTH", "region:NORTH"), ("Rep: R001", "rep:R001")],
)
def test_scopes_read_in_any_case(text: str, expected: str) -> None:
    """Scope texts are read case-insensitively and written one way."""
    assert parse_scope(text).text == expected


@pytest.mark.parametrize("text", ["", "north", "region:", "channel:DIR", "company"])
def test_a_bad_scope_says_what_a_scope_looks_like(text: str) -> None:
    """Anything else is refused with the accepted forms named."""
    with pytest.raises(ScopeError, match="region:CODE"):
        parse_scope(text)


def test_changes_name_changed_added_and_removed_leaves() -> None:
    """changes() lists a moved figure, a new leaf and a dropped one, in key order."""
    before = leaf_entries(_leaves([10, 20]), np.array([True, True]))
    after_frame = _leaves([10, 25, 5], periods=["2026-01", "2026-02", "2026-03"])
    after = leaf_entries(after_frame.iloc[1:].reset_index(drop=True), np.array([True, True]))
    found = {(c.key[0], c.old, c.new) for c in changes(before, after)}
    assert found == {("2026-01", "10", None), ("2026-02", "20", "25"), ("2026-03", None, "5")}


def test_a_signature_verifies_only_with_its_message_and_key() -> None:
    """The holder's signature verifies; another fingerprint, approver or key does not."""
    private, public = new_key_pair()
    _, other_public = new_key_pair()
    message = signed_message("APR-001", "Ann Lee", "sha256:aa")
    signature = sign(private, message)
    assert signature_holds(public, message, signature)
    assert not signature_holds(public, signed_message("APR-001", "Ann Lee", "sha256:ab"), signature)
    assert not signature_holds(public, signed_message("APR-001", "Bob", "sha256:aa"), signature)
    assert not signature_holds(other_public, message, signature)
    assert not signature_holds(public, message, "not base64!")


@pytest.mark.parametrize("text", ["", "rsa:AAAA", "ed25519:%%%", "ed25519:AAAA"])
def test_a_malformed_public_key_is_refused_with_the_reason(text: str) -> None:
    """A public key must be 'ed25519:' and 32 bytes of base64."""
    with pytest.raises(KeyProblem):
        public_key_bytes(text)


def test_a_private_key_that_is_not_pem_is_refused() -> None:
    """Signing with a file that holds no key says so."""
    with pytest.raises(KeyProblem, match="PEM"):
        sign(b"hello", b"message")
