"""``prepare_data.py lvis``: category information and the OV-LVIS training jsons.

Inputs: ``data/lvis_v1/annotations/lvis_v1_train.json`` and ``lvis_v1_val.json`` (the official
``lvis_v1_{train,val}.json.zip``). The val json is read for its category table only, which must
equal the train one (same ids and names), so that train and test label orders agree.

Outputs (OV-LVIS: the rare classes, ``frequency == 'r'``, are novel; see
:mod:`ovdet.ov_splits`):

* ``data/metadata/lvis_v1_train_cat_info.json``: a list, one entry per category sorted by id, the
  category's fields with ``image_count`` (number of train images with at least one annotation of
  the class) and ``instance_count`` (number of its train annotations) counted from the
  annotations. Detic's federated loss samples classes with weight ``image_count ** 0.5``.
* ``data/lvis_v1/annotations/lvis_v1_train_norare.json``: the train json without the annotations
  of rare classes; every image and all 1,203 categories kept (Detic's training file).
* ``data/metadata/lvis_v1_train_cat_norare_info.json``: the category info counted on the norare
  json, so the rare classes have ``image_count == instance_count == 0`` (class weights read a zero
  count as "novel").
* ``data/lvis_v1/wusize/lvis_v1_train_base.json``: the base split of ``tools/ov_split.py --preset
  ov-lvis`` (annotations of frequent and common classes). It holds the same annotations as the
  norare file; the F-VLM recipes name it this way, the Detic ones the other.

Every list the step reads is checked (:mod:`.schema`) and none may be empty; annotations whose
``category_id`` no category has are counted and reported (they count toward no category and are
left out of the no-rare files, as are the rare ones). All four outputs are written together at the
end, or none (:class:`.files.Outputs`).
"""
import os
from collections import Counter, defaultdict
from typing import List, Optional, Sequence

from ovdet.ov_splits import split_preset

from . import layout
from .annotation_split import left_out, restrict, unknown_category_ids
from .files import Outputs, read_json
from .report import PrepareError, Report, count, progress
from .schema import CATEGORY, IMAGE, INSTANCE, LVIS_CATEGORY, SYNONYMS, records

LVIS_ZIP = 'lvis_v1_{split}.json.zip (lvisdataset.org)'
LVIS_JSON = 'an LVIS v1 json (images, annotations, categories with frequency)'


def category_info(categories: Sequence[dict], annotations: Sequence[dict]) -> List[dict]:
    """Categories sorted by id, each with ``image_count`` = #distinct images among its annotations
    and ``instance_count`` = #annotations (other fields copied)."""
    images, instances = defaultdict(set), Counter()
    for ann in progress(annotations, desc='counting'):
        images[ann['category_id']].add(ann['image_id'])
        instances[ann['category_id']] += 1
    return [dict(c, image_count=len(images[c['id']]), instance_count=instances[c['id']])
            for c in sorted(categories, key=lambda c: c['id'])]


def _check_categories(train_cats, val_cats, train_path, val_path):
    a = [(c['id'], c['name']) for c in sorted(train_cats, key=lambda c: c['id'])]
    b = [(c['id'], c['name']) for c in sorted(val_cats, key=lambda c: c['id'])]
    if a != b:
        raise PrepareError(f'{val_path}: its {len(b)} categories differ from the {len(a)} of '
                           f'{train_path}; expected the same LVIS v1 category table')


def prepare_lvis(lvis_root: str = layout.LVIS, metadata_dir: str = layout.METADATA, *,
                 report: Optional[Report] = None) -> Report:
    """Write the LVIS-derived files (see the module docstring); returns the report."""
    report = report or Report('lvis')
    train_path = layout.join(lvis_root, layout.LVIS_ANN, split='train')
    val_path = layout.join(lvis_root, layout.LVIS_ANN, split='val')
    for p, split in ((train_path, 'train'), (val_path, 'val')):
        if not os.path.isfile(p):
            raise PrepareError(f'{p}: not found; expected it from {LVIS_ZIP.format(split=split)}')
    val_cats = records(read_json(val_path, 'an LVIS v1 json with categories',
                                 keys=('categories', )),
                       'categories', val_path, 'an LVIS v1 json', CATEGORY, unique=('id', ))
    report.read(val_path, f'{count(len(val_cats))} categories (category table only)')
    train = read_json(train_path, LVIS_JSON, keys=('images', 'annotations', 'categories'))
    cats = records(train, 'categories', train_path, LVIS_JSON, LVIS_CATEGORY, optional=SYNONYMS,
                   unique=('id', ))
    records(train, 'images', train_path, LVIS_JSON, IMAGE, unique=('id', ))
    records(train, 'annotations', train_path, LVIS_JSON, INSTANCE)
    report.read(train_path, f'{count(len(train["images"]))} images, '
                            f'{count(len(train["annotations"]))} annotations, '
                            f'{count(len(cats))} categories')
    _check_categories(cats, val_cats, train_path, val_path)
    freq = Counter(c['frequency'] for c in cats)
    report.note(f'frequencies: {freq.get("f", 0)} frequent, {freq.get("c", 0)} common, '
                f'{freq.get("r", 0)} rare (rare = novel)')
    unknown = unknown_category_ids(train['annotations'], cats)
    if unknown:
        report.note(f'{count(sum(unknown.values()))} annotations have a category_id that no '
                    f'category has ({", ".join(str(i) for i in sorted(unknown)[:5])}'
                    f'{" ..." if len(unknown) > 5 else ""}): counted for no category and left out '
                    'of the no-rare files')

    with Outputs(report) as out:
        info = category_info(cats, train['annotations'])
        stale = sum(1 for c, i in zip(sorted(cats, key=lambda c: c['id']), info)
                    if 'image_count' in c and (c['image_count'], c.get('instance_count'))
                    != (i['image_count'], i['instance_count']))
        if stale:
            report.note(f'{stale} categories carried counts that differ from their annotations; '
                        'the counted values are written')
        out.json(os.path.join(metadata_dir, layout.LVIS_CAT_INFO), info,
                 f'{count(len(info))} categories with image_count / instance_count')

        base_ids, novel_ids = split_preset(cats, 'ov-lvis')
        norare, dropped = restrict(train, base_ids, {i: 'rare' for i in novel_ids})
        what = (f'{count(len(norare["annotations"]))} annotations of {count(len(base_ids))} '
                f'base classes ({left_out(dropped)}), {count(len(norare["images"]))} images, '
                f'{count(len(norare["categories"]))} categories')
        out.json(layout.join(lvis_root, layout.LVIS_NORARE), norare, what)
        out.json(layout.join(lvis_root, layout.LVIS_BASE), norare, what)

        norare_info = category_info(cats, norare['annotations'])
        zero_rare = sum(1 for c in norare_info if c['frequency'] == 'r' and c['image_count'] == 0)
        out.json(os.path.join(metadata_dir, layout.LVIS_CAT_NORARE_INFO), norare_info,
                 f'{count(len(norare_info))} categories; {zero_rare} of {len(novel_ids)} rare with '
                 'image_count 0')
    report.summary()
    return report
