"""Multi-object scene datasets written in several official formats at once.

:func:`generate_scenes` draws the scenes in memory; :func:`write_scenes`
writes their JPEGs and any of the annotation formats (COCO instances, COCO
panoptic json + PNGs, LVIS-v1-style json, OV base/novel instances jsons).
All formats describe the same images with the same category ids.
"""
from __future__ import annotations

import os
from typing import Dict, List, Optional, Sequence, Tuple, Union

from .coco_instances import write_coco_instances
from .coco_panoptic import write_coco_panoptic
from .fileio import write_jpeg
from .lvis_json import write_lvis
from .scenes import STREAM_SCENES, Scene, compose_scene, image_rng
from .splits import DEFAULT_NOVEL_SHAPES, split_base_novel, write_split_jsons
from .world import ShapesWorld

IntRange = Union[int, Tuple[int, int]]
FORMATS = ('instances', 'panoptic', 'lvis', 'ov_split')


def _pick(rng, value: IntRange) -> int:
    if isinstance(value, int):
        return value
    lo, hi = value
    return int(rng.integers(lo, hi + 1))


def generate_scenes(*, num_images: int = 8, image_size: int = 192,
                    seed: int = 0, world: Optional[ShapesWorld] = None,
                    num_objects: IntRange = (2, 4),
                    object_size: Tuple[int, int] = (28, 64),
                    num_stuff: IntRange = (1, 2), crowd_per_image: int = 0,
                    tiny_per_image: int = 0,
                    image_id_start: int = 1,
                    colour_weights: Optional[Sequence[float]] = None) -> List[Scene]:
    """Draw ``num_images`` scenes of ``image_size`` x ``image_size``.

    Each has ``num_objects`` non-overlapping things of ``object_size`` px,
    ``num_stuff`` background bands of different stuff kinds, plus
    ``crowd_per_image`` crowd clusters and ``tiny_per_image`` things under
    64 px² (for filter tests).  File names are ``<12-digit id>.jpg``.
    ``colour_weights`` (one per colour, default uniform): how often each
    colour is drawn (:func:`~.scenes.compose_scene`).
    """
    world = world or ShapesWorld()
    scenes = []
    for i in range(num_images):
        rng = image_rng(seed, STREAM_SCENES, i)
        image_id = image_id_start + i
        scenes.append(compose_scene(
            world, rng, image_id=image_id, file_name=f'{image_id:012d}.jpg',
            height=image_size, width=image_size,
            num_objects=_pick(rng, num_objects), object_size=object_size,
            num_stuff=_pick(rng, num_stuff), num_crowd=crowd_per_image,
            num_tiny=tiny_per_image, colour_weights=colour_weights))
    return scenes


def write_scenes(out_dir: str, scenes: List[Scene], *,
                 world: Optional[ShapesWorld] = None, seed: int = 0,
                 split: str = 'val2017',
                 formats: Sequence[str] = ('instances', 'panoptic', 'lvis'),
                 mask_format: str = 'polygon',
                 novel_shapes: Sequence[str] = DEFAULT_NOVEL_SHAPES,
                 novel_names: Sequence[str] = ()
                 ) -> Dict[str, object]:
    """Write the scenes' JPEGs and annotations under ``out_dir``.

    Layout (as in the real datasets, ``<split>`` e.g. ``val2017``):

    * ``<split>/<id>.jpg``
    * instances: ``annotations/instances_<split>.json``
    * panoptic: ``annotations/panoptic_<split>.json`` and PNGs in
      ``annotations/panoptic_<split>/``
    * lvis: ``annotations/lvis_v1_<split[:-4]>.json`` (``lvis_v1_val.json``);
      novel classes (a shape in ``novel_shapes`` or a name in ``novel_names``) get
      frequency ``r``
    * ov_split (needs instances): ``wusize/instances_<split>_base.json`` and
      ``wusize/instances_<split>_novel.json``

    Returns a dict with ``image_dir``, ``images`` and one key per written
    file (``instances``, ``panoptic_json``, ``panoptic_png_dir``,
    ``panoptic_pngs``, ``lvis``, ``base``, ``novel``).
    """
    world = world or ShapesWorld()
    novel_shapes = [s for s in novel_shapes if s in world.shapes]
    bad = [f for f in formats if f not in FORMATS]
    if bad:
        raise ValueError(f'unknown formats {bad}; known: {FORMATS}')
    image_dir = os.path.join(out_dir, split)
    ann_dir = os.path.join(out_dir, 'annotations')
    out: Dict[str, object] = {'image_dir': image_dir, 'images': [
        write_jpeg(os.path.join(image_dir, s.file_name), s.image)
        for s in scenes]}
    if 'instances' in formats or 'ov_split' in formats:
        out['instances'] = write_coco_instances(
            os.path.join(ann_dir, f'instances_{split}.json'), scenes, world,
            mask_format=mask_format)
    if 'ov_split' in formats:
        wusize = os.path.join(out_dir, 'wusize')
        out.update(write_split_jsons(
            out['instances'], world,
            base_json=os.path.join(wusize, f'instances_{split}_base.json'),
            novel_json=os.path.join(wusize, f'instances_{split}_novel.json'),
            novel_shapes=novel_shapes, novel_names=novel_names))
    if 'panoptic' in formats:
        pan = write_coco_panoptic(
            os.path.join(ann_dir, f'panoptic_{split}.json'),
            os.path.join(ann_dir, f'panoptic_{split}'), scenes, world)
        out.update(panoptic_json=pan['json'], panoptic_png_dir=pan['png_dir'],
                   panoptic_pngs=pan['pngs'])
    if 'lvis' in formats:
        short = split[:-4] if split.endswith('2017') else split
        _, novel_ids = split_base_novel(world, novel_shapes=novel_shapes,
                                        novel_names=novel_names)
        out['lvis'] = write_lvis(
            os.path.join(ann_dir, f'lvis_v1_{short}.json'), scenes, world,
            seed=seed, rare_ids=novel_ids, image_subdir=split)
    return out


def write_scene_datasets(out_dir: str, *, num_images: int = 8,
                         image_size: int = 192, seed: int = 0,
                         world: Optional[ShapesWorld] = None,
                         num_objects: IntRange = (2, 4),
                         object_size: Tuple[int, int] = (28, 64),
                         num_stuff: IntRange = (1, 2),
                         crowd_per_image: int = 0, tiny_per_image: int = 0,
                         split: str = 'val2017',
                         formats: Sequence[str] = ('instances', 'panoptic',
                                                   'lvis'),
                         mask_format: str = 'polygon',
                         novel_shapes: Sequence[str] = DEFAULT_NOVEL_SHAPES,
                         novel_names: Sequence[str] = (),
                         image_id_start: int = 1,
                         colour_weights: Optional[Sequence[float]] = None
                         ) -> Dict[str, object]:
    """:func:`generate_scenes` then :func:`write_scenes` (same arguments)."""
    world = world or ShapesWorld()
    scenes = generate_scenes(
        num_images=num_images, image_size=image_size, seed=seed, world=world,
        num_objects=num_objects, object_size=object_size,
        num_stuff=num_stuff, crowd_per_image=crowd_per_image,
        tiny_per_image=tiny_per_image, image_id_start=image_id_start,
        colour_weights=colour_weights)
    return write_scenes(out_dir, scenes, world=world, seed=seed, split=split,
                        formats=formats, mask_format=mask_format,
                        novel_shapes=novel_shapes, novel_names=novel_names)
