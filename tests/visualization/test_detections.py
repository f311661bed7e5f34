"""Drawing detections: small images are scaled up first, only detections above the threshold
are drawn, base and novel classes get their own colours."""
import numpy as np

from ovdet.visualization import BASE_COLOUR, NOVEL_COLOUR, draw_detections, image_grid


def _count(img, colour):
    return int(np.all(img == np.array(colour, np.uint8), axis=-1).sum())


def test_small_images_are_scaled_up_before_drawing():
    img = np.zeros((100, 50, 3), np.uint8)
    out = draw_detections(img, [[5, 5, 20, 20]], [0], ['circle'], min_side=200)
    assert out.shape == (400, 200, 3)  # shorter side to 200, aspect kept
    assert img.max() == 0  # the input is not drawn on
    big = np.zeros((600, 800, 3), np.uint8)
    assert draw_detections(big, [], [], ['x'], min_side=200).shape == big.shape  # never shrunk


def test_only_detections_above_the_threshold_are_drawn_in_class_colours():
    img = np.zeros((64, 64, 3), np.uint8)
    boxes = [[2, 30, 20, 60], [40, 30, 60, 60]]
    names = ['circle', 'star']
    novel = [False, True]
    both = draw_detections(img, boxes, [0, 1], names, [0.9, 0.8], score_thr=0.5,
                           is_novel=novel, min_side=256)
    assert _count(both, BASE_COLOUR) > 0 and _count(both, NOVEL_COLOUR) > 0
    one = draw_detections(img, boxes, [0, 1], names, [0.9, 0.3], score_thr=0.5,
                          is_novel=novel, min_side=256)
    assert _count(one, BASE_COLOUR) > 0 and _count(one, NOVEL_COLOUR) == 0
    # the box edges sit at the scaled coordinates (x 2..20 -> 8..80 at 4x)
    assert np.all(one[200, 8] == BASE_COLOUR) and np.all(one[200, 4] == 0)


def test_grid_tiles_rows_and_titles():
    a = np.full((10, 20, 3), 50, np.uint8)
    grid = image_grid([[a, a, a], [a, a]], column_titles=['gt', 'before', 'after'], gap=2)
    assert grid.shape[1] == 3 * 20 + 2 * 2
    assert grid.shape[0] == 28 + 10 + 2 + 10  # title bar, row, gap, row
