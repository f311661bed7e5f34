"""OVLVISMetric gives APr (rare = novel) on a generated LVIS-style set."""
import json

import pytest
import torch


def test_ov_lvis_metric_reports_apr(tmp_path):
    from ovdet.shapes import ShapesWorld, write_scene_datasets
    from ovdet.evaluation import OVLVISMetric
    world = ShapesWorld(class_mode='shape')
    out = write_scene_datasets(str(tmp_path), num_images=6, image_size=96, world=world,
                               formats=('lvis', ), novel_shapes=('star', ))
    data = json.loads(open(out['lvis']).read())
    cats = sorted(data['categories'], key=lambda c: c['id'])
    assert {c['frequency'] for c in cats if c['name'] == 'star'} == {'r'}
    classes = tuple(c['name'] for c in cats)
    metric = OVLVISMetric(out['lvis'], metric='bbox')
    metric.dataset_meta = dict(classes=classes)
    label_of = {c['id']: i for i, c in enumerate(cats)}
    rare_label = classes.index('star')
    samples = []
    for img in data['images']:
        anns = [a for a in data['annotations'] if a['image_id'] == img['id']]
        boxes, labels, scores = [], [], []
        for a in anns:
            x, y, w, h = a['bbox']
            boxes.append([x, y, x + w, y + h])
            lab = label_of[a['category_id']]
            # perfect on base classes; rare detections get the wrong class
            labels.append(lab if lab != rare_label else (lab + 1) % len(classes))
            scores.append(0.9)
        samples.append(dict(img_id=img['id'], pred_instances=dict(
            bboxes=torch.tensor(boxes).reshape(-1, 4), scores=torch.tensor(scores),
            labels=torch.tensor(labels, dtype=torch.long))))
    metric.process({}, samples)
    res = metric.evaluate(len(samples))
    has_star = any(a['category_id'] == cats[rare_label]['id'] for a in data['annotations'])
    assert has_star
    assert res['ov_lvis/bbox_APr'] == pytest.approx(0.0)
    assert res['ov_lvis/bbox_APf'] > 0.5 or res['ov_lvis/bbox_APc'] > 0.5
