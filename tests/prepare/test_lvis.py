"""``prepare_lvis``: category info counted by hand on a crafted json, the no-rare filtering, and
the training json as mmdet's LVIS dataset reads it."""
import json
import os

import pytest

from ovdet.prepare import PrepareError, Report, prepare_lvis
from ovdet.prepare.lvis import category_info

CATS = [{'id': 3, 'name': 'apple', 'frequency': 'f', 'synonyms': ['apple'], 'image_count': 99,
         'instance_count': 99},
        {'id': 1, 'name': 'zebra', 'frequency': 'c', 'synonyms': ['zebra']},
        {'id': 2, 'name': 'yak', 'frequency': 'r', 'synonyms': ['yak']}]
IMAGES = [{'id': i, 'height': 8, 'width': 8,
           'coco_url': f'http://images.cocodataset.org/train2017/{i:012d}.jpg'} for i in (1, 2, 3, 4)]
#          image: 1 has apple x2 + yak, 2 has apple, 3 has zebra + yak, 4 has nothing
ANNS = [(1, 3), (1, 3), (1, 2), (2, 3), (3, 1), (3, 2)]


def _write(root):
    ann = os.path.join(root, 'annotations')
    os.makedirs(ann, exist_ok=True)
    anns = [{'id': k + 1, 'image_id': i, 'category_id': c, 'bbox': [0, 0, 2, 2], 'area': 4,
             'segmentation': [[0, 0, 2, 0, 2, 2]]} for k, (i, c) in enumerate(ANNS)]
    with open(os.path.join(ann, 'lvis_v1_train.json'), 'w') as f:
        json.dump({'images': IMAGES, 'annotations': anns, 'categories': CATS}, f)
    with open(os.path.join(ann, 'lvis_v1_val.json'), 'w') as f:
        json.dump({'images': [], 'annotations': [], 'categories': CATS}, f)


def _load(path):
    with open(path) as f:
        return json.load(f)


def test_counts_and_norare_against_hand_computation(tmp_path):
    lvis, meta = str(tmp_path / 'lvis_v1'), str(tmp_path / 'metadata')
    _write(lvis)
    report = Report('lvis', quiet=True)
    prepare_lvis(lvis, meta, report=report)

    info = _load(os.path.join(meta, 'lvis_v1_train_cat_info.json'))
    # (id, image_count, instance_count) by hand: zebra 1 image / 1; yak 2 / 2; apple 2 / 3
    assert [(c['id'], c['image_count'], c['instance_count']) for c in info] == [
        (1, 1, 1), (2, 2, 2), (3, 2, 3)]
    assert [c['name'] for c in info] == ['zebra', 'yak', 'apple']
    assert info[1]['frequency'] == 'r' and info[1]['synonyms'] == ['yak']
    assert any('1 categories carried counts that differ' in line for line in report.lines)

    norare_info = _load(os.path.join(meta, 'lvis_v1_train_cat_norare_info.json'))
    assert [(c['id'], c['image_count'], c['instance_count']) for c in norare_info] == [
        (1, 1, 1), (2, 0, 0), (3, 2, 3)]

    norare = _load(os.path.join(lvis, 'annotations/lvis_v1_train_norare.json'))
    assert [(a['image_id'], a['category_id']) for a in norare['annotations']] == [
        (1, 3), (1, 3), (2, 3), (3, 1)]
    assert norare['images'] == IMAGES and norare['categories'] == CATS
    assert _load(os.path.join(lvis, 'wusize/lvis_v1_train_base.json')) == norare

    # a second run writes nothing
    again = Report('lvis', quiet=True)
    prepare_lvis(lvis, meta, report=again)
    assert [s for _, s in again.outputs] == ['same'] * 4
    assert again.lines[-1].endswith('nothing changed')


def test_category_info_function():
    info = category_info([{'id': 5, 'name': 'a'}, {'id': 4, 'name': 'b'}],
                         [{'image_id': 1, 'category_id': 5}, {'image_id': 1, 'category_id': 5},
                          {'image_id': 2, 'category_id': 5}])
    assert info == [{'id': 4, 'name': 'b', 'image_count': 0, 'instance_count': 0},
                    {'id': 5, 'name': 'a', 'image_count': 2, 'instance_count': 3}]


def test_inputs_are_validated(tmp_path):
    lvis = str(tmp_path / 'lvis_v1')
    with pytest.raises(PrepareError, match=r'lvis_v1_train.json: not found; expected it from '
                                           r'lvis_v1_train.json.zip \(lvisdataset.org\)'):
        prepare_lvis(lvis, str(tmp_path / 'm'), report=Report('lvis', quiet=True))
    _write(lvis)
    val = os.path.join(lvis, 'annotations/lvis_v1_val.json')
    with open(val, 'w') as f:
        json.dump({'categories': CATS[:2]}, f)
    with pytest.raises(PrepareError, match='its 2 categories differ from the 3'):
        prepare_lvis(lvis, str(tmp_path / 'm'), report=Report('lvis', quiet=True))
    assert not os.path.exists(tmp_path / 'm')


def test_mmdet_lvis_dataset_reads_the_training_json(tree):
    from ovdet.compat import apply_stack_fixes
    apply_stack_fixes()
    from mmdet.datasets import LVISV1Dataset
    prepare_lvis(tree['lvis'], tree['metadata'], report=Report('lvis', quiet=True))
    val = _load(tree['lvis_val'])
    rare = {c['id'] for c in val['categories'] if c['frequency'] == 'r'}
    assert rare
    order = [c['id'] for c in sorted(val['categories'], key=lambda c: c['id'])]
    for rel in ('wusize/lvis_v1_train_base.json', 'annotations/lvis_v1_train_norare.json'):
        ds = LVISV1Dataset(ann_file=rel, data_root=tree['lvis'], data_prefix=dict(img=''),
                           metainfo=dict(classes=tuple(c['name'] for c in val['categories'])),
                           filter_cfg=dict(filter_empty_gt=False))
        labels = [i['bbox_label'] for k in range(len(ds)) for i in ds.get_data_info(k)['instances']]
        assert labels and not {order[label] for label in labels} & rare
        assert os.path.isfile(ds.get_data_info(0)['img_path'])
