"""MultiChoicesMosaic: layouts computed by hand, cell alignment, box / caption / id bookkeeping, cache."""
import numpy as np
import pytest

from mmdet.structures.bbox import HorizontalBoxes
from ovdet.datasets.transforms.multi_choices_mosaic import (MultiChoicesMosaic, row_alignments,
                                                             row_x_offsets)


def sample(i, h, w, box=None):
    """An image of value 10 + i with one box (default: the whole image) and per-box lists."""
    box = [0, 0, w, h] if box is None else box
    return dict(img=np.full((h, w, 3), 10 + i, np.uint8), img_shape=(h, w),
                gt_bboxes=HorizontalBoxes(np.array([box], np.float32)),
                gt_bboxes_labels=np.array([0]), gt_ignore_flags=np.array([False]),
                captions=[[f'caption {i}']], tags=[[i]], image_ids=[100 + i])


def boxes_of(out):
    return out['gt_bboxes'].tensor.numpy().round(3).tolist()


def check_pixels(out, values):
    """Each box covers exactly pixels of its own sub-image value."""
    for (x0, y0, x1, y1), v in zip(boxes_of(out), values):
        patch = out['img'][int(y0):int(y1), int(x0):int(x1)]
        assert patch.size and (patch == v).all(), (x0, y0, x1, y1, v)


def test_2x2_layout_by_hand():
    t = MultiChoicesMosaic(img_scale=(10, 10), choices=[(2, 2)], max_cached_images=8)
    # (h, w): A 20x10 -> s 0.5 -> 10x5; B 10x10; C 5x10; D 4x8 -> s 1.25 -> 5x10
    parts = [sample(0, 20, 10), sample(1, 10, 10), sample(2, 5, 10), sample(3, 4, 8)]
    out = t.mosaic(parts, 2, 2)
    assert out['img'].shape == (20, 20, 3) and out['img_shape'] == (20, 20)
    # upper row bottom-aligned, lower row top-aligned; left column right-aligned, right left-aligned
    assert boxes_of(out) == [[5, 0, 10, 10], [10, 0, 20, 10], [0, 10, 10, 15], [10, 10, 20, 15]]
    check_pixels(out, [10, 11, 12, 13])
    assert (out['img'][15:, :] == 114).all() and (out['img'][:10, :5] == 114).all()
    assert out['captions'] == [['caption 0'], ['caption 1'], ['caption 2'], ['caption 3']]
    assert out['tags'] == [[0], [1], [2], [3]] and out['image_ids'] == [100, 101, 102, 103]
    assert out['mosaic_grid'] == (2, 2) and out['mosaic_cells'] == [0, 1, 2, 3]


def test_row_offsets_and_alignments():
    assert row_x_offsets([4, 10], 10) == [6, 10]
    assert row_x_offsets([4, 6, 8, 2], 10) == [6, 10, 22, 30]  # two 1x2 blocks side by side

    class Fixed:
        def randint(self, lo, hi):
            assert (lo, hi) == (10, 10 + 10 - 6 + 1)  # middle image anywhere in its cell
            return 13

        def rand(self):
            return 0.7

    assert row_x_offsets([3, 6, 5], 10, rng=Fixed()) == [7, 13, 20]
    assert row_alignments(2) == ['bottom', 'top']
    al = row_alignments(3, rng=Fixed())
    assert al == ['bottom', 'bottom', 'top']
    assert row_alignments(4, rng=Fixed()) == ['bottom'] * 4


@pytest.mark.parametrize('m', [3, 4])
def test_3x3_and_4x4_keep_every_sub_image_in_its_cell(m):
    np.random.seed(1)
    t = MultiChoicesMosaic(img_scale=(8, 8), choices=[(m, m)], max_cached_images=32)
    rng = np.random.RandomState(0)
    parts = [sample(i, int(rng.randint(3, 20)), int(rng.randint(3, 20))) for i in range(m * m)]
    out = t.mosaic(parts, m, m)
    assert out['img'].shape[:2] == (8 * m, 8 * m)
    boxes = boxes_of(out)
    assert len(boxes) == m * m and out['image_ids'] == [100 + i for i in range(m * m)]
    check_pixels(out, [10 + i for i in range(m * m)])
    for i, (x0, y0, x1, y1) in enumerate(boxes):
        r, c = divmod(i, m)
        assert c * 8 <= x0 < x1 <= (c + 1) * 8 and r * 8 <= y0 < y1 <= (r + 1) * 8
        assert y0 == r * 8 or y1 == (r + 1) * 8  # aligned to the top or the bottom of its cell
    if m == 4:  # columns: right-aligned, left-aligned, right-aligned, left-aligned
        for i, (x0, _, x1, _) in enumerate(boxes):
            c = i % 4
            assert (x1 == (c + 1) * 8) if c in (0, 2) else (x0 == c * 8)
    else:
        assert all(x1 == 8 for x0, _, x1, _ in boxes[0::3]) and all(x0 == 16 for x0, *_ in boxes[2::3])


def test_boxes_and_their_lists_are_filtered_together():
    t = MultiChoicesMosaic(img_scale=(10, 10), choices=[(2, 2)])
    parts = [sample(0, 10, 10), sample(1, 10, 10, box=[4, 4, 4, 9]),  # empty box: dropped
             sample(2, 10, 10), sample(3, 10, 10)]
    out = t.mosaic(parts, 2, 2)
    assert out['image_ids'] == [100, 102, 103] and out['captions'][1] == ['caption 2']
    assert out['mosaic_cells'] == [0, 2, 3] and len(out['gt_bboxes_labels']) == 3


def test_passthrough_until_the_cache_holds_a_grid():
    np.random.seed(0)
    t = MultiChoicesMosaic(img_scale=(10, 10), choices=[(2, 2)], max_cached_images=5)
    for i in range(3):  # 1, 2, 3 cached samples < 4 cells: unchanged
        out = t.transform(sample(i, 12, 7))
        assert out['img'].shape == (12, 7, 3) and out['image_ids'] == [100 + i]
        assert out['mosaic_grid'] == (1, 1) and out['mosaic_cells'] == [0]
    out = t.transform(sample(3, 12, 7))
    assert out['img'].shape == (20, 20, 3) and out['image_ids'][0] == 103  # this sample is top-left
    assert set(out['image_ids'][1:]) <= {100, 101, 102}  # the others come from the rest of the cache
    for i in range(4, 12):
        t.transform(sample(i, 12, 7))
        assert len(t.results_cache) <= 5
    assert t.results_cache[-1]['image_ids'] == [111]  # the newest is never dropped
    with pytest.raises(ValueError, match='2..4'):
        MultiChoicesMosaic(choices=[(1, 2)])
