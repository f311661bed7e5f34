"""Shape outlines as COCO polygons, and their exact rasterisation.

Every shape is described by one or more simple polygons in absolute pixel
coordinates (``[x0, y0, x1, y1, ...]``, the COCO ``segmentation`` format; a
list of several polygons means their union).  The pixel mask of an object is
obtained by rasterising exactly those polygons with ``pycocotools.mask``, so
the mask, the polygons written to json, the RLE, the area and the bbox always
agree with each other.

A ring is not a simple polygon, so it is written as several annular sectors
whose union is the ring.
"""
from __future__ import annotations

import math
import warnings
from typing import List, Sequence

import numpy as np
from pycocotools import mask as mask_utils

Polygon = List[float]


def _regular(cx, cy, radius, n, phase):
    pts = []
    for k in range(n):
        a = phase + 2 * math.pi * k / n
        pts.append((cx + radius * math.cos(a), cy + radius * math.sin(a)))
    return pts


def _flat(points) -> Polygon:
    out: Polygon = []
    for x, y in points:
        out.extend((round(float(x), 2), round(float(y), 2)))
    return out


def shape_polygons(shape: str, cx: float, cy: float, size: float,
                   angle: float = 0.0) -> List[Polygon]:
    """Polygons of ``shape`` centred at (cx, cy) fitting in a ``size`` box.

    ``angle`` (radians) rotates shapes that are not rotation invariant.
    Coordinates are rounded to 0.01 px so the json text is stable.
    """
    r = size / 2.0
    if shape == 'circle':
        return [_flat(_regular(cx, cy, r, 32, 0.0))]
    if shape == 'square':
        return [_flat(_regular(cx, cy, r * math.sqrt(2) * 0.92, 4,
                               angle + math.pi / 4))]
    if shape == 'diamond':
        return [_flat(_regular(cx, cy, r, 4, angle))]
    if shape == 'hexagon':
        return [_flat(_regular(cx, cy, r, 6, angle))]
    if shape == 'triangle':
        # pointing up (plus rotation), centroid shifted so it fills the box
        return [_flat(_regular(cx, cy + r * 0.2, r * 1.1, 3,
                               angle - math.pi / 2))]
    if shape == 'star':
        pts = []
        for k in range(10):
            a = angle - math.pi / 2 + math.pi * k / 5
            rad = r if k % 2 == 0 else r * 0.45
            pts.append((cx + rad * math.cos(a), cy + rad * math.sin(a)))
        return [_flat(pts)]
    if shape == 'cross':
        t = r * 0.36  # half the arm thickness
        local = [(-t, -r), (t, -r), (t, -t), (r, -t), (r, t), (t, t),
                 (t, r), (-t, r), (-t, t), (-r, t), (-r, -t), (-t, -t)]
        c, s = math.cos(angle), math.sin(angle)
        return [_flat([(cx + x * c - y * s, cy + x * s + y * c)
                       for x, y in local])]
    if shape == 'ring':
        inner, n_sectors, steps = r * 0.55, 4, 8
        polys = []
        for k in range(n_sectors):
            a0 = 2 * math.pi * k / n_sectors
            a1 = 2 * math.pi * (k + 1) / n_sectors + 0.02  # slight overlap
            arc = [a0 + (a1 - a0) * i / steps for i in range(steps + 1)]
            outer_pts = [(cx + r * math.cos(a), cy + r * math.sin(a))
                         for a in arc]
            inner_pts = [(cx + inner * math.cos(a), cy + inner * math.sin(a))
                         for a in reversed(arc)]
            polys.append(_flat(outer_pts + inner_pts))
        return polys
    raise ValueError(f'unknown shape {shape!r}')


def polygons_to_rle(polygons: Sequence[Polygon], height: int,
                    width: int) -> dict:
    """Union of ``polygons`` as one compressed RLE (counts as ``str``)."""
    rles = mask_utils.frPyObjects([list(p) for p in polygons], height, width)
    rle = mask_utils.merge(rles)
    rle['counts'] = rle['counts'].decode('ascii')
    return rle


def polygons_to_mask(polygons: Sequence[Polygon], height: int,
                     width: int) -> np.ndarray:
    """Boolean (H, W) mask of the union of ``polygons``."""
    rle = polygons_to_rle(polygons, height, width)
    return mask_to_bool(rle)


def mask_to_bool(rle: dict) -> np.ndarray:
    r = dict(rle)
    if isinstance(r['counts'], str):
        r['counts'] = r['counts'].encode('ascii')
    with warnings.catch_warnings():
        # pycocotools' decoder trips a numpy-2 deprecation notice internally
        warnings.simplefilter('ignore', DeprecationWarning)
        return mask_utils.decode(r).astype(bool)


def mask_bbox(mask: np.ndarray) -> List[float]:
    """COCO bbox ``[x, y, w, h]`` of the pixel extent of a boolean mask."""
    ys, xs = np.nonzero(mask)
    if len(xs) == 0:
        return [0.0, 0.0, 0.0, 0.0]
    x0, x1, y0, y1 = xs.min(), xs.max(), ys.min(), ys.max()
    return [float(x0), float(y0), float(x1 - x0 + 1), float(y1 - y0 + 1)]


def uncompressed_rle(mask: np.ndarray) -> dict:
    """COCO uncompressed RLE (``counts`` a list of ints, column-major runs),
    the form COCO uses for crowd annotations."""
    flat = np.asarray(mask, dtype=np.uint8).flatten(order='F')
    change = np.flatnonzero(np.diff(flat)) + 1
    bounds = np.concatenate([[0], change, [flat.size]])
    runs = np.diff(bounds).tolist()
    if flat.size and flat[0] == 1:
        runs = [0] + runs  # COCO runs always start with a run of zeros
    h, w = mask.shape
    return {'size': [int(h), int(w)], 'counts': [int(c) for c in runs]}
