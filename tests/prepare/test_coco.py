"""``prepare_coco`` on a generated COCO release and on hand-made jsons."""
import json
import os

import pytest

from ovdet.ov_splits import OV_COCO_BASE, OV_COCO_NOVEL
from ovdet.prepare import PrepareError, Report, prepare_coco
from ovdet.shapes.coco_release import coco_categories


def _load(path):
    with open(path) as f:
        return json.load(f)


def _run(tree, **kw):
    report = Report('coco', quiet=True)
    prepare_coco(tree['coco'], tree['metadata'], report=report, **kw)
    return report


def test_outputs_match_the_inputs(tree):
    _run(tree)
    coco = tree['coco']
    official = _load(os.path.join(coco, 'annotations/captions_train2017.json'))
    by_image = {}
    for ann in official['annotations']:
        by_image.setdefault(ann['image_id'], []).append(ann['caption'])

    clim = _load(os.path.join(coco, 'annotations/captions_train2017_clim.json'))
    assert list(clim) == ['images']
    assert [e['id'] for e in clim['images']] == [im['id'] for im in official['images']]
    for e in clim['images']:
        assert e['captions'] == by_image[e['id']] and len(e['captions']) == 5
        assert e['file_name'] == f'{e["id"]:012d}.jpg'
        assert os.path.isfile(os.path.join(coco, 'train2017', e['file_name']))

    # tags are the classes the captions name, never the classes the boxes hold
    detic = _load(os.path.join(coco, 'wusize/captions_train2017_tags_allcaps.json'))
    ids = {c['name']: c['id'] for c in coco_categories()}
    named, present = tree['coco_release']['named'], tree['coco_release']['present']
    assert len(detic['images']) == len(clim['images'])
    leaks_possible = 0
    for e in detic['images']:
        assert e['pos_category_ids'] == sorted(ids[n] for n in named[e['id']])
        assert e['captions'] == by_image[e['id']]
        leaks_possible += set(present[e['id']]) != set(named[e['id']])
    assert leaks_possible > 0  # the release has images with an object no caption names
    assert detic['annotations'] == []
    assert [c['id'] for c in detic['categories']] == sorted(ids.values())
    assert detic['categories'][0]['synonyms'] == ['person']

    # panoptic class list: names in sorted id order
    pan = _load(os.path.join(coco, 'annotations/panoptic_val2017.json'))
    names = [c['name'] for c in sorted(pan['categories'], key=lambda c: c['id'])]
    with open(os.path.join(tree['metadata'], 'coco_panoptic_classes.txt')) as f:
        assert f.read().splitlines() == names


def test_ov_split_membership(tree):
    _run(tree, parts=['ov_split'])
    coco = tree['coco']
    base, novel = set(OV_COCO_BASE.values()), set(OV_COCO_NOVEL.values())
    for split, which, keep in (('train', 'base', base), ('val', 'base', base),
                               ('val', 'novel', novel)):
        full = _load(os.path.join(coco, f'annotations/instances_{split}2017.json'))
        out = _load(os.path.join(coco, f'wusize/instances_{split}2017_{which}.json'))
        assert out['images'] == full['images'] and out['categories'] == full['categories']
        assert len(out['categories']) == 80
        assert out['annotations'] == [a for a in full['annotations'] if a['category_id'] in keep]
    assert not os.path.exists(os.path.join(coco, 'wusize/instances_train2017_novel.json'))


def test_split_of_a_hand_made_json(tmp_path):
    """person (base), cat (novel), traffic light (unused): one annotation each."""
    coco = tmp_path / 'coco'
    (coco / 'annotations').mkdir(parents=True)
    images = [{'id': 7, 'file_name': '7.jpg', 'height': 10, 'width': 10}]
    anns = [{'id': i + 1, 'image_id': 7, 'category_id': c, 'bbox': [0, 0, 2, 2], 'area': 4,
             'iscrowd': 0, 'segmentation': []} for i, c in enumerate((1, 17, 10))]
    for split in ('train', 'val'):
        with open(coco / f'annotations/instances_{split}2017.json', 'w') as f:
            json.dump({'images': images, 'annotations': anns,
                       'categories': coco_categories()}, f)
    prepare_coco(str(coco), str(tmp_path / 'meta'), parts=['ov_split'],
                 report=Report('coco', quiet=True))
    out = lambda name: _load(coco / f'wusize/{name}.json')['annotations']  # noqa: E731
    assert [a['category_id'] for a in out('instances_train2017_base')] == [1]
    assert [a['category_id'] for a in out('instances_val2017_base')] == [1]
    assert [a['category_id'] for a in out('instances_val2017_novel')] == [17]


def test_second_run_changes_nothing(tree):
    _run(tree)
    outputs = [os.path.join(tree['coco'], p) for p in (
        'annotations/captions_train2017_clim.json', 'wusize/captions_train2017_tags_allcaps.json',
        'wusize/instances_train2017_base.json', 'wusize/instances_val2017_base.json',
        'wusize/instances_val2017_novel.json')] + [
        os.path.join(tree['metadata'], 'coco_panoptic_classes.txt')]
    stamps = {p: os.stat(p).st_mtime_ns for p in outputs}
    umask = os.umask(0)
    os.umask(umask)
    assert {os.stat(p).st_mode & 0o777 for p in outputs} == {0o666 & ~umask}  # as open() makes
    report = _run(tree)
    assert [s for _, s in report.outputs] == ['same'] * 6
    assert report.lines[-1].endswith('6 unchanged -- nothing changed')
    assert {p: os.stat(p).st_mtime_ns for p in outputs} == stamps
    assert not [n for n in os.listdir(os.path.join(tree['coco'], 'wusize')) if n.startswith('.')]


def test_lvis_synonyms_and_drop_untagged(tree, tmp_path):
    lvis = tmp_path / 'lvis.json'
    with open(lvis, 'w') as f:  # LVIS calls COCO's "donut" a doughnut (synset doughnut.n.02)
        json.dump({'categories': [{'id': 1, 'name': 'doughnut', 'synset': 'doughnut.n.02',
                                   'synonyms': ['doughnut', 'sinker']}]}, f)
    cap = os.path.join(tree['coco'], 'annotations/captions_train2017.json')
    data = _load(cap)
    data['annotations'][0]['caption'] = 'a plate of sinkers'
    data['annotations'].append({'id': 999, 'image_id': data['images'][-1]['id'],
                                'caption': 'nothing to see'})
    data['images'].append({'id': 77, 'file_name': '000000000077.jpg', 'height': 9, 'width': 9})
    data['annotations'].append({'id': 1000, 'image_id': 77, 'caption': 'an empty room'})
    with open(cap, 'w') as f:
        json.dump(data, f)
    report = _run(tree, parts=['captions'], lvis_synonyms=str(lvis), drop_untagged=True)
    detic = _load(os.path.join(tree['coco'], 'wusize/captions_train2017_tags_allcaps.json'))
    first = data['annotations'][0]['image_id']
    assert 60 in next(e for e in detic['images'] if e['id'] == first)['pos_category_ids']
    assert 77 not in [e['id'] for e in detic['images']]
    assert any('dropped 1 images without tags' in line for line in report.lines)
    clim = _load(os.path.join(tree['coco'], 'annotations/captions_train2017_clim.json'))
    assert 77 in [e['id'] for e in clim['images']]  # the CLIM json does not depend on tags


def test_inputs_are_validated(tree, tmp_path):
    os.remove(os.path.join(tree['coco'], 'annotations/panoptic_val2017.json'))
    with pytest.raises(PrepareError, match=r'panoptic_val2017.json: not found; expected it from '
                                           r'panoptic_annotations_trainval2017.zip'):
        _run(tree)
    assert not os.path.exists(os.path.join(tree['coco'], 'wusize'))  # nothing written
    inst = os.path.join(tree['coco'], 'annotations/instances_train2017.json')
    data = _load(inst)
    data['categories'] = [c for c in data['categories'] if c['name'] != 'cat']
    with open(inst, 'w') as f:
        json.dump(data, f)
    with pytest.raises(PrepareError, match=r"instances_train2017.json: 79 categories \(missing "
                                           r"'cat' \(17\)\); expected COCO's 80 categories"):
        _run(tree, parts=['ov_split'])
    with open(inst, 'w') as f:
        f.write('{"images": [')
    with pytest.raises(PrepareError, match='instances_train2017.json: not valid JSON'):
        _run(tree, parts=['ov_split'])


def test_reference_dataset_classes_load_the_outputs(tree):
    from ovdet.compat import apply_stack_fixes
    apply_stack_fixes()
    from mmdet.datasets import CocoDataset

    from ovdet.datasets import CaptionDataset
    _run(tree)
    coco = tree['coco']
    caps = CaptionDataset(ann_file='annotations/captions_train2017_clim.json', data_root=coco,
                          data_prefix=dict(img='train2017/'))
    assert len(caps) == 8 and len(caps.get_data_info(0)['captions']) == 5
    base = CocoDataset(ann_file='wusize/instances_train2017_base.json', data_root=coco,
                       data_prefix=dict(img='train2017/'), filter_cfg=dict(filter_empty_gt=False))
    labels = {i['bbox_label'] for k in range(len(base)) for i in base.get_data_info(k)['instances']}
    names = base.metainfo['classes']
    assert labels and {names[i] for i in labels} <= set(OV_COCO_BASE)
    from ovdet.datasets.detection import CocoCaptionOVDDataset
    tags = CocoCaptionOVDDataset(ann_file='wusize/captions_train2017_tags_allcaps.json',
                                 data_root=coco, data_prefix=dict(img='train2017/'))
    assert len(tags) == 8
    named = tree['coco_release']['named']
    for k in range(len(tags)):
        info = tags.get_data_info(k)
        assert os.path.isfile(info['img_path']) and len(info['captions'][0]) == 5
        assert sorted(names[t] for t in info['tags'][0]) == named[info['img_id']]
