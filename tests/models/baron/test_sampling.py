"""BARON bag sampling against hand computations: direction and cell probabilities, the border
rule, the group count min(max_groups, n!), neighbour geometry, permutation-invariant integer ids,
proposal filtering with its fallbacks."""
import math
import random

import numpy as np
import pytest
import torch

from ovdet.models.baron import (NeighbourhoodSampler, filter_proposals, group_key, image_box,
                                    sample_bags)
from ovdet.models.baron.neighbourhood import (direction_probabilities, distinct_permutations,
                                                  draw_distinct_groups, neighbour_boxes)

HW = (100, 100)


def test_direction_and_cell_probabilities_by_hand():
    # w = 20, h = 40: left/right (h/w)^3 * 0.3 = 2.4 -> clipped to 0.3; up/down (w/h)^3 * 0.3
    box = [10, 20, 30, 60]
    d = direction_probabilities(box, HW, alpha=3.0, base_p=0.3, cut_off=0.3, interval=-0.1)
    assert np.allclose(d, [0.3, 0.3, 0.0375, 0.0375])
    p = NeighbourhoodSampler().probabilities(box, HW)
    corner = math.sqrt(0.3 * 0.0375)
    assert np.allclose(p, [corner, 0.0375, corner, 0.3, 1.0, 0.3, corner, 0.0375, corner], atol=1e-6)


def test_border_rule_uses_cut_off_plus_interval():
    # gap / size must exceed 0.3 + (-0.1) = 0.2
    assert direction_probabilities([4, 20, 24, 60], HW)[0] == 0        # 4 / 20 = 0.2: cut
    assert direction_probabilities([5, 20, 25, 60], HW)[0] == pytest.approx(0.3)   # 0.25: kept
    # bottom: (100 - 92) / 40 = 0.2 -> cut; the right side is still open
    d = direction_probabilities([10, 52, 30, 92], HW)
    assert d[3] == 0 and d[1] > 0
    p = NeighbourhoodSampler().probabilities([10, 52, 30, 92], HW)
    assert p[6] == p[7] == p[8] == 0 and p[5] > 0 and p[2] > 0


@pytest.mark.parametrize('box, possible', [
    ([0, 0, 100, 100], 0),       # fills the image: only the box itself -> 0! = 1 group
    ([0, 0, 20, 100], 1),        # only the right side is open
    ([40, 0, 60, 100], 2),       # left and right (full height: no corners)
    ([10, 20, 30, 60], 8),       # everything open
])
def test_group_count_is_min_of_max_groups_and_factorial(box, possible):
    sampler = NeighbourhoodSampler(max_groups=3)
    p = sampler.probabilities(box, HW)
    assert int((p > 0).sum()) - 1 == possible
    assert sampler.num_groups(p) == min(3, math.factorial(possible))
    res = sampler.sample(box, HW, rng=np.random.default_rng(0), perm_rng=random.Random(0))
    assert len(res.groups) == min(3, math.factorial(possible))
    assert len({tuple(g) for g in res.groups}) == len(res.groups)     # distinct
    assert all(4 in g for g in res.groups)                             # the centre is always in
    assert all(p[c] > 0 for g in res.groups for c in g)


def test_neighbours_overlap_by_ten_percent_and_are_clamped():
    cells = neighbour_boxes([10, 20, 30, 60], interval=-0.1)
    assert np.allclose(cells[4], [10, 20, 30, 60])
    assert np.allclose(cells[5], [28, 20, 48, 60])           # shifted by 0.9 w
    assert np.allclose(cells[1], [10, -16, 30, 24])          # shifted up by 0.9 h
    assert np.allclose(cells[0], [-8, -16, 12, 24])
    res = NeighbourhoodSampler(max_groups=6).sample([10, 20, 30, 60], HW,
                                                    rng=np.random.default_rng(1))
    assert res.cell_boxes.min() >= 0 and res.cell_boxes.max() <= 100
    for g, span in zip(res.groups, res.spans):
        member = res.cell_boxes[g]
        assert np.allclose(span, [*member[:, :2].min(0), *member[:, 2:].max(0)])


def test_sequences_are_distinct_orderings_of_their_group():
    sampler = NeighbourhoodSampler(max_groups=3, max_permutations=2)
    res = sampler.sample([10, 20, 30, 60], HW, rng=np.random.default_rng(2),
                         perm_rng=random.Random(2))
    for g, cells in enumerate(res.groups):
        orders = [seq for grp, seq in res.sequences if grp == g]
        assert len(orders) == min(math.factorial(len(cells)), 2)
        assert all(sorted(o) == cells for o in orders)
        assert len({tuple(o) for o in orders}) == len(orders)
    assert sorted(distinct_permutations(3, 6, random.Random(0))) == sorted(
        [list(p) for p in __import__('itertools').permutations(range(3))])


def test_sequence_ids_are_permutation_invariant_integers():
    assert group_key([0, 4]) == 40 and group_key([4, 0]) == 40
    assert group_key([8, 7, 6, 5, 4, 3, 2, 1]) == 87654321
    assert group_key([8, 7, 6, 5, 4, 3, 2, 0]) == 87654320          # float32 would merge these
    layout = sample_bags(np.array([[10, 20, 30, 60], [60, 10, 80, 30]], np.float32), HW,
                         NeighbourhoodSampler(max_groups=3, max_permutations=2),
                         rng=np.random.default_rng(3), perm_rng=random.Random(3))
    assert layout.seq_ids.dtype == np.int64 and layout.box_ids.dtype == np.int64
    assert layout.boxes.shape[0] == layout.seq_lengths.sum() == len(layout.normed)
    starts = np.concatenate([[0], np.cumsum(layout.seq_lengths)[:-1]])
    for s in range(len(layout.seq_ids)):
        for t in range(len(layout.seq_ids)):
            rows_s = layout.box_ids[starts[s]:starts[s] + layout.seq_lengths[s]]
            rows_t = layout.box_ids[starts[t]:starts[t] + layout.seq_lengths[t]]
            same_group = layout.seq_groups[s] == layout.seq_groups[t]
            # equal ids <=> same group <=> same set of boxes
            assert (layout.seq_ids[s] == layout.seq_ids[t]) == same_group
            assert same_group == (sorted(rows_s) == sorted(rows_t))
    # boxes of the same proposal's cell share a box id; normalised boxes live in [0, 1]
    assert layout.normed.min() >= -1e-6 and layout.normed.max() <= 1 + 1e-6
    for s, g in enumerate(layout.seq_groups):
        rows = slice(starts[s], starts[s] + layout.seq_lengths[s])
        span = layout.spans[g]
        size = np.tile(span[2:] - span[:2], 2)
        assert np.allclose(layout.normed[rows] * size + np.tile(span[:2], 2), layout.boxes[rows],
                           atol=1e-3)


def test_distinct_group_draws_stop_when_a_set_is_nearly_impossible():
    probs = np.array([0, 0, 0, 0, 1, 1e-12, 0, 0, 0], np.float32)
    groups = draw_distinct_groups(probs, 2, np.random.default_rng(0), max_draws=1024)
    assert groups == [[4]]                         # the reference would loop for ever


def test_filter_proposals_by_hand():
    boxes = torch.tensor([[10., 10., 50., 50.],     # kept (best)
                          [12., 12., 50., 50.],     # IoU 0.9 with the first -> NMS 0.1 removes
                          [60., 60., 90., 70.],     # w/h = 3 kept
                          [0., 0., 50., 5.],        # w/h = 10: bad shape
                          [0., 0., 5., 5.],         # area 25 / 9801 < 1 %
                          [20., 60., 40., 90.]])    # objectness 0.5 < 0.85
    scores = torch.tensor([0.99, 0.98, 0.9, 0.99, 0.99, 0.5])
    kept, kept_scores = filter_proposals(boxes, scores, (100, 100))
    assert torch.equal(kept, boxes[[0, 2]]) and torch.allclose(kept_scores, scores[[0, 2]])
    # nothing passes: the best proposal, no NMS
    kept, kept_scores = filter_proposals(boxes[3:], scores[3:], (100, 100))
    assert torch.equal(kept, boxes[[3]])
    # no proposal at all: the image box [0, 0, W - 1, H - 1] with score 1
    kept, kept_scores = filter_proposals(torch.zeros(0, 4), torch.zeros(0), (80, 120))
    assert torch.equal(kept, image_box((80, 120))) and kept.tolist() == [[0, 0, 119, 79]]
    assert kept_scores.tolist() == [1.0]
