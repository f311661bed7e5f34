"""``prepare_data.py coco``: every derived COCO file from the official 2017 annotations.

Inputs (``annotations_trainval2017.zip`` and ``panoptic_annotations_trainval2017.zip`` unpacked
under ``data/coco/``): ``annotations/captions_train2017.json``, ``instances_{train,val}2017.json``,
``panoptic_val2017.json``; optionally an LVIS json for synonyms (``--lvis-synonyms``).

Outputs (``parts``):

* ``captions``
    - ``annotations/captions_train2017_clim.json``: the CLIM caption json, every train image with
      all of its captions: ``{"images": [{"id", "file_name", "height", "width", "captions"}]}``
      (``file_name`` relative to ``train2017/``). No tags: CLIP-level training does not depend on
      the tag rule.
    - ``wusize/captions_train2017_tags_allcaps.json``: the Detic caption json, the same images
      plus ``pos_category_ids`` (tags found in the captions, :mod:`.tags`), ``categories`` (the 80
      COCO classes, each with the ``synonyms`` the tags were matched with) and ``annotations: []``.
      Images without a tag are kept (Detic's script drops them; ``drop_untagged`` does too).
* ``ov_split``: ``wusize/instances_train2017_base.json``, ``wusize/instances_val2017_base.json``
  and ``wusize/instances_val2017_novel.json``: the instances jsons restricted to the 48 base or 17
  novel OV-COCO classes (:mod:`ovdet.ov_splits`), every image and all 80 categories kept.
* ``panoptic``: ``data/metadata/coco_panoptic_classes.txt``, the panoptic category names in sorted
  id order, one a line (the row order of the panoptic class embeddings).
"""
import os
from collections import defaultdict
from typing import Dict, List, Optional, Sequence

from ovdet.ov_splits import keep_categories, split_preset

from . import layout
from .coco_synonyms import coco_vocabulary
from .files import read_json, write_json, write_text
from .report import PrepareError, Report, count, progress
from .tags import TagMatcher, TagStats

PARTS = ('captions', 'ov_split', 'panoptic')
ANNOTATIONS_ZIP = 'annotations_trainval2017.zip (cocodataset.org)'
PANOPTIC_ZIP = 'panoptic_annotations_trainval2017.zip (cocodataset.org)'


def group_captions(captions_json: dict, path: str) -> List[dict]:
    """Official COCO captions (``images`` + ``annotations: [{image_id, caption}]``) -> one entry
    per image with all its captions in file order: ``{id, file_name, height, width, captions}``.
    Images without a caption are left out (the caller reports how many)."""
    by_image: Dict[int, List[str]] = defaultdict(list)
    for ann in captions_json['annotations']:
        try:
            by_image[ann['image_id']].append(ann['caption'].strip())
        except (KeyError, AttributeError, TypeError):
            raise PrepareError(f'{path}: caption annotation {ann!r} lacks image_id or a caption '
                               'string; expected the official captions json') from None
    entries = []
    for img in captions_json['images']:
        caps = [c for c in by_image.get(img['id'], []) if c]
        if caps:
            entries.append({'id': img['id'], 'file_name': img['file_name'],
                            'height': img['height'], 'width': img['width'], 'captions': caps})
    return entries


def tag_images(entries: Sequence[dict], matcher: TagMatcher, stats: TagStats,
               desc: str = 'tagging') -> List[dict]:
    """Copies of ``entries`` with ``pos_category_ids`` = tags of their captions."""
    out = []
    for entry in progress(entries, desc=desc):
        tags = matcher.tags(entry['captions'])
        stats.add(tags)
        out.append(dict(entry, pos_category_ids=tags))
    return out


def ov_coco_split(categories: Sequence[dict], path: str):
    """(base_ids, novel_ids) of the OV-COCO split; a one-line error unless these are COCO's 80."""
    try:
        base, novel = split_preset(categories, 'ov-coco')
    except ValueError as e:
        raise PrepareError(f'{path}: {e}; expected the 80 COCO categories') from None
    if len(base) != 48 or len(novel) != 17:
        raise PrepareError(f'{path}: found {len(base)} base and {len(novel)} novel OV-COCO classes; '
                           'expected the 80 COCO categories (48 base, 17 novel)')
    return base, novel


def _describe_instances(data: dict) -> str:
    return (f'{count(len(data["images"]))} images, {count(len(data["annotations"]))} annotations, '
            f'{len(data["categories"])} categories')


def prepare_coco(coco_root: str = layout.COCO, metadata_dir: str = layout.METADATA, *,
                 lvis_synonyms: Optional[str] = None, drop_untagged: bool = False,
                 parts: Sequence[str] = PARTS, report: Optional[Report] = None) -> Report:
    """Write the derived COCO files (see the module docstring); returns the report."""
    report = report or Report('coco')
    bad = [p for p in parts if p not in PARTS]
    if bad:
        raise PrepareError(f'unknown coco parts {bad}; known: {list(PARTS)}')
    path = lambda rel, **kw: layout.join(coco_root, rel, **kw)  # noqa: E731

    # validate every input first: a missing file stops the step before anything is written
    needed = []
    if 'captions' in parts:
        needed += [(path(layout.COCO_CAPTIONS, split='train'), ANNOTATIONS_ZIP),
                   (path(layout.COCO_INSTANCES, split='val'), ANNOTATIONS_ZIP)]
    if 'ov_split' in parts:
        needed += [(path(layout.COCO_INSTANCES, split=s), ANNOTATIONS_ZIP)
                   for s in ('train', 'val')]
    if 'panoptic' in parts:
        needed += [(path(layout.COCO_PANOPTIC, split='val'), PANOPTIC_ZIP)]
    if lvis_synonyms and 'captions' in parts:
        needed += [(lvis_synonyms, 'lvis_v1_val.json.zip (lvisdataset.org)')]
    for p, source in dict.fromkeys(needed):
        if not os.path.isfile(p):
            raise PrepareError(f'{p}: not found; expected it from {source}')

    if 'captions' in parts:
        _captions(coco_root, lvis_synonyms, drop_untagged, report)
    if 'ov_split' in parts:
        _ov_split(coco_root, report)
    if 'panoptic' in parts:
        _panoptic_classes(coco_root, metadata_dir, report)
    report.summary()
    return report


def _captions(coco_root, lvis_synonyms, drop_untagged, report):
    cap_path = layout.join(coco_root, layout.COCO_CAPTIONS, split='train')
    captions = read_json(cap_path, 'the official COCO captions json (images, annotations)',
                         keys=('images', 'annotations'))
    report.read(cap_path, f'{count(len(captions["images"]))} images, '
                          f'{count(len(captions["annotations"]))} captions')
    entries = group_captions(captions, cap_path)
    if len(entries) < len(captions['images']):
        report.note(f'{count(len(captions["images"]) - len(entries))} images have no caption '
                    'and are left out of both caption jsons')
    del captions
    n_caps = sum(len(e['captions']) for e in entries)
    write_json(layout.join(coco_root, layout.COCO_CLIM_CAPTIONS), {'images': entries}, report,
               f'CLIM captions: {count(len(entries))} images, {count(n_caps)} captions')

    # the class vocabulary comes from the categories of the instances json (never its boxes)
    inst_path = layout.join(coco_root, layout.COCO_INSTANCES, split='val')
    cats = read_json(inst_path, 'a COCO instances json with categories',
                     keys=('categories', ))['categories']
    lvis_cats = None
    if lvis_synonyms:
        lvis_cats = read_json(lvis_synonyms, 'an LVIS v1 json with categories',
                              keys=('categories', ))['categories']
        report.read(lvis_synonyms, f'{count(len(lvis_cats))} LVIS categories for synonyms')
    vocab = coco_vocabulary(cats, lvis_cats)
    report.read(inst_path, f'{len(cats)} category names (no annotations read)')
    report.note('tag names: COCO names' + (' + LVIS synonyms of the mapped synsets; '
                                           f'{sum(len(v) for v in vocab.values())} names'
                                           if lvis_cats else ' only (add --lvis-synonyms '
                                           'data/lvis_v1/annotations/lvis_v1_val.json for '
                                           'LVIS synonyms)'))
    stats = TagStats(vocab)
    tagged = tag_images(entries, TagMatcher(vocab), stats)
    for line in stats.lines():
        report.note(line)
    if drop_untagged:
        kept = [e for e in tagged if e['pos_category_ids']]
        report.note(f'dropped {count(len(tagged) - len(kept))} images without tags '
                    '(--drop-untagged)')
        tagged = kept
    categories = [dict(c, synonyms=vocab[c['id']]) for c in sorted(cats, key=lambda c: c['id'])]
    write_json(layout.join(coco_root, layout.COCO_DETIC_CAPTIONS),
               {'images': tagged, 'categories': categories, 'annotations': []}, report,
               f'Detic captions with tags: {count(len(tagged))} images, '
               f'{count(stats.tagged)} with >= 1 tag')


def _ov_split(coco_root, report):
    outputs = {'train': [('base', layout.COCO_OV_BASE_TRAIN)],
               'val': [('base', layout.COCO_OV_BASE_VAL), ('novel', layout.COCO_OV_NOVEL_VAL)]}
    for split, targets in outputs.items():
        src = layout.join(coco_root, layout.COCO_INSTANCES, split=split)
        data = read_json(src, 'a COCO instances json (images, annotations, categories)',
                         keys=('images', 'annotations', 'categories'))
        report.read(src, _describe_instances(data))
        base, novel = ov_coco_split(data['categories'], src)
        for which, rel in targets:
            ids = base if which == 'base' else novel
            sub = keep_categories(data, ids)
            write_json(layout.join(coco_root, rel), sub, report,
                       f'OV-COCO {which}: {count(len(sub["annotations"]))} of '
                       f'{count(len(data["annotations"]))} annotations ({len(ids)} classes), '
                       f'{count(len(sub["images"]))} images, {len(sub["categories"])} categories')
        del data


def _panoptic_classes(coco_root, metadata_dir, report):
    src = layout.join(coco_root, layout.COCO_PANOPTIC, split='val')
    data = read_json(src, 'a COCO panoptic json with categories', keys=('categories', ))
    cats = sorted(data['categories'], key=lambda c: c['id'])
    things = sum(1 for c in cats if c.get('isthing'))
    report.read(src, f'{len(cats)} categories ({things} things, {len(cats) - things} stuff)')
    write_text(os.path.join(metadata_dir, layout.COCO_PANOPTIC_CLASSES),
               ''.join(c['name'] + '\n' for c in cats), report,
               f'{len(cats)} panoptic class names in sorted-id order')
