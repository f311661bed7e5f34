"""Labels of a detection picture never overlap (no more 'rcle 0.80' fragments), stay inside the
image, one per drawn box; detections of one box share one label with their best classes; an
object whose label fits nowhere is left out and counted, never drawn over another label."""
import itertools

import numpy as np
import torch

from ovdet.visualization import (BASE_COLOUR, NOVEL_COLOUR, group_detections,
                                 picture_of_detections)
from ovdet.visualization.label_layout import LabelLayout, overlaps

NAMES = ['circle', 'square', 'triangle', 'star', 'cross', 'ring']


def _crowd(n, side=128, seed=0):
    """``n`` random detections on a ``side`` px image, several classes per box."""
    rng = np.random.default_rng(seed)
    xy = rng.uniform(0, side - 30, (n, 2))
    wh = rng.uniform(12, 40, (n, 2))
    boxes = np.concatenate([xy, np.minimum(xy + wh, side)], axis=1)
    return boxes, rng.integers(0, len(NAMES), n), rng.uniform(0.05, 1.0, n)


def _assert_readable(picture):
    h, w = picture.image.shape[:2]
    rects = [r for r in picture.labels if r is not None]
    for a, b in itertools.combinations(rects, 2):
        assert not overlaps(a, b), (a, b)
    for x0, y0, x1, y1 in rects:
        assert 0 <= x0 < x1 <= w and 0 <= y0 < y1 <= h
    assert len(picture.labels) == len(picture.objects) == len(picture.texts)
    assert picture.num_drawn + picture.num_left_out == len(picture.objects)


def test_labels_never_overlap_and_stay_inside_the_image():
    boxes, labels, scores = _crowd(90)
    image = np.zeros((128, 128, 3), np.uint8)
    picture = picture_of_detections(image, boxes, labels, NAMES, scores, min_side=512,
                                    is_novel=[n == 'star' for n in NAMES])
    assert picture.image.shape[:2] == (512, 512) and picture.scale == 4.0
    _assert_readable(picture)
    assert picture.num_drawn >= 10 and picture.num_left_out > 0
    # each drawn label is painted where it was placed, on its object's colour
    for obj, rect in zip(picture.objects, picture.labels):
        if rect is not None:
            colour = NOVEL_COLOUR if NAMES[obj.label] == 'star' else BASE_COLOUR
            assert tuple(picture.image[rect[1], rect[0]]) == colour


def test_every_detection_is_in_exactly_one_object():
    boxes, labels, scores = _crowd(60, seed=1)
    picture = picture_of_detections(np.zeros((128, 128, 3), np.uint8), boxes, labels, NAMES,
                                    scores, score_thr=0.3)
    held = sorted(d for obj in picture.objects for d in obj.detections)
    assert held == sorted(np.flatnonzero(scores >= 0.3).tolist())


def test_detections_of_one_box_share_one_label_with_their_best_classes():
    box = [10, 10, 60, 60]
    boxes = [box, [11, 10, 60, 61], box, [80, 80, 120, 120]]
    labels = [0, 5, 2, 1]
    scores = [0.9, 0.5, 0.2, 0.7]
    objects = group_detections(boxes, labels, scores)
    assert [o.detections for o in objects] == [[0, 1, 2], [3]]
    picture = picture_of_detections(np.zeros((128, 128, 3), np.uint8), boxes, labels, NAMES,
                                    scores, top_k=2, min_side=512)
    assert picture.texts == ['circle 0.90, ring 0.50', 'square 0.70']
    _assert_readable(picture)


def test_grouping_keeps_the_best_box_and_one_entry_per_class():
    boxes = [[0, 0, 10, 10], [0, 0, 10, 10], [0, 0, 10, 10]]
    objects = group_detections(boxes, [3, 3, 1], [0.4, 0.8, 0.6])
    assert len(objects) == 1
    assert objects[0].classes == [(3, 0.8), (1, 0.6)] and objects[0].detections == [1, 2, 0]
    # boxes overlapping below the IoU threshold are separate objects
    iou = 25 / 175  # [0, 0, 10, 10] and [5, 5, 15, 15]
    assert len(group_detections([[0, 0, 10, 10], [5, 5, 15, 15]], [0, 0], [0.9, 0.8],
                                iou_thr=iou + 1e-6)) == 2
    assert len(group_detections([[0, 0, 10, 10], [5, 5, 15, 15]], [0, 0], [0.9, 0.8],
                                iou_thr=iou - 1e-6)) == 1


def test_fewer_classes_are_named_before_an_object_is_left_out():
    """On a narrow image the two-class label does not fit; the best class alone does."""
    import cv2
    width = 80  # drawn as it is (min_side 80), with the smallest font (scale 0.35)
    one, two = (cv2.getTextSize(t, cv2.FONT_HERSHEY_SIMPLEX, 0.35, 1)[0][0] + 4
                for t in ('triangle 0.90', 'triangle 0.90, ring 0.80'))
    assert one <= width < two
    image = np.zeros((300, width, 3), np.uint8)
    picture = picture_of_detections(image, [[5, 100, 75, 200]] * 2, [2, 5], NAMES, [0.9, 0.8],
                                    min_side=width, top_k=2)
    assert picture.texts == ['triangle 0.90']
    _assert_readable(picture)


def test_a_label_that_fits_nowhere_leaves_its_object_out():
    layout = LabelLayout(height=20, width=100)
    assert layout.place([0, 0, 100, 20], (60, 20)) == (0, 0, 60, 20)
    assert layout.place([0, 0, 100, 20], (60, 20)) is None  # the one row is taken
    assert layout.place([0, 0, 100, 20], (120, 10)) is None  # wider than the image


def test_labels_go_above_the_box_first_then_inside_it():
    layout = LabelLayout(height=200, width=200)
    assert layout.place([50, 100, 150, 180], (40, 20)) == (50, 80, 90, 100)  # above
    assert layout.place([50, 100, 150, 180], (40, 20)) == (110, 80, 150, 100)  # right-aligned
    assert layout.place([50, 100, 150, 180], (40, 20)) == (50, 100, 90, 120)  # inside the top
    # a box at the top edge: the label cannot go above it, so it starts inside
    assert LabelLayout(200, 200).place([10, 0, 60, 50], (30, 15)) == (10, 0, 40, 15)


def test_ground_truth_boxes_are_not_grouped():
    boxes = [[10, 10, 60, 60]] * 2
    picture = picture_of_detections(np.zeros((128, 128, 3), np.uint8), boxes, [0, 1], NAMES,
                                    min_side=512)
    assert [o.detections for o in picture.objects] == [[0], [1]]
    assert picture.texts == ['circle', 'square']


def test_group_detections_accepts_tensors():
    objects = group_detections(torch.tensor([[0., 0., 5., 5.]]), torch.tensor([1]),
                               torch.tensor([0.5]))
    assert objects[0].classes == [(1, 0.5)]
