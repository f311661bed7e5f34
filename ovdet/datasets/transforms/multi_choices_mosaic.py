"""Cached M x N mosaics of caption images (the "CLIM" data source of Detic + CLIM)."""
import copy
from typing import List, Sequence, Tuple

import mmcv
import numpy as np
from mmcv.transforms import BaseTransform

from mmdet.registry import TRANSFORMS

ROW_ALIGN = {2: ('bottom', 'top'), 3: ('bottom', 'random', 'top'), 4: ('random',) * 4}


def row_x_offsets(widths: Sequence[int], cell_w: int, rng=np.random) -> List[int]:
    """Left edges of the N sub-images of one mosaic row (cells of width ``cell_w``).

    N = 2: the left image is right-aligned in its cell and the right one left-aligned, so they
    touch at the centre line: [c - w0, c]. N = 3: [c - w0, x1, 2c] with x1 uniform in
    [c, 2c - w1] (integers, both ends included). N = 4: two N = 2 blocks side by side:
    [c - w0, c, 3c - w2, 3c].
    """
    c, w = cell_w, list(widths)
    if len(w) == 2:
        return [c - w[0], c]
    if len(w) == 3:
        return [c - w[0], int(rng.randint(c, 2 * c - w[1] + 1)), 2 * c]
    if len(w) == 4:
        return [c - w[0], c, 3 * c - w[2], 3 * c]
    raise ValueError(f'rows of 2, 3 or 4 images, got {len(w)}')


def row_alignments(num_rows: int, rng=np.random) -> List[str]:
    """'top' / 'bottom' per row: 2 rows bottom|top (they touch at the centre line), 3 rows
    bottom|random|top, 4 rows (two 2-row blocks) random each."""
    return [a if a != 'random' else ('top' if rng.rand() < 0.5 else 'bottom')
            for a in ROW_ALIGN[num_rows]]


@TRANSFORMS.register_module()
class MultiChoicesMosaic(BaseTransform):
    """Mosaic of M x N caption images, M x N drawn uniformly from ``choices`` for every sample.

    Per call: a deep copy of the incoming sample is appended to this worker's cache (beyond
    ``max_cached_images`` a random entry other than the newest is dropped, or the oldest when
    ``random_pop=False``); (M, N) is drawn; if the cache holds fewer than M*N samples, the sample
    passes through unchanged (the first iterations of every worker), otherwise the sample takes
    the top-left cell and M*N - 1 others are drawn with replacement from the rest of the cache.

    Layout: a canvas of M*h_c x N*w_c (``img_scale = (w_c, h_c)``) filled with ``pad_val``. Each
    sub-image is resized keeping its ratio to fit a cell: s = min(h_c / h, w_c / w), size
    (int(w*s), int(h*s)); its boxes are scaled by int(w*s) / w and int(h*s) / h (so that they never
    overhang the pasted image; the reference scales by s, up to a pixel more) and shifted by the
    paste position, which
    follows :func:`row_x_offsets` and :func:`row_alignments` (sub-images cluster around the
    canvas centre; in a 3-wide row the middle one lands anywhere in its cell). Boxes are clipped to
    the canvas and boxes left empty are dropped. There is no final shift (the reference's
    ``center_ratio_range=(1, 1)``).

    Bookkeeping: ``gt_bboxes``, ``gt_bboxes_labels``, ``gt_ignore_flags`` and the per-box lists in
    ``list_keys`` (default ``captions``, ``tags``, ``image_ids``) are concatenated in row-major
    cell order and filtered together. Two keys are added for composite regions (Detic's caption
    and tag losses): ``mosaic_grid = (M, N)`` and ``mosaic_cells`` (the row-major cell index of
    every box); a passed-through sample gets ``(1, 1)`` and zeros. Add them to
    ``PackDetInputs.meta_keys``.

    Why not mmdet's ``CachedMosaic``: its 2x2 layout crops around a random centre and it mosaics
    only once more than 4 images are cached; only the cache idea is shared, so this class starts
    from ``BaseTransform``.

    Args:
        img_scale: (w_c, h_c), the cell size (COCO 400 x 400, LVIS 320 x 320).
        choices: (M, N) grids with M, N in {2, 3, 4}; default 2x2, 3x3, 4x4.
        max_cached_images: cache size per worker (1024).
        random_pop: drop a random cached sample (True) or the oldest.
        pad_val: canvas fill value.
        prob: probability of trying a mosaic at all.
        list_keys: per-box list fields carried along.
    """

    def __init__(self, img_scale: Tuple[int, int] = (400, 400),
                 choices: Sequence[Tuple[int, int]] = ((2, 2), (3, 3), (4, 4)),
                 max_cached_images: int = 1024, random_pop: bool = True, pad_val: float = 114.0,
                 prob: float = 1.0, list_keys: Sequence[str] = ('captions', 'tags', 'image_ids')):
        self.img_scale = (int(img_scale[0]), int(img_scale[1]))
        self.choices = [tuple(int(v) for v in c) for c in choices]
        for m, n in self.choices:
            if m not in ROW_ALIGN or n not in (2, 3, 4):
                raise ValueError(f'mosaic grids are M x N with M, N in 2..4, got {(m, n)}')
        if max_cached_images < max(m * n for m, n in self.choices):
            raise ValueError(f'max_cached_images={max_cached_images} is smaller than the largest grid')
        self.max_cached_images = max_cached_images
        self.random_pop = random_pop
        self.pad_val = pad_val
        self.prob = prob
        self.list_keys = tuple(list_keys)
        self.results_cache: List[dict] = []

    # ------------------------------------------------------------------ cache
    def _cache(self, results: dict) -> None:
        self.results_cache.append(copy.deepcopy(results))
        if len(self.results_cache) > self.max_cached_images:
            drop = np.random.randint(0, len(self.results_cache) - 1) if self.random_pop else 0
            self.results_cache.pop(drop)

    def transform(self, results: dict) -> dict:
        self._cache(results)
        results.setdefault('mosaic_grid', (1, 1))
        results.setdefault('mosaic_cells', [0] * len(results['gt_bboxes']))
        if np.random.rand() > self.prob:
            return results
        m, n = self.choices[np.random.randint(len(self.choices))]
        if m * n > len(self.results_cache):
            return results
        # the newest cache entry is this very sample: draw the others from the rest
        picks = np.random.randint(0, len(self.results_cache) - 1, size=m * n - 1)
        parts = [results] + [copy.deepcopy(self.results_cache[i]) for i in picks]
        return self.mosaic(parts, m, n)

    # ------------------------------------------------------------------ layout
    def mosaic(self, parts: List[dict], m: int, n: int) -> dict:
        """Paste ``parts`` (m*n samples, row-major) into one canvas; see the class docstring."""
        cw, ch = self.img_scale
        images, scales = [], []
        for part in parts:
            h, w = part['img'].shape[:2]
            s = min(ch / h, cw / w)
            nw, nh = max(1, int(w * s)), max(1, int(h * s))
            images.append(mmcv.imresize(part['img'], (nw, nh)))
            scales.append((nw / w, nh / h))
        first = parts[0]['img']
        canvas = np.full((m * ch, n * cw) + first.shape[2:], self.pad_val, dtype=first.dtype)
        aligns = row_alignments(m)
        boxes, labels, flags, cells = [], [], [], []
        lists = {k: [] for k in self.list_keys}
        for r in range(m):
            row = images[r * n:(r + 1) * n]
            xs = row_x_offsets([im.shape[1] for im in row], cw)
            for c, (img, x0) in enumerate(zip(row, xs)):
                i = r * n + c
                y0 = r * ch + (ch - img.shape[0] if aligns[r] == 'bottom' else 0)
                canvas[y0:y0 + img.shape[0], x0:x0 + img.shape[1]] = img
                part = parts[i]
                b = part['gt_bboxes'].clone()
                b.rescale_(list(scales[i]))
                b.translate_([x0, y0])
                boxes.append(b)
                labels.append(part['gt_bboxes_labels'])
                flags.append(part['gt_ignore_flags'])
                cells += [i] * len(b)
                for k in self.list_keys:
                    lists[k] += list(part[k])
        out = parts[0]
        all_boxes = boxes[0].cat(boxes)
        all_boxes.clip_(canvas.shape[:2])
        keep = all_boxes.is_inside(canvas.shape[:2]).numpy() & (all_boxes.areas > 0).numpy()
        out['img'] = canvas
        out['img_shape'] = canvas.shape[:2]
        out['gt_bboxes'] = all_boxes[keep]
        out['gt_bboxes_labels'] = np.concatenate(labels)[keep]
        out['gt_ignore_flags'] = np.concatenate(flags)[keep]
        idx = np.flatnonzero(keep)
        for k in self.list_keys:
            out[k] = [lists[k][j] for j in idx]
        out['mosaic_grid'] = (m, n)
        out['mosaic_cells'] = [cells[j] for j in idx]
        return out

    def __repr__(self) -> str:
        return (f'{type(self).__name__}(img_scale={self.img_scale}, choices={self.choices}, '
                f'max_cached_images={self.max_cached_images}, pad_val={self.pad_val}, prob={self.prob})')
