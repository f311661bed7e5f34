"""The demo's world on disk: scenes and captioned images made from a config's ``demo_world``.

Layout under ``root`` (what the demo configs read, ``work_dirs/demo_detection/data/`` by default)::

    scenes/train2017, scenes/val2017            128 px scenes (COCO instances json in annotations/,
    scenes/wusize/instances_train2017_base.json  the base-only training json: no novel box)
    captions/train2017, captions/wusize/...      captioned single-object images (Detic caption json)
    captions_heldout/...                          other captioned images, for the mechanism measures

The training scenes, test scenes and the two captioned sets are drawn from seeds ``seed``,
``seed + 1000``, ``seed + 2000`` and ``seed + 3000``, so that none repeats another. With
``train_novel_weight`` w in the spec, a training-scene object takes a novel colour w times as
often as a base colour (test scenes and captioned images: every colour alike).
"""
import os.path as osp
from typing import Dict, List

import numpy as np

from ovdet.shapes import ShapesWorld, write_captioned_images, write_scene_datasets

#: the folders under the data root and the caption json inside a captioned set
SCENES, CAPTIONS, HELDOUT = 'scenes', 'captions', 'captions_heldout'
CAPTION_JSON = 'wusize/captions_train2017_tags_allcaps.json'


def shapes_world(spec: dict) -> ShapesWorld:
    """The :class:`ShapesWorld` of a ``demo_world`` dict."""
    return ShapesWorld(colours=tuple(spec['colours']), shapes=tuple(spec['shapes']),
                       class_mode=spec['class_mode'])


def class_names(spec: dict) -> List[str]:
    """The thing classes of the world, in label order."""
    return [c.name for c in shapes_world(spec).thing_categories]


def check_config_classes(cfg, config_path: str) -> None:
    """Stop with one line when a config's datasets declare other classes than its world makes."""
    names = class_names(cfg.demo_world)
    declared = list(cfg.test_dataloader.dataset.metainfo['classes'])
    if names != declared:
        raise SystemExit(f'{config_path}: demo_world makes classes {names} but the datasets '
                         f'declare {declared}')
    unknown = [n for n in cfg.demo_world['novel_names'] if n not in names]
    if unknown:
        raise SystemExit(f'{config_path}: demo_world novel_names {unknown} are not classes {names}')


def write_demo_world(root: str, spec: dict, *, train_images: int, test_images: int,
                     captioned_images: int, heldout_images: int, seed: int = 0) -> Dict[str, str]:
    """Write the scenes and captioned sets of ``spec`` under ``root``; returns their folders."""
    world = shapes_world(spec)
    scenes = osp.join(root, SCENES)
    novel = list(spec['novel_names'])
    train_weights = None
    if spec.get('train_novel_weight') is not None:
        train_weights = [spec['train_novel_weight'] if c in novel else 1.0 for c in world.colours]
    for split, n, s, weights in (('train2017', train_images, seed, train_weights),
                                 ('val2017', test_images, seed + 1000, None)):
        write_scene_datasets(scenes, num_images=n, image_size=spec['image_size'], seed=s,
                             world=world, split=split, formats=('instances', 'ov_split'),
                             novel_shapes=(), novel_names=novel,
                             object_size=tuple(spec['object_size']),
                             num_objects=tuple(spec['num_objects']), colour_weights=weights)
    out = dict(scenes=scenes)
    for name, n, s in ((CAPTIONS, captioned_images, seed + 2000),
                       (HELDOUT, heldout_images, seed + 3000)):
        out[name] = osp.join(root, name)
        write_captioned_images(out[name], num_images=n, image_size=spec['captioned_size'], seed=s,
                               world=world, coco_json=CAPTION_JSON, cc3m_json=None)
    return out


def load_coco(ann_file: str):
    """pycocotools' COCO index of ``ann_file``, without its progress lines."""
    import contextlib
    import io

    from pycocotools.coco import COCO
    with contextlib.redirect_stdout(io.StringIO()):
        return COCO(ann_file)


def test_scenes(root: str) -> tuple:
    """The test scenes of the world under ``root``: (COCO instances json, image folder)."""
    scenes = osp.join(root, SCENES)
    return osp.join(scenes, 'annotations', 'instances_val2017.json'), osp.join(scenes, 'val2017')


def gt_boxes(coco, img_id: int) -> tuple:
    """(n, 4) xyxy boxes and their label indices (categories sorted by id) of one image."""
    cats = sorted(coco.getCatIds())
    anns = coco.loadAnns(coco.getAnnIds(imgIds=img_id))
    boxes = np.array([[a['bbox'][0], a['bbox'][1], a['bbox'][0] + a['bbox'][2],
                       a['bbox'][1] + a['bbox'][3]] for a in anns], np.float32).reshape(-1, 4)
    return boxes, np.array([cats.index(a['category_id']) for a in anns], np.int64)
