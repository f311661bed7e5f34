"""LVIS-v1-style json from in-memory scenes.

Format (as read by the ``lvis`` API, ``LVISEval`` and mmdet's LVIS loaders):

* ``images[]``: id, height, width, ``coco_url``
  (``<url_prefix>/<image_subdir>/<file name>``; loaders derive the relative
  path ``<image_subdir>/<file name>`` from it, as LVIS v1 has no
  ``file_name``), ``neg_category_ids`` (classes verified absent: a few absent
  classes drawn per image), ``not_exhaustive_category_ids`` (empty: every
  object is annotated), license, flickr_url, date_captured;
* ``annotations[]``: id, image_id, category_id, segmentation (polygons),
  bbox ``[x, y, w, h]``, area (no ``iscrowd`` in LVIS);
* ``categories[]`` (thing classes): id, name, synonyms, def, synset,
  frequency ``r``/``c``/``f``, image_count, instance_count.

Frequency: classes listed in ``rare_ids`` (e.g. the novel classes of a
base/novel split) are ``r``; the other classes are ``f`` when they appear in
at least ``frequent_min_images`` images, else ``c``.
"""
from __future__ import annotations

from collections import defaultdict
from typing import Iterable, List, Optional

import numpy as np

from .fileio import write_json
from .scenes import Scene
from .world import ShapesWorld

URL_PREFIX = 'http://images.cocodataset.org'


def lvis_dict(scenes: List[Scene], world: ShapesWorld, *, seed: int = 0,
              rare_ids: Optional[Iterable[int]] = None,
              frequent_min_images: Optional[int] = None,
              image_subdir: str = 'val2017', num_neg: int = 3) -> dict:
    """The LVIS json content for ``scenes``."""
    rare = set(int(i) for i in (rare_ids or ()))
    thing_ids = [c.id for c in world.thing_categories]
    rng = np.random.default_rng([int(seed), 3])
    images, anns = [], []
    img_count, inst_count = defaultdict(int), defaultdict(int)
    for scene in scenes:
        present = sorted({o.category_id for o in scene.objects})
        absent = [c for c in thing_ids if c not in present]
        k = min(num_neg, len(absent))
        neg = sorted(int(c) for c in rng.choice(absent, k, replace=False)) \
            if k else []
        images.append({
            'id': scene.image_id, 'height': scene.height,
            'width': scene.width, 'license': 1,
            'flickr_url': '', 'date_captured': '2024-01-01 00:00:00',
            'coco_url': f'{URL_PREFIX}/{image_subdir}/{scene.file_name}',
            'neg_category_ids': neg, 'not_exhaustive_category_ids': []})
        for c in present:
            img_count[c] += 1
        for obj in scene.objects:
            inst_count[obj.category_id] += 1
            anns.append({'id': len(anns) + 1, 'image_id': scene.image_id,
                         'category_id': obj.category_id,
                         'segmentation': [list(p) for p in obj.polygons],
                         'bbox': list(obj.bbox), 'area': float(obj.area)})
    if frequent_min_images is None:
        frequent_min_images = max(2, len(scenes) // 10)
    cats = []
    for cat in world.thing_categories:
        if cat.id in rare:
            freq = 'r'
        elif img_count[cat.id] >= frequent_min_images:
            freq = 'f'
        else:
            freq = 'c'
        underscored = cat.name.replace(' ', '_')
        cats.append({
            'id': cat.id, 'name': underscored,
            'synonyms': [underscored] + ([cat.shape] if cat.colour else []),
            'def': (f'a {cat.shape} shape painted {cat.colour}'
                    if cat.colour else f'a {cat.shape} shape'),
            'synset': f'{underscored}.n.01', 'frequency': freq,
            'image_count': img_count[cat.id],
            'instance_count': inst_count[cat.id]})
    return {'info': {'description': 'synthetic shapes world LVIS-style'},
            'licenses': [{'id': 1, 'name': 'synthetic', 'url': ''}],
            'images': images, 'annotations': anns, 'categories': cats}


def write_lvis(json_path: str, scenes: List[Scene], world: ShapesWorld,
               **kwargs) -> str:
    """Write the LVIS json (keyword arguments as :func:`lvis_dict`)."""
    return write_json(json_path, lvis_dict(scenes, world, **kwargs))
