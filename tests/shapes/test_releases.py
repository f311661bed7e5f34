"""The generated COCO 2017 release and CC3M download are in the official formats."""
import filecmp
import json
import os

from pycocotools.coco import COCO

from ovdet.shapes.cc3m_release import write_cc3m_release
from ovdet.shapes.coco_release import DEFAULT_CLASSES, coco_categories, \
    write_coco_release


def test_coco_release_formats(tmp_path):
    out = write_coco_release(str(tmp_path), num_train=4, num_val=3)
    cats = coco_categories()
    assert len(cats) == 80 and cats[0] == {'id': 1, 'name': 'person', 'supercategory': 'thing'}
    assert [c['id'] for c in cats][-1] == 90
    inst = COCO(out['instances']['train'])
    assert len(inst.getImgIds()) == 4 and len(inst.getCatIds()) == 80
    used = {inst.loadCats(a['category_id'])[0]['name'] for a in inst.dataset['annotations']}
    assert used <= set(DEFAULT_CLASSES.values())
    caps = COCO(out['captions']['val'])  # the official captions layout loads in pycocotools
    for img_id in caps.getImgIds():
        anns = caps.loadAnns(caps.getAnnIds(imgIds=img_id))
        assert len(anns) == 5 and all(set(a) == {'id', 'image_id', 'caption'} for a in anns)
        named = out['named'][img_id]
        assert named and set(named) <= set(out['present'][img_id])
    with open(out['panoptic_json']) as f:
        pan = json.load(f)
    assert sum(c['isthing'] for c in pan['categories']) == 80
    assert min(c['id'] for c in pan['categories'] if not c['isthing']) == 92
    used = {s['category_id'] for a in pan['annotations'] for s in a['segments_info']}
    assert used <= {c['id'] for c in pan['categories']}
    assert all(os.path.isfile(os.path.join(out['panoptic_dir'], a['file_name']))
               for a in pan['annotations'])


def test_releases_are_byte_identical_for_a_seed(tmp_path):
    for d in ('a', 'b'):
        write_coco_release(str(tmp_path / d / 'coco'), num_train=2, num_val=2, seed=3)
        write_cc3m_release(str(tmp_path / d / 'cc3m'), num_rows=6, seed=3)
    cmp = filecmp.dircmp(tmp_path / 'a', tmp_path / 'b')

    def same(c):
        return not (c.left_only or c.right_only or c.diff_files or c.funny_files) and all(
            same(s) for s in c.subdirs.values())
    assert same(cmp)


def test_cc3m_release_layouts(tmp_path):
    out = write_cc3m_release(str(tmp_path / 'i2d'), num_rows=12, shard_size=5)
    with open(out['tsv']) as f:
        lines = f.read().splitlines()
    assert len(lines) == 12 and all(len(line.split('\t')) == 2 for line in lines)
    assert lines[10].startswith('\t') and out['urls'][9] == out['urls'][8]
    assert 3 not in out['files']
    assert out['files'][7].endswith(os.path.join('00001', '000010002.jpg'))
    with open(out['files'][7][:-4] + '.json') as f:
        side = json.load(f)
    assert side['key'] == '000010002' and side['url'] == out['urls'][7]
    rows = write_cc3m_release(str(tmp_path / 'rows'), layout='row')
    assert rows['files'][4].endswith(os.path.join('images', '4.jpg'))
