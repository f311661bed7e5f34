"""COCO panoptic annotations (json + PNG masks) from in-memory scenes.

Files: ``json_path`` with ``images[]`` (id, file_name of the JPEG, height,
width), ``annotations[]`` (image_id, file_name of the PNG, segments_info) and
``categories[]`` (things first, then stuff; each with id, name,
supercategory, ``isthing`` 1/0 and ``color``); and one RGB PNG per image in
``png_dir`` whose pixel value encodes the segment id as
``id = R + 256 * G + 256**2 * B`` (0 would mean unlabeled; every pixel of a
generated scene is labeled).

``segments_info`` entries: id, category_id, iscrowd, bbox ``[x, y, w, h]``
(pixel extent of the segment) and area (pixel count).
"""
from __future__ import annotations

import os
from typing import Dict, List, Tuple

import numpy as np

from .fileio import write_json, write_png
from .scenes import Scene
from .world import ShapesWorld, coco_category_dicts



def segment_id(category_id: int, k: int) -> int:
    """Id of the k-th (1-based) segment of an image.

    ``B = k`` keeps ids unique within the image, while ``G`` and ``R`` vary
    too, so every PNG exercises all three channels of the id encoding.
    """
    return int(category_id % 256 + 256 * ((37 * k) % 256) + 65536 * k)


def id_to_rgb(ids: np.ndarray) -> np.ndarray:
    """(H, W) int ids -> (H, W, 3) uint8 RGB with id = R + 256 G + 256² B."""
    ids = np.asarray(ids, dtype=np.int64)
    return np.stack([ids % 256, (ids // 256) % 256, (ids // 65536) % 256],
                    axis=-1).astype(np.uint8)


def rgb_to_id(rgb: np.ndarray) -> np.ndarray:
    """(H, W, 3) RGB -> (H, W) int64 ids."""
    rgb = np.asarray(rgb, dtype=np.int64)
    return rgb[..., 0] + 256 * rgb[..., 1] + 65536 * rgb[..., 2]


def panoptic_segments(scene: Scene) -> Tuple[np.ndarray, List[dict]]:
    """The id map and ``segments_info`` of one scene (things, then stuff)."""
    id_map = np.zeros((scene.height, scene.width), np.int64)
    infos = []
    parts = ([(o.category_id, o.mask, o.bbox, o.area, o.iscrowd)
              for o in scene.objects]
             + [(s.category_id, s.mask, s.bbox, s.area, 0)
                for s in scene.stuff])
    for k, (cat_id, mask, bbox, area, crowd) in enumerate(parts, start=1):
        seg_id = segment_id(cat_id, k)
        id_map[mask] = seg_id
        infos.append({'id': int(seg_id), 'category_id': int(cat_id),
                      'iscrowd': int(crowd), 'bbox': list(bbox),
                      'area': int(area)})
    return id_map, infos


def write_coco_panoptic(json_path: str, png_dir: str, scenes: List[Scene],
                        world: ShapesWorld) -> Dict[str, object]:
    """Write the panoptic json and PNGs.

    Returns ``{'json': path, 'pngs': [paths], 'png_dir': png_dir}``.
    """
    images, anns, pngs = [], [], []
    for scene in scenes:
        id_map, infos = panoptic_segments(scene)
        png_name = os.path.splitext(scene.file_name)[0] + '.png'
        pngs.append(write_png(os.path.join(png_dir, png_name),
                              id_to_rgb(id_map)))
        images.append({'id': scene.image_id, 'file_name': scene.file_name,
                       'height': scene.height, 'width': scene.width})
        anns.append({'image_id': scene.image_id, 'file_name': png_name,
                     'segments_info': infos})
    path = write_json(json_path, {
        'info': {'description': 'synthetic shapes world panoptic'},
        'images': images, 'annotations': anns,
        'categories': coco_category_dicts(world.categories, panoptic=True)})
    return {'json': path, 'pngs': pngs, 'png_dir': png_dir}
