"""Captioned single-object images (CLIM / Detic caption data).

:func:`write_captioned_images` writes, under ``out_dir``:

* ``<image_subdir>/<12-digit id>.jpg`` — one object on one background;
* ``coco_json`` — the Detic-style COCO caption json
  (``captions_train2017_tags_allcaps.json``): ``images[]`` with ``id``,
  ``file_name`` (relative to ``<image_subdir>``), ``height``, ``width``,
  ``captions`` (several strings) and ``pos_category_ids`` (the thing
  category of the object); ``categories[]`` with the thing categories;
  ``annotations`` is an empty list (caption data has no boxes);
* ``cc3m_json`` — the CC3M json: ``{"images": [{"id", "file_name",
  "captions": [one caption]}]}`` over the same images, where ``file_name``
  includes ``<image_subdir>/`` (CC3M paths are relative to the dataset root,
  here ``out_dir``).
"""
from __future__ import annotations

import os
from typing import Dict, Optional

from .captions import make_captions
from .fileio import write_jpeg, write_json
from .scenes import STREAM_CAPTIONED, Scene, compose_scene, image_rng
from .world import ShapesWorld, coco_category_dicts


def captioned_scene(world: ShapesWorld, seed: int, index: int, *,
                    image_size: int = 64, num_captions: int = 5,
                    image_id: Optional[int] = None) -> Scene:
    """Image ``index`` of the captioned set: one object filling 45-80% of
    the side, on a single background, with ``num_captions`` captions."""
    rng = image_rng(seed, STREAM_CAPTIONED, index)
    image_id = index + 1 if image_id is None else image_id
    lo = max(5, int(image_size * 0.45))
    hi = max(lo, int(image_size * 0.8))
    scene = compose_scene(world, rng, image_id=image_id,
                          file_name=f'{image_id:012d}.jpg',
                          height=image_size, width=image_size,
                          num_objects=1, object_size=(lo, hi), num_stuff=1)
    obj, stuff = scene.objects[0], scene.stuff[0]
    scene.captions = make_captions(obj.colour, obj.shape, obj.texture,
                                   stuff.name, rng, num_captions)
    return scene


def write_captioned_images(
        out_dir: str, *, num_images: int = 16, image_size: int = 64,
        seed: int = 0, world: Optional[ShapesWorld] = None,
        num_captions: int = 5, image_subdir: str = 'train2017',
        coco_json: Optional[str] = 'wusize/'
        'captions_train2017_tags_allcaps.json',
        cc3m_json: Optional[str] = 'cc3m_captions_train.json'
) -> Dict[str, object]:
    """Write captioned single-object images and their caption jsons.

    Returns ``{'image_dir': str, 'images': [jpg paths], 'coco_json': path or
    None, 'cc3m_json': path or None}``.  A json whose name is None is not
    written; relative json names are resolved against ``out_dir``.
    """
    world = world or ShapesWorld()
    image_dir = os.path.join(out_dir, image_subdir)
    entries, cc3m, paths = [], [], []
    for i in range(num_images):
        scene = captioned_scene(world, seed, i, image_size=image_size,
                                num_captions=num_captions)
        paths.append(write_jpeg(os.path.join(image_dir, scene.file_name),
                                scene.image))
        entries.append({
            'id': scene.image_id,
            'file_name': scene.file_name,
            'height': scene.height,
            'width': scene.width,
            'captions': list(scene.captions),
            'pos_category_ids': [scene.objects[0].category_id],
        })
        cc3m.append({'id': scene.image_id,
                     'file_name': f'{image_subdir}/{scene.file_name}',
                     'captions': [scene.captions[0]]})
    result: Dict[str, object] = {'image_dir': image_dir, 'images': paths,
                                 'coco_json': None, 'cc3m_json': None}
    if coco_json:
        result['coco_json'] = write_json(
            os.path.join(out_dir, coco_json),
            {'info': {'description': 'synthetic shapes world captions'},
             'images': entries, 'annotations': [],
             'categories': coco_category_dicts(world.thing_categories)})
    if cc3m_json:
        result['cc3m_json'] = write_json(os.path.join(out_dir, cc3m_json),
                                         {'images': cc3m})
    return result
