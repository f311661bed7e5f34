"""Restricting a json's annotations to some categories, with every annotation left out counted.

The OV splits keep the annotations of the base (or novel) classes. An annotation is left out
because its class belongs to the other part of the split ('novel', 'rare', 'unused', ...), or
because its ``category_id`` is in no category of the file at all; none of them disappears without
a count in the step's report.
"""
from collections import Counter
from typing import Dict, Iterable, Tuple

from ovdet.ov_splits import keep_categories

from .report import count

UNKNOWN = 'of category ids not in the file'


def restrict(data: dict, keep_ids: Iterable[int], reasons: Dict[int, str]) -> Tuple[dict, Counter]:
    """(:func:`ovdet.ov_splits.keep_categories` of ``data``, a Counter of the annotations left
    out by reason): ``reasons`` maps a category id to why its annotations go; an id missing from
    ``reasons`` and from ``keep_ids`` counts as :data:`UNKNOWN`."""
    keep = set(keep_ids)
    dropped = Counter(reasons.get(a['category_id'], UNKNOWN) for a in data['annotations']
                      if a['category_id'] not in keep)
    return keep_categories(data, keep), dropped


def unknown_category_ids(annotations: Iterable[dict], categories: Iterable[dict]) -> Counter:
    """Counter of the ``category_id`` values of ``annotations`` that no category has."""
    known = {c['id'] for c in categories}
    return Counter(a['category_id'] for a in annotations if a['category_id'] not in known)


def left_out(dropped: Counter) -> str:
    """'left out: 1,234 novel, 5 of category ids not in the file' ('left out: none')."""
    if not sum(dropped.values()):
        return 'left out: none'
    return 'left out: ' + ', '.join(f'{count(n)} {reason}' for reason, n in
                                    sorted(dropped.items(), key=lambda kv: (-kv[1], kv[0])) if n)
