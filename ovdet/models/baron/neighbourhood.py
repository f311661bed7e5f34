"""Bags of regions around a box: BARON's 3 x 3 neighbourhood sampling.

The cells of a 3 x 3 grid are numbered row by row, the box itself in the centre::

    0 1 2
    3 4 5
    6 7 8

Cell (r, c) is the box shifted by ((c - 1) s w, (r - 1) s h) with s = 1 + interval, for a box of
width w and height h: same size as the box, overlapping it by -interval of its size (interval
-0.1: 10 % overlap). The probability that a cell joins a bag is

    p_left = p_right = min(base_p, base_p (h / w)^alpha)     (tall boxes grow sideways)
    p_up   = p_down  = min(base_p, base_p (w / h)^alpha)     (wide boxes grow up and down)

each set to 0 when the gap between the box and the image border on that side, in box sizes
(x0 / w, (W - x1) / w, y0 / h, (H - y1) / h), is <= cut_off + interval. Side cells take their
direction's probability, corner cells sqrt(p_horizontal p_vertical), the centre 1.

With n cells of positive probability besides the centre, ``min(max_groups, n!)`` distinct groups
are drawn (independent Bernoulli per cell, centre always in; duplicates redrawn). The cells of a
group are clamped to the image [0, W] x [0, H]; their union is the group's spanned box, and each
box is also expressed relative to it (normalised to [0, 1]). A group of k boxes is read in
``min(k!, max_permutations)`` distinct random orders ("sequences").

A group's key is the digits of its cell ids in descending order ({0, 4} -> 40), so every
permutation of one group has the same key; keys are Python / int64 integers, never floats.
"""
import math
import random
from dataclasses import dataclass, field
from typing import List, Optional, Sequence, Tuple

import numpy as np

CENTRE = 4
#: cells of each side of the grid: left column, right column, top row, bottom row
SIDE_CELLS = ((0, 3, 6), (2, 5, 8), (0, 1, 2), (6, 7, 8))
CORNERS = (0, 2, 6, 8)


def group_key(cell_ids: Sequence[int]) -> int:
    """Permutation-invariant integer key of a group: its cell ids, sorted descending, as digits."""
    return int(''.join(str(int(i)) for i in sorted(cell_ids, reverse=True)))


def direction_probabilities(box: Sequence[float], image_hw: Tuple[float, float],
                            alpha: float = 3.0, base_p: float = 0.3, cut_off: float = 0.3,
                            interval: float = -0.1) -> np.ndarray:
    """(left, right, up, down) probabilities (4,) of a box [x0, y0, x1, y1] in an image (H, W)."""
    img_h, img_w = image_hw
    x0, y0, x1, y1 = (float(v) for v in box)
    w = x1 - x0 + 1e-12
    h = y1 - y0 + 1e-12
    with np.errstate(over='ignore', invalid='ignore'):
        probs = np.array([h / w, h / w, w / h, w / h], dtype=np.float64) ** alpha * base_p
        gaps = np.array([x0 / w, (img_w - x1) / w, y0 / h, (img_h - y1) / h])
    probs = np.where(gaps > cut_off + interval, probs, 0.0)
    probs = np.clip(np.nan_to_num(probs, nan=0.0), 0.0, base_p)
    return probs.astype(np.float32)


def cell_probabilities(directions: np.ndarray) -> np.ndarray:
    """(4,) direction probabilities -> (9,) cell probabilities (centre 1, corners geometric mean)."""
    p = np.ones(9, dtype=np.float32)
    for side, cells in enumerate(SIDE_CELLS):
        p[list(cells)] *= directions[side]
    p[list(CORNERS)] = np.sqrt(p[list(CORNERS)])
    return p


def neighbour_boxes(box: Sequence[float], interval: float = -0.1) -> np.ndarray:
    """(9, 4) boxes of the grid cells (unclamped), row by row; row 4 is ``box``."""
    x0, y0, x1, y1 = (float(v) for v in box)
    w, h = x1 - x0, y1 - y0
    step = 1.0 + interval
    rows, cols = np.divmod(np.arange(9), 3)
    dx = (cols - 1) * step * w
    dy = (rows - 1) * step * h
    return np.stack([x0 + dx, y0 + dy, x1 + dx, y1 + dy], axis=1).astype(np.float32)


def draw_distinct_groups(probs: np.ndarray, num_groups: int, rng: np.random.Generator,
                         max_draws: int = 4096) -> List[List[int]]:
    """Up to ``num_groups`` distinct cell sets (sorted lists), each cell in with its probability.

    Draws are made in batches and kept in order of first appearance. A cell whose probability is
    tiny can make a required distinct set very unlikely; after ``max_draws`` draws the sets found
    so far are returned (the reference redraws forever).
    """
    groups, seen = [], set()
    drawn = 0
    while len(groups) < num_groups and drawn < max_draws:
        batch = rng.random((256, probs.shape[0])) < probs[None]
        batch[:, CENTRE] = True
        drawn += batch.shape[0]
        for row in batch:
            key = row.tobytes()
            if key not in seen:
                seen.add(key)
                groups.append([int(i) for i in np.flatnonzero(row)])
                if len(groups) == num_groups:
                    break
    return groups


def distinct_permutations(n: int, count: int, rng: random.Random) -> List[List[int]]:
    """``count`` (<= n!) distinct random orderings of range(n)."""
    assert count <= math.factorial(n)
    out, seen = [], set()
    while len(out) < count:
        perm = tuple(rng.sample(range(n), n))
        if perm not in seen:
            seen.add(perm)
            out.append(list(perm))
    return out


def normalise_to(boxes: np.ndarray, span: np.ndarray) -> np.ndarray:
    """Boxes (k, 4) in the coordinates of ``span`` (4,): (box - span_xy) / span_wh, in [0, 1]."""
    size = np.tile(span[2:] - span[:2], 2) + 1e-12
    return (boxes - np.tile(span[:2], 2)) / size


@dataclass
class NeighbourhoodGroups:
    """The bags sampled around one box.

    ``groups[g]``: sorted cell ids of group g; ``spans`` (G, 4) spanned boxes; ``sequences``: one
    entry per (group, permutation), in group order: (g, ordered cell ids); ``cell_boxes`` (9, 4)
    the clamped grid boxes; ``probabilities`` (9,) the cell probabilities.
    """
    groups: List[List[int]]
    spans: np.ndarray
    sequences: List[Tuple[int, List[int]]] = field(default_factory=list)
    cell_boxes: Optional[np.ndarray] = None
    probabilities: Optional[np.ndarray] = None


class NeighbourhoodSampler:
    """Samples BARON bags around boxes (see the module docstring for the rule)."""

    def __init__(self, max_groups: int = 3, max_permutations: int = 2, alpha: float = 3.0,
                 cut_off_thr: float = 0.3, base_probability: float = 0.3,
                 interval: float = -0.1, max_draws: int = 4096):
        if max_groups < 1 or max_permutations < 1:
            raise ValueError('max_groups and max_permutations must be >= 1')
        self.max_groups = int(max_groups)
        self.max_permutations = int(max_permutations)
        self.alpha = float(alpha)
        self.cut_off_thr = float(cut_off_thr)
        self.base_probability = float(base_probability)
        self.interval = float(interval)
        self.max_draws = int(max_draws)

    def probabilities(self, box, image_hw) -> np.ndarray:
        """(9,) cell probabilities of ``box`` [x0, y0, x1, y1] in an image of size (H, W)."""
        return cell_probabilities(direction_probabilities(
            box, image_hw, self.alpha, self.base_probability, self.cut_off_thr, self.interval))

    def num_groups(self, probs: np.ndarray) -> int:
        """min(max_groups, n!) with n the cells besides the centre with probability > 0."""
        n = int((probs > 0).sum()) - 1
        return min(self.max_groups, math.factorial(n))

    def sample(self, box, image_hw, rng: Optional[np.random.Generator] = None,
               perm_rng: Optional[random.Random] = None) -> NeighbourhoodGroups:
        rng = rng if rng is not None else np.random.default_rng(random.getrandbits(63))
        perm_rng = perm_rng if perm_rng is not None else random
        probs = self.probabilities(box, image_hw)
        groups = draw_distinct_groups(probs, self.num_groups(probs), rng, self.max_draws)
        img_h, img_w = image_hw
        cells = neighbour_boxes(box, self.interval)
        cells[:, 0::2] = cells[:, 0::2].clip(0, img_w)
        cells[:, 1::2] = cells[:, 1::2].clip(0, img_h)
        spans, sequences = [], []
        for g, ids in enumerate(groups):
            member = cells[ids]
            spans.append(np.concatenate([member[:, :2].min(0), member[:, 2:].max(0)]))
            count = min(math.factorial(len(ids)), self.max_permutations)
            for perm in distinct_permutations(len(ids), count, perm_rng):
                sequences.append((g, [ids[i] for i in perm]))
        return NeighbourhoodGroups(groups=groups, spans=np.asarray(spans, dtype=np.float32),
                                   sequences=sequences, cell_boxes=cells, probabilities=probs)
