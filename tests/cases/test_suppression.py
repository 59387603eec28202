"""Small cells are suppressed and none can be recovered from the published totals."""

from __future__ import annotations

from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from callcenter.cases.suppression import SuppressedTable, suppress, with_margins


def _recoverable(table: SuppressedTable) -> set[tuple[int, int]]:
    """Suppressed cells that the published figures determine exactly (exact linear algebra).

    Unknowns: the suppressed cells. Equations: every row and column line of the grid with its
    margin. A cell is determined iff its unit vector lies in the row space of the system.
    """
    cells = table.cells
    n_r, n_c = len(cells), len(cells[0])
    unknown = [(r, c) for r in range(n_r) for c in range(n_c) if cells[r][c] is None]
    index = {cell: i for i, cell in enumerate(unknown)}
    equations: list[list[Fraction]] = []
    for r in range(n_r):
        eq = [Fraction(0)] * len(unknown)
        for c in range(n_c):
            if (r, c) in index:
                eq[index[(r, c)]] += -1 if c == n_c - 1 else 1
        equations.append(eq)
    for c in range(n_c):
        eq = [Fraction(0)] * len(unknown)
        for r in range(n_r):
            if (r, c) in index:
                eq[index[(r, c)]] += -1 if r == n_r - 1 else 1
        equations.append(eq)
    # reduced row echelon form
    rows = [e[:] for e in equations if any(e)]
    pivots: list[int] = []
    lead = 0
    for col in range(len(unknown)):
        pivot = next((i for i in range(lead, len(rows)) if rows[i][col] != 0), None)
        if pivot is None:
            continue
        rows[lead], rows[pivot] = rows[pivot], rows[lead]
        pv = rows[lead][col]
        rows[lead] = [v / pv for v in rows[lead]]
        for i in range(len(rows)):
            if i != lead and rows[i][col] != 0:
                f = rows[i][col]
                rows[i] = [a - f * b for a, b in zip(rows[i], rows[lead], strict=True)]
        pivots.append(col)
        lead += 1
    determined: set[tuple[int, int]] = set()
    for i, col in enumerate(pivots):
        if sum(1 for v in rows[i] if v != 0) == 1:
            determined.add(unknown[col])
    return determined


def test_cells_under_k_are_suppressed_with_their_complements() -> None:
    counts = [[40, 3, 25], [30, 12, 18], [22, 15, 30]]
    table = suppress(counts, ["a", "b", "c"], ["x", "y", "z"], k=11)
    assert table.value("a", "y") is None
    # the row and column of the small cell each lose a second cell
    assert sum(v is None for v in table.cells[0]) >= 2
    assert sum(table.cells[r][1] is None for r in range(4)) >= 2
    assert _recoverable(table) == set()
    # unsuppressed cells keep their true value, margins included
    full = with_margins(counts)
    for r, row in enumerate(table.cells):
        for c, v in enumerate(row):
            assert v is None or v == full[r][c]


def test_small_margin_is_suppressed() -> None:
    table = suppress([[2, 3], [40, 50]], ["rare", "common"], ["x", "y"], k=11)
    assert table.value("rare", "Total") is None
    assert _recoverable(table) == set()


def test_bridge_between_two_blocks_is_closed() -> None:
    # two blocks of small cells joined through a single line would leak without cycle repair
    counts = [
        [5, 6, 50, 50],
        [7, 8, 50, 50],
        [50, 50, 4, 9],
        [50, 50, 3, 2],
    ]
    table = suppress(counts, list("abcd"), list("wxyz"), k=11)
    assert _recoverable(table) == set()


def test_no_suppression_when_every_cell_is_large() -> None:
    table = suppress([[20, 30], [40, 0]], ["a", "b"], ["x", "y"], k=11)
    assert table.primary == frozenset() and table.complementary == frozenset()


@settings(max_examples=150, deadline=None)
@given(
    st.integers(1, 5).flatmap(
        lambda n_cols: st.lists(
            st.lists(st.integers(0, 40), min_size=n_cols, max_size=n_cols), min_size=1, max_size=5
        )
    ),
    st.integers(2, 15),
)
def test_no_suppressed_cell_is_ever_recoverable(counts: list[list[int]], k: int) -> None:
    table = suppress(
        counts, [f"r{i}" for i in range(len(counts))], [f"c{i}" for i in range(len(counts[0]))], k=k
    )
    full = with_margins(counts)
    for r, row in enumerate(full):
        for c, v in enumerate(row):
            if 0 < v < k:
                assert table.cells[r][c] is None
    assert _recoverable(table) == set()
