"""OVCocoBaseNovelMetric against COCOeval run directly on base-only / novel-only ground truth."""
import contextlib
import io
import json
import os
import subprocess
import sys

import numpy as np
import pytest
import torch

from ovdet.ov_splits import (OV_COCO_BASE, OV_COCO_NOVEL, OV_COCO_UNUSED, keep_categories,
                                      split_preset)
from ovdet.evaluation import OVCocoBaseNovelMetric

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _instances(path, rng):
    cats = [dict(id=i, name=n) for i, n in [(1, 'circle'), (2, 'square'), (4, 'star'),
                                            (7, 'ring'), (9, 'cross')]]
    images, anns = [], []
    for img_id in range(1, 9):
        images.append(dict(id=img_id, file_name=f'{img_id}.jpg', height=100, width=100))
        for _ in range(rng.integers(1, 4)):
            x, y = rng.uniform(0, 60, 2)
            w, h = rng.uniform(10, 40, 2)
            anns.append(dict(id=len(anns) + 1, image_id=img_id, iscrowd=0, area=w * h,
                             category_id=int(rng.choice([1, 2, 4, 7, 9])), bbox=[x, y, w, h]))
    with open(path, 'w') as f:
        json.dump(dict(images=images, annotations=anns, categories=cats), f)
    return anns


def _coco_ap50(gt_json, dets):
    from pycocotools.coco import COCO
    from pycocotools.cocoeval import COCOeval
    with contextlib.redirect_stdout(io.StringIO()):
        gt = COCO(gt_json)
        ev = COCOeval(gt, gt.loadRes(dets), 'bbox')
        ev.evaluate()
        ev.accumulate()
        ev.summarize()
    return ev.stats[1]


def test_ov_coco_metric_matches_cocoeval_on_split_files(tmp_path):
    rng = np.random.default_rng(0)
    full = str(tmp_path / 'instances.json')
    anns = _instances(full, rng)
    # base-only and novel-only files, as tools/ov_split.py writes them (unused class: 'cross')
    with open(full) as f:
        data = json.load(f)
    base_ids, novel_ids = split_preset(data['categories'], novel_names=['star', 'ring'],
                                       base_names=['circle', 'square'])
    base_json, novel_json = str(tmp_path / 'base.json'), str(tmp_path / 'novel.json')
    for path, ids in ((base_json, base_ids), (novel_json, novel_ids)):
        with open(path, 'w') as f:
            json.dump(keep_categories(data, ids), f)
    classes = ('circle', 'square', 'star', 'ring', 'cross')
    cat_of = [1, 2, 4, 7, 9]
    metric = OVCocoBaseNovelMetric(full, novel_classes=['star', 'ring'],
                                   base_classes=['circle', 'square'])
    metric.dataset_meta = dict(classes=classes)
    samples, dets = [], []
    for img_id in range(1, 9):
        gts = [a for a in anns if a['image_id'] == img_id]
        boxes, scores, labels = [], [], []
        for a in gts:  # jittered true boxes, sometimes wrong class, plus noise boxes
            x, y, w, h = a['bbox']
            j = rng.normal(0, 4, 4)
            boxes.append([x + j[0], y + j[1], x + w + j[2], y + h + j[3]])
            lab = cat_of.index(a['category_id']) if rng.random() < 0.8 else int(rng.integers(5))
            labels.append(lab)
            scores.append(float(rng.random()))
        for _ in range(3):
            x, y = rng.uniform(0, 70, 2)
            boxes.append([x, y, x + 25, y + 25])
            labels.append(int(rng.integers(5)))
            scores.append(float(rng.random()))
        samples.append(dict(img_id=img_id, pred_instances=dict(
            bboxes=torch.tensor(boxes), scores=torch.tensor(scores),
            labels=torch.tensor(labels))))
        for b, s, lab in zip(boxes, scores, labels):
            dets.append(dict(image_id=img_id, category_id=cat_of[lab], score=s,
                             bbox=[b[0], b[1], b[2] - b[0], b[3] - b[1]]))
    metric.process({}, samples)
    res = metric.evaluate(len(samples))
    assert res['ov_coco/base_ap50'] == pytest.approx(_coco_ap50(base_json, dets), abs=1e-12)
    assert res['ov_coco/novel_ap50'] == pytest.approx(_coco_ap50(novel_json, dets), abs=1e-12)
    # "all" = base + novel annotations, the unused class excluded
    with open(full) as f:
        data = json.load(f)
    data['annotations'] = [a for a in data['annotations'] if a['category_id'] != 9]
    both = str(tmp_path / 'both.json')
    with open(both, 'w') as f:
        json.dump(data, f)
    assert res['ov_coco/all_ap50'] == pytest.approx(_coco_ap50(both, dets), abs=1e-12)
    assert 0 < res['ov_coco/novel_ap50'] < 1


@pytest.mark.integration  # runs the tool as a subprocess
def test_ov_split_tool_coco_preset(tmp_path):
    names = {**OV_COCO_BASE, **OV_COCO_NOVEL, **OV_COCO_UNUSED}
    cats = [dict(id=i, name=n) for n, i in names.items()]
    data = dict(images=[dict(id=1)], categories=cats,
                annotations=[dict(id=k, image_id=1, category_id=c['id']) for k, c in
                             enumerate(cats)])
    path = tmp_path / 'inst.json'
    path.write_text(json.dumps(data))
    proc = subprocess.run([sys.executable, os.path.join(ROOT, 'tools', 'ov_split.py'), str(path),
                           '--preset', 'ov-coco', '--out-base', str(tmp_path / 'b.json'),
                           '--print-weights'], capture_output=True, text=True, check=True)
    assert 'base 48, novel 17, unused 15' in proc.stdout
    weights = json.loads(proc.stdout.strip().splitlines()[-1])
    assert len(weights) == 80 and sum(weights) == 48
    b = json.loads((tmp_path / 'b.json').read_text())
    assert len(b['categories']) == 80 and len(b['annotations']) == 48
