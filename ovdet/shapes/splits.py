"""Base/novel splits of the thing classes for open-vocabulary detection.

Novel classes are chosen at the shape level: with ``novel_shapes=('star',)``
every "<colour> star" class (or the "star" class in shape-only mode) is novel
and all other thing classes are base.  :func:`write_split_jsons` then does
what the OV-COCO preprocessing does: copy an instances json keeping only the
annotations of the base (or novel) classes, with all images and all
categories kept.
"""
from __future__ import annotations

from typing import Dict, Iterable, List, Optional, Sequence, Tuple

from ovdet.json_io import load_json
from ovdet.ov_splits import keep_categories

from .fileio import write_json
from .world import ShapesWorld

DEFAULT_NOVEL_SHAPES: Tuple[str, ...] = ('star',)


def split_base_novel(world: ShapesWorld, *,
                     novel_shapes: Sequence[str] = DEFAULT_NOVEL_SHAPES,
                     novel_names: Optional[Iterable[str]] = None
                     ) -> Tuple[List[int], List[int]]:
    """``(base_ids, novel_ids)``: thing category ids, each sorted.

    A class is novel when its shape is in ``novel_shapes`` or its name is in
    ``novel_names``.
    """
    unknown = [s for s in novel_shapes if s not in world.shapes]
    if unknown:
        raise ValueError(f'novel shapes not in the world: {unknown}')
    names = set(novel_names or ())
    base, novel = [], []
    for cat in world.thing_categories:
        is_novel = cat.shape in novel_shapes or cat.name in names
        (novel if is_novel else base).append(cat.id)
    return base, novel


def filter_annotations(src_json: str, dst_json: str,
                       keep_category_ids: Iterable[int]) -> str:
    """Copy a COCO/LVIS json keeping only annotations of the given classes
    (:func:`ovdet.ov_splits.keep_categories`).  Returns ``dst_json``."""
    return write_json(dst_json, keep_categories(load_json(src_json, 'a COCO/LVIS instances json'),
                                                keep_category_ids))


def write_split_jsons(instances_json: str, world: ShapesWorld, *,
                      base_json: str, novel_json: Optional[str] = None,
                      novel_shapes: Sequence[str] = DEFAULT_NOVEL_SHAPES,
                      novel_names: Optional[Iterable[str]] = None
                      ) -> Dict[str, str]:
    """Write the base-only (and optionally novel-only) instances jsons; novel classes are
    those of :func:`split_base_novel`.

    Returns ``{'base': path}`` plus ``'novel'`` when written.
    """
    base_ids, novel_ids = split_base_novel(world, novel_shapes=novel_shapes,
                                           novel_names=novel_names)
    out = {'base': filter_annotations(instances_json, base_json, base_ids)}
    if novel_json:
        out['novel'] = filter_annotations(instances_json, novel_json,
                                          novel_ids)
    return out
