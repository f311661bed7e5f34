"""Base / novel vocabularies of the open-vocabulary benchmarks (pure Python, no heavy imports).

OV-COCO (the OVR-CNN split): 48 base and 17 novel classes; the other 15 COCO classes are unused
(zero weight in training, never evaluated). OV-LVIS: the rare classes (frequency ``'r'``) are novel,
common and frequent ones base.
"""
from typing import Dict, Iterable, List, Sequence

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
LVIS_NOVEL_FREQUENCIES = ('r', )


def class_weights_for(categories: Sequence[dict], base_ids: Iterable[int]) -> List[float]:
    """0/1 weight per category (sorted by id): 1 for base ids. Background not included."""
    base = set(base_ids)
    return [1.0 if c['id'] in base else 0.0 for c in sorted(categories, key=lambda c: c['id'])]


def split_ids(categories: Sequence[dict], novel_names: Iterable[str] = (),
              base_names: Iterable[str] = None, novel_frequencies: Iterable[str] = ()):
    """(base_ids, novel_ids) of ``categories`` (dicts with id, name[, frequency]).

    A category is novel when its name is in ``novel_names`` or its frequency in
    ``novel_frequencies``. With ``base_names`` given, base is exactly those names and every
    other non-novel category is unused; otherwise all non-novel categories are base.
    """
    novel_names, freqs = set(novel_names), set(novel_frequencies)
    base_names = None if base_names is None else set(base_names)
    unknown = novel_names - {c['name'] for c in categories}
    if unknown:
        raise ValueError(f'novel names not among the categories: {sorted(unknown)}')
    base, novel = [], []
    for c in sorted(categories, key=lambda c: c['id']):
        if c['name'] in novel_names or c.get('frequency') in freqs:
            novel.append(c['id'])
        elif base_names is None or c['name'] in base_names:
            base.append(c['id'])
    return base, novel
