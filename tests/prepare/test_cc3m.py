"""``prepare_cc3m`` on a generated CC3M download with a missing, a non-image, a truncated and an
empty-caption row, in both image layouts."""
import json
import os

import pytest

from ovdet.prepare import PrepareError, Report, prepare_cc3m
from ovdet.prepare.cc3m_images import read_tsv
from ovdet.shapes.cc3m_release import write_cc3m_release


def _load(path):
    with open(path) as f:
        return json.load(f)


def _run(root, **kw):
    report = Report('cc3m', quiet=True)
    prepare_cc3m(root, report=report, **kw)
    return report


def _skipped(root):
    with open(os.path.join(root, 'cc3m_captions_train_skipped.tsv')) as f:
        lines = f.read().splitlines()
    assert lines[0] == 'row\treason\turl'
    return {int(line.split('\t')[0]): line.split('\t')[1] for line in lines[1:]}


@pytest.mark.parametrize('layout', ['img2dataset', 'row'])
def test_every_row_is_accounted_for(tree, tmp_path, layout):
    root = str(tmp_path / 'cc3m')
    release = write_cc3m_release(root, layout=layout)
    report = _run(root, lvis_ann=tree['lvis_val'])
    # rows 3 (missing), 5 (not an image), 10 (empty caption) are out; 7 (truncated) opens
    skipped = _skipped(root)
    assert sorted(skipped) == [3, 5, 10]
    assert skipped[3] == 'missing' and skipped[10] == 'empty caption'
    assert skipped[5].startswith('unreadable: UnidentifiedImageError')
    assert str(tmp_path) not in skipped[5]  # no machine path in the side file
    clim = _load(os.path.join(root, 'cc3m_captions_train.json'))
    kept = [r for r in range(12) if r not in (3, 5, 10)]
    assert [e['id'] for e in clim['images']] == [r + 1 for r in kept]
    for e in clim['images']:
        row = e['id'] - 1
        assert e['captions'] == [release['captions'][row]]
        assert os.path.join(root, e['file_name']) == release['files'][row]
    assert any('9 usable, 3 skipped (1 empty caption, 1 missing, 1 unreadable)' in line
               for line in report.lines)

    # --check-images decodes every image and also finds the truncated row 7
    report = _run(root, lvis_ann=tree['lvis_val'], check_images=True)
    skipped = _skipped(root)
    assert sorted(skipped) == [3, 5, 7, 10]
    assert skipped[7].startswith('unreadable: OSError')
    detic = _load(os.path.join(root, 'annotations/train_image_info_tags.json'))
    assert [e['id'] for e in detic['images']] == [r + 1 for r in kept if r != 7]
    for e in detic['images']:
        assert os.path.join(root, 'images', e['file_name']) == release['files'][e['id'] - 1]
        assert (e['height'], e['width']) == (48, 48)
    assert detic['annotations'] == [] and len(detic['categories']) == 36


def test_duplicate_urls_map_in_key_order(tree, tmp_path):
    root = str(tmp_path / 'cc3m')
    release = write_cc3m_release(root, duplicate_url=((0, 1), ))
    assert release['urls'][0] == release['urls'][1]
    _run(root, lvis_ann=None)
    files = {e['id'] - 1: e['file_name'] for e in
             _load(os.path.join(root, 'cc3m_captions_train.json'))['images']}
    assert files[0] == 'images/00000/000000000.jpg' and files[1] == 'images/00000/000000001.jpg'


def test_tags_come_from_lvis_names_and_synonyms(tree, tmp_path):
    root = str(tmp_path / 'cc3m')
    write_cc3m_release(root)
    lvis = tmp_path / 'lvis.json'
    cats = [{'id': 1, 'name': 'red_circle', 'synonyms': ['red_circle'], 'frequency': 'f'},
            {'id': 2, 'name': 'star', 'synonyms': ['star', 'pentagram'], 'frequency': 'r'},
            {'id': 3, 'name': 'grass_(lawn)', 'synonyms': ['lawn'], 'frequency': 'c'}]
    with open(lvis, 'w') as f:
        json.dump({'categories': cats}, f)
    tsv = os.path.join(root, 'Train_GCC-training.tsv')
    rows = ['a red circle on the grass', 'pentagrams on a lawn', 'red circles, stars',
            'a red striped circle', 'nothing here']
    with open(tsv, 'w') as f:
        f.writelines(f'{c}\thttp://images.example.com/cc3m/{i}.jpg\n' for i, c in enumerate(rows))
    report = _run(root, lvis_ann=str(lvis), image_layout='img2dataset')
    detic = _load(os.path.join(root, 'annotations/train_image_info_tags.json'))
    tags = {e['id'] - 1: e['pos_category_ids'] for e in detic['images']}
    assert tags == {0: [1, 3], 1: [2, 3], 2: [1, 2], 4: []}  # row 3 has no image
    assert 'tags: 3 of 4 images have >= 1 tag (75.0%)' in report.lines


def test_inputs_are_validated(tree, tmp_path):
    root = tmp_path / 'cc3m'
    write_cc3m_release(str(root))
    tsv = root / 'Train_GCC-training.tsv'
    text = tsv.read_text()
    tsv.write_text('caption\turl\n' + text)  # img2dataset's header is accepted
    assert len(read_tsv(str(tsv))) == 12
    tsv.write_text(text + 'a\tb\tc\n')
    with pytest.raises(PrepareError, match=r'Train_GCC-training.tsv:13: 3 tab-separated fields; '
                                           r'expected 2 \(caption, url\)'):
        _run(str(root), lvis_ann=None)
    tsv.write_text('http://x.org/1.jpg\ta cat\n')
    with pytest.raises(PrepareError, match='looks like a url; expected caption first'):
        _run(str(root), lvis_ann=None)
    with pytest.raises(PrepareError, match='outside'):
        _run(str(root), images=str(tmp_path), lvis_ann=None)
    with pytest.raises(PrepareError, match='lvis_v1_val.json: not found'):
        _run(str(root), lvis_ann=str(tmp_path / 'lvis_v1_val.json'))


def test_second_run_changes_nothing_and_datasets_load(tree):
    root = tree['cc3m']
    _run(root, lvis_ann=tree['lvis_val'], check_images=True)
    report = _run(root, lvis_ann=tree['lvis_val'], check_images=True)
    assert [s for _, s in report.outputs] == ['same'] * 3
    assert report.lines[-1].endswith('nothing changed')

    from ovdet.datasets import CaptionDataset
    ds = CaptionDataset(ann_file='cc3m_captions_train.json', data_root=root,
                        data_prefix=dict(img=''))
    assert len(ds) == 8 and all(os.path.isfile(ds.get_data_info(i)['img_path'])
                                for i in range(len(ds)))

    # the Detic json, as Detic's CC3M dataset reads it (the LVIS classes of this tree)
    from ovdet.datasets.detection import CC3MLVISV1Dataset
    detic = _load(os.path.join(root, 'annotations/train_image_info_tags.json'))
    classes = tuple(c['name'] for c in detic['categories'])
    tags = CC3MLVISV1Dataset(ann_file='annotations/train_image_info_tags.json', data_root=root,
                             data_prefix=dict(img='images/'), metainfo=dict(classes=classes))
    assert len(tags) == 8
    by_id = {e['id']: e for e in detic['images']}
    for k in range(len(tags)):
        info = tags.get_data_info(k)
        entry = by_id[info['img_id']]
        assert os.path.isfile(info['img_path'])
        assert info['captions'] == [entry['captions']]
        assert [classes[t] for t in info['tags'][0]] == [
            c['name'] for c in detic['categories'] if c['id'] in entry['pos_category_ids']]
