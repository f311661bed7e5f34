"""The detection demo's arithmetic against hand computations: summaries and tables, config
relocation, the naming and density counts on hand-made predictions, retrieval and top-1 margins,
mosaic tiles."""
import json
import math
import pickle

import numpy as np
import pytest
import torch

from ovdet.demo import mechanisms, picture, report
from ovdet.demo.tasks import relocate


def _runs():
    # arm a (reference) and b over seeds 0, 1; AP50 as fractions
    return [dict(arm='a', seed=0, metrics=dict(novel_ap50=0.10, base_ap50=0.60, all_ap50=0.40)),
            dict(arm='a', seed=1, metrics=dict(novel_ap50=0.20, base_ap50=0.70, all_ap50=0.50)),
            dict(arm='b', seed=0, metrics=dict(novel_ap50=0.40, base_ap50=0.65, all_ap50=0.55)),
            dict(arm='b', seed=1, metrics=dict(novel_ap50=0.30, base_ap50=0.75, all_ap50=-1.0))]


def test_summary_is_mean_and_sample_sd_in_percent_with_paired_changes():
    s = report.summarise(_runs(), ['a', 'b'], 'a')
    m, sd = s['a']['novel_ap50']
    assert m == pytest.approx(15.0) and sd == pytest.approx(math.sqrt(50.0))  # (10, 20)
    # changes per seed: +30, +10 -> mean 20, sd sqrt(200)
    m, sd = s['change']['b']['novel_ap50']
    assert m == pytest.approx(20.0) and sd == pytest.approx(math.sqrt(200.0))
    # the metric's -1 (no detection) is left out, not averaged as -100
    assert s['b']['all_ap50'] == (pytest.approx(55.0), 0.0)
    assert s['change']['b']['all_ap50'][0] == pytest.approx(15.0)


def test_table_rows_carry_the_summary_and_extra_rows():
    s = report.summarise(_runs(), ['a', 'b'], 'a')
    table = report.format_table(s, [('a', 'Arm A'), ('b', 'Arm B')], ['yellow'], 2,
                                [('boxes', dict(a=(1.234, 0.1), b=(0.5, 0.0)), 2),
                                 ('once', dict(b=42.0), 1)])
    rows = {r.split('|')[1].strip(): [c.strip() for c in r.strip('|').split('|')[1:]]
            for r in table.splitlines()[2:]}
    assert rows['novel AP50 (yellow: no box in training)'] == ['15.0 ± 7.1', '35.0 ± 7.1']
    assert rows['base AP50'] == ['65.0 ± 7.1', '70.0 ± 7.1']
    assert rows['novel AP50 change vs Arm A (paired by seed)'] == ['–', '+20.0 ± 14.1']
    assert rows['boxes'] == ['1.23 ± 0.10', '0.50 ± 0.00']
    assert rows['once'] == ['–', '42.0']
    assert 'over 2 seeds' in table.splitlines()[0]


def test_relocate_replaces_prefixes_anywhere_in_the_tree():
    cfg = dict(a=['work_dirs/x/data/scenes/', ('keep', 'work_dirs/x/data/c.json')],
               b=dict(ckpt='clip_before.pt', n=3, other='work_dirs/x/datax'))
    out = relocate(cfg, {'work_dirs/x/data/': '/tmp/w/', 'clip_before.pt': '/abs/b.pt'})
    assert out == dict(a=['/tmp/w/scenes/', ('keep', '/tmp/w/c.json')],
                       b=dict(ckpt='/abs/b.pt', n=3, other='work_dirs/x/datax'))
    assert cfg['a'][0] == 'work_dirs/x/data/scenes/'  # a copy


@pytest.fixture
def two_scenes(tmp_path):
    """Two images with two objects each: 'red' (base) and 'yellow' (novel)."""
    cats = [dict(id=1, name='red'), dict(id=2, name='yellow')]
    anns = [dict(id=1, image_id=1, category_id=1, bbox=[0, 0, 10, 10], area=100, iscrowd=0),
            dict(id=2, image_id=1, category_id=2, bbox=[50, 50, 20, 20], area=400, iscrowd=0),
            dict(id=3, image_id=2, category_id=1, bbox=[10, 10, 10, 10], area=100, iscrowd=0),
            dict(id=4, image_id=2, category_id=2, bbox=[30, 30, 10, 10], area=100, iscrowd=0)]
    images = [dict(id=i, file_name=f'{i}.jpg', height=100, width=100) for i in (1, 2)]
    ann = tmp_path / 'instances.json'
    ann.write_text(json.dumps(dict(images=images, annotations=anns, categories=cats)))
    preds = [  # image 1: red found and named; yellow found, the best box says red
        dict(img_id=1, pred_instances=dict(
            bboxes=torch.tensor([[0., 0, 10, 10], [50, 50, 70, 70], [51, 51, 70, 70]]),
            scores=torch.tensor([0.9, 0.8, 0.4]), labels=torch.tensor([0, 0, 1]))),
        # image 2: red missed (IoU 0.14), yellow found and named; one low-score box
        dict(img_id=2, pred_instances=dict(
            bboxes=torch.tensor([[15., 15, 25, 25], [30, 30, 40, 40], [30, 30, 40, 40]]),
            scores=torch.tensor([0.35, 0.7, 0.1]), labels=torch.tensor([0, 1, 0])))]
    dump = tmp_path / 'predictions.pkl'
    with open(dump, 'wb') as f:
        pickle.dump(preds, f)
    return str(ann), str(dump)


def test_naming_counts_found_and_named_objects_by_hand(two_scenes):
    ann, dump = two_scenes
    out = mechanisms.naming(dump, ann, ['yellow'])
    assert out == dict(base_found=0.5, base_named=1.0, novel_found=1.0, novel_named=0.5)


def test_boxes_per_object_counts_boxes_at_or_above_the_threshold(two_scenes):
    ann, dump = two_scenes
    preds = picture.load_predictions(dump)
    # scores >= 0.3: 3 in image 1, 2 in image 2; 2 objects each
    assert picture.boxes_per_object(preds, ann, [1]) == 1.5
    assert picture.boxes_per_object(preds, ann, [1, 2]) == 5 / 4
    assert picture.boxes_per_object(preds, ann, [2], score_thr=0.5) == 0.5
    assert picture.picture_scenes(ann, ['yellow'], 1) == [1]  # ties: the lower id


def test_top1_and_margin_by_hand():
    classes = torch.eye(3)
    emb = torch.nn.functional.normalize(torch.tensor([[3., 1, 0], [1., 2, 0], [0., 0, 1]]), dim=1)
    correct, margin = mechanisms._top1_and_margin(emb, classes, torch.tensor([0, 0, 2]))
    assert correct.tolist() == [True, False, True]
    assert margin[0] == pytest.approx((3 - 1) / math.sqrt(10))
    assert margin[1] == pytest.approx((1 - 2) / math.sqrt(5))
    assert margin[2] == pytest.approx(1.0)


def test_retrieval_top1_is_own_caption_first():
    regions = torch.tensor([[1., 0], [1., 0.1], [0., 1]])
    captions = torch.tensor([[1., 0.05], [1., 0.0], [0., 2]])  # region 1 is closer to caption 0
    assert mechanisms.retrieval_top1(regions, captions).tolist() == [False, False, True]


def test_mosaic_tiles_hold_their_images_and_boxes():
    images = [np.full((40, 40, 3), 10 * (k + 1), np.uint8) for k in range(9)]
    canvas, boxes = mechanisms.mosaic(images, 3, 96)
    assert canvas.shape == (96, 96, 3)
    assert boxes.tolist()[4] == [32, 32, 64, 64] and len(boxes) == 9
    for k, (x0, y0, x1, y1) in enumerate(boxes.astype(int)):
        assert (canvas[y0:y1, x0:x1] == 10 * (k + 1)).all()


class _BoxScoresByX0:
    """A two-stage detector's interface as gt_box_naming uses it, scoring each box from a table
    indexed by its x0 (rows: C class scores then the background)."""

    def __init__(self, table):
        head = type('Head', (), dict(num_classes=table.shape[1] - 1,
                                     prediction_scores=staticmethod(lambda s: s)))()
        roi_head = type('RoIHead', (), dict(bbox_head=head))()
        roi_head._bbox_forward = lambda x, rois: dict(cls_score=table[rois[:, 1].long()])
        self.roi_head = roi_head

    def eval(self):
        return self

    def data_preprocessor(self, batch, training):
        assert not training
        return batch

    def extract_feat(self, inputs):
        return inputs


def test_gt_box_naming_ranks_each_box_own_class_by_hand():
    from mmdet.structures import DetDataSample
    from mmengine.structures import InstanceData

    # classes: 0 red (base), 1 yellow, 2 purple (novel); last column the background
    table = torch.tensor([[0.6, 0.3, 0.1, 0.9],    # red: top class (background left out)
                          [0.5, 0.2, 0.1, 0.0],    # yellow: red wins; top novel class
                          [0.1, 0.3, 0.4, 0.0],    # purple: top class
                          [0.1, 0.05, 0.2, 0.0]])  # yellow: purple wins among the novel
    labels = [0, 1, 2, 1]

    def sample(xs):
        s = DetDataSample()
        s.gt_instances = InstanceData(
            bboxes=torch.tensor([[float(x), 0., x + 10., 10.] for x in xs]),
            labels=torch.tensor([labels[x] for x in xs]))
        return s

    batches = [dict(inputs=None, data_samples=[sample([0, 1])]),
               dict(inputs=None, data_samples=[sample([2]), sample([3])])]
    out = mechanisms.gt_box_naming(_BoxScoresByX0(table), batches, novel_labels=[1, 2])
    assert out['base_top1'] == 1.0
    assert out['novel_top1'] == pytest.approx(1 / 3)
    assert out['novel_top1_among_novel'] == pytest.approx(2 / 3)
    assert out['novel_own_score'] == pytest.approx((0.2 + 0.4 + 0.05) / 3)
