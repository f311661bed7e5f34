"""Open-vocabulary splits: which classes are base, novel or unused, and the class weights that follow.

A split partitions the categories of a COCO-format (or LVIS) dataset into
  * base: annotated in training;
  * novel: held out of training, evaluated apart;
  * unused: neither trained nor evaluated (OV-COCO's 15 remaining classes).

The detector's classification loss takes one weight per class in label order (categories sorted by
id), then the background: ``w = [w_1, ..., w_C, w_bg]`` with ``w_c = 1`` for a base class and 0
otherwise. A zero weight removes the class from the training softmax and marks it novel at test time.
The OV metrics, the masked loss and ``tools/ov_split.py`` all take their split from here.

Pure Python (json only), and outside ``ovdet.datasets``, whose package imports torch: the offline
preparation (``ovdet.prepare``), the shapes world, metrics and losses all import it.
"""
import os
from typing import Dict, Iterable, List, Optional, Sequence, Tuple, Union

from ovdet.json_io import load_json

OV_COCO_BASE: Dict[str, int] = {
    'person': 1, 'bicycle': 2, 'car': 3, 'motorcycle': 4, 'train': 7, 'truck': 8, 'boat': 9,
    'bench': 15, 'bird': 16, 'horse': 19, 'sheep': 20, 'bear': 23, 'zebra': 24, 'giraffe': 25,
    'backpack': 27, 'handbag': 31, 'suitcase': 33, 'frisbee': 34, 'skis': 35, 'kite': 38,
    'surfboard': 42, 'bottle': 44, 'fork': 48, 'spoon': 50, 'bowl': 51, 'banana': 52,
    'apple': 53, 'sandwich': 54, 'orange': 55, 'broccoli': 56, 'carrot': 57, 'pizza': 59,
    'donut': 60, 'chair': 62, 'bed': 65, 'toilet': 70, 'tv': 72, 'laptop': 73, 'mouse': 74,
    'remote': 75, 'microwave': 78, 'oven': 79, 'toaster': 80, 'refrigerator': 82, 'book': 84,
    'clock': 85, 'vase': 86, 'toothbrush': 90,
}
OV_COCO_NOVEL: Dict[str, int] = {
    'airplane': 5, 'bus': 6, 'cat': 17, 'dog': 18, 'cow': 21, 'elephant': 22, 'umbrella': 28,
    'tie': 32, 'snowboard': 36, 'skateboard': 41, 'cup': 47, 'knife': 49, 'cake': 61,
    'couch': 63, 'keyboard': 76, 'sink': 81, 'scissors': 87,
}
OV_COCO_UNUSED: Dict[str, int] = {
    'traffic light': 10, 'fire hydrant': 11, 'stop sign': 13, 'parking meter': 14,
    'sports ball': 37, 'baseball bat': 39, 'baseball glove': 40, 'tennis racket': 43,
    'wine glass': 46, 'hot dog': 58, 'potted plant': 64, 'dining table': 67, 'cell phone': 77,
    'teddy bear': 88, 'hair drier': 89,
}
#: OV-LVIS: the rare classes are novel, common and frequent ones base.
LVIS_NOVEL_FREQUENCIES = ('r', )
PRESETS = ('ov-coco', 'ov-lvis')

WeightSource = Union[str, Sequence[float]]


def _by_id(categories: Sequence[dict]) -> List[dict]:
    return sorted(categories, key=lambda c: c['id'])


def split_ids(categories: Sequence[dict], novel_names: Iterable[str] = (),
              base_names: Optional[Iterable[str]] = None,
              novel_frequencies: Iterable[str] = ()) -> Tuple[List[int], List[int]]:
    """(base_ids, novel_ids) of ``categories`` (dicts with id, name[, frequency]), each by id.

    A category is novel when its name is in ``novel_names`` or its frequency in
    ``novel_frequencies``. With ``base_names`` given, base is exactly those names and every other
    non-novel category is unused; otherwise every non-novel category is base.
    """
    novel_names, freqs = set(novel_names), set(novel_frequencies)
    base_names = None if base_names is None else set(base_names)
    unknown = novel_names - {c['name'] for c in categories}
    if unknown:
        raise ValueError(f'novel names not among the categories: {sorted(unknown)}')
    base, novel = [], []
    for c in _by_id(categories):
        if c['name'] in novel_names or c.get('frequency') in freqs:
            novel.append(c['id'])
        elif base_names is None or c['name'] in base_names:
            base.append(c['id'])
    return base, novel


def split_preset(categories: Sequence[dict], preset: Optional[str] = None,
                 novel_names: Optional[Iterable[str]] = None,
                 base_names: Optional[Iterable[str]] = None) -> Tuple[List[int], List[int]]:
    """(base_ids, novel_ids) by a named split (``'ov-coco'``: 48/17/15 by name; ``'ov-lvis'``:
    rare = novel) or, without a preset, by the given novel (and optionally base) class names."""
    if preset == 'ov-coco':
        return split_ids(categories, OV_COCO_NOVEL, OV_COCO_BASE)
    if preset == 'ov-lvis':
        return split_ids(categories, novel_frequencies=LVIS_NOVEL_FREQUENCIES)
    if preset is not None:
        raise ValueError(f'unknown split preset {preset!r}; known: {PRESETS}')
    if not novel_names:
        raise ValueError('name a split preset or the novel classes')
    return split_ids(categories, novel_names, base_names)


def class_weights_for(categories: Sequence[dict], base_ids: Iterable[int]) -> List[float]:
    """0/1 weight per category in label order (sorted by id): 1 for base ids. No background."""
    base = set(base_ids)
    return [1.0 if c['id'] in base else 0.0 for c in _by_id(categories)]


def keep_categories(data: dict, cat_ids: Iterable[int]) -> dict:
    """A copy of the annotation dict ``data`` whose annotations are restricted to ``cat_ids``.

    Images and categories are all kept, so label order and image ids are the same in the full,
    base and novel files.
    """
    keep = set(int(c) for c in cat_ids)
    out = dict(data)  # a shallow copy: same keys in the same order
    out['annotations'] = [a for a in data['annotations'] if a['category_id'] in keep]
    return out


def _base_ids_from_file(categories: List[dict], novel_frequencies: Iterable[str],
                        novel_names: Optional[Iterable[str]]) -> List[int]:
    """Base ids of the categories of a json: by ``novel_names``, else by ``frequency``, else by
    ``image_count > 0`` (LVIS "norare" category-info files count 0 images for the rare classes)."""
    if novel_names:
        return split_ids(categories, novel_names)[0]
    if all('frequency' in c for c in categories):
        return split_ids(categories, novel_frequencies=novel_frequencies)[0]
    if all('image_count' in c for c in categories):
        return [c['id'] for c in categories if c['image_count'] > 0]
    raise ValueError('categories carry neither frequency nor image_count; '
                     'pass novel_names or an explicit weight list')


def load_class_weights(source: WeightSource, num_classes: Optional[int] = None,
                       bg_weight: Optional[float] = None,
                       novel_frequencies: Iterable[str] = LVIS_NOVEL_FREQUENCIES,
                       novel_names: Optional[Iterable[str]] = None) -> List[float]:
    """C + 1 training weights (background last) from ``source``:

    * a list of C or C + 1 numbers;
    * a json path: an annotation file (COCO / LVIS, a dict with ``categories``) or an LVIS-style
      category-info list; the base classes are found as :func:`_base_ids_from_file` says and
      weighted by :func:`class_weights_for`.

    A list of C + 1 (with ``num_classes`` = C) is kept, ``bg_weight`` then overriding its last
    entry; otherwise ``bg_weight`` (default 1.0) is appended. ``num_classes``, when given, is checked.
    """
    if isinstance(source, (str, os.PathLike)):
        data = load_json(source, 'a COCO/LVIS annotation json or an LVIS category-info list')
        cats = data['categories'] if isinstance(data, dict) else data
        weights = class_weights_for(cats, _base_ids_from_file(cats, novel_frequencies, novel_names))
    else:
        weights = [float(w) for w in source]
    if num_classes is not None and len(weights) == num_classes + 1:
        if bg_weight is not None:
            weights = weights[:-1] + [float(bg_weight)]
        return weights
    weights = weights + [1.0 if bg_weight is None else float(bg_weight)]
    if num_classes is not None and len(weights) != num_classes + 1:
        raise ValueError(f'{len(weights) - 1} class weights for {num_classes} classes')
    return weights
