"""COCO instances json (``instances_*.json``) from in-memory scenes.

Format: ``images[]`` (id, file_name, height, width), ``annotations[]`` (id,
image_id, category_id, segmentation, area, bbox ``[x, y, w, h]``, iscrowd)
and ``categories[]`` (thing categories only: id, name, supercategory).

Segmentation is a list of polygons (``mask_format='polygon'``) or a
compressed RLE dict (``'rle'``); crowd annotations always use the
uncompressed RLE (``counts`` a list of ints), as in the official files.
``bbox`` is the pixel extent of the mask and ``area`` its pixel count.
"""
from __future__ import annotations

from typing import List

from .fileio import write_json
from .geometry import uncompressed_rle
from .scenes import Scene
from .world import ShapesWorld, coco_category_dicts

MASK_FORMATS = ('polygon', 'rle')


def image_entry(scene: Scene) -> dict:
    return {'id': scene.image_id, 'file_name': scene.file_name,
            'height': scene.height, 'width': scene.width}


def instances_dict(scenes: List[Scene], world: ShapesWorld, *,
                   mask_format: str = 'polygon') -> dict:
    """The instances json content for ``scenes`` (ids numbered from 1)."""
    if mask_format not in MASK_FORMATS:
        raise ValueError(f'mask_format must be one of {MASK_FORMATS}')
    anns = []
    for scene in scenes:
        for obj in scene.objects:
            if obj.iscrowd:
                seg = uncompressed_rle(obj.mask)
            elif mask_format == 'rle':
                seg = dict(obj.rle)
            else:
                seg = [list(p) for p in obj.polygons]
            anns.append({'id': len(anns) + 1, 'image_id': scene.image_id,
                         'category_id': obj.category_id,
                         'segmentation': seg, 'area': obj.area,
                         'bbox': list(obj.bbox), 'iscrowd': obj.iscrowd})
    return {'info': {'description': 'synthetic shapes world instances'},
            'images': [image_entry(s) for s in scenes],
            'annotations': anns,
            'categories': coco_category_dicts(world.thing_categories)}


def write_coco_instances(json_path: str, scenes: List[Scene],
                         world: ShapesWorld, *,
                         mask_format: str = 'polygon') -> str:
    """Write the instances json; returns its path."""
    return write_json(json_path, instances_dict(scenes, world,
                                                mask_format=mask_format))
