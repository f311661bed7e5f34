"""Broken inputs of the preparation steps, generated from the stand-ins of the official releases:
each stops the step with one line naming the file and the entry (or line), and leaves every
output as it was; what a step leaves out of a good input is counted by reason."""
import json
import os

import pytest

from ovdet.prepare import PrepareError, Report, prepare_cc3m, prepare_coco, prepare_lvis
from ovdet.prepare.schema import CATEGORY, records
from ovdet.shapes.cc3m_release import write_cc3m_release
from ovdet.shapes.coco_release import coco_categories

COCO_OUTPUTS = ('annotations/captions_train2017_clim.json',
                'wusize/captions_train2017_tags_allcaps.json',
                'wusize/instances_train2017_base.json', 'wusize/instances_val2017_base.json',
                'wusize/instances_val2017_novel.json')


def _load(path):
    with open(path) as f:
        return json.load(f)


def _dump(path, data):
    with open(path, 'w') as f:
        json.dump(data, f)


def _edit(path, change):
    """Rewrite the json at ``path`` with ``change(data)`` applied; returns ``path``."""
    data = _load(path)
    change(data)
    _dump(path, data)
    return path


def _coco(tree, rel):
    return os.path.join(tree['coco'], rel)


def _coco_outputs(tree):
    return [_coco(tree, rel) for rel in COCO_OUTPUTS] + [
        os.path.join(tree['metadata'], 'coco_panoptic_classes.txt')]


def _state(paths):
    """Bytes and modification time of each path (None when absent)."""
    out = {}
    for p in paths:
        if os.path.isfile(p):
            with open(p, 'rb') as f:
                out[p] = (f.read(), os.stat(p).st_mtime_ns)
        else:
            out[p] = None
    return out


def _temp_files(root):
    return [os.path.join(d, n) for d, _, names in os.walk(root) for n in names
            if n.startswith('.')]


def _run_coco(tree, **kw):
    prepare_coco(tree['coco'], tree['metadata'], report=Report('coco', quiet=True), **kw)


# ---------------------------------------------------------------------------------------------
# json of the wrong shape: the file and the offending entry, one line

def test_categories_given_as_a_dict_name_the_file(tree):
    inst = _edit(_coco(tree, 'annotations/instances_val2017.json'), lambda d: d.update(
        categories={str(c['id']): c['name'] for c in d['categories']}))
    with pytest.raises(PrepareError) as err:
        _run_coco(tree, parts=['captions'])
    assert str(err.value).startswith(f'{inst}: "categories" is dict; expected a list of '
                                     '{id, name} objects')
    assert '\n' not in str(err.value)


def test_an_image_without_id_is_named_with_its_entry(tree):
    _edit(_coco(tree, 'annotations/captions_train2017.json'), lambda d: d['images'][2].pop('id'))
    with pytest.raises(PrepareError, match=r'captions_train2017.json: images\[2\] \{.*\} has no '
                                           r'"id"; expected the official COCO captions json'):
        _run_coco(tree, parts=['captions'])


def test_a_panoptic_category_without_name_is_named(tree):
    _edit(_coco(tree, 'annotations/panoptic_val2017.json'),
          lambda d: d['categories'][81].pop('name'))
    with pytest.raises(PrepareError, match=r'panoptic_val2017.json: categories\[81\] \{.*\} has '
                                           r'no "name"; expected a COCO panoptic json'):
        _run_coco(tree, parts=['panoptic'])


def test_an_lvis_annotation_without_category_id_is_named(tree):
    _edit(os.path.join(tree['lvis'], 'annotations/lvis_v1_train.json'),
          lambda d: d['annotations'][4].pop('category_id'))
    with pytest.raises(PrepareError, match=r'lvis_v1_train.json: annotations\[4\] \{.*\} has no '
                                           r'"category_id"; expected an LVIS v1 json'):
        prepare_lvis(tree['lvis'], tree['metadata'], report=Report('lvis', quiet=True))
    assert not os.path.exists(tree['metadata'])


def test_field_types_and_repeated_ids_are_named():
    cats = [{'id': 1, 'name': 'cat'}, {'id': True, 'name': 'dog'}]   # json true is no id
    with pytest.raises(PrepareError, match=r'f.json: categories\[1\] "id" is bool True; expected '
                                           r'an integer'):
        records({'categories': cats}, 'categories', 'f.json', 'a json', CATEGORY)
    cats[1]['id'] = 1
    with pytest.raises(PrepareError, match=r'categories\[1\] repeats "id" 1; expected distinct'):
        records({'categories': cats}, 'categories', 'f.json', 'a json', CATEGORY, unique=('id', ))
    with pytest.raises(PrepareError, match=r'f.json: "categories" is empty'):
        records({'categories': []}, 'categories', 'f.json', 'a json', CATEGORY)


# ---------------------------------------------------------------------------------------------
# all outputs of a step, or none

def test_a_truncated_instances_json_leaves_no_caption_output(tree):
    inst = _coco(tree, 'annotations/instances_val2017.json')
    with open(inst) as f:
        text = f.read()
    with open(inst, 'w') as f:
        f.write(text[:len(text) // 2])
    with pytest.raises(PrepareError, match='instances_val2017.json: not valid JSON'):
        _run_coco(tree)
    assert _state(_coco_outputs(tree)) == {p: None for p in _coco_outputs(tree)}
    assert not _temp_files(tree['root'])


def test_a_bad_panoptic_json_leaves_none_of_the_six_outputs(tree):
    pan = _coco(tree, 'annotations/panoptic_val2017.json')
    _dump(pan, {'categories': []})
    with pytest.raises(PrepareError, match='panoptic_val2017.json: "categories" is empty'):
        _run_coco(tree)
    assert _state(_coco_outputs(tree)) == {p: None for p in _coco_outputs(tree)}


def test_a_failure_after_outputs_were_staged_changes_no_existing_output(tree):
    _run_coco(tree)
    before = _state(_coco_outputs(tree))
    _edit(_coco(tree, 'annotations/captions_train2017.json'), lambda d: d['annotations'][0].update(
        caption='a new caption that changes both caption jsons'))
    # read after the captions: the caption jsons are staged when it fails
    _edit(_coco(tree, 'annotations/instances_train2017.json'),
          lambda d: d['annotations'][1].update(category_id='seventeen'))
    with pytest.raises(PrepareError, match=r'instances_train2017.json: annotations\[1\] '
                                           r'"category_id" is str'):
        _run_coco(tree)
    assert _state(_coco_outputs(tree)) == before
    assert not _temp_files(tree['root'])


def test_only_captions_refuses_an_instances_file_that_is_not_coco_80(tree):
    inst = _edit(_coco(tree, 'annotations/instances_val2017.json'), lambda d: d.update(
        categories=[{'id': i, 'name': f'class {i}'} for i in range(1, 11)]))
    with pytest.raises(PrepareError) as err:
        _run_coco(tree, parts=['captions'])
    message = str(err.value)
    assert message.startswith(f"{inst}: 10 categories (missing 'person' (1), 'bicycle' (2)")
    assert message.endswith("expected COCO's 80 categories with their official ids "
                            '(annotations_trainval2017.zip)')
    assert not os.path.exists(_coco(tree, 'wusize'))


# ---------------------------------------------------------------------------------------------
# CC3M: bytes, empty inputs

def test_a_non_utf8_byte_in_the_tsv_names_file_and_line(tmp_path):
    release = write_cc3m_release(str(tmp_path / 'cc3m'))
    with open(release['tsv'], 'rb') as f:
        lines = f.read().split(b'\n')
    lines[2] = b'a \xff' + lines[2]  # a Latin-1 byte in the third caption
    with open(release['tsv'], 'wb') as f:
        f.write(b'\n'.join(lines))
    with pytest.raises(PrepareError, match=r"Train_GCC-training.tsv:3: not UTF-8 \(byte 3 of the "
                                           r"line is b'\\xff'\); expected UTF-8 text"):
        prepare_cc3m(str(tmp_path / 'cc3m'), lvis_ann=None, report=Report('cc3m', quiet=True))


def test_an_empty_tsv_is_an_error_and_writes_nothing(tmp_path):
    root = tmp_path / 'cc3m'
    release = write_cc3m_release(str(root))
    open(release['tsv'], 'w').close()
    with pytest.raises(PrepareError, match='Train_GCC-training.tsv: no rows; expected the CC3M'):
        prepare_cc3m(str(root), lvis_ann=None, report=Report('cc3m', quiet=True))
    assert sorted(os.listdir(root)) == ['Train_GCC-training.tsv', 'images']


def test_an_empty_image_folder_is_an_error_and_writes_nothing(tmp_path):
    root = tmp_path / 'cc3m'
    write_cc3m_release(str(root))
    empty = root / 'empty'
    empty.mkdir()
    with pytest.raises(PrepareError, match=r'empty: no file in it; expected the downloaded CC3M'):
        prepare_cc3m(str(root), images=str(empty), lvis_ann=None,
                     report=Report('cc3m', quiet=True))
    (empty / 'notes.txt').write_text('no image of any row')
    with pytest.raises(PrepareError, match=r'none of its 12 rows has a usable image .*\(1 empty '
                                           r'caption, 11 missing\)'):
        prepare_cc3m(str(root), images=str(empty), image_layout='row', lvis_ann=None,
                     report=Report('cc3m', quiet=True))
    assert sorted(os.listdir(root)) == ['Train_GCC-training.tsv', 'empty', 'images']


def test_a_bad_lvis_table_stops_cc3m_before_any_output(tree):
    lvis = os.path.join(tree['root'], 'lvis_cats.json')
    _dump(lvis, {'categories': [{'id': 1, 'name': 'red circle', 'synonyms': 'red circle'}]})
    with pytest.raises(PrepareError, match=r'lvis_cats.json: categories\[0\] "synonyms" is str'):
        prepare_cc3m(tree['cc3m'], lvis_ann=lvis, report=Report('cc3m', quiet=True))
    assert sorted(os.listdir(tree['cc3m'])) == ['Train_GCC-training.tsv', 'images']


# ---------------------------------------------------------------------------------------------
# nothing left out without a count

def test_lvis_annotations_of_unknown_categories_are_counted(tmp_path):
    lvis = tmp_path / 'lvis_v1'
    (lvis / 'annotations').mkdir(parents=True)
    cats = [{'id': 1, 'name': 'apple', 'frequency': 'f'}, {'id': 2, 'name': 'yak',
                                                          'frequency': 'r'}]
    anns = [{'id': k + 1, 'image_id': 1, 'category_id': c} for k, c in enumerate((1, 2, 2, 99))]
    _dump(lvis / 'annotations/lvis_v1_train.json',
          {'images': [{'id': 1}], 'annotations': anns, 'categories': cats})
    _dump(lvis / 'annotations/lvis_v1_val.json', {'categories': cats})
    report = Report('lvis', quiet=True)
    prepare_lvis(str(lvis), str(tmp_path / 'meta'), report=report)
    assert ('1 annotations have a category_id that no category has (99): counted for no '
            'category and left out of the no-rare files') in report.lines
    norare = [line for line in report.lines if 'lvis_v1_train_norare.json' in line]
    assert len(norare) == 1 and ('1 annotations of 1 base classes (left out: 2 rare, 1 of '
                                 'category ids not in the file)') in norare[0]


def test_coco_left_out_captions_and_annotations_are_counted_by_reason(tmp_path):
    coco = tmp_path / 'coco'
    (coco / 'annotations').mkdir(parents=True)
    images = [{'id': 7, 'file_name': '7.jpg', 'height': 10, 'width': 10},
              {'id': 8, 'file_name': '8.jpg', 'height': 10, 'width': 10}]
    anns = [{'id': i + 1, 'image_id': 7, 'category_id': c} for i, c in enumerate((1, 17, 10, 999))]
    for split in ('train', 'val'):
        _dump(coco / f'annotations/instances_{split}2017.json',
              {'images': images, 'annotations': anns, 'categories': coco_categories()})
    _dump(coco / 'annotations/captions_train2017.json', {'images': images, 'annotations': [
        {'id': 1, 'image_id': 7, 'caption': 'a person with a cat'},
        {'id': 2, 'image_id': 7, 'caption': '  '},
        {'id': 3, 'image_id': 5, 'caption': 'an image that is not in the file'}]})
    report = Report('coco', quiet=True)
    prepare_coco(str(coco), str(tmp_path / 'meta'), parts=['captions', 'ov_split'],
                 report=report)
    assert ('captions left out: 1 empty, 1 of image ids not in "images"; 1 images without a '
            'caption are left out of both caption jsons') in report.lines
    base = next(line for line in report.lines if 'instances_train2017_base.json' in line)
    assert ('1 of 4 annotations (48 classes; left out: 1 novel, 1 of category ids not in the '
            'file, 1 unused)') in base
