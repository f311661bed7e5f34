"""A small COCO 2017 release in the official formats, with the real 80 COCO categories.

:func:`write_coco_release` draws shapes-world scenes whose shapes stand for COCO classes
(:data:`DEFAULT_CLASSES`: circle = person, square = bus, ...) and writes, under ``out_dir``:

* ``train2017/<id>.jpg``, ``val2017/<id>.jpg``;
* ``annotations/instances_{train,val}2017.json``: ``categories`` are the 80 COCO thing classes
  with their official ids (from :mod:`ovdet.ov_splits`); annotations use them;
* ``annotations/captions_{train,val}2017.json``: the official captions layout, ``images`` plus
  ``annotations: [{"id", "image_id", "caption"}]``, several captions per image;
* ``annotations/panoptic_val2017.json`` and ``annotations/panoptic_val2017/<id>.png``: the 80
  things plus the world's stuff classes (ids from 92, as COCO's stuff ids start there).

Captions name a random non-empty subset of the classes present, written by a hand table of
plurals (:data:`PLURALS`, independent of any tag code), and some carry distractor words that
contain a class name inside a longer word ("category", "business"). The return value records, per
image, the classes present and the classes the captions name, so tests can tell tags that come
from captions from labels that would have come from boxes.
"""
from __future__ import annotations

import os
from typing import Dict, List, Optional

import numpy as np

from ovdet.ov_splits import OV_COCO_BASE, OV_COCO_NOVEL, OV_COCO_UNUSED

from .coco_instances import instances_dict
from .coco_panoptic import id_to_rgb, panoptic_segments
from .fileio import write_jpeg, write_json, write_png
from .scene_datasets import generate_scenes
from .world import ShapesWorld

#: shape -> the COCO class it stands for (base, novel and unused classes, one- and two-word names)
DEFAULT_CLASSES: Dict[str, str] = {
    'circle': 'person', 'square': 'bus', 'triangle': 'traffic light', 'star': 'cat',
    'cross': 'teddy bear', 'ring': 'donut',
}
#: plural written in captions, by hand (not by the tag code's rule)
PLURALS: Dict[str, str] = {
    'person': 'people', 'bus': 'buses', 'traffic light': 'traffic lights', 'cat': 'cats',
    'teddy bear': 'teddy bears', 'donut': 'donuts',
}
NUMBERS = {2: 'two', 3: 'three', 4: 'four', 5: 'five'}
DISTRACTORS = ('a {stuff} scene of some category', 'a business photo over {stuff}',
               'concatenated shapes on {stuff}', 'a personal view of {stuff}')
STUFF_ID_START = 92


def coco_categories() -> List[dict]:
    """The 80 COCO thing categories (id, name, supercategory) sorted by id."""
    names = {**OV_COCO_BASE, **OV_COCO_NOVEL, **OV_COCO_UNUSED}
    return [{'id': i, 'name': n, 'supercategory': 'thing'}
            for n, i in sorted(names.items(), key=lambda kv: kv[1])]


def _phrase(name: str, n: int) -> str:
    if n == 1:
        return ('an ' if name[0] in 'aeiou' else 'a ') + name
    return f'{NUMBERS.get(n, "many")} {PLURALS[name]}'


def _captions(rng, counts: Dict[str, int], stuff: str, num: int):
    """``num`` captions naming a random non-empty subset of ``counts``; returns (captions, named)."""
    present = sorted(counts)
    k = int(rng.integers(1, len(present) + 1))
    named = sorted(rng.choice(present, k, replace=False).tolist())
    listed = ' and '.join(_phrase(n, counts[n]) for n in named)
    pool = [f'{listed} on the {stuff}.', f'A photo of {listed}.',
            f'{listed[0].upper() + listed[1:]}, seen from above.',
            f'there are {listed} in this picture']
    caps = [pool[i % len(pool)] for i in range(num - 1)]
    caps.append(DISTRACTORS[int(rng.integers(len(DISTRACTORS)))].format(stuff=stuff))
    return caps, named


def write_coco_release(out_dir: str, *, num_train: int = 8, num_val: int = 4,
                       image_size: int = 96, seed: int = 0, num_captions: int = 5,
                       classes: Optional[Dict[str, str]] = None) -> Dict[str, object]:
    """Write the release (see the module docstring).

    Returns ``{'instances': {split: path}, 'captions': {split: path}, 'panoptic_json': path,
    'panoptic_dir': path, 'present': {image_id: [names]}, 'named': {image_id: [names]}}``.
    """
    classes = dict(classes or DEFAULT_CLASSES)
    world = ShapesWorld(shapes=tuple(classes), class_mode='shape')
    cats = coco_categories()
    coco_id = {c['name']: c['id'] for c in cats}
    to_coco = {c.id: coco_id[classes[c.shape]] for c in world.thing_categories}
    stuff_ids = {c.id: STUFF_ID_START + i for i, c in enumerate(world.stuff_categories)}
    name_of = {c['id']: c['name'] for c in cats}
    ann_dir = os.path.join(out_dir, 'annotations')
    out: Dict[str, object] = {'instances': {}, 'captions': {}, 'present': {}, 'named': {}}
    start = {'train': 1, 'val': 1001}
    for split, n in (('train', num_train), ('val', num_val)):
        scenes = generate_scenes(num_images=n, image_size=image_size, seed=seed + start[split],
                                 world=world, num_objects=(1, 3), object_size=(20, 36),
                                 image_id_start=start[split])
        for s in scenes:
            write_jpeg(os.path.join(out_dir, f'{split}2017', s.file_name), s.image)
        inst = instances_dict(scenes, world)
        for a in inst['annotations']:
            a['category_id'] = to_coco[a['category_id']]
        inst['categories'] = cats
        inst['info'] = {'description': f'synthetic COCO-format {split}2017 release'}
        out['instances'][split] = write_json(
            os.path.join(ann_dir, f'instances_{split}2017.json'), inst)

        rng = np.random.default_rng([int(seed), 7, start[split]])
        caption_anns = []
        for s in scenes:
            counts: Dict[str, int] = {}
            for o in s.objects:
                name = name_of[to_coco[o.category_id]]
                counts[name] = counts.get(name, 0) + 1
            stuff = s.stuff[0].name if s.stuff else 'ground'
            caps, named = _captions(rng, counts, stuff, num_captions)
            out['present'][s.image_id] = sorted(counts)
            out['named'][s.image_id] = named
            for c in caps:
                caption_anns.append({'image_id': s.image_id, 'id': len(caption_anns) + 1,
                                     'caption': c})
        out['captions'][split] = write_json(
            os.path.join(ann_dir, f'captions_{split}2017.json'),
            {'info': {'description': f'synthetic COCO-format {split}2017 captions'},
             'images': inst['images'], 'annotations': caption_anns})

        if split == 'val':
            png_dir = os.path.join(ann_dir, 'panoptic_val2017')
            pan_anns = []
            for s in scenes:
                id_map, infos = panoptic_segments(s)
                for info in infos:
                    info['category_id'] = to_coco.get(info['category_id'],
                                                      stuff_ids.get(info['category_id']))
                png = os.path.splitext(s.file_name)[0] + '.png'
                write_png(os.path.join(png_dir, png), id_to_rgb(id_map))
                pan_anns.append({'image_id': s.image_id, 'file_name': png,
                                 'segments_info': infos})
            pan_cats = [dict(c, isthing=1, color=[c['id'] % 256, 0, 0]) for c in cats] + [
                {'id': stuff_ids[c.id], 'name': c.name, 'supercategory': 'stuff', 'isthing': 0,
                 'color': [0, stuff_ids[c.id] % 256, 0]} for c in world.stuff_categories]
            out['panoptic_json'] = write_json(
                os.path.join(ann_dir, 'panoptic_val2017.json'),
                {'images': inst['images'], 'annotations': pan_anns, 'categories': pan_cats})
            out['panoptic_dir'] = png_dir
    return out
