"""``prepare_data.py cc3m``: the CC3M caption jsons from the official TSV and downloaded images.

Inputs: ``data/cc3m/Train_GCC-training.tsv`` and an image folder inside ``data/cc3m`` (default
``data/cc3m/images``) in one of the layouts of :mod:`.cc3m_images`; for the tags, the LVIS v1
category table (``data/lvis_v1/annotations/lvis_v1_val.json``).

Every row ends in exactly one place: in the outputs, or in the side file with its reason
(``missing``: no image file; ``unreadable: <error>``: the image header does not read, or, with
``check_images``, the pixels do not decode, which is what finds truncated downloads; ``empty
caption``). Nothing is dropped silently. Image sizes for the Detic json come from the headers.

Outputs (ids are ``row + 1``, the 1-based data row of the TSV):

* ``data/cc3m/cc3m_captions_train.json`` (CLIM): ``{"images": [{"id", "file_name", "captions":
  [caption]}]}``, ``file_name`` relative to ``data/cc3m/`` (e.g. ``images/00000/000000000.jpg``).
* ``data/cc3m/annotations/train_image_info_tags.json`` (Detic, ``CC3MLVISV1Dataset``):
  ``images`` with ``id``, ``file_name`` relative to the image folder, ``height``, ``width``,
  ``captions: [caption]``, ``pos_category_ids`` (LVIS classes named in the caption, :mod:`.tags`);
  ``categories`` = the 1,203 LVIS categories; ``annotations: []``.
* ``data/cc3m/cc3m_captions_train_skipped.tsv``: ``row, reason, url`` of every row left out.

Inputs are checked before any image is looked at (the LVIS category table, the TSV line by line,
an image folder with files in it); a TSV without rows, or without a single usable row, is an error.
The three outputs are written together at the end, or none (:class:`.files.Outputs`).
"""
import os
from collections import Counter
from typing import Optional

from . import layout
from .cc3m_images import (LAYOUTS, detect_layout, image_size, locate_by_pattern,
                          locate_img2dataset, read_tsv, require_images)
from .coco_synonyms import category_names
from .files import Outputs, read_json
from .report import PrepareError, Report, count, progress
from .schema import CATEGORY, SYNONYMS, records
from .tags import TagMatcher, TagStats

DEFAULT_LVIS = os.path.join(layout.LVIS, layout.LVIS_ANN.format(split='val'))


def prepare_cc3m(cc3m_root: str = layout.CC3M, *, tsv: Optional[str] = None,
                 images: Optional[str] = None, image_layout: str = 'auto',
                 row_pattern: str = '{row}.jpg', shard_size: int = 10000,
                 check_images: bool = False, lvis_ann: Optional[str] = DEFAULT_LVIS,
                 drop_untagged: bool = False, report: Optional[Report] = None) -> Report:
    """Write the CC3M jsons and the side file (see the module docstring). ``lvis_ann=None`` skips
    the tagged Detic json. Returns the report."""
    report = report or Report('cc3m')
    tsv = tsv or os.path.join(cc3m_root, layout.CC3M_TSV)
    images = images or os.path.join(cc3m_root, layout.CC3M_IMAGES)
    if image_layout not in LAYOUTS:
        raise PrepareError(f'unknown image layout {image_layout!r}; known: {list(LAYOUTS)}')
    require_images(images)
    rel_images = os.path.relpath(images, cc3m_root)
    if rel_images.startswith('..') or os.path.isabs(rel_images):
        raise PrepareError(f'{images}: outside {cc3m_root}; the CLIM json names images relative '
                           f'to {cc3m_root}, so link the folder there '
                           f'(ln -s /path/to/images {cc3m_root}/images)')
    cats = None
    if lvis_ann is not None:
        lvis_json = 'an LVIS v1 json with categories {id, name, synonyms}'
        cats = records(read_json(lvis_ann, lvis_json, keys=('categories', ),
                                 hint='lvis_v1_val.json.zip from lvisdataset.org, or pass '
                                      '--no-tags'),
                       'categories', lvis_ann, lvis_json, CATEGORY, optional=SYNONYMS,
                       unique=('id', ))
        report.read(lvis_ann, f'{count(len(cats))} LVIS categories (names and synonyms)')

    rows = read_tsv(tsv)
    report.read(tsv, f'{count(len(rows))} rows (caption, url)')
    chosen = detect_layout(images) if image_layout == 'auto' else image_layout
    if chosen == 'img2dataset':
        located, unmatched = locate_img2dataset(rows, images)
        report.read(images, f'img2dataset layout: {count(len(located))} images matched to rows'
                            + (f', {count(len(unmatched))} side files matched no row'
                               if unmatched else ''))
    else:
        located = locate_by_pattern(rows, images, row_pattern, shard_size)
        report.read(images, f'row layout, pattern {row_pattern!r}')

    clim, detic, skipped = [], [], []
    reasons: Counter = Counter()
    for row in progress(rows, desc='checking images' if check_images else 'finding images'):
        loc = located.get(row.index)
        reason = None
        if not row.caption:
            reason = 'empty caption'
        elif loc is None or not os.path.isfile(loc.path):
            reason = 'missing'
        else:
            try:
                width, height = image_size(loc.path, decode=check_images)
            except Exception as e:  # PIL raises several types for bad files
                # the message names the file by its path inside the root, so the side file is
                # the same on every machine
                message = str(e).replace(loc.path, os.path.relpath(loc.path, cc3m_root))
                reason = ' '.join(f'unreadable: {type(e).__name__}: {message}'.split())
        if reason is not None:
            reasons[reason.split(':')[0]] += 1
            skipped.append(f'{row.index}\t{reason}\t{row.url}\n')
            continue
        file_name = os.path.relpath(loc.path, cc3m_root).replace(os.sep, '/')
        clim.append({'id': row.index + 1, 'file_name': file_name, 'captions': [row.caption]})
        detic.append({'id': row.index + 1,
                      'file_name': os.path.relpath(loc.path, images).replace(os.sep, '/'),
                      'height': int(height), 'width': int(width), 'captions': [row.caption]})
    by_reason = ', '.join(f'{v:,} {k}' for k, v in sorted(reasons.items()))
    report.note(f'rows: {count(len(clim))} usable, {count(len(skipped))} skipped'
                + (f' ({by_reason})' if reasons else '')
                + ('' if check_images else '; run with --check-images to decode every image'))
    if not clim:
        raise PrepareError(f'{tsv}: none of its {count(len(rows))} rows has a usable image in '
                           f'{images} ({by_reason}); expected the images downloaded for this TSV')
    with Outputs(report) as out:
        _write(out, cc3m_root, clim, detic, skipped, cats, drop_untagged, rel_images, report)
    report.summary()
    return report


def _write(out, cc3m_root, clim, detic, skipped, cats, drop_untagged, rel_images, report):
    out.json(os.path.join(cc3m_root, layout.CC3M_CLIM_CAPTIONS), {'images': clim},
             f'CLIM captions: {count(len(clim))} images, one caption each')
    out.text(os.path.join(cc3m_root, layout.CC3M_SKIPPED),
             'row\treason\turl\n' + ''.join(skipped),
             f'{count(len(skipped))} skipped rows with their reason')
    if cats is not None:
        vocab = {c['id']: category_names(c) for c in cats}
        matcher, stats = TagMatcher(vocab), TagStats(vocab)
        for entry in progress(detic, desc='tagging'):
            entry['pos_category_ids'] = matcher.tags(entry['captions'])
            stats.add(entry['pos_category_ids'])
        for line in stats.lines():
            report.note(line)
        if drop_untagged:
            kept = [e for e in detic if e['pos_category_ids']]
            report.note(f'dropped {count(len(detic) - len(kept))} images without tags '
                        '(--drop-untagged)')
            detic = kept
        out.json(os.path.join(cc3m_root, layout.CC3M_DETIC_TAGS),
                 {'images': detic, 'categories': sorted(cats, key=lambda c: c['id']),
                  'annotations': []},
                 f'Detic tags: {count(len(detic))} images, {count(stats.tagged)} with >= 1 tag, '
                 f'file names relative to {rel_images}/')
    else:
        report.note('tags skipped (--no-tags)')
