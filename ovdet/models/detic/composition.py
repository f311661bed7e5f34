"""Composite pseudo regions of a mosaic: unions of rectangles of grid cells (Detic + CLIM)."""
import random
from typing import Dict, List, Sequence, Tuple

import torch

Group = Tuple[int, ...]


def cell_rectangles(grid: Tuple[int, int]) -> List[Group]:
    """Every rectangle [m0..m1] x [n0..n1] of an M x N grid with at least two cells, as the
    row-major indices (m * N + n) of its cells."""
    m_, n_ = grid
    rects = []
    for m0 in range(m_):
        for m1 in range(m0, m_):
            for n0 in range(n_):
                for n1 in range(n0, n_):
                    if (m0, n0) != (m1, n1):
                        rects.append(tuple(m * n_ + n for m in range(m0, m1 + 1) for n in range(n0, n1 + 1)))
    return rects


def sample_cell_groups(grid: Tuple[int, int], num_groups: int, present: Sequence[int],
                       rng: random.Random = random) -> List[Group]:
    """Up to ``num_groups`` distinct groups of present cells, each the present cells of one
    rectangle of the grid (at least two of them).

    A rectangle is drawn as the reference does: corners (m0, m1) = sorted pair of uniform rows,
    (n0, n1) = sorted pair of uniform columns, redrawn when it is a single cell; groups with fewer
    than two present cells and repeats are redrawn. When fewer than ``num_groups`` distinct groups
    exist, all of them are returned. Order: as drawn (the reference returns a set's order; compare
    groups as sets).
    """
    m_, n_ = grid
    present = set(int(c) for c in present)
    possible = {g for g in (tuple(c for c in r if c in present) for r in cell_rectangles(grid))
                if len(g) >= 2}
    if num_groups <= 0 or not possible:
        return []
    if len(possible) <= num_groups:
        return sorted(possible)
    groups: List[Group] = []
    while len(groups) < num_groups:
        m0, m1 = sorted(rng.choices(range(m_), k=2))
        n0, n1 = sorted(rng.choices(range(n_), k=2))
        g = tuple(m * n_ + n for m in range(m0, m1 + 1) for n in range(n0, n1 + 1) if m * n_ + n in present)
        if len(g) >= 2 and g not in groups:
            groups.append(g)
    return groups


def cells_to_boxes(cells: Sequence[int]) -> Dict[int, List[int]]:
    """{cell: [indices of the boxes in it]} from a per-box cell list."""
    out: Dict[int, List[int]] = {}
    for i, c in enumerate(cells):
        out.setdefault(int(c), []).append(i)
    return out


def union_box(boxes: torch.Tensor) -> torch.Tensor:
    """(k, 4) xyxy -> (4,) the smallest box holding all of them."""
    return torch.cat([boxes[:, :2].min(dim=0).values, boxes[:, 2:].max(dim=0).values])


def id_vector(ids: Sequence[int], length: int) -> torch.Tensor:
    """Region image-id vector of Detic's caption loss: one id fills all ``length`` slots; several
    ids fill a prefix in order and the rest is -1 (more than ``length`` ids are cut)."""
    ids = [int(i) for i in ids][:length]
    if len(ids) == 1:
        return torch.full((length,), ids[0], dtype=torch.long)
    out = torch.full((length,), -1, dtype=torch.long)
    out[:len(ids)] = torch.tensor(ids, dtype=torch.long)
    return out


def mosaic_layout(data_sample) -> Tuple[Tuple[int, int], List[int]]:
    """(grid, per-box cells) of a sample: ``mosaic_grid`` / ``mosaic_cells`` from
    :class:`MultiChoicesMosaic`, else (1, 1) and all zeros."""
    meta = data_sample.metainfo
    n = len(data_sample.gt_instances)
    grid = tuple(meta.get('mosaic_grid', (1, 1)))
    cells = list(meta.get('mosaic_cells', [0] * n))
    if len(cells) != n:
        raise ValueError(f'mosaic_cells has {len(cells)} entries for {n} boxes')
    return grid, cells
