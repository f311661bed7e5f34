"""In-memory scenes of the shapes world (no file output here).

A :class:`Scene` is one RGB image plus the exact ground truth of every pixel:
each thing (:class:`SceneObject`) has polygons, an RLE and a boolean mask
that all describe the same pixels, and each stuff region
(:class:`StuffRegion`) covers the background pixels of one kind that no
object covers.  Things never overlap, and things plus stuff cover the image
exactly once, so the scene converts losslessly to COCO instances, COCO
panoptic and LVIS annotations.

Randomness: one ``numpy.random.Generator`` per image, seeded from
``(seed, stream, index)``, so image *i* is the same whatever the image count.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import List, Optional, Sequence, Tuple

import numpy as np

from .geometry import (mask_bbox, polygons_to_mask, polygons_to_rle,
                       shape_polygons)
from .paint import paint_object, paint_stuff
from .world import ShapesWorld

STREAM_CAPTIONED = 1
STREAM_SCENES = 2


def image_rng(seed: int, stream: int, index: int) -> np.random.Generator:
    """The generator of image ``index`` in ``stream`` for ``seed``."""
    return np.random.default_rng([int(seed), int(stream), int(index)])


@dataclass
class SceneObject:
    """One thing: its attributes and its exact pixels."""
    category_id: int
    colour: str
    shape: str
    texture: str
    polygons: List[List[float]]
    rle: dict                       # compressed, ``counts`` is a str
    mask: np.ndarray = field(repr=False)
    bbox: List[float] = field(default_factory=list)  # [x, y, w, h]
    area: int = 0
    iscrowd: int = 0


@dataclass
class StuffRegion:
    """Background pixels of one stuff kind (objects cut out)."""
    category_id: int
    name: str
    mask: np.ndarray = field(repr=False)
    bbox: List[float] = field(default_factory=list)
    area: int = 0


@dataclass
class Scene:
    image_id: int
    file_name: str
    height: int
    width: int
    image: np.ndarray = field(repr=False)   # (H, W, 3) uint8 RGB
    objects: List[SceneObject] = field(default_factory=list)
    stuff: List[StuffRegion] = field(default_factory=list)
    captions: List[str] = field(default_factory=list)


def _region_masks(rng, h, w, n) -> List[np.ndarray]:
    """Split the canvas into ``n`` bands (horizontal or vertical)."""
    if n <= 1:
        return [np.ones((h, w), bool)]
    horizontal = bool(rng.integers(0, 2))
    length = h if horizontal else w
    cuts = sorted(int(c) for c in rng.choice(
        np.arange(int(length * 0.25), int(length * 0.75) + 1), n - 1,
        replace=False))
    bounds = [0] + cuts + [length]
    idx = np.arange(length)
    masks = []
    for a, b in zip(bounds[:-1], bounds[1:]):
        band = (idx >= a) & (idx < b)
        m = band[:, None] if horizontal else band[None, :]
        masks.append(np.broadcast_to(m, (h, w)).copy())
    return masks


def _make_object(world, rng, cx, cy, size, h, w, *, colour, shape, texture,
                 crowd=False) -> Optional[SceneObject]:
    if crowd:
        polys = []
        for _ in range(3):
            sub = size * 0.45
            ox = cx + (rng.random() - 0.5) * (size - sub)
            oy = cy + (rng.random() - 0.5) * (size - sub)
            polys += shape_polygons(shape, ox, oy, sub,
                                    float(rng.random() * math.tau))
    else:
        angle = float(rng.uniform(-0.4, 0.4))
        polys = shape_polygons(shape, cx, cy, size, angle)
    rle = polygons_to_rle(polys, h, w)
    mask = polygons_to_mask(polys, h, w)
    area = int(mask.sum())
    if area == 0:
        return None
    return SceneObject(world.thing_id(colour, shape), colour, shape, texture,
                       polys, rle, mask, mask_bbox(mask), area,
                       1 if crowd else 0)


def _draw_colour(rng, world, weights) -> int:
    if weights is None:
        return int(rng.integers(len(world.colours)))
    p = np.asarray(weights, np.float64)
    if p.shape != (len(world.colours), ) or (p < 0).any() or p.sum() <= 0:
        raise ValueError(f'colour_weights must be {len(world.colours)} non-negative numbers '
                         f'(one per colour of {world.colours}), got {list(weights)}')
    return int(rng.choice(len(p), p=p / p.sum()))


def _boxes_clear(box, placed, gap):
    x0, y0, x1, y1 = box
    for a0, b0, a1, b1 in placed:
        if x0 < a1 + gap and a0 < x1 + gap and y0 < b1 + gap and b0 < y1 + gap:
            return False
    return True


def compose_scene(world: ShapesWorld, rng: np.random.Generator, *,
                  image_id: int, file_name: str, height: int, width: int,
                  num_objects: int, object_size: Tuple[int, int],
                  num_stuff: int = 1, num_crowd: int = 0, num_tiny: int = 0,
                  stuff_names: Optional[Sequence[str]] = None,
                  colour_weights: Optional[Sequence[float]] = None) -> Scene:
    """Draw one scene: stuff bands, then non-overlapping things.

    ``num_crowd`` of the things are crowd clusters (three small copies of one
    class forming one ``iscrowd=1`` segment); ``num_tiny`` extra things are
    5-7 px wide (area < 64 px²).  Objects that find no free place after a
    number of tries are dropped, so a crowded canvas may hold fewer.
    A thing's colour is uniform over ``world.colours``, or drawn with
    probabilities proportional to ``colour_weights`` (one per colour).
    """
    if stuff_names is None:
        k = min(num_stuff, len(world.stuff))
        stuff_names = [world.stuff[i] for i in
                       rng.choice(len(world.stuff), k, replace=False)]
    regions = _region_masks(rng, height, width, len(stuff_names))
    image = np.zeros((height, width, 3), np.uint8)
    for name, region in zip(stuff_names, regions):
        image[region] = paint_stuff(name, height, width, rng)[region]

    # the big crowd clusters go first so they always find room
    plans = ([('crowd', (max(object_size), max(object_size) * 1.4))]
             * num_crowd + [('normal', object_size)] * num_objects
             + [('tiny', (5, 7))] * num_tiny)
    placed, objects = [], []
    for kind, (lo, hi) in plans:
        colour = world.colours[_draw_colour(rng, world, colour_weights)]
        shape = world.shapes[rng.integers(len(world.shapes))]
        texture = ('plain' if kind == 'tiny' else
                   world.textures[rng.integers(len(world.textures))])
        if kind == 'tiny' and shape == 'ring':
            shape = 'square' if 'square' in world.shapes else world.shapes[0]
        for _ in range(60):
            size = float(rng.integers(int(lo), int(hi) + 1))
            half = size / 2 + 1
            if 2 * half >= min(height, width):
                size = min(height, width) - 4.0
                half = size / 2 + 1
            cx = float(rng.uniform(half, width - half))
            cy = float(rng.uniform(half, height - half))
            box = (cx - half, cy - half, cx + half, cy + half)
            if not _boxes_clear(box, placed, gap=3):
                continue
            obj = _make_object(world, rng, cx, cy, size, height, width,
                               colour=colour, shape=shape, texture=texture,
                               crowd=kind == 'crowd')
            if obj is None:
                continue
            placed.append(box)
            objects.append(obj)
            x, y, bw, bh = (int(v) for v in obj.bbox)
            fill = paint_object(colour, texture, bh, bw, rng)
            sub = obj.mask[y:y + bh, x:x + bw]
            image[y:y + bh, x:x + bw][sub] = fill[sub]
            break

    things = np.zeros((height, width), bool)
    for obj in objects:
        things |= obj.mask
    stuff = []
    for name, region in zip(stuff_names, regions):
        m = region & ~things
        area = int(m.sum())
        if area:
            stuff.append(StuffRegion(world.category_id(name), name, m,
                                     mask_bbox(m), area))
    return Scene(image_id, file_name, height, width, image, objects, stuff)
