"""Per-class training weights of open-vocabulary detectors.

The classification loss of an OV detector takes a vector ``w`` of length C + 1 (C classes, then
background). ``w_c = 0`` marks a class that has no training annotation (novel or unused): its logit
is removed from the softmax during training (see ``ZeroWeightMaskedCrossEntropyLoss``) and, at test
time, the class is scored as *novel* in the F-VLM ensemble (see ``ensemble.py``).

Sources accepted by :func:`load_class_weights`:

* a list of C or C + 1 numbers;
* a LVIS-style category-info json (a list of ``{id, image_count, ...}``) — ``w_c = [image_count > 0]``
  in id order (the "norare" info files carry ``image_count = 0`` for the rare classes);
* an annotation json (COCO / LVIS, a dict with ``categories``) — with a ``frequency`` field,
  ``w_c = [frequency not in novel_frequencies]`` (rare classes are novel in OV-LVIS); otherwise
  ``w_c = [name not in novel_names]``.
"""
import json
from typing import Iterable, List, Optional, Sequence, Union

WeightSource = Union[str, Sequence[float]]


def _weights_from_categories(cats: List[dict], novel_frequencies: Iterable[str],
                             novel_names: Optional[Iterable[str]]) -> List[float]:
    cats = sorted(cats, key=lambda c: c['id'])
    novel_names = set(novel_names or ())
    if novel_names:
        return [0.0 if c['name'] in novel_names else 1.0 for c in cats]
    if all('frequency' in c for c in cats):
        rare = set(novel_frequencies)
        return [0.0 if c['frequency'] in rare else 1.0 for c in cats]
    if all('image_count' in c for c in cats):
        return [1.0 if c['image_count'] > 0 else 0.0 for c in cats]
    raise ValueError('categories carry neither frequency nor image_count; '
                     'pass novel_names or an explicit weight list')


def load_class_weights(source: WeightSource, num_classes: Optional[int] = None,
                       bg_weight: Optional[float] = None,
                       novel_frequencies: Iterable[str] = ('r', ),
                       novel_names: Optional[Iterable[str]] = None) -> List[float]:
    """Resolve ``source`` into a list of C + 1 weights (background last).

    If ``source`` already has C + 1 entries it is returned as is (``bg_weight`` then must be
    None); otherwise ``bg_weight`` (default 1.0) is appended. ``num_classes`` (C), when given,
    is checked.
    """
    if isinstance(source, str):
        with open(source) as f:
            data = json.load(f)
        cats = data['categories'] if isinstance(data, dict) else data
        weights = _weights_from_categories(cats, novel_frequencies, novel_names)
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
