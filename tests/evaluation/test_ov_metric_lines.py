"""The OV metrics log their numbers in the scale of their keys (fractions of 1, as mmengine's own
metric line prints them), so one number never shows up as 7.9 on one line and 0.0789 on the next."""
import json
import re

import numpy as np
import pytest
import torch

from ovdet.shapes import ShapesWorld, write_scene_datasets

PAIR = re.compile(r'(\S+): (-?\d+\.\d+)')


def _scenes(tmp_path, fmt):
    out = write_scene_datasets(str(tmp_path), num_images=6, image_size=96, seed=3,
                               world=ShapesWorld(class_mode='shape'), formats=(fmt, ),
                               novel_shapes=('star', ))
    path = out['lvis' if fmt == 'lvis' else 'instances']
    with open(path) as f:
        return path, json.load(f)


def _predictions(data, wrong_class_every=3):
    """Every ground-truth box, a third of them with the next class (so the APs lie strictly
    between 0 and 1)."""
    cats = sorted(c['id'] for c in data['categories'])
    samples = []
    for img in data['images']:
        anns = [a for a in data['annotations'] if a['image_id'] == img['id']]
        boxes = [[a['bbox'][0], a['bbox'][1], a['bbox'][0] + a['bbox'][2],
                  a['bbox'][1] + a['bbox'][3]] for a in anns]
        labels = [(cats.index(a['category_id']) + (a['id'] % wrong_class_every == 0)) % len(cats)
                  for a in anns]
        samples.append(dict(img_id=img['id'], pred_instances=dict(
            bboxes=torch.tensor(boxes, dtype=torch.float32).reshape(-1, 4),
            scores=torch.linspace(0.9, 0.5, len(anns)), labels=torch.tensor(labels))))
    return samples, tuple(c['name'] for c in sorted(data['categories'], key=lambda c: c['id']))


def _logged_pairs(messages, start):
    lines = [m for m in messages if m.startswith(start)]
    assert len(lines) >= 1
    return {k: float(v) for line in lines for k, v in PAIR.findall(line)}


def test_ov_coco_metric_line_prints_the_metric_values(tmp_path, log_messages):
    from ovdet.evaluation import OVCocoBaseNovelMetric
    path, data = _scenes(tmp_path, 'instances')
    samples, classes = _predictions(data)
    metric = OVCocoBaseNovelMetric(path, novel_classes=['star'])
    metric.dataset_meta = dict(classes=classes)
    metric.process({}, samples)
    results = metric.evaluate(len(samples))
    logged = _logged_pairs(log_messages, 'OV AP50: ')
    assert set(logged) == set(results) == {'ov_coco/base_ap50', 'ov_coco/novel_ap50',
                                           'ov_coco/all_ap50'}
    for key, value in results.items():
        assert 0 < value < 1
        assert logged[key] == pytest.approx(value, abs=5e-5)


def test_ov_lvis_metric_line_prints_the_metric_values(tmp_path, log_messages):
    from ovdet.evaluation import OVLVISMetric
    path, data = _scenes(tmp_path, 'lvis')
    samples, classes = _predictions(data)
    metric = OVLVISMetric(path, metric='bbox')
    metric.dataset_meta = dict(classes=classes)
    metric.process({}, samples)
    results = metric.evaluate(len(samples))
    logged = _logged_pairs(log_messages, 'OV-LVIS bbox: ')
    assert set(logged) == set(results)
    assert 0 < results['ov_lvis/bbox_AP'] < 1
    for key, value in results.items():
        assert logged[key] == pytest.approx(value, abs=5e-5)
    assert np.isfinite(list(logged.values())).all()
