"""The re-spread rule of an adjustment and the adjustment log's chain hash."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from fractions import Fraction

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from salesgoal_xl.core.adjustment import (
    Adjustment,
    AdjustmentRefused,
    LockGroup,
    apply_adjustment,
    canonical_value,
    chain_hash,
    company_change,
    verify_chain,
)

MONTHS = [f"2026-{m:02d}" for m in range(1, 13)]
REPS = {"R1": ("T1", "N"), "R2": ("T1", "N"), "R3": ("T2", "N"), "R4": ("T3", "S")}


def _leaves() -> tuple[pd.DataFrame, np.ndarray]:
    """Four reps x twelve months x two products, units growing through the year."""
    rows, units = [], []
    for r, (rep, (team, region)) in enumerate(REPS.items()):
        for m, month in enumerate(MONTHS):
            for p, product in enumerate(("A", "B")):
                rows.append(
                    {
                        "period": month,
                        "month": month,
                        "region": region,
                        "team": team,
                        "rep_id": rep,
                        "channel": "DIR",
                        "product": product,
                    }
                )
                units.append((r + 1) * 10 + m + p * 5)
    return pd.DataFrame(rows), np.array(units, dtype=np.int64)


def _total(leaves: pd.DataFrame, units: np.ndarray, **match: str) -> int:
    mask = np.ones(len(leaves), dtype=bool)
    for key, value in match.items():
        mask &= leaves[key].to_numpy() == value
    return int(units[mask].sum())


def _request(**changes: object) -> Adjustment:
    base: dict[str, object] = {
        "adj_id": "A1",
        "level": "rep",
        "code": "R1",
        "from_period": "2026-07",
        "new_units": 600,
        "keep_parent_total": False,
    }
    base.update(changes)
    return Adjustment(**base)  # type: ignore[arg-type]


def test_earlier_periods_stay_and_the_scope_gets_its_new_year_exactly() -> None:
    """Leaves before the from-period keep their units; the rep's year is the new target; other
    reps are untouched, so the team, region and company move by the change."""
    leaves, units = _leaves()
    old_r1 = _total(leaves, units, rep_id="R1")
    done = apply_adjustment(leaves, units, _request())
    early = leaves["month"].to_numpy() < "2026-07"
    assert (done.units[early] == units[early]).all()
    assert _total(leaves, done.units, rep_id="R1") == 600
    assert done.old_units == old_r1
    others = leaves["rep_id"].to_numpy() != "R1"
    assert (done.units[others] == units[others]).all()
    assert int(done.units.sum()) - int(units.sum()) == 600 - old_r1


def test_the_open_periods_keep_the_shape_the_split_gave_them() -> None:
    """Each open leaf of the scope is scaled by the same factor, to within one unit."""
    leaves, units = _leaves()
    done = apply_adjustment(leaves, units, _request(new_units=900))
    mask = (leaves["rep_id"].to_numpy() == "R1") & (leaves["month"].to_numpy() >= "2026-07")
    fixed = _total(leaves, units, rep_id="R1") - int(units[mask].sum())
    factor = Fraction(900 - fixed, int(units[mask].sum()))
    for old, new in zip(units[mask], done.units[mask], strict=True):
        assert abs(new - old * factor) < 1


def test_keep_parent_total_lets_the_siblings_absorb_the_change() -> None:
    """With the parent kept, the team's year is unchanged: R2 (the only sibling in T1) gives up
    exactly what R1 gains, and nothing outside the team moves."""
    leaves, units = _leaves()
    done = apply_adjustment(leaves, units, _request(keep_parent_total=True))
    assert _total(leaves, done.units, team="T1") == _total(leaves, units, team="T1")
    gain = 600 - _total(leaves, units, rep_id="R1")
    assert _total(leaves, done.units, rep_id="R2") == _total(leaves, units, rep_id="R2") - gain
    outside = leaves["team"].to_numpy() != "T1"
    assert (done.units[outside] == units[outside]).all()


def test_a_region_kept_inside_the_company_moves_the_other_regions() -> None:
    """A region cut with the company total kept: the company total stays, region S is exact."""
    leaves, units = _leaves()
    request = _request(level="region", code="S", new_units=900, keep_parent_total=True)
    done = apply_adjustment(leaves, units, request)
    assert int(done.units.sum()) == int(units.sum())
    assert _total(leaves, done.units, region="S") == 900


def test_a_new_target_below_what_is_already_fixed_is_refused() -> None:
    """Cutting a rep below the months already gone is impossible and says so."""
    leaves, units = _leaves()
    fixed = _total(leaves, units, rep_id="R1") - sum(
        int(u)
        for u, r, m in zip(units, leaves["rep_id"], leaves["month"], strict=True)
        if r == "R1" and m >= "2026-07"
    )
    with pytest.raises(AdjustmentRefused, match="below the"):
        apply_adjustment(leaves, units, _request(new_units=fixed - 1))


def test_siblings_that_cannot_absorb_a_rise_are_refused() -> None:
    """Keeping the team total while R1 takes more than R2 holds in the open months fails."""
    leaves, units = _leaves()
    with pytest.raises(AdjustmentRefused, match="would have to give up"):
        apply_adjustment(leaves, units, _request(new_units=10_000, keep_parent_total=True))


def test_a_locked_month_inside_the_scope_keeps_its_target() -> None:
    """A month lock on the rep keeps that month's units; the rest of the year absorbs the rise."""
    leaves, units = _leaves()
    lock = LockGroup("rep", "R1", "2026-09")
    done = apply_adjustment(leaves, units, _request(new_units=800), [lock])
    sept = (leaves["rep_id"].to_numpy() == "R1") & (leaves["month"].to_numpy() == "2026-09")
    assert (done.units[sept] == units[sept]).all()
    assert _total(leaves, done.units, rep_id="R1") == 800


def test_a_lock_on_the_whole_scope_refuses_a_change_that_moves_it() -> None:
    """A yearly lock on the team refuses a rep change unless the team total is kept."""
    leaves, units = _leaves()
    lock = LockGroup("team", "T1", None)
    with pytest.raises(AdjustmentRefused, match="locked"):
        apply_adjustment(leaves, units, _request(), [lock])
    kept = apply_adjustment(leaves, units, _request(keep_parent_total=True), [lock])
    assert _total(leaves, kept.units, team="T1") == _total(leaves, units, team="T1")


@settings(max_examples=40, deadline=None)
@given(
    rep=st.sampled_from(sorted(REPS)),
    month=st.sampled_from(MONTHS),
    extra=st.integers(min_value=0, max_value=5_000),
    keep=st.booleans(),
)
def test_any_feasible_request_is_exact_and_leaves_the_past_alone(
    rep: str, month: str, extra: int, keep: bool
) -> None:
    """Whatever rep, month and new target: the past is identical, the scope's year is exactly
    the new target, no leaf goes negative, and a kept parent total is kept."""
    leaves, units = _leaves()
    is_rep = leaves["rep_id"].to_numpy() == rep
    later = leaves["month"].to_numpy() >= month
    fixed = int(units[is_rep & ~later].sum())
    target = fixed + extra
    request = _request(code=rep, from_period=month, new_units=target, keep_parent_total=keep)
    try:
        done = apply_adjustment(leaves, units, request)
    except AdjustmentRefused:
        assert keep  # only siblings too small to absorb can refuse a target above the past
        return
    assert (done.units[~later] == units[~later]).all()
    assert int(done.units[is_rep].sum()) == target
    assert (done.units >= 0).all()
    if keep:
        team = REPS[rep][0]
        assert _total(leaves, done.units, team=team) == _total(leaves, units, team=team)


# --- the chain hash -------------------------------------------------------------------------


def _log() -> list[dict[str, object]]:
    return [
        {
            "adj_id": f"A{i}",
            "date": dt.date(2026, 6, i),
            "level": "rep",
            "code": f"R{i}",
            "from_period": "2026-07",
            "new_target": 1000 * i,
            "status": "applied",
            "approved_by": "CFO",
        }
        for i in range(1, 4)
    ]


def _hashes(rows: list[dict[str, object]]) -> list[str]:
    out, previous = [], ""
    for row in rows:
        previous = chain_hash(previous, row)
        out.append(previous)
    return out


def test_an_untouched_log_verifies() -> None:
    """The hashes adjust writes verify, with the seal's count and last hash."""
    rows = _log()
    hashes = _hashes(rows)
    assert verify_chain(rows, hashes, 3, hashes[-1]) is None


def test_an_edited_row_is_named_as_edited() -> None:
    """Changing a logged figure breaks that row's hash: reported as edited at row 1."""
    rows, hashes = _log(), _hashes(_log())
    rows[1]["new_target"] = 2500
    broken = verify_chain(rows, hashes, 3, hashes[-1])
    assert broken is not None and (broken.row, broken.kind) == (1, "edited")


def test_a_deleted_or_moved_row_is_found_at_the_row_that_no_longer_follows() -> None:
    """Deleting row 0 or swapping rows 1 and 2 is found at the first row out of place."""
    rows, hashes = _log(), _hashes(_log())
    deleted = verify_chain(rows[1:], hashes[1:], 3, hashes[-1])
    # the deleted row's hash is gone with it: told as "edited, or the row above deleted"
    assert deleted is not None and (deleted.row, deleted.kind) == (0, "edited")
    order = [0, 2, 1]
    swapped = verify_chain([rows[i] for i in order], [hashes[i] for i in order], 3, hashes[-1])
    assert swapped is not None and (swapped.row, swapped.kind) == (1, "moved")


def test_rows_deleted_from_the_end_are_caught_by_the_seal() -> None:
    """The chain of the first two rows holds, but the seal says three were logged."""
    rows, hashes = _log(), _hashes(_log())
    broken = verify_chain(rows[:2], hashes[:2], 3, hashes[-1])
    assert broken is not None and broken.kind == "missing"
    assert verify_chain(rows, hashes, None, "") is not None  # a cleared seal is noticed too


def test_a_number_hashes_the_same_whichever_reader_read_it() -> None:
    """1200000, 1200000.0, Decimal('1200000.00') and the text '1200000' are one canonical value;
    a date and a midnight datetime are too."""
    texts = {canonical_value(v) for v in (1_200_000, 1_200_000.0, Decimal("1200000.00"))}
    assert texts == {"1200000"} == {canonical_value("1200000")}
    assert canonical_value(dt.datetime(2026, 7, 1)) == canonical_value(dt.date(2026, 7, 1))
    assert canonical_value(None) == canonical_value(float("nan")) == ""


def test_company_change_counts_only_applied_rows_that_moved_the_company() -> None:
    """Applied rows without a kept parent move the company by new minus old."""
    rows = [
        {"status": "applied", "keep_parent_total": "no", "new_target": 120, "old_target": 100},
        {"status": "applied", "keep_parent_total": "yes", "new_target": 50, "old_target": 80},
        {"status": "approved", "keep_parent_total": "", "new_target": 500, "old_target": None},
        {"status": "applied", "keep_parent_total": None, "new_target": 70.5, "old_target": 70},
    ]
    assert company_change(rows) == Fraction(41, 2)
