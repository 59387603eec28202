"""Small-cell suppression of aggregate tables, with complementary suppression.

A published table is the grid of counts *with its margins* (row totals, column totals, grand
total): an (R+1) x (C+1) grid whose every line (row or column, margin included) satisfies
"sum of the inner cells = the margin cell". Rules:

1. Primary: every cell (margins included) with ``0 < count < k`` is suppressed.
2. Complementary: a line with exactly one suppressed cell would give it away by subtraction, so a
   second cell of that line is suppressed. More generally a suppressed cell can be solved from the
   published figures exactly when it is a *bridge* of the graph whose nodes are the lines and
   whose edges are the suppressed cells (it lies on no cycle). Every bridge gets a cycle by
   suppressing one more cell, until there is no bridge.

With no bridge, every suppressed cell lies on a cycle of suppressed cells; moving +1/-1 around the
cycle (signs flipped on margin cells) keeps every published figure, so the cell cannot be
recovered. Complements are chosen among non-zero cells (smallest first) so such moves stay
non-negative. Pure functions: counts in, a :class:`SuppressedTable` out.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

DEFAULT_K = 11
SUPPRESSED = None  # how a suppressed cell appears in :attr:`SuppressedTable.cells`

Cell = tuple[int, int]


@dataclass(frozen=True, slots=True)
class SuppressedTable:
    """The grid with margins: ``cells[r][c]`` is a count or ``None`` (suppressed).

    Row ``len(row_labels)`` holds the column totals, column ``len(col_labels)`` the row totals.
    """

    row_labels: tuple[str, ...]
    col_labels: tuple[str, ...]
    cells: tuple[tuple[int | None, ...], ...]
    k: int
    primary: frozenset[Cell]
    complementary: frozenset[Cell]

    def value(self, row: str, col: str) -> int | None:
        r = len(self.row_labels) if row == "Total" else self.row_labels.index(row)
        c = len(self.col_labels) if col == "Total" else self.col_labels.index(col)
        return self.cells[r][c]


def with_margins(counts: Sequence[Sequence[int]]) -> list[list[int]]:
    """The grid extended by row totals (last column) and column totals (last row)."""
    n_cols = len(counts[0]) if counts else 0
    grid = [[*row, sum(row)] for row in counts]
    totals = [sum(row[c] for row in grid) for c in range(n_cols + 1)]
    return [*grid, totals]


def _bridges(nodes: int, edges: list[tuple[int, int, Cell]]) -> list[Cell]:
    """Cells that are bridges of the multigraph (Tarjan, iterative)."""
    adj: list[list[tuple[int, int]]] = [[] for _ in range(nodes)]
    for idx, (a, b, _cell) in enumerate(edges):
        adj[a].append((b, idx))
        adj[b].append((a, idx))
    disc = [-1] * nodes
    low = [0] * nodes
    timer = 0
    found: list[Cell] = []
    for root in range(nodes):
        if disc[root] != -1:
            continue
        disc[root] = low[root] = timer
        timer += 1
        stack: list[tuple[int, int, int]] = [(root, -1, 0)]
        while stack:
            node, via, pos = stack[-1]
            if pos < len(adj[node]):
                stack[-1] = (node, via, pos + 1)
                nxt, eid = adj[node][pos]
                if eid == via:
                    continue
                if disc[nxt] == -1:
                    disc[nxt] = low[nxt] = timer
                    timer += 1
                    stack.append((nxt, eid, 0))
                else:
                    low[node] = min(low[node], disc[nxt])
            else:
                stack.pop()
                if stack:
                    parent = stack[-1][0]
                    low[parent] = min(low[parent], low[node])
                    if low[node] > disc[parent]:
                        found.append(edges[via][2])
    return found


def _components_without(nodes: int, edges: list[tuple[int, int, Cell]], skip: Cell) -> list[int]:
    parent = list(range(nodes))

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b, cell in edges:
        if cell != skip:
            parent[find(a)] = find(b)
    return [find(x) for x in range(nodes)]


def suppress(
    counts: Sequence[Sequence[int]],
    row_labels: Sequence[str],
    col_labels: Sequence[str],
    k: int = DEFAULT_K,
) -> SuppressedTable:
    """Suppress cells under ``k`` and enough complements that none can be recovered."""
    if k < 1:
        raise ValueError("k must be at least 1")
    if len(counts) != len(row_labels) or any(len(r) != len(col_labels) for r in counts):
        raise ValueError("counts do not match the row and column labels")
    if any(v < 0 for row in counts for v in row):
        raise ValueError("counts cannot be negative")
    grid = with_margins(counts)
    n_r, n_c = len(grid), len(grid[0]) if grid else 0
    primary = {(r, c) for r in range(n_r) for c in range(n_c) if 0 < grid[r][c] < k}
    suppressed = set(primary)
    # Nodes: rows 0..n_r-1, columns n_r..n_r+n_c-1 (margin row/column included as lines).
    nodes = n_r + n_c

    def edges() -> list[tuple[int, int, Cell]]:
        return [(r, n_r + c, (r, c)) for (r, c) in sorted(suppressed)]

    def pick(candidates: list[Cell]) -> Cell | None:
        free = [cell for cell in candidates if cell not in suppressed]
        if not free:
            return None
        # non-zero first, then inner cells before margins, then the smallest count
        return min(
            free,
            key=lambda cell: (
                grid[cell[0]][cell[1]] == 0,
                cell[0] == n_r - 1 or cell[1] == n_c - 1,
                grid[cell[0]][cell[1]],
                cell,
            ),
        )

    for _ in range(4 * n_r * n_c + 4):
        changed = False
        # a line with a single suppressed cell
        for r in range(n_r):
            in_row = [(r, c) for c in range(n_c) if (r, c) in suppressed]
            if len(in_row) == 1:
                # prefer a column that already has suppressions (builds cycles)
                cand = [
                    (r, c) for c in range(n_c) if any((r2, c) in suppressed for r2 in range(n_r))
                ]
                cell = pick(cand) or pick([(r, c) for c in range(n_c)])
                if cell is not None:
                    suppressed.add(cell)
                    changed = True
        for c in range(n_c):
            in_col = [(r, c) for r in range(n_r) if (r, c) in suppressed]
            if len(in_col) == 1:
                cand = [
                    (r, c) for r in range(n_r) if any((r, c2) in suppressed for c2 in range(n_c))
                ]
                cell = pick(cand) or pick([(r, c) for r in range(n_r)])
                if cell is not None:
                    suppressed.add(cell)
                    changed = True
        if changed:
            continue
        bridges = _bridges(nodes, edges())
        if not bridges:
            break
        bridge = bridges[0]
        comp = _components_without(nodes, edges(), bridge)
        side_a = comp[bridge[0]]  # the bridge's row lies on side A, its column on side B
        rows_b = [r for r in range(n_r) if comp[r] != side_a]
        cols_a = [c for c in range(n_c) if comp[n_r + c] == side_a]
        cell = pick([(r, c) for r in rows_b for c in cols_a])
        if cell is None:  # degenerate: suppress the whole row of the bridge
            cell = pick([(bridge[0], c) for c in range(n_c)])
        if cell is None:
            break
        suppressed.add(cell)
    cells = tuple(
        tuple(None if (r, c) in suppressed else grid[r][c] for c in range(n_c)) for r in range(n_r)
    )
    return SuppressedTable(
        row_labels=tuple(row_labels),
        col_labels=tuple(col_labels),
        cells=cells,
        k=k,
        primary=frozenset(primary),
        complementary=frozenset(suppressed - primary),
    )


def to_rows(table: SuppressedTable, suppressed_mark: str = "<k") -> list[list[str]]:
    """CSV-ready rows: a header, one row per label, then the totals row."""
    header = ["", *table.col_labels, "Total"]
    out = [header]
    labels = [*table.row_labels, "Total"]
    for label, row in zip(labels, table.cells, strict=True):
        out.append([label, *(suppressed_mark if v is None else str(v) for v in row)])
    return out
