"""Seeded generators of a small "shapes world" in official dataset formats.

Things are coloured, textured shapes; stuff are noisy backgrounds.  The
generators write real files: JPEG images, Detic-style COCO caption json,
CC3M json, COCO instances json, COCO panoptic json + PNGs, LVIS-v1-style
json, OV base/novel instances jsons, plus broken inputs for robustness tests.
The same seed and arguments always give byte-identical files.

Entry points::

    write_captioned_images(out_dir, num_images=..., seed=...)
    write_scene_datasets(out_dir, num_images=..., seed=..., formats=...)

``tools/generate_synthetic_data.py`` exposes both on the command line. Small stand-ins of the
official downloads that ``tools/prepare_data.py`` reads are in :mod:`.coco_release` (the COCO 2017
release) and :mod:`.cc3m_release` (the CC3M TSV and image download). Drawing and writing need
numpy, PIL and pycocotools' masks only; nothing here imports torch.
"""
from .captioned import captioned_scene, write_captioned_images
from .captions import TEMPLATES, make_captions
from .coco_instances import instances_dict, write_coco_instances
from .coco_panoptic import (id_to_rgb, panoptic_segments, rgb_to_id,
                            write_coco_panoptic)
from .corrupt import (add_corrupt_image, add_empty_caption_image,
                      add_image_entry, add_missing_image, add_tiny_image,
                      write_truncated_jpeg)
from .geometry import mask_bbox, polygons_to_mask, shape_polygons
from .lvis_json import lvis_dict, write_lvis
from .scene_datasets import generate_scenes, write_scene_datasets, write_scenes
from .scenes import Scene, SceneObject, StuffRegion, compose_scene
from .splits import (DEFAULT_NOVEL_SHAPES, filter_annotations,
                     split_base_novel, write_split_jsons)
from .world import (COLOURS, SHAPES, STUFF, TEXTURES, Category, ShapesWorld)

__all__ = [
    'ShapesWorld', 'Category', 'COLOURS', 'SHAPES', 'STUFF', 'TEXTURES',
    'Scene', 'SceneObject', 'StuffRegion', 'compose_scene',
    'captioned_scene', 'write_captioned_images', 'TEMPLATES',
    'make_captions', 'generate_scenes', 'write_scenes',
    'write_scene_datasets', 'instances_dict', 'write_coco_instances',
    'panoptic_segments', 'write_coco_panoptic', 'id_to_rgb', 'rgb_to_id',
    'lvis_dict', 'write_lvis', 'split_base_novel',
    'filter_annotations', 'write_split_jsons', 'DEFAULT_NOVEL_SHAPES',
    'write_truncated_jpeg', 'add_image_entry', 'add_missing_image',
    'add_empty_caption_image', 'add_corrupt_image', 'add_tiny_image',
    'shape_polygons', 'polygons_to_mask', 'mask_bbox',
]
