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

Every input a part reads is checked, whichever parts are made: the instances jsons must hold COCO's
80 categories with their official ids (the tags and the OV-COCO split are defined on them), every
entry the step reads must have its fields (:mod:`.schema`), and no list may be empty. The outputs
of all parts are written together at the end (:class:`.files.Outputs`): a bad input leaves every
output as it was. Left-out captions and annotations are counted by reason in the report.
"""
import os
from collections import Counter, defaultdict
from typing import Dict, List, Optional, Sequence, Tuple

from ovdet.ov_splits import OV_COCO_BASE, OV_COCO_NOVEL, OV_COCO_UNUSED, split_preset

from . import layout
from .annotation_split import left_out, restrict
from .coco_synonyms import coco_vocabulary
from .files import Outputs, read_json
from .report import PrepareError, Report, count, progress
from .schema import CAPTION, CAPTION_IMAGE, CATEGORY, IMAGE, INSTANCE, SYNONYMS, records
from .tags import TagMatcher, TagStats

PARTS = ('captions', 'ov_split', 'panoptic')
ANNOTATIONS_ZIP = 'annotations_trainval2017.zip (cocodataset.org)'
PANOPTIC_ZIP = 'panoptic_annotations_trainval2017.zip (cocodataset.org)'
CAPTIONS_JSON = 'the official COCO captions json (images, annotations with image_id and caption)'
INSTANCES_JSON = 'a COCO 2017 instances json (images, annotations, the 80 categories)'
PANOPTIC_JSON = 'a COCO panoptic json with categories {id, name}'
#: name -> id of COCO's 80 categories
COCO_80: Dict[str, int] = {**OV_COCO_BASE, **OV_COCO_NOVEL, **OV_COCO_UNUSED}


def coco_categories(data: dict, path: str) -> List[dict]:
    """The ``categories`` of a COCO instances json, checked to be COCO's 80 with their official
    ids (the tags, the synonym table and the OV-COCO split are defined on them)."""
    cats = records(data, 'categories', path, INSTANCES_JSON, CATEGORY, unique=('id', ))
    got = {c['name']: c['id'] for c in cats}
    if got != COCO_80:
        missing = [f'{n!r} ({i})' for n, i in sorted(COCO_80.items(), key=lambda kv: kv[1])
                   if got.get(n) != i]
        extra = [f'{n!r} ({i})' for n, i in got.items() if COCO_80.get(n) != i]
        found = '; '.join(part for part in (
            'missing ' + ', '.join(missing[:5]) + (' ...' if len(missing) > 5 else '')
            if missing else '',
            'not COCO\'s ' + ', '.join(extra[:5]) + (' ...' if len(extra) > 5 else '')
            if extra else '') if part)
        raise PrepareError(f'{path}: {len(cats)} categories ({found}); expected COCO\'s 80 '
                           'categories with their official ids (annotations_trainval2017.zip)')
    return cats


def group_captions(captions_json: dict, path: str, report: Optional[Report] = None) -> List[dict]:
    """Official COCO captions (``images`` + ``annotations: [{image_id, caption}]``) -> one entry
    per image with all its captions in file order: ``{id, file_name, height, width, captions}``.
    Images without a caption, empty captions and captions of an image id that is not among the
    images are left out and counted in ``report``."""
    images = records(captions_json, 'images', path, CAPTIONS_JSON, CAPTION_IMAGE,
                     unique=('id', ))
    anns = records(captions_json, 'annotations', path, CAPTIONS_JSON, CAPTION)
    by_image: Dict[int, List[str]] = defaultdict(list)
    for ann in anns:
        by_image[ann['image_id']].append(ann['caption'].strip())
    dropped: Counter = Counter()
    known = {img['id'] for img in images}
    dropped['of image ids not in "images"'] = sum(len(v) for k, v in by_image.items()
                                                  if k not in known)
    entries = []
    for img in images:
        caps = by_image.get(img['id'], [])
        dropped['empty'] += sum(1 for c in caps if not c)
        caps = [c for c in caps if c]
        if caps:
            entries.append({'id': img['id'], 'file_name': img['file_name'],
                            'height': img['height'], 'width': img['width'], 'captions': caps})
    if not entries:
        raise PrepareError(f'{path}: none of its {count(len(images))} images has a caption; '
                           f'expected {CAPTIONS_JSON}')
    if report is not None:
        report.note(f'captions {left_out(dropped)}; {count(len(images) - len(entries))} images '
                    'without a caption are left out of both caption jsons')
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


def read_instances(path: str) -> Tuple[dict, List[dict]]:
    """(the instances json at ``path``, its categories), every list checked."""
    data = read_json(path, INSTANCES_JSON, keys=('images', 'annotations', 'categories'))
    cats = coco_categories(data, path)
    records(data, 'images', path, INSTANCES_JSON, IMAGE, unique=('id', ))
    records(data, 'annotations', path, INSTANCES_JSON, INSTANCE)
    return data, cats


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

    # a missing file stops the step before any json is parsed
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

    # small inputs first, so that a wrong one fails before the big jsons are parsed
    with Outputs(report) as out:
        if 'panoptic' in parts:
            _panoptic_classes(coco_root, metadata_dir, report, out)
        if 'captions' in parts:
            _captions(coco_root, lvis_synonyms, drop_untagged, report, out)
        if 'ov_split' in parts:
            _ov_split(coco_root, report, out)
    report.summary()
    return report


def _captions(coco_root, lvis_synonyms, drop_untagged, report, out):
    # the class vocabulary comes from the categories of the instances json (never its boxes)
    inst_path = layout.join(coco_root, layout.COCO_INSTANCES, split='val')
    cats = coco_categories(read_json(inst_path, INSTANCES_JSON, keys=('categories', )), inst_path)
    report.read(inst_path, f'{len(cats)} category names (no annotations read)')
    lvis_cats = None
    if lvis_synonyms:
        lvis_json = 'an LVIS v1 json with categories {id, name, synset, synonyms}'
        lvis_cats = records(read_json(lvis_synonyms, lvis_json, keys=('categories', )),
                            'categories', lvis_synonyms, lvis_json, CATEGORY,
                            optional=SYNONYMS, unique=('id', ))
        report.read(lvis_synonyms, f'{count(len(lvis_cats))} LVIS categories for synonyms')

    cap_path = layout.join(coco_root, layout.COCO_CAPTIONS, split='train')
    captions = read_json(cap_path, CAPTIONS_JSON, keys=('images', 'annotations'))
    report.read(cap_path, f'{count(len(captions["images"]))} images, '
                          f'{count(len(captions["annotations"]))} captions')
    entries = group_captions(captions, cap_path, report)
    del captions
    n_caps = sum(len(e['captions']) for e in entries)
    out.json(layout.join(coco_root, layout.COCO_CLIM_CAPTIONS), {'images': entries},
             f'CLIM captions: {count(len(entries))} images, {count(n_caps)} captions')

    vocab = coco_vocabulary(cats, lvis_cats)
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
    out.json(layout.join(coco_root, layout.COCO_DETIC_CAPTIONS),
             {'images': tagged, 'categories': categories, 'annotations': []},
             f'Detic captions with tags: {count(len(tagged))} images, '
             f'{count(stats.tagged)} with >= 1 tag')


def _ov_split(coco_root, report, out):
    outputs = {'train': [('base', layout.COCO_OV_BASE_TRAIN)],
               'val': [('base', layout.COCO_OV_BASE_VAL), ('novel', layout.COCO_OV_NOVEL_VAL)]}
    for split, targets in outputs.items():
        src = layout.join(coco_root, layout.COCO_INSTANCES, split=split)
        data, cats = read_instances(src)
        report.read(src, _describe_instances(data))
        base, novel = split_preset(cats, 'ov-coco')
        part_of = {**{i: 'base' for i in base}, **{i: 'novel' for i in novel}}
        part_of.update({c['id']: 'unused' for c in cats if c['id'] not in part_of})
        for which, rel in targets:
            ids = base if which == 'base' else novel
            sub, dropped = restrict(data, ids, part_of)
            out.json(layout.join(coco_root, rel), sub,
                     f'OV-COCO {which}: {count(len(sub["annotations"]))} of '
                     f'{count(len(data["annotations"]))} annotations ({len(ids)} classes; '
                     f'{left_out(dropped)}), {count(len(sub["images"]))} images, '
                     f'{len(sub["categories"])} categories')
        del data


def _panoptic_classes(coco_root, metadata_dir, report, out):
    src = layout.join(coco_root, layout.COCO_PANOPTIC, split='val')
    data = read_json(src, PANOPTIC_JSON, keys=('categories', ))
    cats = sorted(records(data, 'categories', src, PANOPTIC_JSON, CATEGORY, unique=('id', )),
                  key=lambda c: c['id'])
    things = sum(1 for c in cats if c.get('isthing'))
    report.read(src, f'{len(cats)} categories ({things} things, {len(cats) - things} stuff)')
    out.text(os.path.join(metadata_dir, layout.COCO_PANOPTIC_CLASSES),
             ''.join(c['name'] + '\n' for c in cats),
             f'{len(cats)} panoptic class names in sorted-id order')
